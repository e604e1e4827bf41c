// Package esis renders the ESIS (FINE, Ficha de Informação Normalizada
// Europeia) of a simulation as an A4 PDF: the model of Annex II Part A of
// Directive 2014/17/EU (DL 74-A/2017, Anexo II), in Portuguese or English.
// It is pure: everything the sheet shows comes in a Sheet, and the same
// Sheet gives the same bytes (the PDF's dates are the issue time, its
// catalogue sorted, no random identifiers), so a stored issue's SHA-256
// can be reproduced.
package esis

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"portal/models"
	"portal/models/simulation"
)

// Lender identifies the bank (section 1).
type Lender struct {
	Name         string
	Address      string
	Registration string // its registration line (Banco de Portugal register, company registry)
	Contact      string // phone, e-mail or web address
}

// Broker identifies the credit intermediary (section 2).
type Broker struct {
	Name     string
	UniqueID string // the firm's unique identifier (broker uid)
	// RemunerationCents is what the lender pays it for this loan, when
	// known; nil says it is paid by the lender, amount to be disclosed.
	RemunerationCents *int64
}

// Sheet is everything one ESIS shows.
type Sheet struct {
	Lang   Lang
	Lender Lender
	Broker Broker
	// For is the key borrower's name ("" when the simulation names none).
	For              string
	IssuedAt         time.Time
	ValidUntil       time.Time
	SimulationNumber int64
	ProcessNumber    int64 // 0 unless issued for a process
	Data             models.SimulationData
	Pricing          models.PricingUsed
	Input            simulation.Input
	Result           simulation.Result
	// Taxonomy gives the descriptions of the loan's references (purpose,
	// rate type, index, charge types) in the sheet's language; nil shows
	// their ids.
	Taxonomy *models.Taxonomy
	// Demo marks demonstration prices or bank identity: the sheet says so.
	Demo bool
}

// ErrSheet is wrapped by Render's refusals of an incomplete sheet.
var ErrSheet = errors.New("esis: incomplete sheet")

// Render draws s as PDF bytes.
func Render(s Sheet) ([]byte, error) {
	if s.Lang != EN {
		s.Lang = PT
	}
	switch {
	case s.Lender.Name == "" || s.Broker.Name == "":
		return nil, fmt.Errorf("%w: lender and broker names are required", ErrSheet)
	case s.IssuedAt.IsZero() || !s.ValidUntil.After(s.IssuedAt):
		return nil, fmt.Errorf("%w: the validity must end after the issue", ErrSheet)
	case s.Input.LoanAmount <= 0 || s.Input.Months <= 0:
		return nil, fmt.Errorf("%w: no loan", ErrSheet)
	}
	if len(s.Result.Schedule) == 0 {
		// A result without its table: recompute it from the stored input
		// (the same figures, by the simulation package's determinism).
		r, err := simulation.Compute(s.Input)
		if err != nil {
			return nil, err
		}
		s.Result.Schedule = r.Schedule
	}
	d := newDoc(s)
	d.intro()
	d.lender()
	d.broker()
	d.mainFeatures()
	d.rateAndCosts()
	d.frequency()
	d.instalment()
	d.repaymentTable()
	d.obligations()
	d.earlyRepayment()
	d.flexible()
	d.rights()
	d.complaints()
	d.nonCompliance()
	d.additional()
	d.supervisor()
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FileName is the name an issue's PDF travels under: FINE-<n>.pdf in
// Portuguese, ESIS-<n>.pdf in English.
func FileName(l Lang, simulationNumber int64) string {
	if l == EN {
		return "ESIS-" + strconv.FormatInt(simulationNumber, 10) + ".pdf"
	}
	return "FINE-" + strconv.FormatInt(simulationNumber, 10) + ".pdf"
}

// Page geometry (mm).
const (
	margin    = 15.0
	pageW     = 210.0
	contentW  = pageW - 2*margin
	labelW    = 78.0
	lineH     = 4.6
	bodySize  = 9.0
	smallSize = 7.5
)

type doc struct {
	s   Sheet
	l   Lang
	pdf *fpdf.Fpdf
	enc func(string) string // UTF-8 to the core fonts' cp1252
}

func newDoc(s Sheet) *doc {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, margin+5)
	// Deterministic output: the issue time as both dates, sorted catalogue.
	p.SetCreationDate(s.IssuedAt.UTC())
	p.SetModificationDate(s.IssuedAt.UTC())
	p.SetCatalogSort(true)
	d := &doc{s: s, l: s.Lang, pdf: p, enc: p.UnicodeTranslatorFromDescriptor("")}
	p.SetTitle(tr(d.l, "title"), true)
	p.SetAuthor(s.Lender.Name, true)
	p.SetCreator("portal", false)
	p.SetProducer("portal", false)
	p.SetLang(string(d.l))
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(-margin)
		d.font("", smallSize)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(contentW, 4, d.enc(tr(d.l, "footer", "N", strconv.FormatInt(s.SimulationNumber, 10),
			"P", strconv.Itoa(p.PageNo()), "T", "{nb}")), "", 0, "C", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
	return d
}

func (d *doc) font(style string, size float64) { d.pdf.SetFont("Helvetica", style, size) }

// para is a paragraph of body text.
func (d *doc) para(s string) {
	d.font("", bodySize)
	d.pdf.MultiCell(contentW, lineH, d.enc(s), "", "L", false)
	d.pdf.Ln(1)
}

// bullet is a paragraph with a dash in front.
func (d *doc) bullet(s string) {
	d.font("", bodySize)
	x := d.pdf.GetX()
	d.pdf.CellFormat(5, lineH, d.enc("–"), "", 0, "L", false, 0, "")
	d.pdf.MultiCell(contentW-5, lineH, d.enc(s), "", "L", false)
	d.pdf.SetX(x)
}

// row is a label and its value side by side.
func (d *doc) row(label, value string) {
	p := d.pdf
	d.font("", bodySize)
	lines := p.SplitText(d.enc(label), labelW-4)
	d.font("B", bodySize)
	vlines := p.SplitText(d.enc(value), contentW-labelW-2)
	h := float64(max(len(lines), len(vlines), 1)) * lineH
	_, pageH := p.GetPageSize()
	if p.GetY()+h > pageH-margin-5 {
		p.AddPage()
	}
	x, y := p.GetX(), p.GetY()
	d.font("", bodySize)
	p.SetTextColor(70, 70, 70)
	p.MultiCell(labelW-2, lineH, d.enc(label), "", "L", false)
	p.SetTextColor(0, 0, 0)
	bottom := p.GetY()
	p.SetXY(x+labelW, y)
	d.font("B", bodySize)
	p.MultiCell(contentW-labelW, lineH, d.enc(value), "", "L", false)
	// the taller of the two columns ends the row
	p.SetXY(x, max(bottom, p.GetY())+0.8)
}

// heading starts a numbered section (never alone at a page's foot).
func (d *doc) heading(key string) {
	p := d.pdf
	_, pageH := p.GetPageSize()
	if p.GetY() > pageH-margin-30 {
		p.AddPage()
	}
	p.Ln(2)
	d.font("B", 10.5)
	p.SetFillColor(0, 62, 114)
	p.SetTextColor(255, 255, 255)
	p.CellFormat(contentW, 6.5, d.enc(" "+tr(d.l, key)), "", 1, "L", true, 0, "")
	p.SetTextColor(0, 0, 0)
	p.Ln(1.5)
}

func (d *doc) subheading(s string) {
	d.font("B", bodySize)
	d.pdf.Ln(0.5)
	d.pdf.MultiCell(contentW, lineH, d.enc(s), "", "L", false)
	d.pdf.Ln(0.5)
}

func (d *doc) money(c int64) string { return Money(d.l, c) }

func (d *doc) describe(list string, id int) string {
	if d.s.Taxonomy != nil {
		if t := d.s.Taxonomy.Description(list, id, string(d.l)); t != "" {
			return t
		}
	}
	return "#" + strconv.Itoa(id)
}

func (d *doc) intro() {
	p, s := d.pdf, d.s
	d.font("B", 14)
	p.MultiCell(contentW, 6.5, d.enc(tr(d.l, "title")), "", "L", false)
	d.font("", bodySize)
	p.SetTextColor(70, 70, 70)
	p.MultiCell(contentW, lineH, d.enc(tr(d.l, "subtitle")), "", "L", false)
	p.SetTextColor(0, 0, 0)
	ref := tr(d.l, "ref.simulation", "N", strconv.FormatInt(s.SimulationNumber, 10))
	if s.ProcessNumber != 0 {
		ref += " · " + tr(d.l, "ref.process", "N", strconv.FormatInt(s.ProcessNumber, 10))
	}
	d.font("B", bodySize)
	p.CellFormat(contentW, lineH+1, d.enc(ref), "", 1, "L", false, 0, "")
	p.Ln(2)

	issued, until := Date(d.l, s.IssuedAt), Date(d.l, s.ValidUntil)
	if s.For != "" {
		d.para(tr(d.l, "intro.for", "Name", s.For, "Date", issued))
	} else {
		d.para(tr(d.l, "intro.for_anon", "Date", issued))
	}
	d.para(tr(d.l, "intro.basis"))
	// The validity, highlighted: a shaded box.
	p.SetFillColor(255, 236, 179)
	p.SetDrawColor(191, 144, 0)
	d.font("B", 12)
	p.CellFormat(contentW, 9, d.enc(tr(d.l, "intro.valid_until", "Date", until)), "1", 1, "C", true, 0, "")
	p.SetDrawColor(0, 0, 0)
	p.Ln(1.5)
	d.para(tr(d.l, "intro.valid", "Date", until))
	d.para(tr(d.l, "intro.no_obligation", "Lender", s.Lender.Name))
	if s.Demo || s.Pricing.Demo {
		d.font("I", smallSize)
		p.SetTextColor(150, 40, 0)
		p.MultiCell(contentW, 3.8, d.enc(tr(d.l, "demo")), "", "L", false)
		p.SetTextColor(0, 0, 0)
	}
}

func (d *doc) lender() {
	d.heading("s1")
	l := d.s.Lender
	d.row(tr(d.l, "lender.name"), l.Name)
	if l.Address != "" {
		d.row(tr(d.l, "lender.address"), l.Address)
	}
	if l.Registration != "" {
		d.row(tr(d.l, "lender.registration"), l.Registration)
	}
	if l.Contact != "" {
		d.row(tr(d.l, "lender.contact"), l.Contact)
	}
}

func (d *doc) broker() {
	d.heading("s2")
	b := d.s.Broker
	d.row(tr(d.l, "broker.name"), b.Name)
	if b.UniqueID != "" {
		d.row(tr(d.l, "broker.id"), b.UniqueID)
	}
	if b.RemunerationCents != nil {
		d.row(tr(d.l, "broker.remuneration"), tr(d.l, "broker.paid_amount", "Amount", d.money(*b.RemunerationCents)))
	} else {
		d.row(tr(d.l, "broker.remuneration"), tr(d.l, "broker.paid_by_lender"))
	}
}

func (d *doc) termText(months int) string {
	y, m := months/12, months%12
	years := tr(d.l, "main.years", "Y", strconv.Itoa(y))
	if m != 0 {
		years = tr(d.l, "main.years_months", "Y", strconv.Itoa(y), "M", strconv.Itoa(m))
	}
	return tr(d.l, "main.term_value", "Months", strconv.Itoa(months), "Years", years)
}

func (d *doc) mainFeatures() {
	s, r := d.s, d.s.Result
	d.heading("s3")
	d.row(tr(d.l, "main.amount"), d.money(s.Input.LoanAmount)+" (EUR)")
	d.row(tr(d.l, "main.term"), d.termText(s.Input.Months))
	d.row(tr(d.l, "main.type"), tr(d.l, "main.type_value",
		"Purpose", d.describe(models.TaxonomyLoanPurposes, s.Input.LoanPurposeID),
		"Use", d.describe(models.TaxonomyProductPurposes, s.Input.ProductPurposeID)))
	rate := d.describe(models.TaxonomyRateTypes, s.Input.RateTypeID)
	if s.Input.RateTypeID == simulation.RateMixed && r.FixedMonths > 0 && r.FixedMonths < s.Input.Months {
		rate = tr(d.l, "main.rate_mixed", "Type", rate, "Months", strconv.Itoa(r.FixedMonths))
	}
	d.row(tr(d.l, "main.rate_type"), rate)
	d.row(tr(d.l, "main.mtic"), d.money(r.MTIC))
	// per euro borrowed, to the cent, half-up
	perEuro := (r.MTIC*100*2 + s.Input.LoanAmount) / (2 * s.Input.LoanAmount)
	d.para(tr(d.l, "main.per_euro", "Amount", d.money(perEuro)))
	if s.Input.PropertyValue > 0 {
		d.row(tr(d.l, "main.property"), d.money(s.Input.PropertyValue))
	}
	if r.LTV > 0 {
		d.row(tr(d.l, "main.ltv"), Percent(d.l, r.LTV, 1))
	}
	d.para(tr(d.l, "main.security"))
}

func (d *doc) indexParts() []string {
	s := d.s
	month := s.Pricing.IndexMonth
	if t, err := time.ParseInLocation("2006-01", month, lisbon); err == nil {
		month = monthYear(d.l, t)
	}
	return []string{"Index", d.describe(models.TaxonomyIndexTypes, s.Input.IndexTypeID), "Month", month,
		"Value", Percent(d.l, s.Input.IndexValue, 3), "Spread", Percent(d.l, s.Input.Spread, 3)}
}

func (d *doc) rateAndCosts() {
	s, r := d.s, d.s.Result
	d.heading("s4")
	d.row(tr(d.l, "rate.taeg"), Percent(d.l, r.TAEGShown, 1))
	d.para(tr(d.l, "rate.taeg_text"))
	d.subheading(tr(d.l, "rate.taeg_parts"))
	tan := Percent(d.l, r.TAN, 3)
	switch {
	case s.Input.RateTypeID == simulation.RateVariable:
		tan = tr(d.l, "rate.tan_variable", append([]string{"TAN", tan}, d.indexParts()...)...)
	case s.Input.RateTypeID == simulation.RateMixed && r.FixedMonths > 0 && r.FixedMonths < s.Input.Months:
		tan = tr(d.l, "rate.tan_mixed", append([]string{"TAN", tan, "Months", strconv.Itoa(r.FixedMonths),
			"After", Percent(d.l, r.TANAfterFixed, 3)}, d.indexParts()...)...)
	}
	d.row(tr(d.l, "rate.tan"), tan)
	d.row(tr(d.l, "rate.total_interest"), d.money(r.TotalInterest))
	d.row(tr(d.l, "rate.total_cost"), d.money(r.TotalCostOfCredit))
	if s.Input.RateTypeID != simulation.RateFixed {
		d.para(tr(d.l, "rate.variable_note"))
	}

	var in, out []simulation.ChargeLine
	for _, c := range r.Charges {
		if c.InTAEG {
			in = append(in, c)
		} else {
			out = append(out, c)
		}
	}
	d.subheading(tr(d.l, "rate.costs"))
	d.chargeTable(in)
	d.subheading(tr(d.l, "rate.costs_other"))
	d.chargeTable(out)

	d.subheading(tr(d.l, "rate.taxes"))
	d.row(tr(d.l, "rate.tax_credit"), d.money(r.StampDutyCredit))
	d.row(tr(d.l, "rate.tax_fees"), d.money(r.StampDutyCommissions))
	if s.Input.StampDutyExempt || simulation.InterestExempt(s.Input.LoanPurposeID, s.Input.ProductPurposeID) {
		d.row(tr(d.l, "rate.tax_interest"), tr(d.l, "rate.tax_interest_exempt"))
	} else {
		d.row(tr(d.l, "rate.tax_interest"), d.money(r.StampDutyInterest))
	}

	d.subheading(tr(d.l, "rate.insurances"))
	if len(s.Input.Insurances) == 0 {
		d.para(tr(d.l, "rate.no_insurance"))
	}
	for _, x := range s.Input.Insurances {
		key := "rate.insurance_optional"
		if x.Required {
			key = "rate.insurance_required"
		}
		d.bullet(tr(d.l, key, "Name", d.describe(models.TaxonomyBankChargeTypes, x.TypeID), "Amount", d.money(x.MonthlyPremium)))
	}
	if len(s.Input.Insurances) > 0 {
		d.para(tr(d.l, "rate.insurance_free"))
	}
	d.para(tr(d.l, "rate.notary"))
}

// chargeTable lists charge lines: name, when, amount, total.
func (d *doc) chargeTable(lines []simulation.ChargeLine) {
	if len(lines) == 0 {
		d.para(tr(d.l, "rate.none"))
		return
	}
	w := []float64{78, 40, 31, 31}
	p := d.pdf
	d.font("B", smallSize+0.5)
	p.SetFillColor(230, 236, 242)
	for i, h := range []string{"rate.col_charge", "rate.col_when", "rate.col_amount", "rate.col_total"} {
		align := "L"
		if i >= 2 {
			align = "R"
		}
		p.CellFormat(w[i], 5, d.enc(tr(d.l, h)), "B", 0, align, true, 0, "")
	}
	p.Ln(-1)
	d.font("", smallSize+0.5)
	for _, c := range lines {
		when := tr(d.l, "rate.upfront")
		switch {
		case c.Occurrences == 0:
			when = tr(d.l, "rate.event")
		case c.Periodicity == simulation.Monthly:
			when = tr(d.l, "rate.monthly", "N", strconv.Itoa(c.Occurrences))
		}
		total := "—"
		if c.Occurrences > 0 {
			total = d.money(c.Total)
		}
		p.CellFormat(w[0], 5, d.enc(d.describe(models.TaxonomyBankChargeTypes, c.TypeID)), "", 0, "L", false, 0, "")
		p.CellFormat(w[1], 5, d.enc(when), "", 0, "L", false, 0, "")
		p.CellFormat(w[2], 5, d.enc(d.money(c.Amount)), "", 0, "R", false, 0, "")
		p.CellFormat(w[3], 5, d.enc(total), "", 1, "R", false, 0, "")
	}
	p.Ln(1)
}

func (d *doc) frequency() {
	d.heading("s5")
	d.row(tr(d.l, "freq.frequency"), tr(d.l, "freq.monthly"))
	d.row(tr(d.l, "freq.number"), strconv.Itoa(d.s.Result.InstalmentCount))
}

func (d *doc) instalment() {
	s, r := d.s, d.s.Result
	d.heading("s6")
	d.row(tr(d.l, "inst.amount"), d.money(r.MonthlyInstalment))
	if r.InstalmentAfterFixed != r.MonthlyInstalment {
		d.row(tr(d.l, "inst.after_fixed", "M", strconv.Itoa(r.FixedMonths+1)), d.money(r.InstalmentAfterFixed))
	}
	if len(r.Schedule) > 0 && r.Schedule[0].Kind == simulation.RowMonth && len(r.Schedule) > 1 {
		// the second month: the first also carries the upfront costs
		m := r.Schedule[1]
		if m.Costs > 0 {
			d.para(tr(d.l, "inst.with_costs", "Amount", d.money(m.Instalment+m.Costs)))
		}
	}
	if s.Input.RateTypeID != simulation.RateFixed {
		d.para(tr(d.l, "inst.variable"))
		if r.StressedInstalment > r.MonthlyInstalment {
			d.para(tr(d.l, "inst.stress", "Shock", Points(d.l, simulation.RateShock(s.Input.Months), 1),
				"Amount", d.money(r.StressedInstalment)))
		}
	}
	d.para(tr(d.l, "inst.income"))
}

func (d *doc) repaymentTable() {
	p, r := d.pdf, d.s.Result
	d.heading("s7")
	d.para(tr(d.l, "table.intro"))
	w := []float64{24, 31, 31, 31, 31, 32}
	head := func() {
		d.font("B", smallSize)
		p.SetFillColor(230, 236, 242)
		for i, k := range []string{"table.period", "table.instalment", "table.interest", "table.capital", "table.costs", "table.balance"} {
			align := "R"
			if i == 0 {
				align = "L"
			}
			p.CellFormat(w[i], 5, d.enc(tr(d.l, k)), "B", 0, align, true, 0, "")
		}
		p.Ln(-1)
	}
	head()
	_, pageH := p.GetPageSize()
	for _, row := range r.Schedule {
		if p.GetY()+4.2 > pageH-margin-5 {
			p.AddPage()
			head()
		}
		label, style, border, balance := "", "", "", d.money(row.Balance)
		switch row.Kind {
		case simulation.RowMonth:
			label = tr(d.l, "table.month", "N", strconv.Itoa(row.Period))
		case simulation.RowYear:
			label = tr(d.l, "table.year", "N", strconv.Itoa(row.Period))
		default:
			label, style, border, balance = tr(d.l, "table.total"), "B", "T", ""
		}
		d.font(style, smallSize)
		cells := []string{label, d.money(row.Instalment), d.money(row.Interest), d.money(row.Capital), d.money(row.Costs), balance}
		for i, c := range cells {
			align := "R"
			if i == 0 {
				align = "L"
			}
			p.CellFormat(w[i], 4.2, d.enc(c), border, 0, align, false, 0, "")
		}
		p.Ln(-1)
	}
	p.Ln(1)
}

func (d *doc) obligations() {
	d.heading("s8")
	d.para(tr(d.l, "obl.intro"))
	d.bullet(tr(d.l, "obl.mortgage"))
	for _, x := range d.s.Input.Insurances {
		if x.Required {
			d.bullet(tr(d.l, "obl.insurance", "Name", d.describe(models.TaxonomyBankChargeTypes, x.TypeID)))
		}
	}
	d.bullet(tr(d.l, "obl.account"))
	d.pdf.Ln(1)
	d.para(tr(d.l, "obl.breach"))
}

func (d *doc) earlyRepayment() {
	d.heading("s9")
	d.para(tr(d.l, "early.text"))
	d.para(tr(d.l, "early.fee"))
	for _, c := range d.s.Result.Charges {
		if c.TypeID == simulation.ChargeEarlyRepaymentPart || c.TypeID == simulation.ChargeEarlyRepaymentFull {
			d.bullet(tr(d.l, "early.fee_line", "Name", d.describe(models.TaxonomyBankChargeTypes, c.TypeID), "Amount", d.money(c.Amount)))
		}
	}
}

func (d *doc) flexible() {
	d.heading("s10")
	d.para(tr(d.l, "flex.portability"))
	d.para(tr(d.l, "flex.none"))
}

func (d *doc) rights() {
	d.heading("s11")
	d.para(tr(d.l, "rights.reflection"))
	d.para(tr(d.l, "rights.information"))
}

func (d *doc) complaints() {
	d.heading("s12")
	addr := d.s.Lender.Address
	if addr == "" {
		addr = "—"
	}
	d.para(tr(d.l, "complaints.lender", "Lender", d.s.Lender.Name, "Address", addr))
	d.para(tr(d.l, "complaints.book"))
	d.para(tr(d.l, "complaints.adr"))
}

func (d *doc) nonCompliance() {
	d.heading("s13")
	d.para(tr(d.l, "default.text"))
	d.para(tr(d.l, "default.persi"))
	d.para(tr(d.l, "default.home"))
	d.para(tr(d.l, "default.contact"))
}

func (d *doc) additional() {
	d.heading("s14")
	d.para(tr(d.l, "more.law"))
	d.para(tr(d.l, "more.language"))
	date := d.s.Pricing.Date
	if t, err := time.ParseInLocation(time.DateOnly, date, lisbon); err == nil {
		date = Date(d.l, t)
	}
	d.para(tr(d.l, "more.pricing", "Date", date))
	d.para(tr(d.l, "more.draft"))
}

func (d *doc) supervisor() {
	d.heading("s15")
	d.para(tr(d.l, "supervisor.text"))
}

// Headings are the sections' titles in l, in order (what a reader of the
// sheet finds; the tests look for them).
func Headings(l Lang) []string {
	out := make([]string, 15)
	for i := range out {
		out[i] = tr(l, "s"+strconv.Itoa(i+1))
	}
	return out
}
