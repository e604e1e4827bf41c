package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"portal/models"
	"portal/models/simulation"
)

// Pricing (models.PricingService): the bank's rates and price list, kept
// by admins in the pricing_* tables (migration 00017, which seeds DEMO
// values marked demo). The tables are small (a few rows per key and date),
// so the pricing in force at a date is read whole: every row from on or
// before the date, the newest per key kept.

var _ models.PricingService = (*Store)(nil)

// pricingReader refuses callers who may not read the pricing: brokers of
// a firm and staff read it.
func pricingReader(ctx context.Context) error {
	p := models.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return models.Unauthorized("not signed in")
	case p.IsStaff(), p.IsBroker() && p.FirmID != 0:
		return nil
	}
	return models.Forbidden("the pricing is for brokers and bank staff")
}

// pricingAdmin is the caller as a pricing editor: admins only.
func pricingAdmin(ctx context.Context) (*models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return nil, models.Unauthorized("not signed in")
	case !p.IsAdmin():
		return nil, models.Forbidden("the pricing is changed by the bank's administrators")
	}
	return p, nil
}

// PricingAt implements models.PricingService.
func (s *Store) PricingAt(ctx context.Context, day string) (*models.Pricing, error) {
	if err := pricingReader(ctx); err != nil {
		return nil, err
	}
	if day == "" {
		day = s.today()
	}
	if !models.ValidDay(day) {
		var v models.Validation
		v.Add("date", "field.day", models.Args{"Field": "date"})
		return nil, v.Err()
	}
	p, err := s.pricingAt(s.conn(ctx), day)
	return p, translate(err, "pricing")
}

type pricingRow struct {
	A, B        int
	From        string
	Value       int64
	Value2      int64
	Percentage  *int64
	Periodicity int
	Active      bool
	Demo        bool
}

// newestPricing reads q's rows (ordered by key, then date descending) and keeps
// the first of each key (A, B).
func newestPricing(db *gorm.DB, q string, args ...any) ([]pricingRow, error) {
	var rows []pricingRow
	if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := rows[:0]
	for i, r := range rows {
		if i > 0 && rows[i-1].A == r.A && rows[i-1].B == r.B {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Store) pricingAt(db *gorm.DB, day string) (*models.Pricing, error) {
	p := &models.Pricing{Date: day, IndexValues: []models.IndexValue{}, Spreads: []models.Spread{},
		FixedRates: []models.FixedRate{}, Limits: []models.ProductLimit{}, Charges: []models.PriceCharge{}}
	rows, err := newestPricing(db, `SELECT index_type_id AS a, 0 AS b, month AS "from", value, demo FROM pricing_index_values
		WHERE month <= ? ORDER BY index_type_id, month DESC`, day[:7])
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		p.IndexValues = append(p.IndexValues, models.IndexValue{IndexTypeID: r.A, Month: r.From, Value: simulation.Rate(r.Value), Demo: r.Demo})
	}
	if rows, err = newestPricing(db, `SELECT product_scheme_id AS a, product_purpose_id AS b, valid_from AS "from", spread AS value, demo
		FROM pricing_spreads WHERE valid_from <= ? ORDER BY product_scheme_id, product_purpose_id, valid_from DESC`, day); err != nil {
		return nil, err
	}
	for _, r := range rows {
		p.Spreads = append(p.Spreads, models.Spread{ProductSchemeID: r.A, ProductPurposeID: r.B, ValidFrom: r.From,
			Spread: simulation.Rate(r.Value), Demo: r.Demo})
	}
	if rows, err = newestPricing(db, `SELECT rate_type_id AS a, period_id AS b, valid_from AS "from", rate AS value, demo
		FROM pricing_fixed_rates WHERE valid_from <= ? ORDER BY rate_type_id, period_id, valid_from DESC`, day); err != nil {
		return nil, err
	}
	for _, r := range rows {
		p.FixedRates = append(p.FixedRates, models.FixedRate{RateTypeID: r.A, PeriodID: r.B, ValidFrom: r.From,
			Rate: simulation.Rate(r.Value), Demo: r.Demo})
	}
	if rows, err = newestPricing(db, `SELECT product_scheme_id AS a, 0 AS b, valid_from AS "from", min_amount_cents AS value,
		max_amount_cents AS value2, demo FROM pricing_product_limits WHERE valid_from <= ?
		ORDER BY product_scheme_id, valid_from DESC`, day); err != nil {
		return nil, err
	}
	for _, r := range rows {
		p.Limits = append(p.Limits, models.ProductLimit{ProductSchemeID: r.A, ValidFrom: r.From, MinAmountCents: r.Value,
			MaxAmountCents: r.Value2, Demo: r.Demo})
	}
	if rows, err = newestPricing(db, `SELECT charge_type_id AS a, 0 AS b, valid_from AS "from", amount_cents AS value, percentage,
		periodicity, active, demo FROM pricing_charges WHERE valid_from <= ? ORDER BY charge_type_id, valid_from DESC`, day); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if !r.Active {
			continue
		}
		c := models.PriceCharge{ChargeTypeID: r.A, ValidFrom: r.From, AmountCents: r.Value,
			Periodicity: simulation.Periodicity(r.Periodicity), Active: true, Demo: r.Demo}
		if r.Percentage != nil {
			pc := simulation.Rate(*r.Percentage)
			c.Percentage = &pc
		}
		p.Charges = append(p.Charges, c)
	}
	return p, nil
}

// setPricing writes one pricing change (an upsert on its key and date)
// and its audit row in one transaction.
func (s *Store) setPricing(ctx context.Context, who *models.Principal, kind string, value any, q string, args ...any) error {
	detail, _ := json.Marshal(value)
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec(q, args...).Error; err != nil {
			return err
		}
		uid := who.UserID
		return tx.Create(&models.AuditEvent{CreatedAt: s.now(), ActorUserID: &uid, Action: models.AuditPricingChanged,
			Subject: kind, Outcome: "ok", Detail: string(detail)}).Error
	})
	return translate(err, "pricing")
}

func (s *Store) pricingEditor(ctx context.Context) (*models.Principal, *models.Taxonomy, error) {
	who, err := pricingAdmin(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.Taxonomy(ctx)
	return who, t, err
}

// SetIndexValue implements models.PricingService.
func (s *Store) SetIndexValue(ctx context.Context, v models.IndexValue) error {
	who, err := pricingAdmin(ctx)
	if err != nil {
		return err
	}
	if v, err = v.Validate(); err != nil {
		return err
	}
	return s.setPricing(ctx, who, "index_value", v, `INSERT INTO pricing_index_values (index_type_id, month, value, demo, created_by, created_at)
		VALUES (?, ?, ?, false, ?, ?) ON CONFLICT (index_type_id, month) DO UPDATE SET value = excluded.value,
		demo = false, created_by = excluded.created_by, created_at = excluded.created_at`,
		v.IndexTypeID, v.Month, int64(v.Value), who.Name, s.now())
}

// SetSpread implements models.PricingService.
func (s *Store) SetSpread(ctx context.Context, v models.Spread) error {
	who, t, err := s.pricingEditor(ctx)
	if err != nil {
		return err
	}
	if v, err = v.Validate(t); err != nil {
		return err
	}
	return s.setPricing(ctx, who, "spread", v, `INSERT INTO pricing_spreads (product_scheme_id, product_purpose_id, valid_from, spread,
		demo, created_by, created_at) VALUES (?, ?, ?, ?, false, ?, ?) ON CONFLICT (product_scheme_id, product_purpose_id, valid_from)
		DO UPDATE SET spread = excluded.spread, demo = false, created_by = excluded.created_by, created_at = excluded.created_at`,
		v.ProductSchemeID, v.ProductPurposeID, v.ValidFrom, int64(v.Spread), who.Name, s.now())
}

// SetFixedRate implements models.PricingService.
func (s *Store) SetFixedRate(ctx context.Context, v models.FixedRate) error {
	who, t, err := s.pricingEditor(ctx)
	if err != nil {
		return err
	}
	if v, err = v.Validate(t); err != nil {
		return err
	}
	return s.setPricing(ctx, who, "fixed_rate", v, `INSERT INTO pricing_fixed_rates (rate_type_id, period_id, valid_from, rate,
		demo, created_by, created_at) VALUES (?, ?, ?, ?, false, ?, ?) ON CONFLICT (rate_type_id, period_id, valid_from)
		DO UPDATE SET rate = excluded.rate, demo = false, created_by = excluded.created_by, created_at = excluded.created_at`,
		v.RateTypeID, v.PeriodID, v.ValidFrom, int64(v.Rate), who.Name, s.now())
}

// SetProductLimit implements models.PricingService.
func (s *Store) SetProductLimit(ctx context.Context, v models.ProductLimit) error {
	who, t, err := s.pricingEditor(ctx)
	if err != nil {
		return err
	}
	if v, err = v.Validate(t); err != nil {
		return err
	}
	return s.setPricing(ctx, who, "product_limit", v, `INSERT INTO pricing_product_limits (product_scheme_id, valid_from,
		min_amount_cents, max_amount_cents, demo, created_by, created_at) VALUES (?, ?, ?, ?, false, ?, ?)
		ON CONFLICT (product_scheme_id, valid_from) DO UPDATE SET min_amount_cents = excluded.min_amount_cents,
		max_amount_cents = excluded.max_amount_cents, demo = false, created_by = excluded.created_by, created_at = excluded.created_at`,
		v.ProductSchemeID, v.ValidFrom, v.MinAmountCents, v.MaxAmountCents, who.Name, s.now())
}

// SetCharge implements models.PricingService.
func (s *Store) SetCharge(ctx context.Context, v models.PriceCharge) error {
	who, t, err := s.pricingEditor(ctx)
	if err != nil {
		return err
	}
	if v, err = v.Validate(t); err != nil {
		return err
	}
	var pct *int64
	if v.Percentage != nil {
		n := int64(*v.Percentage)
		pct = &n
	}
	return s.setPricing(ctx, who, "charge", v, `INSERT INTO pricing_charges (charge_type_id, valid_from, amount_cents, percentage,
		periodicity, active, demo, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, false, ?, ?)
		ON CONFLICT (charge_type_id, valid_from) DO UPDATE SET amount_cents = excluded.amount_cents, percentage = excluded.percentage,
		periodicity = excluded.periodicity, active = excluded.active, demo = false, created_by = excluded.created_by,
		created_at = excluded.created_at`,
		v.ChargeTypeID, v.ValidFrom, v.AmountCents, pct, int(v.Periodicity), v.Active, who.Name, s.now())
}

// pricingDate is the day (YYYY-MM-DD, UTC) of t.
func pricingDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// PrincipalByEmail is the principal of the user with that e-mail address,
// for operators' commands that act as a user (portal pricing --as);
// CodeNotFound when there is none.
func (s *Store) PrincipalByEmail(ctx context.Context, email string) (*models.Principal, error) {
	var ids []int64
	if err := s.conn(ctx).Model(&models.User{}).Where("email = ?", email).Limit(1).Pluck("id", &ids).Error; err != nil {
		return nil, translate(err, "user")
	}
	if len(ids) == 0 {
		return nil, models.NotFound("user")
	}
	return s.Principal(ctx, ids[0])
}
