package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
	"portal/models/simulation"
)

// Simulations (models.SimulationService). A simulation is priced with the
// pricing in force on the day it is written (pricing.go) and computed by
// models/simulation; the row keeps the pricing values used, the input the
// figures were computed from and the result (JSON text), so a re-read
// gives the same figures whatever the pricing has become since. Writes run
// like process work (processwork.go): one transaction that locks the row
// first, checks its status under the lock, writes the change, its
// simulation_events row and the last action date.

var _ models.SimulationService = (*Store)(nil)

// firstSimulationNumber is the number of a bank's first simulation.
const firstSimulationNumber = 100001

// simulationRow is a simulations row.
type simulationRow struct {
	ID                             int64
	UUID                           string `gorm:"column:uuid"`
	BankID                         int64
	BrokerID                       int64
	SimulationNumber               int64
	StatusID                       int
	LoanAmountCents                int64
	LoanDurationMonths             int
	LoanPurposeID                  int
	ProductPurposeID               int
	ProductSchemeID                int
	RateTypeID                     int
	IndexTypeID                    *int
	MixedFixedPeriodID             *int
	FixedFixedPeriodID             *int
	PropertyValueCents             int64
	PropertyAcquisitionAmountCents int64
	PropertyDistrictID             *int
	Insurances                     string
	Pricing                        string
	Input                          string
	Result                         string
	Validation                     string
	MonthlyInstalmentCents         int64
	ValidatedAt                    *time.Time
	KeyBorrowerName                string
	KeyBorrowerTaxID               string
	EsisIssuedAt                   *time.Time
	EsisValidUntil                 *time.Time
	EsisFiguresHash                string
	FiguresHash                    string // models.FiguresHash(Input, Result); '' on rows older than the column
	ProcessID                      *int64
	CreatedByUserID                *int64
	CreatedAt                      time.Time
	LastActionAt                   time.Time
	UpdatedAt                      time.Time
}

func (simulationRow) TableName() string { return "simulations" }

type simulationBorrowerRow struct {
	ID                                 int64
	SimulationID                       int64
	Ordinal                            int
	Name                               string
	TaxID                              string
	BirthDate                          string
	MonthlyNetIncomeCents              int64
	MonthlyInstalmentsOtherCreditCents int64
}

func (simulationBorrowerRow) TableName() string { return "simulation_borrowers" }

type simulationEventRow struct {
	ID           int64
	SimulationID int64
	What         string
	FromStatus   *int
	ToStatus     int
	ActorUserID  *int64
	ActorName    string
	ActorKind    string
	CreatedAt    time.Time
}

func (simulationEventRow) TableName() string { return "simulation_events" }

func optID(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func idOf(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// simulationScopeCond restricts simulations to the caller's: a broker
// their firm's, staff their bank's, nobody else any.
func simulationScopeCond(ctx context.Context) (string, any, error) {
	p := models.PrincipalFrom(ctx)
	switch {
	case p.IsBroker() && p.FirmID != 0:
		return "simulations.broker_id = ?", p.FirmID, nil
	case p.IsStaff():
		return "simulations.bank_id = ?", p.BankID, nil
	case p == nil:
		return "", nil, models.Unauthorized("not signed in")
	}
	return "", nil, models.Forbidden("simulations are for brokers and bank staff")
}

// simulationEditor is the caller as a simulation's editor: brokers only.
func simulationEditor(ctx context.Context) (*models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return nil, models.Unauthorized("not signed in")
	case !p.IsBroker() || p.FirmID == 0:
		return nil, models.Forbidden("simulations are made by their broker firm")
	}
	return p, nil
}

// scopedSimulation is the caller's simulation simulationUUID, locked for
// the transaction when lock is set; CodeNotFound when missing or foreign.
func (s *Store) scopedSimulation(ctx context.Context, db *gorm.DB, simulationUUID string, lock bool) (*simulationRow, error) {
	cond, arg, err := simulationScopeCond(ctx)
	if err != nil {
		return nil, err
	}
	if !validUUID(simulationUUID) {
		return nil, models.NotFound("simulation")
	}
	q := db.Model(&simulationRow{}).Where(cond, arg)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r simulationRow
	if err := q.Where("simulations.uuid = ?", strings.ToLower(simulationUUID)).Take(&r).Error; err != nil {
		return nil, translate(err, "simulation")
	}
	return &r, nil
}

// priced is a simulation's data priced and computed on day.
type priced struct {
	data   models.SimulationData
	used   models.PricingUsed
	input  simulation.Input
	result simulation.Result
}

// price prices d with the pricing in force on the day of now and computes
// it.
func (s *Store) price(db *gorm.DB, d models.SimulationData, now time.Time) (*priced, error) {
	day := pricingDate(now)
	p, err := s.pricingAt(db, day)
	if err != nil {
		return nil, err
	}
	used, err := p.Price(d)
	if err != nil {
		return nil, err
	}
	conclusion, _ := time.Parse(time.DateOnly, day)
	in := d.ComputeInput(used, conclusion)
	r, err := simulation.Compute(in)
	if err != nil {
		var v models.Validation
		v.Add("loanAmount", "simulation.not_computable", nil)
		return nil, v.Err()
	}
	return &priced{data: d, used: used, input: in, result: r}, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs: cannot fail
	}
	return string(b)
}

// writePriced sets r's priced columns from p.
func writePriced(r *simulationRow, p *priced) {
	d := p.data
	r.LoanAmountCents, r.LoanDurationMonths = d.LoanAmountCents, d.LoanDurationMonths
	r.LoanPurposeID, r.ProductPurposeID, r.ProductSchemeID = d.LoanPurposeID, d.ProductPurposeID, d.ProductSchemeID
	r.RateTypeID, r.IndexTypeID = d.RateTypeID, optID(d.IndexTypeID)
	r.MixedFixedPeriodID, r.FixedFixedPeriodID = optID(d.MixedFixedPeriodID), optID(d.FixedFixedPeriodID)
	r.PropertyValueCents, r.PropertyAcquisitionAmountCents = d.PropertyValueCents, d.PropertyAcquisitionAmountCents
	r.PropertyDistrictID = optID(d.PropertyDistrictID)
	r.Insurances = mustJSON(d.Insurances)
	r.Pricing, r.Input, r.Result = mustJSON(p.used), mustJSON(p.input), mustJSON(p.result)
	r.MonthlyInstalmentCents = p.result.MonthlyInstalment
	r.FiguresHash = models.FiguresHash(p.input, p.result)
	r.KeyBorrowerName, r.KeyBorrowerTaxID = "", ""
	if len(d.Borrowers) > 0 {
		r.KeyBorrowerName, r.KeyBorrowerTaxID = d.Borrowers[0].Name, d.Borrowers[0].TaxID
	}
}

func writeBorrowers(tx *gorm.DB, simulationID int64, bs []models.SimulationBorrower) error {
	if err := tx.Where("simulation_id = ?", simulationID).Delete(&simulationBorrowerRow{}).Error; err != nil {
		return err
	}
	for i, b := range bs {
		row := simulationBorrowerRow{SimulationID: simulationID, Ordinal: i + 1, Name: b.Name, TaxID: b.TaxID,
			BirthDate: b.BirthDate, MonthlyNetIncomeCents: b.MonthlyNetIncomeCents,
			MonthlyInstalmentsOtherCreditCents: b.MonthlyInstalmentsOtherCreditCents}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
	}
	return nil
}

// simulationEvent records a write of r: its timeline row. from is the
// status before (0 at creation).
func simulationEvent(tx *gorm.DB, r *simulationRow, who *models.Principal, what string, from int, now time.Time) error {
	uid := who.UserID
	ev := simulationEventRow{SimulationID: r.ID, What: what, ToStatus: r.StatusID, ActorUserID: &uid, ActorName: who.Name,
		ActorKind: string(actor(who)), CreatedAt: now}
	if from != 0 {
		ev.FromStatus = &from
	}
	return tx.Create(&ev).Error
}

// CreateSimulation implements models.SimulationService.
func (s *Store) CreateSimulation(ctx context.Context, in models.SimulationInput) (*models.Simulation, error) {
	who, err := simulationEditor(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	d, err := in.Apply(models.SimulationData{}).Validate(t, s.today())
	if err != nil {
		return nil, err
	}
	var uuid string
	for attempt := 1; ; attempt++ {
		err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
			now := s.now()
			p, err := s.price(tx, d, now)
			if err != nil {
				return err
			}
			next, err := s.nextNumber(tx, "simulations", "simulation_number", firstSimulationNumber, who.BankID)
			if err != nil {
				return err
			}
			uid := who.UserID
			r := simulationRow{UUID: newUUID(), BankID: who.BankID, BrokerID: who.FirmID, SimulationNumber: next,
				StatusID: models.SimulationInCreation, Validation: "[]", CreatedByUserID: &uid, CreatedAt: now,
				LastActionAt: now, UpdatedAt: now}
			writePriced(&r, p)
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
			if err := writeBorrowers(tx, r.ID, d.Borrowers); err != nil {
				return err
			}
			uuid = r.UUID
			return simulationEvent(tx, &r, who, models.SimulationEventCreated, 0, now)
		})
		if errors.Is(err, gorm.ErrDuplicatedKey) && attempt < createAttempts {
			continue
		}
		break
	}
	if err != nil {
		return nil, translate(err, "simulation")
	}
	return s.GetSimulation(ctx, uuid)
}

// GetSimulation implements models.SimulationService.
func (s *Store) GetSimulation(ctx context.Context, simulationUUID string) (*models.Simulation, error) {
	db := s.conn(ctx)
	r, err := s.scopedSimulation(ctx, db, simulationUUID, false)
	if err != nil {
		return nil, err
	}
	out, err := s.loadSimulation(db, r)
	return out, translate(err, "simulation")
}

// loadSimulation turns r, its borrowers, firm and author into the model.
func (s *Store) loadSimulation(db *gorm.DB, r *simulationRow) (*models.Simulation, error) {
	var bs []simulationBorrowerRow
	if err := db.Where("simulation_id = ?", r.ID).Order("ordinal").Find(&bs).Error; err != nil {
		return nil, err
	}
	out := &models.Simulation{UUID: strings.ToLower(r.UUID), SimulationNumber: r.SimulationNumber, BankID: r.BankID,
		BrokerID: r.BrokerID, StatusID: r.StatusID, CreatedAt: r.CreatedAt.UTC(), LastActionAt: r.LastActionAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), ValidatedAt: utcPtr(r.ValidatedAt), EsisIssuedAt: utcPtr(r.EsisIssuedAt),
		EsisValidUntil: utcPtr(r.EsisValidUntil), EsisFiguresHash: r.EsisFiguresHash}
	d := models.SimulationData{LoanAmountCents: r.LoanAmountCents, LoanDurationMonths: r.LoanDurationMonths,
		LoanPurposeID: r.LoanPurposeID, ProductPurposeID: r.ProductPurposeID, ProductSchemeID: r.ProductSchemeID,
		RateTypeID: r.RateTypeID, IndexTypeID: idOf(r.IndexTypeID), MixedFixedPeriodID: idOf(r.MixedFixedPeriodID),
		FixedFixedPeriodID: idOf(r.FixedFixedPeriodID), PropertyValueCents: r.PropertyValueCents,
		PropertyAcquisitionAmountCents: r.PropertyAcquisitionAmountCents, PropertyDistrictID: idOf(r.PropertyDistrictID),
		Borrowers: make([]models.SimulationBorrower, 0, len(bs))}
	for _, b := range bs {
		d.Borrowers = append(d.Borrowers, models.SimulationBorrower{Name: b.Name, TaxID: b.TaxID, BirthDate: b.BirthDate,
			MonthlyNetIncomeCents: b.MonthlyNetIncomeCents, MonthlyInstalmentsOtherCreditCents: b.MonthlyInstalmentsOtherCreditCents})
	}
	for _, part := range []struct {
		text string
		dst  any
	}{{r.Insurances, &d.Insurances}, {r.Pricing, &out.Pricing}, {r.Input, &out.Input}, {r.Result, &out.Result},
		{r.Validation, &out.Validation}} {
		if err := json.Unmarshal([]byte(part.text), part.dst); err != nil {
			return nil, err
		}
	}
	if len(out.Validation) == 0 {
		out.Validation = nil
	}
	out.Data = d
	if err := simulationProcess(db, r, out); err != nil {
		return nil, err
	}
	if err := db.Raw("SELECT name FROM broker_firms WHERE id = ?", r.BrokerID).Row().Scan(&out.FirmName); err != nil {
		return nil, err
	}
	if r.CreatedByUserID != nil {
		var names []string
		if err := db.Raw("SELECT name FROM users WHERE id = ?", *r.CreatedByUserID).Scan(&names).Error; err != nil {
			return nil, err
		}
		if len(names) == 1 {
			out.CreatedByName = names[0]
		}
	}
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// changeSimulation runs fn on the caller's simulation, locked, when it is
// still editable (else refused with notEditable), then records the event
// what and the last action date, and answers the simulation as written.
func (s *Store) changeSimulation(ctx context.Context, simulationUUID string, notEditable func() error,
	fn func(tx *gorm.DB, r *simulationRow, now time.Time) (what string, err error)) (*models.Simulation, error) {
	who, err := simulationEditor(ctx)
	if err != nil {
		return nil, err
	}
	var out *models.Simulation
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r, err := s.scopedSimulation(ctx, tx, simulationUUID, true)
		if err != nil {
			return err
		}
		if !models.SimulationEditable(r.StatusID) {
			return notEditable()
		}
		from, now := r.StatusID, s.now()
		what, err := fn(tx, r, now)
		if err != nil {
			return err
		}
		r.LastActionAt, r.UpdatedAt = now, now
		if err := tx.Save(r).Error; err != nil {
			return err
		}
		if err := simulationEvent(tx, r, who, what, from, now); err != nil {
			return err
		}
		if err := s.emitSimulationMove(ctx, tx, r, from, now); err != nil {
			return err
		}
		out, err = s.loadSimulation(tx, r)
		return err
	})
	if err != nil {
		return nil, translate(err, "simulation")
	}
	return out, nil
}

// UpdateSimulation implements models.SimulationService.
func (s *Store) UpdateSimulation(ctx context.Context, simulationUUID string, in models.SimulationInput) (*models.Simulation, error) {
	if _, err := simulationEditor(ctx); err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeSimulation(ctx, simulationUUID, models.SimulationNotEditable, func(tx *gorm.DB, r *simulationRow, now time.Time) (string, error) {
		if in.Empty() {
			var v models.Validation
			v.Add("simulation", "simulation.no_change", nil)
			return "", v.Err()
		}
		cur, err := s.loadSimulation(tx, r)
		if err != nil {
			return "", err
		}
		d, err := in.Apply(cur.Data).Validate(t, pricingDate(now))
		if err != nil {
			return "", err
		}
		p, err := s.price(tx, d, now)
		if err != nil {
			return "", err
		}
		writePriced(r, p)
		if err := writeBorrowers(tx, r.ID, d.Borrowers); err != nil {
			return "", err
		}
		// A change sends a validated simulation back to "in creation".
		r.StatusID, r.Validation, r.ValidatedAt = models.SimulationInCreation, "[]", nil
		return models.SimulationEventUpdated, nil
	})
}

// CancelSimulation implements models.SimulationService.
func (s *Store) CancelSimulation(ctx context.Context, simulationUUID string) (*models.Simulation, error) {
	return s.changeSimulation(ctx, simulationUUID, models.SimulationNotCancellable, func(tx *gorm.DB, r *simulationRow, now time.Time) (string, error) {
		r.StatusID = models.SimulationCancelled
		return models.SimulationEventCancelled, nil
	})
}

// ValidateSimulation implements models.SimulationService: the rules run
// on the stored input and result (the figures the broker saw).
func (s *Store) ValidateSimulation(ctx context.Context, simulationUUID string) (*models.SimulationValidation, error) {
	var rules []simulation.RuleResult
	sim, err := s.changeSimulation(ctx, simulationUUID, models.SimulationNotEditable, func(tx *gorm.DB, r *simulationRow, now time.Time) (string, error) {
		var (
			in   simulation.Input
			res  simulation.Result
			used models.PricingUsed
		)
		for _, part := range []struct {
			text string
			dst  any
		}{{r.Input, &in}, {r.Result, &res}, {r.Pricing, &used}} {
			if err := json.Unmarshal([]byte(part.text), part.dst); err != nil {
				return "", err
			}
		}
		rules = simulation.Rules(in, res, used.Product())
		r.Validation = mustJSON(rules)
		if simulation.AllPassed(rules) {
			r.StatusID, r.ValidatedAt = models.SimulationValidated, &now
			return models.SimulationEventValidated, nil
		}
		r.StatusID, r.ValidatedAt = models.SimulationInCreation, nil
		return models.SimulationEventFailed, nil
	})
	if err != nil {
		return nil, err
	}
	return &models.SimulationValidation{Simulation: sim, Rules: rules, Passed: simulation.AllPassed(rules)}, nil
}

// simulationCursor is a position in the list order (last action, number);
// the same text as a process list's cursor.
func parseSimulationCursor(s string) (*processCursor, bool) {
	if s == "" {
		return nil, true
	}
	c, ok := parseProcessCursor(s)
	return &c, ok
}

// ListSimulations implements models.SimulationService.
func (s *Store) ListSimulations(ctx context.Context, f models.SimulationFilter) (*models.SimulationPage, error) {
	var v models.Validation
	f.Validate(&v)
	if f.FirmUUID != "" && !validUUID(f.FirmUUID) {
		v.Add("firm", "reply_queue.firm", nil)
	}
	after, okA := parseSimulationCursor(f.After)
	if !okA {
		v.Add("after", "page.cursor", nil)
	}
	before, okB := parseSimulationCursor(f.Before)
	if !okB {
		v.Add("before", "page.cursor", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cond, arg, err := simulationScopeCond(ctx)
	if err != nil {
		return nil, err
	}
	db := s.conn(ctx)
	base := func() *gorm.DB {
		q := db.Table("simulations").Where(cond, arg)
		if f.FirmUUID != "" && models.PrincipalFrom(ctx).IsStaff() {
			q = q.Where("simulations.broker_id = (SELECT bf.id FROM broker_firms bf WHERE bf.uuid = ?)", strings.ToLower(f.FirmUUID))
		}
		if f.StatusID != 0 {
			q = q.Where("simulations.status_id = ?", f.StatusID)
		}
		if !f.LastActionFrom.IsZero() {
			q = q.Where("simulations.last_action_at >= ?", f.LastActionFrom.UTC())
		}
		if !f.LastActionTo.IsZero() {
			q = q.Where("simulations.last_action_at < ?", f.LastActionTo.UTC())
		}
		if f.Search != "" {
			pat := likePattern(f.Search)
			match := `EXISTS (SELECT 1 FROM simulation_borrowers b WHERE b.simulation_id = simulations.id AND lower(b.name) LIKE ? ESCAPE '\')`
			if isDigits(f.Search) {
				n, err := strconv.ParseInt(f.Search, 10, 64)
				if err != nil {
					n = -1
				}
				q = q.Where(`simulations.simulation_number = ? OR EXISTS (SELECT 1 FROM simulation_borrowers b
					WHERE b.simulation_id = simulations.id AND b.tax_id = ?) OR `+match, n, f.Search, pat)
			} else {
				q = q.Where(match, pat)
			}
		}
		return q
	}
	page := &models.SimulationPage{}
	capped := base().Select("1").Order("simulations.last_action_at DESC, simulations.simulation_number DESC").
		Limit(models.MaxProcessCount + 1)
	if err := db.Table("(?) AS matching", capped).Count(&page.Total).Error; err != nil {
		return nil, translate(err, "simulations")
	}
	if page.Total > models.MaxProcessCount {
		page.Total, page.TotalCapped = models.MaxProcessCount, true
	}
	q := base().Select(`simulations.uuid, simulations.simulation_number, simulations.key_borrower_name,
		simulations.loan_amount_cents, simulations.monthly_instalment_cents, simulations.status_id, simulations.created_at,
		simulations.last_action_at, simulations.esis_issued_at, simulations.esis_valid_until,
		simulations.esis_figures_hash, simulations.figures_hash, broker_firms.name AS firm_name`).
		Joins("JOIN broker_firms ON broker_firms.id = simulations.broker_id")
	switch {
	case after != nil:
		q = q.Where("(simulations.last_action_at, simulations.simulation_number) < (?, ?)", after.At, after.Number)
	case before != nil:
		q = q.Where("(simulations.last_action_at, simulations.simulation_number) > (?, ?)", before.At, before.Number)
	}
	if before != nil {
		q = q.Order("simulations.last_action_at ASC, simulations.simulation_number ASC")
	} else {
		q = q.Order("simulations.last_action_at DESC, simulations.simulation_number DESC")
	}
	var rows []struct {
		UUID                   string `gorm:"column:uuid"`
		SimulationNumber       int64
		KeyBorrowerName        string
		LoanAmountCents        int64
		MonthlyInstalmentCents int64
		StatusID               int
		CreatedAt              time.Time
		LastActionAt           time.Time
		EsisIssuedAt           *time.Time
		EsisValidUntil         *time.Time
		EsisFiguresHash        string
		FiguresHash            string
		FirmName               string
	}
	if err := q.Limit(f.Limit + 1).Scan(&rows).Error; err != nil {
		return nil, translate(err, "simulations")
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	if before != nil {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	page.Items = make([]models.SimulationSummary, 0, len(rows))
	for _, r := range rows {
		page.Items = append(page.Items, models.SimulationSummary{UUID: strings.ToLower(r.UUID), SimulationNumber: r.SimulationNumber,
			KeyBorrowerName: r.KeyBorrowerName, LoanAmountCents: r.LoanAmountCents, MonthlyInstalment: r.MonthlyInstalmentCents,
			StatusID: r.StatusID, FirmName: r.FirmName, CreatedAt: r.CreatedAt.UTC(), LastActionAt: r.LastActionAt.UTC(),
			EsisIssuedAt: utcPtr(r.EsisIssuedAt), EsisValidUntil: utcPtr(r.EsisValidUntil),
			// '' is a row written before figures_hash existed: unknown, so not changed
			EsisChanged: r.EsisIssuedAt != nil && r.FiguresHash != "" && r.FiguresHash != r.EsisFiguresHash})
	}
	if n := len(page.Items); n > 0 {
		first := processCursor{page.Items[0].LastActionAt, page.Items[0].SimulationNumber}
		last := processCursor{page.Items[n-1].LastActionAt, page.Items[n-1].SimulationNumber}
		page.NextCursor, page.PrevCursor = pageCursors(first, last, after, before, more)
	}
	return page, nil
}

// PreviewSimulation implements models.SimulationService: Create's pricing
// and figures and Validate's rules, in one read, nothing written.
func (s *Store) PreviewSimulation(ctx context.Context, in models.SimulationInput) (*models.SimulationPreview, error) {
	if _, err := simulationEditor(ctx); err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	d, err := in.Apply(models.SimulationData{}).Validate(t, s.today())
	if err != nil {
		return nil, err
	}
	p, err := s.price(s.conn(ctx), d, s.now())
	if err != nil {
		return nil, translate(err, "simulation")
	}
	rules := simulation.Rules(p.input, p.result, p.used.Product())
	return &models.SimulationPreview{Data: p.data, Pricing: p.used, Input: p.input, Result: p.result, Rules: rules,
		Passed: simulation.AllPassed(rules)}, nil
}
