package store

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// Entitlements (models.EntitlementService): roles at banks are rows, read
// fresh on every decision. Granting and revoking need
// CanCreateEntitlementAtAnyBank held at any bank, by staff or an admin.

// maxStaffListed bounds the admin page's list of staff.
const maxStaffListed = 1000

// entitlementInfoRow is an entitlement with its bank's public id.
type entitlementInfoRow struct {
	UserID int64
	UUID   string
	Role   string
	BankID string
}

// entitlementsOf returns users' roles, by user, bank and role.
func (s *Store) entitlementsOf(db *gorm.DB, userIDs []int64) (map[int64][]models.EntitlementInfo, error) {
	out := map[int64][]models.EntitlementInfo{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []entitlementInfoRow
	if err := db.Table("entitlements e").Select("e.user_id, e.uuid, e.role, b.bank_id").
		Joins("JOIN banks b ON b.id = e.bank_id").Where("e.user_id IN ?", userIDs).
		Order("e.user_id, b.bank_id, e.role").Scan(&rows).Error; err != nil {
		return nil, translate(err, "entitlements")
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], models.EntitlementInfo{UUID: strings.ToLower(r.UUID), Role: r.Role, BankID: r.BankID})
	}
	return out, nil
}

// adminGate tells, in one statement, the public id of the caller's bank and
// whether the caller holds CanCreateEntitlementAtAnyBank at any bank.
func (s *Store) adminGate(db *gorm.DB, p *models.Principal) (bankPublic string, ok bool, err error) {
	var rows []struct {
		BankPublic string
		HasRole    bool
	}
	if err := db.Raw(`SELECT b.bank_id AS bank_public,
		EXISTS (SELECT 1 FROM entitlements e WHERE e.user_id = ? AND e.role = ?) AS has_role
		FROM banks b WHERE b.id = ?`, p.UserID, models.RoleCanCreateEntitlementAtAnyBank, p.BankID).Scan(&rows).Error; err != nil {
		return "", false, translate(err, "entitlements")
	}
	if len(rows) == 0 {
		return "", false, nil
	}
	return rows[0].BankPublic, rows[0].HasRole && p.IsStaff(), nil
}

func (s *Store) CurrentUser(ctx context.Context) (*models.UserInfo, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	ents, err := s.entitlementsOf(db, []int64{p.UserID})
	if err != nil {
		return nil, err
	}
	info := &models.UserInfo{UserUUID: strings.ToLower(p.UserUUID), Email: p.Email, Name: p.Name, Kind: p.Kind,
		Entitlements: ents[p.UserID]}
	if info.Entitlements == nil {
		info.Entitlements = []models.EntitlementInfo{}
	}
	return info, nil
}

func (s *Store) AddEntitlement(ctx context.Context, userUUID string, in models.NewEntitlement) (*models.EntitlementInfo, error) {
	bankID, role := in.BankID, in.Role
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	if _, ok, err := s.adminGate(db, p); err != nil {
		return nil, err
	} else if !ok {
		return nil, models.MissingRole(models.RoleCanCreateEntitlementAtAnyBank, bankID)
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	bankRow, err := s.bankByPublicID(ctx, db, bankID)
	if err != nil {
		return nil, err
	}
	if !validUUID(userUUID) {
		return nil, models.NotFound("user")
	}
	var u models.User
	if err := db.Where("uuid = ?", strings.ToLower(userUUID)).Take(&u).Error; err != nil {
		return nil, translate(err, "user")
	}
	if err := models.MayHoldRoles(u.Kind); err != nil {
		return nil, err
	}
	now := s.now()
	e := models.Entitlement{UUID: newUUID(), UserID: u.ID, BankID: bankRow, Role: role, CreatedAt: now}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Conflict("The user already has this role at this bank.")
		}
		return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &p.UserID, Action: models.AuditEntitlementAdded,
			Subject: strings.ToLower(u.UUID), Outcome: "ok", Detail: role + " at " + bankID + " (" + e.UUID + ")"}).Error
	})
	if err != nil {
		return nil, translate(err, "entitlement")
	}
	return &models.EntitlementInfo{UUID: e.UUID, Role: role, BankID: bankID}, nil
}

func (s *Store) RemoveEntitlement(ctx context.Context, entitlementUUID string) error {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return errNotSignedIn
	}
	db := s.conn(ctx)
	home, ok, err := s.adminGate(db, p)
	if err != nil {
		return err
	}
	if !ok {
		return models.MissingRole(models.RoleCanCreateEntitlementAtAnyBank, home)
	}
	if !validUUID(entitlementUUID) {
		return models.NotFound("entitlement")
	}
	now := s.now()
	return translate(s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var rows []entitlementInfoRow
		if err := tx.Table("entitlements e").Select("e.user_id, e.uuid, e.role, b.bank_id").
			Joins("JOIN banks b ON b.id = e.bank_id").Where("e.uuid = ?", strings.ToLower(entitlementUUID)).
			Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return models.NotFound("entitlement")
		}
		e := rows[0]
		if e.Role == models.RoleCanCreateEntitlementAtAnyBank {
			// Keep someone able to grant roles. Lock the holders so two
			// admins cannot revoke each other at once (SQLite transactions
			// are serialised already).
			q := tx.Model(&models.Entitlement{}).Where("role = ?", e.Role)
			if s.dialect == Postgres {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			var holders []int64
			if err := q.Pluck("id", &holders).Error; err != nil {
				return err
			}
			if len(holders) <= 1 {
				return models.Conflict("This is the last CanCreateEntitlementAtAnyBank: grant it to someone else first.")
			}
		}
		res := tx.Where("uuid = ?", strings.ToLower(entitlementUUID)).Delete(&models.Entitlement{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("entitlement")
		}
		var user []string
		if err := tx.Model(&models.User{}).Where("id = ?", e.UserID).Pluck("uuid", &user).Error; err != nil {
			return err
		}
		subject := ""
		if len(user) == 1 {
			subject = strings.ToLower(user[0])
		}
		return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &p.UserID, Action: models.AuditEntitlementRemoved,
			Subject: subject, Outcome: "ok", Detail: e.Role + " at " + e.BankID + " (" + strings.ToLower(e.UUID) + ")"}).Error
	}), "entitlement")
}

func (s *Store) StaffWithEntitlements(ctx context.Context) ([]models.UserInfo, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	home, ok, err := s.adminGate(db, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, models.MissingRole(models.RoleCanCreateEntitlementAtAnyBank, home)
	}
	var users []models.User
	if err := db.Where("bank_id = ? AND kind IN ?", p.BankID, []models.UserKind{models.KindStaff, models.KindAdmin}).
		Order("name, email").Limit(maxStaffListed).Find(&users).Error; err != nil {
		return nil, translate(err, "users")
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	ents, err := s.entitlementsOf(db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]models.UserInfo, len(users))
	for i, u := range users {
		out[i] = models.UserInfo{UserUUID: strings.ToLower(u.UUID), Email: u.Email, Name: u.Name, Kind: u.Kind,
			Entitlements: ents[u.ID]}
		if out[i].Entitlements == nil {
			out[i].Entitlements = []models.EntitlementInfo{}
		}
	}
	return out, nil
}

func (s *Store) Banks(ctx context.Context) ([]models.Bank, error) {
	out := []models.Bank{}
	if err := s.conn(ctx).Order("bank_id").Find(&out).Error; err != nil {
		return nil, translate(err, "banks")
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, nil
}
