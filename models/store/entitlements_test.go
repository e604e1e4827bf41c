package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

func roleNames(es []models.EntitlementInfo) []string {
	return storetest.Map(es, func(e models.EntitlementInfo) string { return e.Role + "@" + e.BankID })
}

func TestEntitlements(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		marta, nuno, admin, maria := storetest.AsUser(t, s, martaEmail), storetest.AsUser(t, s, nunoEmail),
			storetest.AsUser(t, s, adminEmail), storetest.AsUser(t, s, mariaEmail)
		nunoUUID := models.PrincipalFrom(nuno).UserUUID
		storetest.Must(t, s.EnsureBank(ctx, "other.bank", "Other Bank"), "other bank")

		t.Run("current user", func(t *testing.T) {
			u, err := s.CurrentUser(marta)
			storetest.Must(t, err, "marta")
			want := []string{"CanCreateCustomer@demo.bank", "CanCreateCustomerMessage@demo.bank", "CanGetCustomerMessages@demo.bank"}
			if u.Email != martaEmail || u.Kind != models.KindStaff || !validUUIDString(u.UserUUID) ||
				!slices.Equal(roleNames(u.Entitlements), want) {
				t.Fatalf("marta %+v", u)
			}
			for _, e := range u.Entitlements {
				if !validUUIDString(e.UUID) {
					t.Fatalf("entitlement id %q", e.UUID)
				}
			}
			u, err = s.CurrentUser(maria)
			storetest.Must(t, err, "maria")
			if u.Entitlements == nil || len(u.Entitlements) != 0 || u.Kind != models.KindCustomer {
				t.Fatalf("maria %+v", u)
			}
			if _, err := s.CurrentUser(ctx); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("anonymous: %v", err)
			}
		})

		t.Run("only holders of CanCreateEntitlementAtAnyBank grant, checked first", func(t *testing.T) {
			for _, who := range []context.Context{marta, nuno, maria} {
				_, err := s.AddEntitlement(who, nunoUUID, models.NewEntitlement{BankID: "other.bank", Role: "NoSuchRole"})
				wantMissingRole(t, err, models.RoleCanCreateEntitlementAtAnyBank, "other.bank")
				_, err = s.AddEntitlement(who, "nope", models.NewEntitlement{BankID: "no.bank", Role: models.RoleCanCreateCustomer})
				wantMissingRole(t, err, models.RoleCanCreateEntitlementAtAnyBank, "no.bank")
			}
			if _, err := s.AddEntitlement(ctx, nunoUUID, models.NewEntitlement{BankID: store.DemoBankID, Role: models.RoleCanCreateCustomer}); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("anonymous: %v", err)
			}
		})

		t.Run("input, bank, user, conflict", func(t *testing.T) {
			_, err := s.AddEntitlement(admin, "nope", models.NewEntitlement{BankID: "no.bank", Role: "canGetCustomerMessages"})
			wantFields(t, err, "role_name")
			_, err = s.AddEntitlement(admin, "nope", models.NewEntitlement{BankID: "", Role: ""})
			wantFields(t, err, "role_name", "bank_id")
			_, err = s.AddEntitlement(admin, "nope", models.NewEntitlement{BankID: "no.bank", Role: models.RoleCanGetCustomerMessages})
			wantNotFound(t, err, "bank")
			_, first := s.AddEntitlement(admin, uuid.NewString(), models.NewEntitlement{BankID: store.DemoBankID, Role: models.RoleCanGetCustomerMessages})
			wantNotFound(t, first, "user")
			_, err = s.AddEntitlement(admin, "nope", models.NewEntitlement{BankID: store.DemoBankID, Role: models.RoleCanGetCustomerMessages})
			sameAnswer(t, first, err)
			_, err = s.AddEntitlement(admin, models.PrincipalFrom(maria).UserUUID, models.NewEntitlement{BankID: store.DemoBankID, Role: models.RoleCanGetCustomerMessages})
			wantFields(t, err, "user_id")
			_, err = s.AddEntitlement(admin, models.PrincipalFrom(marta).UserUUID, models.NewEntitlement{BankID: store.DemoBankID, Role: models.RoleCanGetCustomerMessages})
			wantCode(t, err, models.CodeConflict)
		})

		t.Run("grant and revoke, audited", func(t *testing.T) {
			e, err := s.AddEntitlement(admin, strings.ToUpper(nunoUUID), models.NewEntitlement{BankID: "other.bank", Role: models.RoleCanCreateCustomer})
			storetest.Must(t, err, "grant")
			if !validUUIDString(e.UUID) || e.Role != models.RoleCanCreateCustomer || e.BankID != "other.bank" {
				t.Fatalf("granted %+v", e)
			}
			u, err := s.CurrentUser(nuno)
			storetest.Must(t, err, "nuno")
			if !slices.Equal(roleNames(u.Entitlements), []string{"CanCreateCustomer@other.bank"}) {
				t.Fatalf("nuno holds %v", roleNames(u.Entitlements))
			}
			// The role works at other.bank at once, not at demo.bank.
			_, err = s.CreateCustomer(nuno, "other.bank", models.NewCustomer{LegalName: "A", MobilePhone: "1", Email: "a@example.com"})
			storetest.Must(t, err, "create at other.bank")
			_, err = s.CreateCustomer(nuno, store.DemoBankID, models.NewCustomer{})
			wantMissingRole(t, err, models.RoleCanCreateCustomer, store.DemoBankID)
			added := auditRows(t, s, models.AuditEntitlementAdded, strings.ToLower(nunoUUID))
			if len(added) != 1 || *added[0].ActorUserID != userID(t, s, adminEmail) ||
				!strings.Contains(added[0].Detail, models.RoleCanCreateCustomer) {
				t.Fatalf("added audit %+v", added)
			}

			// Revoking: admins only, unknown ids are not found.
			wantMissingRole(t, s.RemoveEntitlement(marta, e.UUID), models.RoleCanCreateEntitlementAtAnyBank, store.DemoBankID)
			first := s.RemoveEntitlement(admin, uuid.NewString())
			wantNotFound(t, first, "entitlement")
			sameAnswer(t, first, s.RemoveEntitlement(admin, "nope"))
			storetest.Must(t, s.RemoveEntitlement(admin, strings.ToUpper(e.UUID)), "revoke")
			sameAnswer(t, first, s.RemoveEntitlement(admin, e.UUID))
			removed := auditRows(t, s, models.AuditEntitlementRemoved, strings.ToLower(nunoUUID))
			if len(removed) != 1 || !strings.Contains(removed[0].Detail, e.UUID) {
				t.Fatalf("removed audit %+v", removed)
			}
			_, err = s.CreateCustomer(nuno, "other.bank", models.NewCustomer{})
			wantMissingRole(t, err, models.RoleCanCreateCustomer, "other.bank")
		})

		t.Run("a new admin grants at once; the last one stays", func(t *testing.T) {
			adminInfo, err := s.CurrentUser(admin)
			storetest.Must(t, err, "admin")
			last := adminInfo.Entitlements[0]
			if last.Role != models.RoleCanCreateEntitlementAtAnyBank {
				t.Fatalf("admin holds %v", roleNames(adminInfo.Entitlements))
			}
			wantCode(t, s.RemoveEntitlement(admin, last.UUID), models.CodeConflict)
			e, err := s.AddEntitlement(admin, nunoUUID, models.NewEntitlement{BankID: "other.bank", Role: models.RoleCanCreateEntitlementAtAnyBank})
			storetest.Must(t, err, "make nuno an admin")
			// Held at other.bank, it lets him grant at any bank.
			e2, err := s.AddEntitlement(nuno, nunoUUID, models.NewEntitlement{BankID: store.DemoBankID, Role: models.RoleCanGetCustomerMessages})
			storetest.Must(t, err, "nuno grants himself")
			storetest.Must(t, s.RemoveEntitlement(nuno, e2.UUID), "nuno revokes")
			storetest.Must(t, s.RemoveEntitlement(nuno, last.UUID), "nuno revokes the admin")
			wantCode(t, s.RemoveEntitlement(nuno, e.UUID), models.CodeConflict)
			// Put things back.
			_, err = s.AddEntitlement(nuno, models.PrincipalFrom(admin).UserUUID, models.NewEntitlement{BankID: store.DemoBankID, Role: models.RoleCanCreateEntitlementAtAnyBank})
			storetest.Must(t, err, "restore admin")
			storetest.Must(t, s.RemoveEntitlement(admin, e.UUID), "revoke nuno's")
		})

		t.Run("staff list", func(t *testing.T) {
			_, err := s.StaffWithEntitlements(marta)
			wantMissingRole(t, err, models.RoleCanCreateEntitlementAtAnyBank, store.DemoBankID)
			list, err := s.StaffWithEntitlements(admin)
			storetest.Must(t, err, "list")
			var emails []string
			for _, u := range list {
				emails = append(emails, u.Email)
				if u.Kind != models.KindStaff && u.Kind != models.KindAdmin {
					t.Errorf("%s is %s", u.Email, u.Kind)
				}
				if u.Email == martaEmail && len(u.Entitlements) != 3 || u.Entitlements == nil {
					t.Errorf("%s holds %v", u.Email, roleNames(u.Entitlements))
				}
			}
			if !slices.Equal(emails, []string{martaEmail, nunoEmail, adminEmail}) { // by name: Marta, Nuno, Portal Admin
				t.Fatalf("staff %v", emails)
			}
		})

		t.Run("banks", func(t *testing.T) {
			banks, err := s.Banks(ctx)
			storetest.Must(t, err, "banks")
			if len(banks) != 2 || banks[0].BankID != store.DemoBankID || banks[0].FullName == "" || banks[1].BankID != "other.bank" {
				t.Fatalf("banks %+v", banks)
			}
		})
	})
}
