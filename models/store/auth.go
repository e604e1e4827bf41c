package store

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// Login throttling (models.SignInThrottle, the rule and its reasons):
// failures are counted from the audit log, so every instance sees the same
// counts. Per address, any account, a hard limit; per account and address,
// growing delays after a few failures instead of a lock; and the account's
// failures from other addresses delay only addresses that are not trusted
// for it (no success from there recently), so a stranger never locks the
// owner out of their usual address. Five failures a minute per account
// must still be answered normally (product contract); the limits sit above
// that.
//
// Each attempt is judged and written to the audit log (as a failure, or as
// throttled) before its password is hashed, serialised per account and
// address (beginAttempt), so parallel guesses cannot all see counts under
// the limits: at most the limits' worth of wrong passwords is ever checked,
// however many arrive at once. The row then becomes what the attempt turned
// out to be: the ok row on success (so successes never count as failures),
// a throttled row when the check was refused for capacity, or stays the
// failure. Only failures count (successes, throttled and "server busy"
// refusals do not); an attempt still being checked counts as a failure
// until it ends.

var errBadCredentials = models.Unauthorized("The e-mail or password is incorrect.")

type userWithFirm struct {
	models.User
	FirmName     string
	BankPublicID string
}

func (s *Store) Login(ctx context.Context, email, password, clientIP string) (*models.Principal, error) {
	u, attempt, err := s.checkCredentials(ctx, credentialCheck{Email: email, Password: password, ClientIP: clientIP,
		FailedAction: models.AuditLoginFailed, ThrottledAction: models.AuditLoginThrottled})
	if err != nil {
		return nil, err
	}
	p, err := s.principal(ctx, u)
	if err != nil {
		return nil, err
	}
	if err := s.attemptSucceeded(s.conn(context.WithoutCancel(ctx)), attempt,
		models.AuditLoginOK, u.ID, ""); err != nil {
		return nil, err
	}
	return p, nil
}

// failedSignIns are the audit actions the throttle counts: a failure at any
// entry point (browser, OBP DirectLogin) counts against the same account
// and address.
var failedSignIns = []string{models.AuditLoginFailed, models.AuditDirectLoginFailed}

// signedIn are the successes that make an address trusted for an account
// (and clear its failures there), whichever entry point they came through.
var signedIn = []string{models.AuditLoginOK, models.AuditSecondFactorOK, models.AuditDirectLoginOK}

// credentialCheck is one password sign-in attempt, whatever the entry point.
type credentialCheck struct {
	Email, Password, ClientIP     string
	FailedAction, ThrottledAction string // audit actions of this entry point
	// Refuse, when set, is asked once the password matched: a non-empty
	// reason fails the attempt exactly like a wrong password (the reason is
	// recorded in the audit row only).
	Refuse func(u *userWithFirm) string
}

// checkCredentials records the attempt and throttles failures per account
// and per client address (beginAttempt, before any hashing), checks the
// password within the process-wide bound on concurrent checks (unknown
// users cost a hash too) and audits failures. Unknown user, wrong password,
// disabled account and a refusal give the same errBadCredentials. On
// success it returns the attempt's audit row, which the caller turns into
// its ok row (attemptSucceeded).
func (s *Store) checkCredentials(ctx context.Context, c credentialCheck) (*userWithFirm, int64, error) {
	email := models.NormalizeEmail(c.Email)
	attempt, err := s.beginAttempt(ctx, attemptSpec{
		Policy: models.SignInThrottle, Counted: failedSignIns, Succeeded: signedIn,
		FailedAction: c.FailedAction, ThrottledAction: c.ThrottledAction,
		Subject: email, ClientIP: c.ClientIP,
		RefusalKey: "rate.sign_in",
	})
	if err != nil {
		return nil, 0, err
	}

	u, err := s.userByEmail(ctx, email)
	if err != nil && models.ErrorCode(err) != models.CodeNotFound {
		return nil, 0, err
	}
	hash, password := "", c.Password
	if u != nil {
		hash = u.PasswordHash
	}
	if len(password) > maxCredentialLen {
		password, hash = "", "" // never matches; still costs one hash
	}
	ok, err := models.CheckPasswordOrDummyLimited(ctx, hash, password)
	if err != nil {
		s.attemptBusy(ctx, attempt, c.ThrottledAction)
		return nil, 0, err
	}
	reason := ""
	if ok && !u.Disabled && c.Refuse != nil {
		reason = c.Refuse(u)
	}
	if !ok || u.Disabled || reason != "" {
		detail := ""
		if reason != "" {
			detail = "refused: " + reason
		}
		s.attemptFailed(ctx, attempt, detail)
		return nil, 0, errBadCredentials
	}
	return u, attempt, nil
}

// attemptSpec is one entry point's throttle for beginAttempt.
type attemptSpec struct {
	Policy models.ThrottlePolicy
	// Counted: the failure actions counted; Succeeded: the ok actions that
	// clear a source's failures and make its address trusted.
	Counted, Succeeded            []string
	FailedAction, ThrottledAction string
	Subject                       string // "": only the address is limited
	ClientIP                      string
	RefusalKey                    string // the rate-limited answer's message key
}

// attemptPending is the detail of an attempt's row while its credentials
// are being checked; a row left with it is an attempt that never finished
// (it counts as a failure).
const attemptPending = "attempt not completed"

// beginAttempt counts the recent failures that concern the attempt
// (throttleCounts) and asks the spec's policy. Refused, the attempt is
// written as a ThrottledAction row and the answer is RateLimited with the
// policy's Retry-After; allowed, it is written as a failure (FailedAction,
// pending) and the row's id is returned for the caller to settle with
// attemptFailed, attemptBusy or attemptSucceeded.
//
// The count-and-record step is one short transaction serialised per
// subject and per address (PostgreSQL: advisory locks on both keys,
// lockAttemptKeys; SQLite: immediate transactions hold the write lock from
// BEGIN), and it commits before any password is hashed. So concurrent
// attempts are judged strictly in turn, each seeing every attempt let
// through before it (still being checked, or failed): however many arrive
// at once, exactly the first ones up to the limit are let through and the
// others are throttled. The serialisation is what makes this hold: without
// it, attempts counting inside their own uncommitted transactions would not
// see each other.
func (s *Store) beginAttempt(ctx context.Context, spec attemptSpec) (int64, error) {
	var (
		row      models.AuditEvent
		decision models.ThrottleDecision
	)
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.lockAttemptKeys(tx, spec); err != nil {
			return err
		}
		// The clock is read once the attempt's turn has come, so the rows'
		// times follow the order in which attempts were judged.
		now := s.now()
		row = models.AuditEvent{CreatedAt: now, Action: spec.FailedAction, Subject: spec.Subject,
			ClientIP: spec.ClientIP, Outcome: "denied", Detail: attemptPending}
		counts, err := throttleCounts(tx, spec, now)
		if err != nil {
			return err
		}
		if decision = spec.Policy.Decide(now, counts); !decision.Allowed {
			row.Action, row.Detail = spec.ThrottledAction, "throttled per "+decision.Reason
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return 0, translate(err, "sign-in attempt")
	}
	if !decision.Allowed {
		return 0, models.Limited(spec.RefusalKey, nil, decision.RetryAfterSeconds())
	}
	return row.ID, nil
}

// throttleCounts gathers what the policy judges an attempt at now on (see
// models.ThrottleCounts), from the audit log. The queries use the indexes
// on (action, client_ip, created_at), (action, subject, created_at) and
// (subject, client_ip, created_at).
func throttleCounts(tx *gorm.DB, spec attemptSpec, now time.Time) (models.ThrottleCounts, error) {
	p := spec.Policy
	var c models.ThrottleCounts
	failures := func() *gorm.DB { return tx.Model(&models.AuditEvent{}).Where("action IN ?", spec.Counted) }

	byAddress := func() *gorm.DB {
		return failures().Where("client_ip = ? AND created_at > ?", spec.ClientIP, now.Add(-p.AddressWindow))
	}
	if err := byAddress().Count(&c.Address).Error; err != nil {
		return c, err
	}
	if c.Address >= p.MaxPerAddress {
		// The address limit decides; when it lifts is when enough of its
		// failures have aged out of the window.
		var pivot models.AuditEvent
		err := byAddress().Select("created_at").Order("created_at").Offset(int(c.Address - p.MaxPerAddress)).Take(&pivot).Error
		c.AddressPivot = pivot.CreatedAt
		return c, err
	}
	if spec.Subject == "" {
		return c, nil
	}

	since := now.Add(-p.SubjectWindow)
	if len(spec.Succeeded) > 0 {
		// The source's last success: it trusts the address and clears the
		// failures before it.
		lookBack := max(p.TrustWindow, p.SubjectWindow)
		last, found, err := newest(tx.Model(&models.AuditEvent{}).Where("action IN ? AND subject = ? AND client_ip = ? AND created_at > ?",
			spec.Succeeded, spec.Subject, spec.ClientIP, now.Add(-lookBack)))
		if err != nil {
			return c, err
		}
		c.Trusted = found && last.After(now.Add(-p.TrustWindow))
		if found && last.After(since) {
			since = last
		}
	}
	source := failures().Where("subject = ? AND client_ip = ? AND created_at > ?", spec.Subject, spec.ClientIP, since)
	var err error
	if c.Source, c.SourceLast, err = countAndNewest(source); err != nil {
		return c, err
	}
	if p.SubjectWide && !c.Trusted {
		elsewhere := failures().Where("subject = ? AND client_ip <> ? AND created_at > ?", spec.Subject, spec.ClientIP, now.Add(-p.SubjectWindow))
		if c.Elsewhere, c.ElsewhereLast, err = countAndNewest(elsewhere); err != nil {
			return c, err
		}
	}
	return c, nil
}

// countAndNewest counts q's audit rows and gives the newest one's time.
func countAndNewest(q *gorm.DB) (int64, time.Time, error) {
	var n int64
	if err := q.Session(&gorm.Session{}).Count(&n).Error; err != nil || n == 0 {
		return n, time.Time{}, err
	}
	last, _, err := newest(q)
	return n, last, err
}

// newest is the time of q's newest audit row, if any.
func newest(q *gorm.DB) (time.Time, bool, error) {
	var rows []models.AuditEvent
	if err := q.Select("created_at").Order("created_at DESC").Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return time.Time{}, false, err
	}
	return rows[0].CreatedAt, true, nil
}

// lockAttemptKeys serialises beginAttempt per subject and per address on
// PostgreSQL: transaction-scoped advisory locks on a hash of each key
// (namespaced by the counted actions, so the browser login and DirectLogin,
// which count together, share them), taken in one order so two attempts
// never wait on each other crosswise. A hash collision only serialises two
// unrelated keys. SQLite needs nothing: the transaction is immediate.
func (s *Store) lockAttemptKeys(tx *gorm.DB, spec attemptSpec) error {
	if s.dialect != Postgres {
		return nil
	}
	ns := strings.Join(spec.Counted, ",")
	keys := []int64{attemptLockKey(ns, "address", spec.ClientIP)}
	if spec.Subject != "" {
		keys = append(keys, attemptLockKey(ns, "subject", spec.Subject))
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", k).Error; err != nil {
			return err
		}
	}
	return nil
}

func attemptLockKey(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(h.Sum64())
}

// attemptFailed settles an attempt as a failure (it stays counted).
func (s *Store) attemptFailed(ctx context.Context, id int64, detail string) {
	s.settleAttempt(ctx, id, map[string]any{"detail": detail})
}

// attemptBusy settles an attempt whose password could not be checked for
// lack of capacity: refused like a throttled attempt, and not a failure.
func (s *Store) attemptBusy(ctx context.Context, id int64, throttledAction string) {
	s.settleAttempt(ctx, id, map[string]any{"action": throttledAction, "detail": "password check at capacity"})
}

// settleAttempt rewrites an attempt's row once the answer is decided (even
// if the request was cancelled meanwhile). A failure to do so is logged:
// the row then stays a failure, which errs on the side of the throttle.
func (s *Store) settleAttempt(ctx context.Context, id int64, set map[string]any) {
	err := s.conn(context.WithoutCancel(ctx)).Model(&models.AuditEvent{}).Where("id = ?", id).Updates(set).Error
	if err != nil {
		s.log.Error("settle sign-in attempt audit row", "id", id, "err", err)
	}
}

// attemptSucceeded turns an attempt's row into the ok row of action, acting
// user actor, on db (a transaction when the success creates something that
// must commit with it).
func (s *Store) attemptSucceeded(db *gorm.DB, id int64, action string, actor int64, detail string) error {
	res := db.Model(&models.AuditEvent{}).Where("id = ?", id).Updates(map[string]any{
		"action": action, "outcome": "ok", "actor_user_id": actor, "detail": detail,
	})
	if res.Error == nil && res.RowsAffected != 1 {
		return models.Internal(errors.New("sign-in attempt audit row missing"))
	}
	return translate(res.Error, "audit event")
}

func (s *Store) userByEmail(ctx context.Context, email string) (*userWithFirm, error) {
	var u userWithFirm
	err := s.conn(ctx).Table("users").
		Select("users.*, COALESCE(broker_firms.name, '') AS firm_name, COALESCE(banks.bank_id, '') AS bank_public_id").
		Joins("LEFT JOIN broker_firms ON broker_firms.id = users.firm_id").
		Joins("LEFT JOIN banks ON banks.id = users.bank_id").
		Where("users.email = ?", email).Take(&u).Error
	if err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

func (s *Store) Principal(ctx context.Context, userID int64) (*models.Principal, error) {
	rows, err := s.conn(ctx).Raw("SELECT "+s.principalColumns()+" FROM users u"+principalJoins+" WHERE u.id = ?", userID).Rows()
	if err != nil {
		return nil, translate(err, "user")
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, translate(err, "user")
		}
		return nil, models.Unauthorized("not signed in")
	}
	var r principalRow
	if err := rows.Scan(r.dest()...); err != nil {
		return nil, translate(err, "user")
	}
	p := r.principal()
	if p == nil {
		return nil, models.Unauthorized("not signed in")
	}
	return p, nil
}

// A principal is read in one statement, with the user's firm and bank and,
// for staff and admins, their roles at their bank (aggregated into one
// comma-separated column: role names hold no commas). principalColumns
// and principalJoins read it for the users row aliased u; principalRow
// scans it. Every request resolves one (the session's or the token's), so
// it is one round trip and a plain scan, not the ORM's.

const principalJoins = " LEFT JOIN broker_firms f ON f.id = u.firm_id LEFT JOIN banks b ON b.id = u.bank_id"

func (s *core) principalColumns() string {
	agg := "string_agg(e.role, ',')"
	if s.dialect == SQLite {
		agg = "group_concat(e.role, ',')"
	}
	return `u.id, u.uuid, u.email, u.name, u.kind, u.bank_id, u.firm_id, u.api_enabled, u.disabled, u.language,
		COALESCE(f.name, ''), COALESCE(b.bank_id, ''),
		CASE WHEN u.kind IN ('staff', 'admin') THEN (SELECT ` + agg + ` FROM entitlements e
			WHERE e.user_id = u.id AND e.bank_id = u.bank_id) END`
}

// principalRow is what principalColumns select, in their order.
type principalRow struct {
	p        models.Principal
	firmID   sql.NullInt64
	disabled bool
	roles    sql.NullString
}

func (r *principalRow) dest() []any {
	return []any{&r.p.UserID, &r.p.UserUUID, &r.p.Email, &r.p.Name, &r.p.Kind, &r.p.BankID, &r.firmID,
		&r.p.APIEnabled, &r.disabled, &r.p.Language, &r.p.FirmName, &r.p.BankPublicID, &r.roles}
}

// principal is the scanned principal; nil for a disabled user.
func (r *principalRow) principal() *models.Principal {
	if r.disabled {
		return nil
	}
	p := r.p
	p.FirmID = r.firmID.Int64
	if r.roles.Valid && r.roles.String != "" {
		p.Roles = strings.Split(r.roles.String, ",")
		slices.Sort(p.Roles)
	}
	return &p
}

func (s *Store) principal(ctx context.Context, u *userWithFirm) (*models.Principal, error) {
	p := &models.Principal{
		UserID: u.ID, UserUUID: u.UUID, Email: u.Email, Name: u.Name, Kind: u.Kind,
		BankID: u.BankID, BankPublicID: u.BankPublicID, FirmName: u.FirmName, APIEnabled: u.APIEnabled,
		Language: u.Language,
	}
	if u.FirmID != nil {
		p.FirmID = *u.FirmID
	}
	if u.Kind == models.KindStaff || u.Kind == models.KindAdmin {
		if err := s.conn(ctx).Model(&models.Entitlement{}).
			Where("user_id = ? AND bank_id = ?", u.ID, u.BankID).Order("role").
			Pluck("role", &p.Roles).Error; err != nil {
			return nil, translate(err, "entitlements")
		}
	}
	return p, nil
}

func (s *Store) Audit(ctx context.Context, ev models.AuditEvent) error {
	ev.ID = 0
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = s.now()
	}
	// Audit rows must be written even when the request was cancelled after
	// the decision was taken.
	return translate(s.conn(context.WithoutCancel(ctx)).Create(&ev).Error, "audit event")
}
