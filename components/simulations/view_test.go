package simulations

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"portal/components/i18n"
	"portal/models/simulation"
)

func TestPercentPerLanguage(t *testing.T) {
	pt, en := i18n.WithLang(context.Background(), i18n.PT), i18n.WithLang(context.Background(), i18n.EN)
	for _, tc := range []struct {
		r        simulation.Rate
		decimals int
		pt, en   string
	}{
		{325_000, 3, "3,250\u00a0%", "3.250%"},
		{404_999, 1, "4,0\u00a0%", "4.0%"},
		{405_000, 1, "4,1\u00a0%", "4.1%"}, // half-up
		{50 * simulation.Percent, 1, "50,0\u00a0%", "50.0%"},
	} {
		if got := Percent(pt, tc.r, tc.decimals); got != tc.pt {
			t.Errorf("pt %d/%d: %q, want %q", tc.r, tc.decimals, got, tc.pt)
		}
		if got := Percent(en, tc.r, tc.decimals); got != tc.en {
			t.Errorf("en %d/%d: %q, want %q", tc.r, tc.decimals, got, tc.en)
		}
	}
}

func TestRuleWhySaysValueAgainstLimit(t *testing.T) {
	en := i18n.WithLang(context.Background(), i18n.EN)
	pt := i18n.WithLang(context.Background(), i18n.PT)
	dsti := simulation.RuleResult{Code: simulation.RuleDSTI, Unit: simulation.UnitRate, Value: 6_060_000, Max: int64(simulation.DSTILimit), HasMax: true}
	if got := RuleWhy(en, nil, dsti); got != "60.6% is above the limit of 50.0%." {
		t.Errorf("failing DSTI: %q", got)
	}
	if got := RuleWhy(pt, nil, dsti); got != "60,6\u00a0% está acima do limite de 50,0\u00a0%." {
		t.Errorf("failing DSTI in Portuguese: %q", got)
	}
	dsti.Passed, dsti.Value = true, 4_580_000
	if got := RuleWhy(en, nil, dsti); got != "45.8%, within the limit of 50.0%." {
		t.Errorf("passing DSTI: %q", got)
	}
	term := simulation.RuleResult{Code: simulation.RuleTerm, Unit: simulation.UnitMonths, Value: 102, Min: 120, HasMin: true, Max: 480, HasMax: true}
	if got := RuleWhy(en, nil, term); got != "8 years 6 months is below the minimum of 10 years." {
		t.Errorf("short term: %q", got)
	}
}

func schedule(years int, capital, interest int64) []simulation.ScheduleRow {
	var rows []simulation.ScheduleRow
	for m := 1; m <= 12; m++ {
		rows = append(rows, simulation.ScheduleRow{Kind: simulation.RowMonth, Period: m, Capital: capital, Interest: interest})
	}
	for y := 2; y <= years; y++ {
		rows = append(rows, simulation.ScheduleRow{Kind: simulation.RowYear, Period: y, Capital: 12*capital + int64(y), Interest: 12 * interest})
	}
	return append(rows, simulation.ScheduleRow{Kind: simulation.RowTotal})
}

func TestChartYearsAndScale(t *testing.T) {
	bars := Years(schedule(3, 500_00, 300_00))
	if len(bars) != 3 || bars[0].Year != 1 || bars[0].Capital != 6000_00 || bars[0].Interest != 3600_00 || bars[2].Capital != 6000_03 {
		t.Fatalf("years %+v", bars)
	}
	for _, size := range []ChartSize{WideChart, PhoneChart} {
		c := NewChart(schedule(30, 500_00, 300_00), size)
		if len(c.Bars) != 30 || len(c.Ticks) < 2 {
			t.Fatalf("%s: %d bars, %d ticks", size.ID, len(c.Bars), len(c.Ticks))
		}
		// Bars stand on the axis, capital below interest, inside the drawing.
		base, _ := strconv.ParseFloat(c.Base, 64)
		for _, b := range c.Bars {
			cy, _ := strconv.ParseFloat(b.CapitalY, 64)
			ch, _ := strconv.ParseFloat(b.CapitalH, 64)
			iy, _ := strconv.ParseFloat(b.InterestY, 64)
			ih, _ := strconv.ParseFloat(b.InterestH, 64)
			if d := cy + ch - base; d > 0.11 || d < -0.11 || iy+ih > cy+0.11 || iy < 0 {
				t.Fatalf("%s: year %d drawn at %v+%v / %v+%v over %v", size.ID, b.Year, cy, ch, iy, ih, base)
			}
		}
		labels := 0
		for _, b := range c.Bars {
			if b.Label {
				labels++
			}
		}
		if labels > size.Labels+1 || labels < 2 {
			t.Errorf("%s: %d year labels", size.ID, labels)
		}
		top := c.Ticks[len(c.Ticks)-1]
		if top.Cents < 12*(500_00+300_00) {
			t.Errorf("%s: top tick %d below the tallest year", size.ID, top.Cents)
		}
	}
	if c := NewChart(nil, WideChart); len(c.Bars) != 0 {
		t.Error("an empty schedule draws bars")
	}
	if !strings.HasPrefix(axisEuros(i18n.WithLang(context.Background(), i18n.PT), 15_000_00), "15 mil") {
		t.Error("axis thousands in Portuguese")
	}
}
