package store_test

import (
	"slices"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// BenchmarkCallbackDelivery measures events per second from COMMIT to the
// local receiver's 2xx and the p99 latency from COMMIT to delivery, with
// three subscriptions of one partner (ordered per subscription) and the
// default worker count.
//
//	go test ./models/store -run '^$' -bench CallbackDelivery -benchtime 1x
func BenchmarkCallbackDelivery(b *testing.B) {
	storetest.EachDialect(b, func(b *testing.B, d store.Dialect) {
		s := storetest.OpenDemo(b, d)
		opts := store.CallbackOptions{Poll: 20 * time.Millisecond, AllowLoopback: true}
		w := newCBWorld(b, s, opts, 1, 3, 6)
		w.start(b, s, opts)
		kinds := []models.EventKind{models.EventProcessStatusChanged, models.EventSimulationStatusChanged, models.EventEsisIssued}
		const perKind = 200
		b.ResetTimer()
		for range b.N {
			base := len(w.rcv.Delivered())
			commits := map[models.EventKind][]time.Time{}
			start := time.Now()
			for n := 1; n <= perKind; n++ {
				for _, k := range kinds {
					w.event(b, k, n)
					commits[k] = append(commits[k], time.Now())
				}
			}
			waitDelivered(b, w.rcv, base+perKind*len(kinds))
			elapsed := time.Since(start)
			var lat []time.Duration
			for _, q := range w.rcv.Delivered()[base:] {
				p, dd := body(b, q)
				kind := models.EventProcessStatusChanged
				switch p.NotificationTypeID {
				case 1:
				case 3:
					kind = models.EventSimulationStatusChanged
				default:
					continue // ESIS events carry no ordinal
				}
				n := int(dd["toStatusId"].(float64))
				lat = append(lat, q.At.Sub(commits[kind][n-1]))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(perKind*len(kinds))/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
			b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
			if w.rcv.Duplicates() != 0 {
				b.Fatalf("%d duplicates", w.rcv.Duplicates())
			}
		}
	})
}
