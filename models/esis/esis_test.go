package esis_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"portal/components"
	"portal/components/i18n"
	"portal/models"
	"portal/models/esis"
	"portal/models/simulation"
	"portal/models/store/taxonomydata"
)

var (
	taxOnce sync.Once
	tax     *models.Taxonomy
	taxErr  error
)

func taxonomy(tb testing.TB) *models.Taxonomy {
	tb.Helper()
	taxOnce.Do(func() {
		lists, err := taxonomydata.Load()
		if err != nil {
			taxErr = err
			return
		}
		var out []*models.TaxonomyList
		for _, l := range lists {
			tl := &models.TaxonomyList{Name: l.Name, Parent: l.Parent, TitlePT: l.PT, TitleEN: l.EN}
			for _, it := range l.Items {
				tl.Items = append(tl.Items, models.TaxonomyItem{ID: it.ID, Code: it.Code, ParentID: it.ParentID, PT: it.PT, EN: it.EN})
			}
			out = append(out, tl)
		}
		tax, taxErr = models.NewTaxonomy(out)
	})
	if taxErr != nil {
		tb.Fatal(taxErr)
	}
	return tax
}

// sheet is a variable-rate simulation with upfront and monthly charges
// and both insurances, computed by the simulation package.
func sheet(tb testing.TB, l esis.Lang, rateType int) esis.Sheet {
	tb.Helper()
	in := simulation.Input{LoanAmount: 180_000_00, Months: 360, RateTypeID: rateType, IndexTypeID: simulation.IndexEuribor6M,
		IndexValue: simulation.RateFromPercent(2.107), Spread: simulation.RateFromPercent(0.85),
		FixedRate: simulation.RateFromPercent(3.2), LoanPurposeID: simulation.LoanPurchase,
		ProductPurposeID: simulation.ProductOwnPermanentHome, PropertyValue: 240_000_00, PropertyAcquisitionAmount: 230_000_00,
		PropertyDistrictID: 11,
		Borrowers:          []simulation.Borrower{{BirthDate: time.Date(1990, 5, 4, 0, 0, 0, 0, time.UTC), MonthlyNetIncome: 3_200_00}},
		Insurances: []simulation.Insurance{{TypeID: simulation.ChargeLifeInsurance, MonthlyPremium: 24_50, Required: true},
			{TypeID: simulation.ChargeHomeInsurance, MonthlyPremium: 12_30}},
		Charges: []simulation.Charge{{TypeID: simulation.ChargeArrangement, Amount: 300_00, Periodicity: simulation.Upfront},
			{TypeID: simulation.ChargeInstalmentProcessing, Amount: 2_50, Periodicity: simulation.Monthly},
			{TypeID: simulation.ChargeEarlyRepaymentPart, Amount: 0, Periodicity: simulation.Upfront},
			{TypeID: simulation.ChargeMortgageRegistration, Amount: 250_00, Periodicity: simulation.Upfront}},
		ConclusionDate: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
	switch rateType {
	case simulation.RateFixed:
		in.IndexTypeID = simulation.IndexFixedRate
	case simulation.RateMixed:
		in.FixedPeriodMonths = 60
	}
	r, err := simulation.Compute(in)
	if err != nil {
		tb.Fatal(err)
	}
	issued := time.Date(2026, 12, 7, 23, 40, 0, 0, time.UTC) // 7 Dec in Lisbon
	return esis.Sheet{Lang: l, Lender: esis.Lender{Name: "Banco Demo, S.A.", Address: "Avenida da Liberdade 1, 1250-001 Lisboa",
		Registration: "Banco de Portugal n.º 0000 (demonstração)", Contact: "apoio@banco.example"},
		Broker: esis.Broker{Name: "Lisboa Crédito, Lda.", UniqueID: "BRK-0001"}, For: "Ana Conceição",
		IssuedAt: issued, ValidUntil: issued.Add(models.DefaultEsisValidity), SimulationNumber: 100042,
		Pricing: models.PricingUsed{Date: "2026-12-07", IndexTypeID: simulation.IndexEuribor6M, IndexMonth: "2026-11"},
		Input:   in, Result: r, Taxonomy: taxonomy(tb), Demo: true}
}

// text is the PDF's text, every page, with its line breaks dropped.
func text(t *testing.T, b []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the PDF does not parse: %v", err)
	}
	var out strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		s, err := p.GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		out.WriteString(s)
		out.WriteString("\n")
	}
	// Lines wrapped by the layout join with one space (a no-break space
	// inside an amount stays as it is).
	return collapse.ReplaceAllString(out.String(), " ")
}

var collapse = regexp.MustCompile(`[ \t\r\n]+`)

func TestRenderShowsTheSectionsAndTheStoredFigures(t *testing.T) {
	for _, tc := range []struct {
		lang          esis.Lang
		title, until  string
		rate, process string
	}{
		{esis.PT, "Ficha de Informação Normalizada Europeia (FINE)", "VÁLIDO ATÉ 6 jan. 2027", "Taxa variável", "Processo n.º 200007"},
		{esis.EN, "European Standardised Information Sheet (ESIS)", "VALID UNTIL 6 Jan 2027", "Variable rate", "Process no. 200007"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			s := sheet(t, tc.lang, simulation.RateVariable)
			s.ProcessNumber = 200007
			b, err := esis.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
			}
			got := text(t, b)
			want := append(esis.Headings(tc.lang), tc.title, tc.until, tc.rate, tc.process, "Ana Conceição",
				"Lisboa Crédito, Lda.", "BRK-0001", "Banco de Portugal",
				esis.Money(tc.lang, s.Result.MonthlyInstalment), esis.Money(tc.lang, s.Result.MTIC),
				esis.Percent(tc.lang, s.Result.TAN, 3), esis.Percent(tc.lang, s.Result.TAEGShown, 1),
				esis.Money(tc.lang, s.Result.StampDutyCredit), esis.Money(tc.lang, s.Result.TotalInterest))
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("the PDF's text lacks %q", w)
				}
			}
			// the repayment table: twelve months, then years, then totals
			total := s.Result.Schedule[len(s.Result.Schedule)-1]
			for _, w := range []string{esis.Money(tc.lang, total.Instalment), esis.Money(tc.lang, total.Interest)} {
				if !strings.Contains(got, w) {
					t.Errorf("the repayment table lacks the total %q", w)
				}
			}
			if t.Failed() {
				t.Logf("text:\n%s", got)
			}
		})
	}
}

// The headings are the model's (Annex II Part A), written out here
// rather than read from the package's texts.
func TestHeadingsAreTheModels(t *testing.T) {
	want := map[esis.Lang][]string{
		esis.PT: {"1. Mutuante", "2. Intermediário de crédito", "3. Principais características do empréstimo",
			"4. Taxa de juro e outros custos", "5. Periodicidade e número de pagamentos", "6. Montante de cada prestação",
			"7. Quadro de reembolso indicativo", "8. Obrigações adicionais", "9. Reembolso antecipado",
			"10. Características flexíveis", "11. Outros direitos do mutuário", "12. Reclamações",
			"13. Incumprimento dos compromissos associados ao empréstimo: consequências para o mutuário",
			"14. Informações adicionais", "15. Autoridade de supervisão"},
		esis.EN: {"1. Lender", "2. Credit intermediary", "3. Main features of the loan", "4. Interest rate and other costs",
			"5. Frequency and number of payments", "6. Amount of each instalment", "7. Illustrative repayment table",
			"8. Additional obligations", "9. Early repayment", "10. Flexible features", "11. Other rights of the borrower",
			"12. Complaints", "13. Non-compliance with the commitments linked to the loan: consequences for the borrower",
			"14. Additional information", "15. Supervisory authority"},
	}
	for l, headings := range want {
		b, err := esis.Render(sheet(t, l, simulation.RateFixed))
		if err != nil {
			t.Fatal(err)
		}
		got := text(t, b)
		for _, h := range headings {
			if !strings.Contains(got, h) {
				t.Errorf("%s: no heading %q", l, h)
			}
		}
	}
}

// Without a borrower's name the sheet says only when it was drawn up.
func TestRenderWithoutABorrowerName(t *testing.T) {
	s := sheet(t, esis.EN, simulation.RateFixed)
	s.For = ""
	b, err := esis.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	got := text(t, b)
	if !strings.Contains(got, "This document was produced on 7 Dec 2026.") || strings.Contains(got, "produced for") {
		t.Errorf("introduction without a name: %q", got[:min(len(got), 400)])
	}
	if strings.Contains(got, "A variable rate follows") {
		t.Errorf("a fixed rate's sheet speaks of a variable rate")
	}
}

func TestRenderSectionsInOrderWithTheReflectionPeriod(t *testing.T) {
	b, err := esis.Render(sheet(t, esis.PT, simulation.RateMixed))
	if err != nil {
		t.Fatal(err)
	}
	got := text(t, b)
	at := 0
	for _, h := range esis.Headings(esis.PT) {
		i := strings.Index(got[at:], h)
		if i < 0 {
			t.Fatalf("%q missing or out of order", h)
		}
		at += i + len(h)
	}
	s11 := got[strings.Index(got, "11. Outros direitos"):strings.Index(got, "12. Reclamações")]
	if !strings.Contains(s11, "pelo menos, 7 dias") {
		t.Errorf("section 11 has no reflection period of at least 7 days: %q", s11)
	}
	if !strings.Contains(got, "Euribor a 6 meses de nov. 2026: 2,107 %") {
		t.Errorf("the index, its month and value are not shown")
	}
	if !strings.Contains(got, "Se a taxa de juro subir 1,5 pontos percentuais") {
		t.Errorf("the rate shock is not worded in points")
	}
	if !strings.Contains(got, "fixa durante 60 meses") {
		t.Errorf("a mixed rate's fixed period is not shown")
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	s := sheet(t, esis.PT, simulation.RateFixed)
	a, err := esis.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := esis.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Fatal("two renders of one sheet differ")
	}
	s.IssuedAt = s.IssuedAt.Add(time.Hour)
	c, err := esis.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("another issue time gives the same bytes")
	}
}

func TestRenderRecomputesAMissingTable(t *testing.T) {
	s := sheet(t, esis.EN, simulation.RateVariable)
	want := s.Result.Schedule[len(s.Result.Schedule)-1]
	s.Result.Schedule = nil
	b, err := esis.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, b); !strings.Contains(got, esis.Money(esis.EN, want.Interest)) {
		t.Errorf("the recomputed table lacks the total interest %s", esis.Money(esis.EN, want.Interest))
	}
}

func TestRenderRefusesAnIncompleteSheet(t *testing.T) {
	s := sheet(t, esis.PT, simulation.RateVariable)
	s.ValidUntil = s.IssuedAt
	if _, err := esis.Render(s); err == nil {
		t.Error("a sheet valid until its issue was rendered")
	}
	s = sheet(t, esis.PT, simulation.RateVariable)
	s.Lender.Name = ""
	if _, err := esis.Render(s); err == nil {
		t.Error("a sheet without a lender was rendered")
	}
}

// The sheet's formats are the pages' (components/format.go).
func TestFormatsAreThePagesFormats(t *testing.T) {
	days := []time.Time{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), time.Date(2027, 6, 30, 23, 30, 0, 0, time.UTC),
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, l := range []struct {
		esis esis.Lang
		page i18n.Lang
	}{{esis.PT, i18n.PT}, {esis.EN, i18n.EN}} {
		ctx := i18n.WithLang(context.Background(), l.page)
		for _, c := range []int64{0, 5, 99, 100, 123456, -123456, 100000000, 24100000, 999999999999} {
			if got, want := esis.Money(l.esis, c), components.Money(ctx, c); got != want {
				t.Errorf("%s Money(%d) = %q, the pages show %q", l.esis, c, got, want)
			}
		}
		for _, d := range days {
			if got, want := esis.Date(l.esis, d), components.Date(ctx, d); got != want {
				t.Errorf("%s Date(%v) = %q, the pages show %q", l.esis, d, got, want)
			}
		}
	}
}

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		r  simulation.Rate
		d  int
		pt string
		en string
	}{
		{simulation.RateFromPercent(3.5), 3, "3,500 %", "3.500%"},
		{simulation.RateFromPercent(4.04999), 1, "4,0 %", "4.0%"},
		{simulation.RateFromPercent(4.05), 1, "4,1 %", "4.1%"},
		{simulation.RateFromPercent(-0.25), 3, "-0,250 %", "-0.250%"},
		{simulation.RateFromPercent(12), 0, "12 %", "12%"},
	} {
		if got := esis.Percent(esis.PT, c.r, c.d); got != c.pt {
			t.Errorf("Percent(PT, %d, %d) = %q, want %q", c.r, c.d, got, c.pt)
		}
		if got := esis.Percent(esis.EN, c.r, c.d); got != c.en {
			t.Errorf("Percent(EN, %d, %d) = %q, want %q", c.r, c.d, got, c.en)
		}
		if got, want := esis.Points(esis.PT, c.r, c.d), strings.TrimSuffix(c.pt, " %"); got != want {
			t.Errorf("Points(PT, %d, %d) = %q, want %q", c.r, c.d, got, want)
		}
	}
}

func TestFileNameAndLang(t *testing.T) {
	if got := esis.FileName(esis.PT, 100042); got != "FINE-100042.pdf" {
		t.Errorf("pt file name %q", got)
	}
	if got := esis.FileName(esis.EN, 100042); got != "ESIS-100042.pdf" {
		t.Errorf("en file name %q", got)
	}
	for in, want := range map[string]esis.Lang{"": esis.PT, "pt-PT": esis.PT, "en": esis.EN, "EN-gb": esis.EN, "ena": esis.PT} {
		if got := esis.ParseLang(in); got != want {
			t.Errorf("ParseLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	s := sheet(b, esis.PT, simulation.RateVariable)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := esis.Render(s); err != nil {
			b.Fatal(err)
		}
	}
}
