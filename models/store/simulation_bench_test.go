package store_test

import (
	"testing"

	"portal/models"
	"portal/models/simulation"
	"portal/models/store"
	"portal/models/store/storetest"
)

// BenchmarkPreviewSimulation measures the simulator's figures as a broker
// types them (PreviewSimulation: the taxonomy check, the pricing in force
// read from the database, the French schedule, TAEG and the rules; nothing
// written), per rate type, serially and with every core busy
// (b.RunParallel, GOMAXPROCS goroutines). "compute only" is the baseline
// measured in the same run: the same figures from the simulation package
// alone on the input Preview priced, so preview ÷ compute is what the
// store adds (the pricing read and the checks).
//
//	go test ./models/store -run '^$' -bench PreviewSimulation -benchmem
//
// The PostgreSQL half needs PORTAL_TEST_POSTGRES_URL and is skipped without it.
func BenchmarkPreviewSimulation(b *testing.B) {
	mixed := func() models.SimulationInput {
		in := fixedSimulation()
		in.RateTypeID, in.FixedFixedPeriodID = ip(simulation.RateMixed), nil
		in.MixedFixedPeriodID, in.IndexTypeID = ip(3), ip(simulation.IndexEuribor12M)
		return in
	}
	cases := []struct {
		name string
		in   models.SimulationInput
	}{{"fixed", fixedSimulation()}, {"variable", variableSimulation()}, {"mixed", mixed()}}
	storetest.EachDialect(b, func(b *testing.B, d store.Dialect) {
		s := storetest.OpenDemo(b, d)
		simClock(s)
		ana := storetest.AsUser(b, s, anaEmail)
		for _, tc := range cases {
			p, err := s.PreviewSimulation(ana, tc.in)
			storetest.Must(b, err, "preview %s", tc.name)
			if p.Result.MonthlyInstalment <= 0 || len(p.Rules) == 0 {
				b.Fatalf("%s: preview %+v", tc.name, p.Result)
			}
			b.Run(tc.name+"/preview", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.PreviewSimulation(ana, tc.in); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(tc.name+"/preview parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := s.PreviewSimulation(ana, tc.in); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
			b.Run(tc.name+"/compute only", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r, err := simulation.Compute(p.Input)
					if err != nil {
						b.Fatal(err)
					}
					_ = simulation.Rules(p.Input, r, p.Pricing.Product())
				}
			})
		}
	})
}
