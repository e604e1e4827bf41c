package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"portal/models"
	"portal/models/simulation"
)

// cmdPricing shows the pricing in force at a date, or sets the monthly
// value of an index, acting as the user --as (an admin, for set-index;
// the change is audited like one made in the portal).
func (a *app) cmdPricing(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "show" && args[0] != "set-index") {
		return usageErrorf("pricing: say show or set-index")
	}
	verb := args[0]
	fs := a.newFlagSet("pricing " + verb)
	as := fs.String("as", "", "the e-mail address of the user the command acts as (required)")
	date := fs.String("date", "", "show: the date, YYYY-MM-DD (default today)")
	index := fs.Int("index", 0, "set-index: the index-types id (1 Euribor 3 months, 2 six, 3 twelve)")
	month := fs.String("month", "", "set-index: the month, YYYY-MM")
	value := fs.String("value", "", "set-index: the value in percent, three decimals at most (2.345)")
	if help, err := parseFlags(fs, args[1:]); help || err != nil {
		return err
	}
	if strings.TrimSpace(*as) == "" {
		return usageErrorf("pricing %s: missing --as", verb)
	}
	var rate simulation.Rate
	if verb == "set-index" {
		f, err := strconv.ParseFloat(strings.TrimSpace(*value), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return usageErrorf("pricing set-index: --value must be a percentage such as 2.345")
		}
		rate = simulation.RateFromPercent(f)
	}
	cfg, log, err := a.config()
	if err != nil {
		return err
	}
	st, err := readyStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := st.PrincipalByEmail(ctx, strings.TrimSpace(*as))
	if err != nil {
		return describe(err)
	}
	ctx = models.WithPrincipal(ctx, p)
	if verb == "set-index" {
		if err := st.SetIndexValue(ctx, models.IndexValue{IndexTypeID: *index, Month: *month, Value: rate}); err != nil {
			return describe(err)
		}
		fmt.Fprintf(a.stdout, "index %d, %s: %.3f %%\n", *index, *month, rate.Percent())
		return nil
	}
	pr, err := st.PricingAt(ctx, *date)
	if err != nil {
		return describe(err)
	}
	demo := func(d bool) string {
		if d {
			return "DEMO"
		}
		return ""
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "pricing in force on %s\n", pr.Date)
	for _, x := range pr.IndexValues {
		fmt.Fprintf(w, "index\t%d\t%s\t%.3f %%\t%s\n", x.IndexTypeID, x.Month, x.Value.Percent(), demo(x.Demo))
	}
	for _, x := range pr.Spreads {
		fmt.Fprintf(w, "spread\tscheme %d purpose %d\t%s\t%.3f %%\t%s\n", x.ProductSchemeID, x.ProductPurposeID, x.ValidFrom, x.Spread.Percent(), demo(x.Demo))
	}
	for _, x := range pr.FixedRates {
		fmt.Fprintf(w, "fixed rate\trate type %d period %d\t%s\t%.3f %%\t%s\n", x.RateTypeID, x.PeriodID, x.ValidFrom, x.Rate.Percent(), demo(x.Demo))
	}
	for _, x := range pr.Limits {
		fmt.Fprintf(w, "limits\tscheme %d\t%s\t%d.%02d–%d.%02d €\t%s\n", x.ProductSchemeID, x.ValidFrom, x.MinAmountCents/100,
			x.MinAmountCents%100, x.MaxAmountCents/100, x.MaxAmountCents%100, demo(x.Demo))
	}
	for _, x := range pr.Charges {
		amount := fmt.Sprintf("%d.%02d €", x.AmountCents/100, x.AmountCents%100)
		if x.Percentage != nil {
			amount += fmt.Sprintf(" + %.3f %%", x.Percentage.Percent())
		}
		fmt.Fprintf(w, "charge\ttype %d periodicity %d\t%s\t%s\t%s\n", x.ChargeTypeID, x.Periodicity, x.ValidFrom, amount, demo(x.Demo))
	}
	return w.Flush()
}
