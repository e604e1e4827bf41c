package store

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// Login throttling: failures are counted from the audit log, so every
// instance sees the same counts. Five failures a minute per account must
// still be answered normally (product contract); the limits sit above that.
//
// Each attempt is written to the audit log as a failure before its password
// is hashed and the count includes it, serialised per account and address
// (beginAttempt), so parallel guesses cannot all see a count under the
// limit: at most the limit's worth of wrong passwords is ever checked per
// window, however many arrive at once. The row then becomes what the
// attempt turned out to be: a throttled row when refused, the ok row on
// success (so successes never count as failures), or stays the failure.
// The contract above holds: only failures count (successes, throttled and
// "server busy" refusals do not); sequential attempts see exactly the
// counts they saw before; and of a burst of parallel attempts exactly the
// first ones up to the limit are answered normally. An attempt still being
// checked counts as a failure until it ends.
const (
	loginWindow           = 15 * time.Minute
	maxFailuresPerAccount = 10
	maxFailuresPerAddress = 30
)

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
		Counted: failedSignIns, Window: loginWindow,
		FailedAction: c.FailedAction, ThrottledAction: c.ThrottledAction,
		Subject: email, PerSubject: maxFailuresPerAccount,
		ClientIP: c.ClientIP, PerAddress: maxFailuresPerAddress,
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
	Counted                       []string // the failure actions counted
	Window                        time.Duration
	FailedAction, ThrottledAction string
	Subject                       string
	PerSubject                    int64 // 0: failures are not limited per subject
	ClientIP                      string
	PerAddress                    int64
	RefusalKey                    string // the rate-limited answer's message key
}

// attemptPending is the detail of an attempt's row while its credentials
// are being checked; a row left with it is an attempt that never finished
// (it counts as a failure).
const attemptPending = "attempt not completed"

// beginAttempt writes the attempt's audit row as a failure (spec's
// FailedAction) and then counts the failures in the window, this one
// included, per subject and per client address. Over either limit, the
// row becomes a ThrottledAction row and the answer is RateLimited;
// otherwise the row's id is returned for the caller to settle with
// attemptFailed, attemptBusy or attemptSucceeded.
//
// The record-and-count step is one short transaction serialised per
// subject and per address (PostgreSQL: advisory locks on both keys,
// lockAttemptKeys; SQLite: immediate transactions hold the write lock from
// BEGIN), and it commits before any password is hashed. So concurrent
// attempts are counted strictly in turn, each seeing every attempt let
// through before it (still being checked, or failed): however many arrive
// at once, exactly the first ones up to the limit are let through and the
// others are throttled. The serialisation is what makes this hold: without
// it, attempts counting inside their own uncommitted transactions would not
// see each other.
func (s *Store) beginAttempt(ctx context.Context, spec attemptSpec) (int64, error) {
	row := models.AuditEvent{CreatedAt: s.now(), Action: spec.FailedAction, Subject: spec.Subject,
		ClientIP: spec.ClientIP, Outcome: "denied", Detail: attemptPending}
	since := row.CreatedAt.Add(-spec.Window)
	over := false
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.lockAttemptKeys(tx, spec); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		var perSubject, perAddress int64
		if spec.PerSubject > 0 {
			if err := tx.Model(&models.AuditEvent{}).
				Where("action IN ? AND subject = ? AND created_at > ?", spec.Counted, spec.Subject, since).
				Count(&perSubject).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&models.AuditEvent{}).
			Where("action IN ? AND client_ip = ? AND created_at > ?", spec.Counted, spec.ClientIP, since).
			Count(&perAddress).Error; err != nil {
			return err
		}
		// Counts include this attempt: over the limit means the limit was
		// already reached before it.
		over = (spec.PerSubject > 0 && perSubject > spec.PerSubject) || perAddress > spec.PerAddress
		if !over {
			return nil
		}
		return tx.Model(&models.AuditEvent{}).Where("id = ?", row.ID).
			Updates(map[string]any{"action": spec.ThrottledAction, "detail": ""}).Error
	})
	if err != nil {
		return 0, translate(err, "sign-in attempt")
	}
	if over {
		return 0, models.Limited(spec.RefusalKey, nil, int(spec.Window.Seconds()))
	}
	return row.ID, nil
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
	if spec.PerSubject > 0 {
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
	var u userWithFirm
	err := s.conn(ctx).Table("users").
		Select("users.*, COALESCE(broker_firms.name, '') AS firm_name, COALESCE(banks.bank_id, '') AS bank_public_id").
		Joins("LEFT JOIN broker_firms ON broker_firms.id = users.firm_id").
		Joins("LEFT JOIN banks ON banks.id = users.bank_id").
		Where("users.id = ?", userID).Take(&u).Error
	if err != nil {
		if models.ErrorCode(translate(err, "user")) == models.CodeNotFound {
			return nil, models.Unauthorized("not signed in")
		}
		return nil, translate(err, "user")
	}
	if u.Disabled {
		return nil, models.Unauthorized("not signed in")
	}
	return s.principal(ctx, &u)
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
