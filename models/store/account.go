package store

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// Accounts: password change, password reset by e-mail, sign-in history
// (models.AccountService).

var _ models.AccountService = (*Store)(nil)

// Throttles of the account operations, counted from the audit log like the
// sign-in throttle (so every instance sees the same counts).
const (
	resetWindow            = 15 * time.Minute
	maxResetsPerEmail      = 3
	maxResetsPerAddress    = 10
	changeWindow           = 15 * time.Minute
	maxChangeFailuresPerID = 5
)

// resetToken is a row of password_reset_tokens.
type resetToken struct {
	ID        int64
	UserID    int64
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (resetToken) TableName() string { return "password_reset_tokens" }

var errResetInvalid = models.Invalid("token", "password.reset_invalid", nil)

func (s *Store) ChangePassword(ctx context.Context, in models.PasswordChange) error {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return models.Unauthorized("not signed in")
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := models.CheckNewPassword("new_password", in.New, p.Email); err != nil {
		return err
	}
	subject := p.UserUUID
	var failures int64
	since := s.now().Add(-changeWindow)
	if err := s.conn(ctx).Model(&models.AuditEvent{}).
		Where("action = ? AND subject = ? AND created_at > ?", models.AuditPasswordChangeFailed, subject, since).
		Count(&failures).Error; err != nil {
		return translate(err, "audit event")
	}
	if failures >= maxChangeFailuresPerID {
		_ = s.Audit(ctx, models.AuditEvent{ActorUserID: &p.UserID, Action: models.AuditPasswordChangeThrottled,
			Subject: subject, ClientIP: in.ClientIP, Outcome: "denied"})
		return models.Limited("rate.password_change", nil, int(changeWindow.Seconds()))
	}
	var u models.User
	if err := s.conn(ctx).Where("id = ?", p.UserID).Take(&u).Error; err != nil {
		return translate(err, "user")
	}
	ok, err := models.CheckPasswordOrDummyLimited(ctx, u.PasswordHash, in.Current)
	if err != nil {
		return err
	}
	if !ok {
		_ = s.Audit(ctx, models.AuditEvent{ActorUserID: &p.UserID, Action: models.AuditPasswordChangeFailed,
			Subject: subject, ClientIP: in.ClientIP, Outcome: "denied"})
		return models.Invalid("current_password", "password.current_wrong", nil)
	}
	return s.setPassword(ctx, u.ID, in.New, models.AuditEvent{ActorUserID: &p.UserID,
		Action: models.AuditPasswordChanged, Subject: subject, ClientIP: in.ClientIP, Outcome: "ok"}, nil)
}

// setPassword stores a new password for userID, ends all its sessions and
// deletes its reset tokens, with the audit row, in one transaction; before
// runs first in it (ResetPassword uses its token there).
func (s *Store) setPassword(ctx context.Context, userID int64, password string, audit models.AuditEvent,
	before func(tx *gorm.DB) error) error {
	hash, err := models.HashPassword(password)
	if err != nil {
		return models.Internal(err)
	}
	return translate(s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if before != nil {
			if err := before(tx); err != nil {
				return err
			}
		}
		if err := tx.Model(&models.User{}).Where("id = ?", userID).
			Updates(map[string]any{"password_hash": hash, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&models.Session{}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&resetToken{}).Error; err != nil {
			return err
		}
		audit.CreatedAt = s.now()
		return tx.Create(&audit).Error
	}), "password")
}

func (s *Store) RequestPasswordReset(ctx context.Context, in models.PasswordResetRequest) error {
	email := models.NormalizeEmail(in.Email)
	if email == "" || len(email) > 254 {
		return models.Invalid("email", "user.email", nil)
	}
	token, err := newToken()
	if err != nil {
		return models.Internal(err)
	}
	throttled := false
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.lockKeys(tx, "password.reset", "email:"+email, "ip:"+in.ClientIP); err != nil {
			return err
		}
		now := s.now()
		since := now.Add(-resetWindow)
		var perEmail, perAddress int64
		if err := tx.Model(&models.AuditEvent{}).
			Where("action = ? AND subject = ? AND created_at > ?", models.AuditPasswordResetRequested, email, since).
			Count(&perEmail).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.AuditEvent{}).
			Where("action = ? AND client_ip = ? AND created_at > ?", models.AuditPasswordResetRequested, in.ClientIP, since).
			Count(&perAddress).Error; err != nil {
			return err
		}
		if perEmail >= maxResetsPerEmail || perAddress >= maxResetsPerAddress {
			throttled = true
			return tx.Create(&models.AuditEvent{CreatedAt: now, Action: models.AuditPasswordResetThrottled,
				Subject: email, ClientIP: in.ClientIP, Outcome: "denied"}).Error
		}
		var u models.User
		err := tx.Where("email = ?", email).Take(&u).Error
		found := err == nil && !u.Disabled
		if err != nil && models.ErrorCode(translate(err, "user")) != models.CodeNotFound {
			return err
		}
		ev := models.AuditEvent{CreatedAt: now, Action: models.AuditPasswordResetRequested, Subject: email,
			ClientIP: in.ClientIP, Outcome: "ok", Detail: "no such account"}
		if found {
			ev.ActorUserID, ev.Detail = &u.ID, ""
		}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if !found {
			return nil
		}
		// A newer request replaces the older links.
		if err := tx.Where("user_id = ?", u.ID).Delete(&resetToken{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&resetToken{UserID: u.ID, TokenHash: HashToken(token), CreatedAt: now,
			ExpiresAt: now.Add(models.PasswordResetTTL)}).Error; err != nil {
			return err
		}
		lang := u.Language
		if lang == "" {
			lang = models.Languages[0]
		}
		m := in.Compose(lang, u.Name, token)
		m.To, m.Lang = u.Email, lang
		return QueueMail(tx, m)
	})
	if err != nil {
		return translate(err, "password reset")
	}
	if throttled {
		return models.Limited("rate.password_reset", nil, int(resetWindow.Seconds()))
	}
	return nil
}

// lockKeys serialises a check-then-write per key on PostgreSQL (advisory
// transaction locks on hashes of ns and each key, in one order); SQLite's
// immediate transactions already hold the write lock.
func (s *Store) lockKeys(tx *gorm.DB, ns string, keys ...string) error {
	if s.dialect != Postgres {
		return nil
	}
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = attemptLockKey(ns, k)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", id).Error; err != nil {
			return err
		}
	}
	return nil
}

// liveResetToken is the unexpired token row of token, nil when none.
func (s *Store) liveResetToken(ctx context.Context, token string) (*resetToken, error) {
	if token == "" || len(token) > 128 {
		return nil, nil
	}
	var row resetToken
	err := s.conn(ctx).Where("token_hash = ? AND expires_at > ?", HashToken(token), s.now()).Take(&row).Error
	if err != nil {
		if models.ErrorCode(translate(err, "token")) == models.CodeNotFound {
			return nil, nil
		}
		return nil, translate(err, "token")
	}
	return &row, nil
}

func (s *Store) CheckResetToken(ctx context.Context, token string) error {
	row, err := s.liveResetToken(ctx, token)
	if err != nil {
		return err
	}
	if row == nil {
		return errResetInvalid
	}
	return nil
}

func (s *Store) ResetPassword(ctx context.Context, in models.PasswordReset) error {
	row, err := s.liveResetToken(ctx, in.Token)
	if err != nil {
		return err
	}
	if row == nil {
		return errResetInvalid
	}
	var u models.User
	if err := s.conn(ctx).Where("id = ?", row.UserID).Take(&u).Error; err != nil {
		return translate(err, "user")
	}
	if u.Disabled {
		return errResetInvalid
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := models.CheckNewPassword("new_password", in.New, u.Email); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, in.New, models.AuditEvent{ActorUserID: &u.ID, Action: models.AuditPasswordReset,
		Subject: u.UUID, ClientIP: in.ClientIP, Outcome: "ok"}, func(tx *gorm.DB) error {
		// The token is used up here, once: of two uses at the same time
		// only one deletes the row.
		res := tx.Where("id = ? AND expires_at > ?", row.ID, s.now()).Delete(&resetToken{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errResetInvalid
		}
		return nil
	})
}

// signInActions map the audit actions of sign-in attempts (browser and OBP
// DirectLogin) to their result.
var signInActions = map[string]string{
	models.AuditLoginOK: models.SignInOK, models.AuditLoginFailed: models.SignInFailed,
	models.AuditLoginThrottled: models.SignInThrottled, models.AuditDirectLoginOK: models.SignInOK,
	models.AuditDirectLoginFailed: models.SignInFailed, models.AuditDirectLoginThrottled: models.SignInThrottled,
	models.AuditPasswordOK: models.SignInCodeAsked, models.AuditSecondFactorOK: models.SignInOK,
	models.AuditSecondFactorFailed: models.SignInCodeWrong, models.AuditSecondFactorThrottled: models.SignInThrottled,
}

func (s *Store) SignInHistory(ctx context.Context, limit int) ([]models.SignIn, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, models.Unauthorized("not signed in")
	}
	if limit < 1 || limit > models.MaxSignInHistory {
		limit = models.MaxSignInHistory
	}
	actions := make([]string, 0, len(signInActions))
	for a := range signInActions {
		actions = append(actions, a)
	}
	slices.Sort(actions)
	var rows []models.AuditEvent
	if err := s.conn(ctx).Where("action IN ? AND subject = ?", actions, models.NormalizeEmail(p.Email)).
		Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "sign-in history")
	}
	out := make([]models.SignIn, len(rows))
	for i, r := range rows {
		out[i] = models.SignIn{At: r.CreatedAt.UTC(), ClientIP: r.ClientIP, Result: signInActions[r.Action]}
	}
	return out, nil
}
