package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// demoPartnerUUID is the demo network's id.
func demoPartnerUUID(t testing.TB, s *store.Store) string {
	t.Helper()
	var p models.Partner
	storetest.Must(t, s.DB().Where("client_id = ?", store.DemoPartnerClient).Take(&p).Error, "demo partner")
	return strings.ToLower(p.UUID)
}

// otherPartner adds a second partner with a firm of its own and a broker
// in it; it returns the partner's uuid and the broker's context.
func otherPartner(t *testing.T, s *store.Store) (string, context.Context) {
	t.Helper()
	var bankID int64
	storetest.Must(t, s.DB().Raw("SELECT id FROM banks ORDER BY id LIMIT 1").Scan(&bankID).Error, "bank")
	p := models.Partner{UUID: uuid.NewString(), BankID: bankID, Name: "Other", ClientID: "other-" + uuid.NewString()[:8], ClientSecretHash: "x"}
	storetest.Must(t, s.DB().Create(&p).Error, "partner")
	f := models.BrokerFirm{UUID: uuid.NewString(), BankID: bankID, PartnerID: p.ID, Name: "Other firm", BrokerUID: "BRK-OTH-" + uuid.NewString()[:6], APIEnabled: true}
	storetest.Must(t, s.DB().Create(&f).Error, "firm")
	u := models.User{UUID: uuid.NewString(), BankID: bankID, Email: "b" + uuid.NewString()[:8] + "@other.example", Name: "Other Broker",
		Kind: models.KindBroker, PasswordHash: "x", FirmID: &f.ID, APIEnabled: true}
	storetest.Must(t, s.DB().Create(&u).Error, "user")
	return p.UUID, storetest.As(t, s, u.ID)
}

func TestCallbackSubscriptions(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := storetest.AsUser(t, s, "ana.silva@lisboa-credito.example")
		pid := demoPartnerUUID(t, s)
		in := models.CallbackInput{URL: "https://hooks.example.com/portal", Description: "status"}
		sub, err := s.PutCallback(ctx, pid, models.NotificationProcessStatusChanged, in, false)
		storetest.Must(t, err, "put")
		if !strings.HasPrefix(sub.Secret, "whsec_") || !sub.Enabled || sub.URL != in.URL || sub.PartnerUUID != pid {
			t.Fatalf("created %+v", sub)
		}
		again, err := s.PutCallback(ctx, pid, models.NotificationProcessStatusChanged, models.CallbackInput{URL: "https://hooks.example.com/v2"}, false)
		storetest.Must(t, err, "replace")
		if again.Secret != "" || again.UUID != sub.UUID || again.URL != "https://hooks.example.com/v2" {
			t.Fatalf("replaced %+v", again)
		}
		rot, err := s.PutCallback(ctx, pid, models.NotificationProcessStatusChanged, models.CallbackInput{URL: "https://hooks.example.com/v2"}, true)
		storetest.Must(t, err, "rotate")
		if rot.Secret == "" || rot.Secret == sub.Secret {
			t.Fatalf("rotated secret %q (was %q)", rot.Secret, sub.Secret)
		}
		// Another broker of a firm of the same partner sees it too.
		rui := storetest.AsUser(t, s, "rui.pereira@porto-hipotecas.example")
		_, err = s.PutCallback(rui, pid, models.NotificationEsisIssued, in, false)
		storetest.Must(t, err, "put esis")
		list, total, err := s.ListCallbacks(ctx, pid, 0, 10)
		storetest.Must(t, err, "list")
		if total != 2 || len(list) != 2 || list[0].NotificationTypeID != 1 || list[1].NotificationTypeID != 6 || list[0].Secret != "" {
			t.Fatalf("list %d %+v", total, list)
		}
		page, total, err := s.ListCallbacks(ctx, pid, 1, 1)
		storetest.Must(t, err, "page")
		if total != 2 || len(page) != 1 || page[0].NotificationTypeID != 6 {
			t.Fatalf("page %d %+v", total, page)
		}

		for _, c := range []struct {
			name  string
			typ   int
			url   string
			field string
		}{
			{"http", 1, "http://hooks.example.com/", "url"},
			{"loopback", 1, "https://127.0.0.1/x", "url"},
			{"private", 1, "https://10.1.2.3/x", "url"},
			{"metadata", 1, "https://169.254.169.254/latest", "url"},
			{"v6 loopback", 1, "https://[::1]/x", "url"},
			{"localhost", 1, "https://localhost/x", "url"},
			{"empty", 1, "", "url"},
			{"type", 7, "https://hooks.example.com/", "notificationType"},
		} {
			_, err := s.PutCallback(ctx, pid, c.typ, models.CallbackInput{URL: c.url}, false)
			if e := models.AsError(err); e.Code != models.CodeInvalid {
				t.Errorf("%s: %v", c.name, err)
			} else if _, ok := e.Field(c.field); !ok {
				t.Errorf("%s: fields %+v", c.name, e.Fields)
			}
		}

		// Another partner's broker, an unknown id and a malformed one: the same 404.
		otherUUID, other := otherPartner(t, s)
		for name, call := range map[string]func() error{
			"put foreign":    func() error { _, err := s.PutCallback(other, pid, 1, in, false); return err },
			"list foreign":   func() error { _, _, err := s.ListCallbacks(other, pid, 0, 10); return err },
			"delete foreign": func() error { return s.DeleteCallback(other, pid, 1) },
			"unknown":        func() error { _, err := s.PutCallback(ctx, uuid.NewString(), 1, in, false); return err },
			"malformed":      func() error { _, _, err := s.ListCallbacks(ctx, "nope", 0, 10); return err },
			"own firm, other partner": func() error {
				_, _, err := s.ListCallbacks(ctx, otherUUID, 0, 10)
				return err
			},
			"staff": func() error {
				_, _, err := s.ListCallbacks(storetest.AsUser(t, s, "marta.santos@bank.example"), pid, 0, 10)
				return err
			},
		} {
			if e := models.AsError(call()); e.Code != models.CodeNotFound || e.Message != models.AsError(models.NotFound("partner")).Message {
				t.Errorf("%s: %v", name, e)
			}
		}

		storetest.Must(t, s.DeleteCallback(ctx, pid, models.NotificationEsisIssued), "delete")
		if err := s.DeleteCallback(ctx, pid, models.NotificationEsisIssued); models.ErrorCode(err) != models.CodeNotFound {
			t.Fatalf("delete again: %v", err)
		}
		if _, total, _ := s.ListCallbacks(ctx, pid, 0, 10); total != 1 {
			t.Fatalf("after delete total %d", total)
		}
		if n := len(auditRows(t, s, models.AuditCallbackSet, sub.UUID)); n != 3 {
			t.Fatalf("audit rows of set: %d", n)
		}

		// Admin pages.
		admin := storetest.AsUser(t, s, "admin@bank.example")
		subs, err := s.AdminSubscriptions(admin, pid)
		storetest.Must(t, err, "admin subs")
		if len(subs) != 1 || subs[0].UUID != sub.UUID {
			t.Fatalf("admin subs %+v", subs)
		}
		if _, err := s.AdminSubscriptions(ctx, pid); models.ErrorCode(err) != models.CodeForbidden {
			t.Fatalf("broker on admin: %v", err)
		}
		parts, err := s.CallbackPartners(admin)
		storetest.Must(t, err, "partners")
		if len(parts) != 2 {
			t.Fatalf("partners %+v", parts)
		}
	})
}
