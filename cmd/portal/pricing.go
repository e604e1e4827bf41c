package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"portal/models"
	"portal/models/simulation"
)

// pricingVerbs are portal pricing's subcommands with what each does (the
// --help text's first line).
var pricingVerbs = map[string]string{
	"show":           "print the pricing in force at a date (DEMO marks seeded demo values)",
	"set-index":      "set an index's monthly value (Euribor 3/6/12 months)",
	"set-spread":     "set the spread of a product scheme and purpose from a date",
	"set-fixed-rate": "set the rate of a fixed period (fixed rate, or a mixed rate's fixed period) from a date",
	"set-limit":      "set a product scheme's minimum and maximum loan amount from a date",
	"set-charge":     "set a price list line (a bank charge) from a date, or take it off the list",
}

// pricingFlags are the flags of one pricing subcommand, read as text and
// checked after parsing so each mistake is a usage error naming its flag.
type pricingFlags struct {
	as, date, month, from, value, min, max, amount, percentage, periodicity, rateType string
	index, scheme, purpose, period, charge                                            int
	inactive                                                                          bool
}

func (a *app) pricingFlagSet(verb string, f *pricingFlags) *flag.FlagSet {
	fs := a.newFlagSet("pricing " + verb)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "portal pricing %s: %s.\nSetting commands act as an admin (--as) and are audited like a change in the portal;\na change applies from its date, simulations keep the values they used.\n\nFlags:\n", verb, pricingVerbs[verb])
		fs.PrintDefaults()
	}
	fs.StringVar(&f.as, "as", "", "the e-mail address of the user the command acts as (required; an admin to set)")
	from := func() { fs.StringVar(&f.from, "from", "", "the first day the value applies, YYYY-MM-DD (required)") }
	rate := func(name, what string) {
		fs.StringVar(&f.value, name, "", what+" in percent, three decimals at most (1.25 or 1,25)")
	}
	switch verb {
	case "show":
		fs.StringVar(&f.date, "date", "", "the date, YYYY-MM-DD (default today)")
	case "set-index":
		fs.IntVar(&f.index, "index", 0, "the index-types id (1 Euribor 3 months, 2 six, 3 twelve)")
		fs.StringVar(&f.month, "month", "", "the month, YYYY-MM")
		rate("value", "the month's value")
	case "set-spread":
		fs.IntVar(&f.scheme, "scheme", 0, "the product-schemes id")
		fs.IntVar(&f.purpose, "purpose", 0, "the product-purposes id")
		from()
		rate("spread", "the spread")
	case "set-fixed-rate":
		fs.StringVar(&f.rateType, "rate-type", "", "fixed or mixed (index-type-sub-categories 2 or 3)")
		fs.IntVar(&f.period, "period", 0, "the period id: fixed-fixed-period for fixed, mixed-fixed-period for mixed")
		from()
		rate("rate", "the rate")
	case "set-limit":
		fs.IntVar(&f.scheme, "scheme", 0, "the product-schemes id")
		from()
		fs.StringVar(&f.min, "min", "", "the minimum loan amount in euros (25000 or 25000.00)")
		fs.StringVar(&f.max, "max", "", "the maximum loan amount in euros")
	case "set-charge":
		fs.IntVar(&f.charge, "charge", 0, "the bank-charge-types id (not stamp duty 10-12 nor insurances 14-15)")
		from()
		fs.StringVar(&f.amount, "amount", "0", "the amount in euros")
		fs.StringVar(&f.percentage, "percentage", "", "a percentage of the loan amount, added to --amount (optional)")
		fs.StringVar(&f.periodicity, "periodicity", "upfront", "upfront or monthly (with every instalment)")
		fs.BoolVar(&f.inactive, "inactive", false, "take the charge off the price list from --from")
	}
	return fs
}

// cmdPricing shows the pricing in force at a date, or sets one value,
// acting as the user --as (an admin, for the set- commands; each change
// is audited like one made in the portal).
func (a *app) cmdPricing(ctx context.Context, args []string) error {
	if len(args) == 0 || pricingVerbs[args[0]] == "" {
		return usageErrorf("pricing: say show, set-index, set-spread, set-fixed-rate, set-limit or set-charge")
	}
	verb := args[0]
	var f pricingFlags
	fs := a.pricingFlagSet(verb, &f)
	if help, err := parseFlags(fs, args[1:]); help || err != nil {
		return err
	}
	if strings.TrimSpace(f.as) == "" {
		return usageErrorf("pricing %s: missing --as", verb)
	}
	set, err := pricingChange(verb, f)
	if err != nil {
		return err
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
	p, err := st.PrincipalByEmail(ctx, strings.TrimSpace(f.as))
	if err != nil {
		return describe(err)
	}
	ctx = models.WithPrincipal(ctx, p)
	if set != nil {
		line, err := set(ctx, st.Services().Pricing)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintln(a.stdout, line)
		return nil
	}
	pr, err := st.PricingAt(ctx, f.date)
	if err != nil {
		return describe(err)
	}
	return printPricing(a, pr)
}

// pricingSetter makes one change and says what it set.
type pricingSetter func(context.Context, models.PricingService) (string, error)

// pricingChange reads a set- command's flags into its change (nil for
// show); a flag that does not read is a usage error.
func pricingChange(verb string, f pricingFlags) (pricingSetter, error) {
	rate := func(name string) (simulation.Rate, error) {
		r, ok := models.ParsePercent(f.value)
		if !ok {
			return 0, usageErrorf("pricing %s: --%s must be a percentage such as 2.345", verb, name)
		}
		return r, nil
	}
	euros := func(name, s string) (int64, error) {
		c, ok := parseCLIEuros(s)
		if !ok {
			return 0, usageErrorf("pricing %s: --%s must be an amount in euros such as 25000.00", verb, name)
		}
		return c, nil
	}
	switch verb {
	case "set-index":
		r, err := rate("value")
		if err != nil {
			return nil, err
		}
		x := models.IndexValue{IndexTypeID: f.index, Month: f.month, Value: r}
		return func(ctx context.Context, s models.PricingService) (string, error) {
			return fmt.Sprintf("index %d, %s: %s %%", x.IndexTypeID, x.Month, cliPercent(x.Value)), s.SetIndexValue(ctx, x)
		}, nil
	case "set-spread":
		r, err := rate("spread")
		if err != nil {
			return nil, err
		}
		x := models.Spread{ProductSchemeID: f.scheme, ProductPurposeID: f.purpose, ValidFrom: f.from, Spread: r}
		return func(ctx context.Context, s models.PricingService) (string, error) {
			return fmt.Sprintf("spread, scheme %d purpose %d, from %s: %s %%", x.ProductSchemeID, x.ProductPurposeID, x.ValidFrom,
				cliPercent(x.Spread)), s.SetSpread(ctx, x)
		}, nil
	case "set-fixed-rate":
		r, err := rate("rate")
		if err != nil {
			return nil, err
		}
		x := models.FixedRate{PeriodID: f.period, ValidFrom: f.from, Rate: r}
		switch strings.ToLower(strings.TrimSpace(f.rateType)) {
		case "fixed", strconv.Itoa(simulation.RateFixed):
			x.RateTypeID = simulation.RateFixed
		case "mixed", strconv.Itoa(simulation.RateMixed):
			x.RateTypeID = simulation.RateMixed
		default:
			return nil, usageErrorf("pricing set-fixed-rate: --rate-type must be fixed or mixed")
		}
		return func(ctx context.Context, s models.PricingService) (string, error) {
			return fmt.Sprintf("fixed rate, rate type %d period %d, from %s: %s %%", x.RateTypeID, x.PeriodID, x.ValidFrom,
				cliPercent(x.Rate)), s.SetFixedRate(ctx, x)
		}, nil
	case "set-limit":
		lo, err := euros("min", f.min)
		if err != nil {
			return nil, err
		}
		hi, err := euros("max", f.max)
		if err != nil {
			return nil, err
		}
		x := models.ProductLimit{ProductSchemeID: f.scheme, ValidFrom: f.from, MinAmountCents: lo, MaxAmountCents: hi}
		return func(ctx context.Context, s models.PricingService) (string, error) {
			return fmt.Sprintf("limits, scheme %d, from %s: %s–%s €", x.ProductSchemeID, x.ValidFrom, cliEuros(lo), cliEuros(hi)),
				s.SetProductLimit(ctx, x)
		}, nil
	case "set-charge":
		amount, err := euros("amount", f.amount)
		if err != nil {
			return nil, err
		}
		x := models.PriceCharge{ChargeTypeID: f.charge, ValidFrom: f.from, AmountCents: amount, Active: !f.inactive}
		if strings.TrimSpace(f.percentage) != "" {
			p, ok := models.ParsePercent(f.percentage)
			if !ok {
				return nil, usageErrorf("pricing set-charge: --percentage must be a percentage such as 0.5")
			}
			x.Percentage = &p
		}
		switch strings.ToLower(strings.TrimSpace(f.periodicity)) {
		case "upfront", "1":
			x.Periodicity = simulation.Upfront
		case "monthly", "2":
			x.Periodicity = simulation.Monthly
		default:
			return nil, usageErrorf("pricing set-charge: --periodicity must be upfront or monthly")
		}
		return func(ctx context.Context, s models.PricingService) (string, error) {
			what := cliEuros(x.AmountCents) + " €"
			if x.Percentage != nil {
				what += " + " + cliPercent(*x.Percentage) + " %"
			}
			if !x.Active {
				what = "off the price list"
			}
			return fmt.Sprintf("charge %d, from %s: %s", x.ChargeTypeID, x.ValidFrom, what), s.SetCharge(ctx, x)
		}, nil
	}
	return nil, nil
}

// parseCLIEuros reads an operator's amount: digits, optionally a point (or
// comma) and one or two decimals, no grouping.
func parseCLIEuros(s string) (int64, bool) {
	whole, frac, _ := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), ",", "."), ".")
	if whole == "" || len(whole) > 12 || len(frac) > 2 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

func cliEuros(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

func cliPercent(r simulation.Rate) string { return fmt.Sprintf("%.3f", r.Percent()) }

func printPricing(a *app, pr *models.Pricing) error {
	demo := func(d bool) string {
		if d {
			return "DEMO"
		}
		return ""
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "pricing in force on %s\n", pr.Date)
	for _, x := range pr.IndexValues {
		fmt.Fprintf(w, "index\t%d\t%s\t%s %%\t%s\n", x.IndexTypeID, x.Month, cliPercent(x.Value), demo(x.Demo))
	}
	for _, x := range pr.Spreads {
		fmt.Fprintf(w, "spread\tscheme %d purpose %d\t%s\t%s %%\t%s\n", x.ProductSchemeID, x.ProductPurposeID, x.ValidFrom, cliPercent(x.Spread), demo(x.Demo))
	}
	for _, x := range pr.FixedRates {
		fmt.Fprintf(w, "fixed rate\trate type %d period %d\t%s\t%s %%\t%s\n", x.RateTypeID, x.PeriodID, x.ValidFrom, cliPercent(x.Rate), demo(x.Demo))
	}
	for _, x := range pr.Limits {
		fmt.Fprintf(w, "limits\tscheme %d\t%s\t%s–%s €\t%s\n", x.ProductSchemeID, x.ValidFrom, cliEuros(x.MinAmountCents),
			cliEuros(x.MaxAmountCents), demo(x.Demo))
	}
	for _, x := range pr.Charges {
		amount := cliEuros(x.AmountCents) + " €"
		if x.Percentage != nil {
			amount += " + " + cliPercent(*x.Percentage) + " %"
		}
		fmt.Fprintf(w, "charge\ttype %d periodicity %d\t%s\t%s\t%s\n", x.ChargeTypeID, x.Periodicity, x.ValidFrom, amount, demo(x.Demo))
	}
	return w.Flush()
}
