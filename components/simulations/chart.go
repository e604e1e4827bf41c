package simulations

import (
	"context"
	"strconv"

	"portal/components/i18n"

	"portal/models/simulation"
)

// The schedule chart: capital and interest paid per contract year as
// stacked bars, drawn on the server as SVG in a fixed coordinate space
// that scales to the card's width (so it reads the same on a phone).

const (
	chartLeft, chartBottom = 56, 28 // room for the axis labels
	chartTop               = 12
)

// Chart sizes: the wide one for tablets and desktops, the narrow one for
// phones, so its labels stay a readable size once scaled down.
var (
	WideChart  = ChartSize{W: 640, H: 260, Font: 11, Labels: 10, ID: "wide"}
	PhoneChart = ChartSize{W: 360, H: 240, Font: 13, Labels: 5, ID: "phone"}
)

// ChartSize is a chart's coordinate space, font size and about how many
// year labels it writes.
type ChartSize struct {
	W, H, Font, Labels int
	ID                 string
}

// Bar is one year of the chart, in the SVG's coordinates.
type Bar struct {
	Year                 int
	Capital, Interest    int64
	X, W                 string
	CapitalY, CapitalH   string
	InterestY, InterestH string
	Label                bool // the year's number is written under it
}

// Tick is a horizontal guide with its amount.
type Tick struct {
	Y     string
	Cents int64
}

// Chart is the drawn schedule.
type Chart struct {
	ChartSize
	Bars  []Bar
	Ticks []Tick
	Left  int
	Base  string // the x axis's y
}

// FontSize is the labels' size in the chart's units.
func (c Chart) FontSize() string { return strconv.Itoa(c.Font) }

// Years sums a schedule per contract year (the first year from its months).
func Years(rows []simulation.ScheduleRow) []Bar {
	var out []Bar
	for _, r := range rows {
		switch r.Kind {
		case simulation.RowMonth:
			if len(out) == 0 {
				out = append(out, Bar{Year: 1})
			}
			out[0].Capital += r.Capital
			out[0].Interest += r.Interest
		case simulation.RowYear:
			out = append(out, Bar{Year: r.Period, Capital: r.Capital, Interest: r.Interest})
		}
	}
	return out
}

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// NewChart lays the years out.
func NewChart(rows []simulation.ScheduleRow, size ChartSize) Chart {
	bars := Years(rows)
	chartW, chartH := size.W, size.H
	c := Chart{ChartSize: size, Left: chartLeft, Base: strconv.Itoa(chartH - chartBottom)}
	if len(bars) == 0 {
		return c
	}
	var top int64
	for _, b := range bars {
		top = max(top, b.Capital+b.Interest)
	}
	step := niceStep(top / 4)
	top = (top/step + 1) * step
	plotH := float64(chartH - chartBottom - chartTop)
	plotW := float64(chartW - chartLeft - 8)
	slot := plotW / float64(len(bars))
	scale := func(v int64) float64 { return float64(v) / float64(top) * plotH }
	every := (len(bars) + size.Labels - 1) / size.Labels
	for i, b := range bars {
		capH, intH := scale(b.Capital), scale(b.Interest)
		base := float64(chartH - chartBottom)
		b.X, b.W = f1(float64(chartLeft)+float64(i)*slot+slot*0.15), f1(slot*0.7)
		b.CapitalY, b.CapitalH = f1(base-capH), f1(capH)
		b.InterestY, b.InterestH = f1(base-capH-intH), f1(intH)
		b.Label = i == 0 || (i+1)%every == 0
		bars[i] = b
	}
	c.Bars = bars
	for v := int64(0); v <= top; v += step {
		c.Ticks = append(c.Ticks, Tick{Y: f1(float64(chartH-chartBottom) - scale(v)), Cents: v})
	}
	return c
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten of euros.
func niceStep(v int64) int64 {
	p := int64(100) // one euro
	for {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
		p *= 10
	}
}

// LabelX is the centre of a bar, for its year's label.
func (b Bar) LabelX() string {
	x, _ := strconv.ParseFloat(b.X, 64)
	w, _ := strconv.ParseFloat(b.W, 64)
	return f1(x + w/2)
}

// axisEuros writes an axis amount in whole euros, round thousands short.
func axisEuros(ctx context.Context, cents int64) string {
	e := cents / 100
	if e >= 1000 && e%1000 == 0 {
		return i18n.T(ctx, "sim.chart_thousands", map[string]any{"N": e / 1000})
	}
	return i18n.T(ctx, "sim.chart_euros", map[string]any{"N": e})
}
