package store

import (
	"context"
	"slices"

	"gorm.io/gorm"

	"portal/models"
)

// bankByPublicID returns the internal id of a bank.
func (s *Store) bankByPublicID(ctx context.Context, tx *gorm.DB, bankID string) (int64, error) {
	var b models.Bank
	if err := tx.WithContext(ctx).Where("bank_id = ?", bankID).Take(&b).Error; err != nil {
		return 0, translate(err, "bank")
	}
	return b.ID, nil
}

func (s *Store) SetLanguage(ctx context.Context, lang string) error {
	p := models.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return errNotSignedIn
	}
	if !slices.Contains(models.Languages, lang) {
		return models.Invalid("lang", "user.language", nil)
	}
	return translate(s.conn(ctx).Model(&models.User{}).Where("id = ?", p.UserID).Update("language", lang).Error, "user")
}

// CreateUser creates an account of any kind, with its firm or roles, in one
// transaction. Operators call it from the command line.
func (s *Store) CreateUser(ctx context.Context, in models.NewUser) (*models.User, error) {
	in, err := in.Validate()
	if err != nil {
		return nil, err
	}
	hash, err := models.HashPassword(in.Password)
	if err != nil {
		return nil, models.Internal(err)
	}
	var u models.User
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var bank models.Bank
		if err := tx.Order("id").Take(&bank).Error; err != nil {
			return translate(err, "bank")
		}
		u = models.User{UUID: newUUID(), BankID: bank.ID, Email: in.Email, Name: in.Name, Kind: in.Kind,
			PasswordHash: hash, APIEnabled: in.APIEnabled}
		if in.FirmUID != "" {
			var f models.BrokerFirm
			if err := tx.Where("broker_uid = ?", in.FirmUID).Take(&f).Error; err != nil {
				return translate(err, "firm")
			}
			u.FirmID = &f.ID
		}
		if err := tx.Create(&u).Error; err != nil {
			return translate(err, "user")
		}
		for _, r := range in.Roles {
			e := models.Entitlement{UUID: newUUID(), UserID: u.ID, BankID: bank.ID, Role: r}
			if err := tx.Create(&e).Error; err != nil {
				return translate(err, "entitlement")
			}
		}
		return tx.Create(&models.AuditEvent{Action: models.AuditUserCreated, Subject: u.Email, Outcome: "ok",
			Detail: string(u.Kind)}).Error
	})
	if err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}
