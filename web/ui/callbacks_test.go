package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/web/webtest"
)

// demoPartner is the demo network's UUID.
func demoPartner(t *testing.T, s *webtest.Server) string {
	t.Helper()
	var id string
	storetest.Must(t, s.Store.DB().Raw("SELECT uuid FROM partners WHERE client_id = ?", store.DemoPartnerClient).Scan(&id).Error, "partner")
	return strings.ToLower(id)
}

// subscribe registers a callback of typ for the demo network as Ana (a
// broker of one of its firms) would through the partner API.
func subscribe(t *testing.T, s *webtest.Server, typ int, u string) *models.CallbackSubscription {
	t.Helper()
	sub, err := s.Store.PutCallback(storetest.AsUser(t, s.Store, ana), demoPartner(t, s), typ, models.CallbackInput{URL: u}, false)
	storetest.Must(t, err, "put callback")
	return sub
}

// disable marks a subscription disabled as the dispatcher does after a
// 410 or days of failures.
func disable(t *testing.T, s *webtest.Server, subUUID, reason string, at time.Time) {
	t.Helper()
	storetest.Must(t, s.Store.DB().Table("callback_subscriptions").Where("uuid = ?", subUUID).
		Updates(map[string]any{"enabled": false, "disabled_reason": reason, "disabled_at": at}).Error, "disable")
}

// audits counts the audit rows of action on subject.
func audits(t *testing.T, s *webtest.Server, action, subject string) int64 {
	t.Helper()
	var n int64
	storetest.Must(t, s.Store.DB().Model(&models.AuditEvent{}).Where("action = ? AND subject = ?", action, subject).Count(&n).Error, "audit")
	return n
}

func callbackPages(sub, delivery string) (gets []string, posts []string) {
	return []string{"/admin/callbacks", "/admin/callbacks/deliveries", "/admin/callbacks/deliveries/" + delivery},
		[]string{"/admin/callbacks/subscriptions/" + sub + "/reenable", "/admin/callbacks/deliveries/" + delivery + "/redeliver"}
}

func TestCallbackPagesAreForAdminsOnly(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	sub := subscribe(t, s, models.NotificationProcessStatusChanged, "https://hooks.example.com/a")
	disable(t, s, sub.UUID, "gone", time.Now())
	gets, posts := callbackPages(sub.UUID, uuid.NewString())
	for _, who := range []string{marta, nuno, ana, maria} {
		c := s.Client(t)
		c.Login(who)
		for _, p := range gets {
			if res := c.Get(p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", who, p, res.StatusCode)
			}
		}
		for _, p := range posts {
			if res := c.PostForm(p, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", who, p, res.StatusCode)
			}
		}
	}
	anon := s.Client(t)
	if res := anon.Get("/admin/callbacks"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
	a := s.Client(t)
	a.Login(adminEmail)
	if res := a.PostForm(posts[0], nil, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site re-enable: %d", res.StatusCode)
	}
	subs, err := s.Store.AdminSubscriptions(storetest.AsUser(t, s.Store, adminEmail), demoPartner(t, s))
	storetest.Must(t, err, "subscriptions")
	if len(subs) != 1 || subs[0].Enabled {
		t.Errorf("refused requests changed the subscription: %+v", subs)
	}
	// A delivery that is not there is the not-found page, for GET and POST.
	if res := a.Get(gets[2]); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown delivery: %d", res.StatusCode)
	}
	if res := a.PostForm(posts[1], nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("redeliver an unknown delivery: %d", res.StatusCode)
	}
	if res := a.Get("/admin/callbacks?partner=" + uuid.NewString()); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown partner: %d", res.StatusCode)
	}
}

func TestAdminSeesSubscriptionsAndReenables(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		pid := demoPartner(t, s)
		subscribe(t, s, models.NotificationProcessStatusChanged, "https://hooks.example.com/status")
		gone := subscribe(t, s, models.NotificationEsisIssued, "https://hooks.example.com/esis")
		disable(t, s, gone.UUID, "gone", time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC))

		a := s.Client(t)
		a.Login(adminEmail)
		if a.Get("/admin").Doc(t).Find(`a[href="/admin/callbacks"]`).Length() != 1 {
			t.Error("the admin home does not link the callbacks page")
		}
		doc := a.Get("/admin/callbacks").Doc(t)
		link := doc.Find(`[data-testid="partner-link"][data-partner="` + pid + `"]`)
		if link.Text() != "Demo Network" {
			t.Fatalf("partner link %q", link.Text())
		}
		res := a.Get(link.AttrOr("href", ""))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("partner page: %d", res.StatusCode)
		}
		doc = res.Doc(t)
		rows := doc.Find(`[data-testid="subscription-row"]`)
		if rows.Length() != 2 {
			t.Fatalf("%d subscription rows", rows.Length())
		}
		ok := doc.Find(`[data-testid="subscription-row"][data-type="1"]`)
		if ok.Find(`[data-testid="type"]`).Text() != "Process status changed" || ok.Find(`[data-testid="url"]`).Text() != "https://hooks.example.com/status" ||
			ok.Find(`[data-testid="state"]`).Text() != "Enabled" || ok.Find(`[data-testid="reenable"]`).Length() != 0 {
			t.Errorf("enabled row: %q", ok.Text())
		}
		off := doc.Find(`[data-testid="subscription-row"][data-type="6"]`)
		if off.Find(`[data-testid="state"]`).Text() != "Disabled" || off.Find(`[data-testid="type"]`).Text() != "ESIS issued" ||
			!strings.Contains(off.Find(`[data-testid="disabled-why"]`).Text(), "410 Gone") ||
			!strings.Contains(off.Find(`[data-testid="disabled-why"]`).Text(), "3 Nov 2026") {
			t.Errorf("disabled row: %q", off.Text())
		}
		form := off.Find(`form`)
		if form.AttrOr("action", "") != "/admin/callbacks/subscriptions/"+gone.UUID+"/reenable" || form.AttrOr("method", "") != "post" {
			t.Errorf("re-enable form posts to %q", form.AttrOr("action", ""))
		}

		// In Portuguese: the taxonomy's descriptions, the states translated.
		pt := s.ClientIn(t, "")
		pt.Login(adminEmail)
		doc = pt.Get("/admin/callbacks?partner=" + pid).Doc(t)
		off = doc.Find(`[data-testid="subscription-row"][data-type="6"]`)
		if off.Find(`[data-testid="type"]`).Text() != "FINE emitida" || off.Find(`[data-testid="state"]`).Text() != "Desativada" ||
			!strings.Contains(off.Find(`[data-testid="disabled-why"]`).Text(), "nov. 2026") {
			t.Errorf("Portuguese disabled row: %q", off.Text())
		}
		if h := doc.Find(`[data-testid="callbacks-heading"]`).Text(); h != "Callbacks dos parceiros" {
			t.Errorf("Portuguese heading %q", h)
		}

		// The broker sees the notice; re-enabling removes it.
		b := s.Client(t)
		b.Login(ana)
		notice := b.Get("/processes").Doc(t).Find(`[data-testid="callbacks-disabled"]`)
		if notice.Length() != 1 || notice.AttrOr("data-type", "") != "6" ||
			notice.Text() != "Partner callbacks for ESIS issued are disabled since 3 Nov 2026 because the partner's server answered 410 Gone; your integration is not receiving notifications. Contact the bank." {
			t.Errorf("broker notice %q", notice.Text())
		}
		bpt := s.ClientIn(t, "")
		bpt.Login(ana)
		if n := bpt.Get("/processes").Doc(t).Find(`[data-testid="callbacks-disabled"]`).Text(); !strings.HasPrefix(n, "Os callbacks do parceiro para FINE emitida estão desativados desde 3 nov. 2026") {
			t.Errorf("Portuguese broker notice %q", n)
		}
		// Staff see no notice on the same list.
		staff := s.Client(t)
		staff.Login(marta)
		if staff.Get("/processes").Doc(t).Find(`[data-testid="callbacks-disabled-notice"]`).Length() != 0 {
			t.Error("staff see the brokers' notice")
		}

		res = a.PostForm("/admin/callbacks/subscriptions/"+gone.UUID+"/reenable", url.Values{}, "Referer", s.URL+"/admin/callbacks?partner="+pid)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/callbacks?partner="+pid {
			t.Fatalf("re-enable: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		doc = a.Get(res.Header.Get("Location")).Doc(t)
		if f := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(f, "enabled again") {
			t.Errorf("flash %q", f)
		}
		if st := doc.Find(`[data-testid="subscription-row"][data-type="6"] [data-testid="state"]`).Text(); st != "Enabled" {
			t.Errorf("after re-enabling the state is %q", st)
		}
		if b.Get("/processes").Doc(t).Find(`[data-testid="callbacks-disabled-notice"]`).Length() != 0 {
			t.Error("the broker still sees the notice after re-enabling")
		}
		if n := audits(t, s, models.AuditCallbackReenabled, gone.UUID); n != 1 {
			t.Errorf("%d re-enable audit rows", n)
		}
	})
}

// attempt is one recorded try of a test delivery.
type attempt struct {
	code     int
	ms       int64
	response string
	err      string
}

// addDelivery records a delivery of sub with its attempts, as the
// dispatcher leaves it, and returns its UUID.
func addDelivery(t *testing.T, s *webtest.Server, sub *models.CallbackSubscription, status string, at time.Time, atts ...attempt) string {
	t.Helper()
	db := s.Store.DB()
	var subID int64
	storetest.Must(t, db.Raw("SELECT id FROM callback_subscriptions WHERE uuid = ?", sub.UUID).Scan(&subID).Error, "subscription id")
	id := uuid.NewString()
	storetest.Must(t, db.Table("callback_deliveries").Create(map[string]any{"uuid": id, "webhook_id": "msg_" + strings.ReplaceAll(id, "-", ""),
		"subscription_id": subID, "event_kind": string(models.EventProcessStatusChanged), "payload": `{}`, "status": status,
		"attempt_count": len(atts), "next_attempt_at": at, "created_at": at}).Error, "delivery")
	var delID int64
	storetest.Must(t, db.Raw("SELECT id FROM callback_deliveries WHERE uuid = ?", id).Scan(&delID).Error, "delivery id")
	for i, a := range atts {
		storetest.Must(t, db.Table("callback_attempts").Create(map[string]any{"delivery_id": delID, "at": at.Add(time.Duration(i) * time.Minute),
			"status_code": a.code, "duration_ms": a.ms, "response": a.response, "error": a.err}).Error, "attempt")
	}
	return id
}

func TestAdminReadsTheDeliveryLogAndRedelivers(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		pid := demoPartner(t, s)
		sub := subscribe(t, s, models.NotificationProcessStatusChanged, "https://hooks.example.com/status")
		day := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
		for i := range 24 { // older deliveries, to need a second page
			addDelivery(t, s, sub, models.DeliverySucceeded, day.Add(time.Duration(i)*time.Minute), attempt{code: 204, ms: 12})
		}
		ok := addDelivery(t, s, sub, models.DeliverySucceeded, day.Add(2*time.Hour), attempt{code: 200, ms: 35, response: `<b>ok</b><script>alert(1)</script>`})
		failed := addDelivery(t, s, sub, models.DeliveryFailed, day.Add(3*time.Hour),
			attempt{code: 500, ms: 120, response: "boom"}, attempt{code: 0, ms: 10000, err: "timeout"})
		pending := addDelivery(t, s, sub, models.DeliveryPending, day.Add(4*time.Hour))

		a := s.Client(t)
		a.Login(adminEmail)
		if a.Get("/admin/callbacks").Doc(t).Find(`a[href="/admin/callbacks/deliveries"]`).Length() == 0 {
			t.Error("the callbacks page does not link the delivery log")
		}
		res := a.Get("/admin/callbacks/deliveries")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("delivery log: %d", res.StatusCode)
		}
		doc := res.Doc(t)
		rows := doc.Find(`[data-testid="delivery-row"]`)
		if rows.Length() != 25 {
			t.Fatalf("first page has %d rows, want 25", rows.Length())
		}
		if first := rows.First().AttrOr("data-delivery", ""); first != pending {
			t.Errorf("newest first: the first row is %s", first)
		}
		f := doc.Find(`[data-testid="delivery-row"][data-delivery="` + failed + `"]`)
		if f.Find(`[data-testid="status"]`).Text() != "Failed" || f.Find(`[data-testid="type"]`).Text() != "Process status changed" ||
			f.Find(`[data-testid="event-kind"]`).Text() != "process.status_changed" || f.Find(`[data-testid="code"]`).Text() != "—" ||
			f.Find(`[data-testid="duration"]`).Text() != "10000 ms" || !strings.Contains(f.Text(), "Demo Network") {
			t.Errorf("failed row: %q", f.Text())
		}
		o := doc.Find(`[data-testid="delivery-row"][data-delivery="` + ok + `"]`)
		if o.Find(`[data-testid="status"]`).Text() != "Delivered" || o.Find(`[data-testid="code"]`).Text() != "200" || o.Find(`[data-testid="duration"]`).Text() != "35 ms" {
			t.Errorf("delivered row: %q", o.Text())
		}
		p := doc.Find(`[data-testid="delivery-row"][data-delivery="` + pending + `"]`)
		if p.Find(`[data-testid="status"]`).Text() != "Pending" || p.Find(`[data-testid="code"]`).Text() != "—" {
			t.Errorf("pending row: %q", p.Text())
		}
		next := doc.Find(`[data-testid="next-page"]`).AttrOr("href", "")
		if next == "" {
			t.Fatal("no next page")
		}
		doc = a.Get(next).Doc(t)
		if n := doc.Find(`[data-testid="delivery-row"]`).Length(); n != 2 || doc.Find(`[data-testid="next-page"]`).Length() != 0 {
			t.Errorf("second page: %d rows, next link %d", n, doc.Find(`[data-testid="next-page"]`).Length())
		}
		// Filters: by status, by partner (another partner has none).
		doc = a.Get("/admin/callbacks/deliveries?status=failed").Doc(t)
		if rows := doc.Find(`[data-testid="delivery-row"]`); rows.Length() != 1 || rows.AttrOr("data-delivery", "") != failed {
			t.Errorf("failed filter: %d rows", rows.Length())
		}
		if sel := doc.Find(`#status option[selected]`).AttrOr("value", ""); sel != "failed" {
			t.Errorf("status filter shows %q", sel)
		}
		if n := a.Get("/admin/callbacks/deliveries?partner=" + pid + "&status=pending").Doc(t).Find(`[data-testid="delivery-row"]`).Length(); n != 1 {
			t.Errorf("partner and pending: %d rows", n)
		}
		empty := a.Get("/admin/callbacks/deliveries?partner=" + uuid.NewString()).Doc(t)
		if empty.Find(`[data-testid="empty-state"]`).Length() != 1 || empty.Find(`[data-testid="delivery-row"]`).Length() != 0 {
			t.Error("another partner's log is not empty")
		}
		if res := a.Get("/admin/callbacks/deliveries?after=nonsense"); res.StatusCode < 400 || res.StatusCode >= 500 ||
			res.Doc(t).Find(`[data-testid="deliveries-error"]`).Text() == "" {
			t.Errorf("a cursor that is not one: %d", res.StatusCode)
		}

		// A delivery's page: every attempt, the answer shown as text.
		res = a.Get("/admin/callbacks/deliveries/" + failed)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("delivery page: %d", res.StatusCode)
		}
		doc = res.Doc(t)
		atts := doc.Find(`[data-testid="attempt"]`)
		if atts.Length() != 2 || atts.Eq(0).Find(`[data-testid="attempt-code"]`).Text() != "500" ||
			atts.Eq(0).Find(`[data-testid="attempt-response"]`).Text() != "boom" ||
			atts.Eq(1).Find(`[data-testid="attempt-error"]`).Text() != "No answer: timeout" ||
			atts.Eq(1).Find(`[data-testid="attempt-duration"]`).Text() != "10000 ms" {
			t.Errorf("attempts: %q", atts.Text())
		}
		res = a.Get("/admin/callbacks/deliveries/" + ok)
		if strings.Contains(res.Body, "<script>alert(1)") || !strings.Contains(res.Body, "&lt;b&gt;ok&lt;/b&gt;") {
			t.Error("the partner's answer is not escaped")
		}
		if got := res.Doc(t).Find(`[data-testid="attempt-response"]`).Text(); got != `<b>ok</b><script>alert(1)</script>` {
			t.Errorf("response shown as %q", got)
		}
		if a.Get("/admin/callbacks/deliveries/"+pending).Doc(t).Find(`[data-testid="redeliver"]`).Length() != 0 {
			t.Error("a pending delivery offers Redeliver")
		}

		// Portuguese.
		pt := s.ClientIn(t, "")
		pt.Login(adminEmail)
		doc = pt.Get("/admin/callbacks/deliveries/" + failed).Doc(t)
		if st := doc.Find(`[data-testid="status"]`).Text(); st != "Falhada" {
			t.Errorf("Portuguese status %q", st)
		}
		if e := doc.Find(`[data-testid="attempt-error"]`).Text(); e != "Sem resposta: timeout" {
			t.Errorf("Portuguese error %q", e)
		}
		if h := doc.Find(`[data-testid="delivery-heading"]`).Text(); h != "Entrega: Alteração do estado do processo" {
			t.Errorf("Portuguese heading %q", h)
		}

		// Redeliver: queued again, back on its page with a flash.
		res = a.PostForm("/admin/callbacks/deliveries/"+failed+"/redeliver", nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/callbacks/deliveries/"+failed {
			t.Fatalf("redeliver: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		doc = a.Get(res.Header.Get("Location")).Doc(t)
		if fl := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(fl, "queued again") {
			t.Errorf("flash %q", fl)
		}
		d, err := s.Store.GetDelivery(storetest.AsUser(t, s.Store, adminEmail), failed)
		storetest.Must(t, err, "delivery")
		if d.Status != models.DeliveryPending {
			t.Errorf("after Redeliver the delivery is %s", d.Status)
		}
		if n := audits(t, s, models.AuditCallbackRedeliver, failed); n != 1 {
			t.Errorf("%d redeliver audit rows", n)
		}
	})
}
