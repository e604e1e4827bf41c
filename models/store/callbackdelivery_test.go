package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/models/webhook"
	"portal/models/webhook/webhooktest"
)

// cbWorld is a demo store with callback workers delivering to a local
// HTTPS receiver that verifies every signature.
type cbWorld struct {
	s        *store.Store
	broker   context.Context
	partner  string
	process  string // a process of the broker's firm
	sim      string // a simulation of the broker's firm
	rcv      *webhooktest.Receiver
	sender   *webhook.Sender
	secret   string
	bankID   int64
	firmID   int64
	nextStat int
}

// fastCallbacks: a short schedule, lease and poll so tests take seconds.
func fastCallbacks(attempts int) store.CallbackOptions {
	sched := make([]time.Duration, attempts)
	for i := range sched {
		sched[i] = 40 * time.Millisecond
	}
	return store.CallbackOptions{Workers: 3, Schedule: sched, Lease: 2 * time.Second, Poll: 50 * time.Millisecond,
		AllowLoopback: true}
}

func newCBWorld(t testing.TB, s *store.Store, opts store.CallbackOptions, types ...int) *cbWorld {
	t.Helper()
	w := &cbWorld{s: s, broker: storetest.AsUser(t, s, "ana.silva@lisboa-credito.example"), partner: demoPartnerUUID(t, s)}
	p := models.PrincipalFrom(w.broker)
	w.bankID, w.firmID = p.BankID, p.FirmID
	var procs []string
	storetest.Must(t, s.DB().Raw("SELECT uuid FROM processes WHERE broker_id = ? ORDER BY id LIMIT 1", w.firmID).Find(&procs).Error, "process")
	if len(procs) == 0 {
		t.Fatal("the demo firm has no process")
	}
	w.process = strings.ToLower(procs[0])
	w.sim = uuid.NewString()
	storetest.Must(t, s.DB().Exec(`INSERT INTO simulations (uuid, bank_id, broker_id, simulation_number, status_id, loan_amount_cents,
		loan_duration_months, loan_purpose_id, product_purpose_id, product_scheme_id, rate_type_id, created_at, updated_at)
		VALUES (?, ?, ?, 777001, 1, 10000000, 360, 1, 1, 1, 1, ?, ?)`, w.sim, w.bankID, w.firmID, time.Now().UTC(), time.Now().UTC()).Error, "simulation")
	w.rcv = webhooktest.New(t, webhook.NewSecret())
	w.sender = webhook.New(webhook.Options{AllowLoopback: true, RootCAs: w.rcv.CertPool(), Timeout: 2 * time.Second})
	s.SetCallbackSender(w.sender, opts)
	for i, typ := range types {
		sub, err := s.PutCallback(w.broker, w.partner, typ, models.CallbackInput{URL: w.rcv.URL}, false)
		storetest.Must(t, err, "subscribe %d", typ)
		if i == 0 {
			w.secret = sub.Secret
			storetest.Must(t, w.rcv.SetSecret(sub.Secret), "receiver secret")
		}
	}
	// One receiver verifies every type: give them all the first secret.
	storetest.Must(t, s.DB().Exec("UPDATE callback_subscriptions SET secret = ?", w.secret).Error, "secrets")
	return w
}

// start runs s's workers until the test ends.
func (w *cbWorld) start(t testing.TB, s *store.Store, opts store.CallbackOptions) context.CancelFunc {
	ctx, cancel := context.WithCancel(context.Background())
	wait := s.StartCallbacks(ctx, w.sender, opts)
	t.Cleanup(func() { cancel(); wait() })
	return cancel
}

// event commits an outbox row of kind as the services write it; n
// distinguishes the events of one kind (status to, message seq).
func (w *cbWorld) event(t testing.TB, kind models.EventKind, n int) {
	t.Helper()
	ev := models.Event{Kind: kind, OccurredAt: time.Now().UTC(), BankID: w.bankID, BrokerID: w.firmID}
	switch kind {
	case models.EventProcessStatusChanged:
		ev.ProcessUUID, ev.FromStatusID, ev.ToStatusID = w.process, n-1, n
	case models.EventMessagePosted:
		ev.ProcessUUID, ev.MessageUUID, ev.Seq, ev.AuthorKind = w.process, uuid.NewString(), int64(n), models.AuthorBank
	case models.EventDocumentsRequested:
		ev.ProcessUUID, ev.DocumentRequestUUID = w.process, uuid.NewString()
	case models.EventSimulationStatusChanged:
		ev.SimulationUUID, ev.FromStatusID, ev.ToStatusID = w.sim, n-1, n
	case models.EventSimulationMessagePosted:
		ev.SimulationUUID, ev.MessageUUID, ev.Seq, ev.AuthorKind = w.sim, uuid.NewString(), int64(n), models.AuthorBroker
	case models.EventEsisIssued:
		ev.SimulationUUID, ev.EsisUUID = w.sim, uuid.NewString()
	}
	payload, err := json.Marshal(ev)
	storetest.Must(t, err, "payload")
	subject := ev.ProcessUUID
	if subject == "" {
		subject = ev.SimulationUUID
	}
	storetest.Must(t, w.s.DB().Exec("INSERT INTO outbox_events (kind, bank_id, subject_uuid, payload, created_at) VALUES (?, ?, ?, ?, ?)",
		string(kind), w.bankID, subject, string(payload), ev.OccurredAt).Error, "outbox row")
}

func waitDelivered(t testing.TB, r *webhooktest.Receiver, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := r.WaitDelivered(ctx, n); err != nil {
		t.Fatalf("delivered %d of %d: %v", len(r.Delivered()), n, err)
	}
}

// settle waits until no delivery is pending: the receiver counts a 2xx
// before the worker's COMMIT records it.
func settle(t testing.TB, s *store.Store) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int64
		storetest.Must(t, s.DB().Raw("SELECT count(*) FROM callback_deliveries WHERE status = 'pending'").Scan(&n).Error, "pending")
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// body decodes a delivered payload.
func body(t testing.TB, q webhooktest.Request) (models.CallbackPayload, map[string]any) {
	t.Helper()
	var p models.CallbackPayload
	storetest.Must(t, json.Unmarshal(q.Body, &p), "payload %s", q.Body)
	var d map[string]any
	storetest.Must(t, json.Unmarshal(p.Data, &d), "data")
	return p, d
}

var allKinds = []models.EventKind{models.EventProcessStatusChanged, models.EventMessagePosted, models.EventSimulationStatusChanged,
	models.EventSimulationMessagePosted, models.EventDocumentsRequested, models.EventEsisIssued}

func TestCallbackEventsOfEachTypeArriveInOrder(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(5)
		w := newCBWorld(t, s, opts, 1, 2, 3, 4, 5, 6)
		// A customer message is not a partner's business.
		w.event(t, models.EventCustomerMessageCreated, 1)
		const rounds = 4
		for n := 1; n <= rounds; n++ {
			for _, k := range allKinds {
				w.event(t, k, n)
			}
		}
		w.start(t, s, opts)
		waitDelivered(t, w.rcv, rounds*len(allKinds))
		time.Sleep(200 * time.Millisecond) // anything extra would arrive now
		got := w.rcv.Delivered()
		if len(got) != rounds*len(allKinds) || w.rcv.Duplicates() != 0 || w.rcv.BadSignatures() != 0 {
			t.Fatalf("delivered %d, duplicates %d, bad signatures %d", len(got), w.rcv.Duplicates(), w.rcv.BadSignatures())
		}
		var procNumber int64
		storetest.Must(t, s.DB().Raw("SELECT process_number FROM processes WHERE uuid = ?", w.process).Scan(&procNumber).Error, "number")
		seen := map[int][]map[string]any{}
		for _, q := range got {
			if !q.Verified {
				t.Fatalf("unverified delivery %s", q.ID)
			}
			p, d := body(t, q)
			if p.Type != models.CallbackTypeName(p.NotificationTypeID) || p.Timestamp.IsZero() {
				t.Fatalf("payload %s", q.Body)
			}
			if err := models.ValidateCallbackData(p.NotificationTypeID, p.Data); err != nil {
				t.Fatalf("data of type %d does not fit its schema: %v (%s)", p.NotificationTypeID, err, p.Data)
			}
			seen[p.NotificationTypeID] = append(seen[p.NotificationTypeID], d)
		}
		for typ := 1; typ <= 6; typ++ {
			if len(seen[typ]) != rounds {
				t.Fatalf("type %d: %d deliveries", typ, len(seen[typ]))
			}
		}
		for i, d := range seen[models.NotificationProcessStatusChanged] {
			if d["toStatusId"] != float64(i+1) || d["processUniqueId"] != w.process || d["processNumber"] != float64(procNumber) {
				t.Fatalf("process status #%d: %v", i, d)
			}
		}
		for i, d := range seen[models.NotificationSimulationMessageCreated] {
			if d["seq"] != float64(i+1) || d["simulationNumber"] != float64(777001) {
				t.Fatalf("simulation message #%d: %v", i, d)
			}
		}
		var pending int64
		storetest.Must(t, s.DB().Raw("SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL").Scan(&pending).Error, "outbox")
		if pending != 0 {
			t.Fatalf("%d outbox rows undispatched", pending)
		}
	})
}

func TestCallbackRetriesWithTheSameWebhookIDAndInOrder(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(5)
		w := newCBWorld(t, s, opts, models.NotificationProcessStatusChanged)
		const failures = 3
		w.rcv.FailFirst(failures)
		w.event(t, models.EventProcessStatusChanged, 1)
		w.event(t, models.EventProcessStatusChanged, 2)
		w.start(t, s, opts)
		waitDelivered(t, w.rcv, 2)
		settle(t, s)
		reqs := w.rcv.Requests()
		if len(reqs) != failures+2 {
			t.Fatalf("%d requests, want %d", len(reqs), failures+2)
		}
		for i := 0; i <= failures; i++ {
			if reqs[i].ID != reqs[0].ID {
				t.Fatalf("request %d has webhook-id %s, the first %s", i, reqs[i].ID, reqs[0].ID)
			}
		}
		// The second event waited behind the first's retries.
		if _, d := body(t, reqs[failures+1]); d["toStatusId"] != float64(2) || reqs[failures+1].ID == reqs[0].ID {
			t.Fatalf("last request %s", reqs[failures+1].Body)
		}
		admin := storetest.AsUser(t, s, "admin@bank.example")
		page, err := s.ListDeliveries(admin, models.DeliveryFilter{PartnerUUID: w.partner})
		storetest.Must(t, err, "log")
		if len(page.Items) != 2 || page.Items[1].WebhookID != reqs[0].ID || page.Items[1].Status != models.DeliverySucceeded {
			t.Fatalf("log %+v", page.Items)
		}
		d, err := s.GetDelivery(admin, page.Items[1].UUID)
		storetest.Must(t, err, "delivery")
		if len(d.Attempts) != failures+1 || d.Attempts[0].StatusCode < 500 || !d.Attempts[failures].Succeeded() {
			t.Fatalf("attempts %+v", d.Attempts)
		}
		subs, _, err := s.ListCallbacks(w.broker, w.partner, 0, 10)
		storetest.Must(t, err, "list")
		if subs[0].LastSuccessAt == nil || subs[0].LastFailureAt == nil || subs[0].FailingSince != nil || subs[0].Pending != 0 {
			t.Fatalf("health %+v", subs[0])
		}
		// Redeliver sends it again with the same id.
		storetest.Must(t, s.Redeliver(admin, page.Items[1].UUID), "redeliver")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		storetest.Must(t, w.rcv.WaitRequests(ctx, failures+3), "redelivered")
		if last := w.rcv.Requests()[failures+2]; last.ID != reqs[0].ID {
			t.Fatalf("redelivered with id %s, want %s", last.ID, reqs[0].ID)
		}
	})
}

func TestCallbackFailedAfterTheLastAttemptThenTheNextGoes(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(2) // three attempts in all
		w := newCBWorld(t, s, opts, models.NotificationProcessStatusChanged)
		w.rcv.FailFirst(3)
		w.event(t, models.EventProcessStatusChanged, 1)
		w.event(t, models.EventProcessStatusChanged, 2)
		w.start(t, s, opts)
		waitDelivered(t, w.rcv, 1)
		settle(t, s)
		reqs := w.rcv.Requests()
		if len(reqs) != 4 || reqs[3].ID == reqs[0].ID {
			t.Fatalf("%d requests", len(reqs))
		}
		var statuses []string
		storetest.Must(t, s.DB().Raw("SELECT status FROM callback_deliveries ORDER BY id").Find(&statuses).Error, "statuses")
		if fmt.Sprint(statuses) != "[failed succeeded]" {
			t.Fatalf("statuses %v", statuses)
		}
	})
}

func TestCallbackReceiverDownGetsEverythingWhenBack(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(200)
		w := newCBWorld(t, s, opts, models.NotificationProcessStatusChanged, models.NotificationEsisIssued)
		w.rcv.Down()
		const n = 10
		for i := 1; i <= n; i++ {
			w.event(t, models.EventProcessStatusChanged, i)
			w.event(t, models.EventEsisIssued, i)
		}
		w.start(t, s, opts)
		deadline := time.Now().Add(30 * time.Second)
		for {
			var failed int64
			storetest.Must(t, s.DB().Raw("SELECT count(*) FROM callback_attempts WHERE status_code = 0").Scan(&failed).Error, "attempts")
			if failed >= 4 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no failed attempt while the receiver is down")
			}
			time.Sleep(20 * time.Millisecond)
		}
		storetest.Must(t, w.rcv.Up(), "up")
		waitDelivered(t, w.rcv, 2*n)
		time.Sleep(200 * time.Millisecond)
		if got := len(w.rcv.Delivered()); got != 2*n || w.rcv.Duplicates() != 0 {
			t.Fatalf("delivered %d, duplicates %d", got, w.rcv.Duplicates())
		}
		last := 0
		for _, q := range w.rcv.Delivered() {
			if p, d := body(t, q); p.NotificationTypeID == 1 {
				if to := int(d["toStatusId"].(float64)); to != last+1 {
					t.Fatalf("status %d after %d", to, last)
				} else {
					last = to
				}
			}
		}
	})
}

func TestCallbackGoneDisablesAndReenableDelivers(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(5)
		w := newCBWorld(t, s, opts, models.NotificationDocumentsRequested)
		w.rcv.SetGone(true)
		w.event(t, models.EventDocumentsRequested, 1)
		w.event(t, models.EventDocumentsRequested, 2)
		w.start(t, s, opts)
		deadline := time.Now().Add(30 * time.Second)
		var dis []models.CallbackSubscription
		for len(dis) == 0 {
			var err error
			dis, err = s.DisabledCallbacks(w.broker)
			storetest.Must(t, err, "disabled")
			if time.Now().After(deadline) {
				t.Fatal("a 410 did not disable the subscription")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if dis[0].DisabledReason != "gone" || dis[0].Pending != 2 || dis[0].DisabledAt == nil {
			t.Fatalf("disabled %+v", dis[0])
		}
		// The firm's other brokers are told too; staff are not.
		if other, _ := s.DisabledCallbacks(storetest.AsUser(t, s, "joao.costa@lisboa-credito.example")); len(other) != 1 {
			t.Fatalf("colleague sees %d", len(other))
		}
		if staff, _ := s.DisabledCallbacks(storetest.AsUser(t, s, "marta.santos@bank.example")); len(staff) != 0 {
			t.Fatalf("staff sees %d", len(staff))
		}
		time.Sleep(200 * time.Millisecond)
		if n := len(w.rcv.Requests()); n != 1 {
			t.Fatalf("%d requests to a disabled subscription", n)
		}
		if n := len(auditRows(t, s, models.AuditCallbackDisabled, dis[0].UUID)); n != 1 {
			t.Fatalf("%d disable audit rows", n)
		}
		w.rcv.SetGone(false)
		storetest.Must(t, s.Reenable(storetest.AsUser(t, s, "admin@bank.example"), dis[0].UUID), "reenable")
		waitDelivered(t, w.rcv, 2)
		if dis, _ := s.DisabledCallbacks(w.broker); len(dis) != 0 {
			t.Fatalf("still disabled: %+v", dis)
		}
	})
}

// reopen opens a second store on s's database: another portal instance.
func reopen(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	var addr string
	if s.Dialect() == store.Postgres {
		var name string
		storetest.Must(t, s.DB().Raw("SELECT current_database()").Scan(&name).Error, "database name")
		u, err := url.Parse(storetest.PostgresURL(t))
		storetest.Must(t, err, "url")
		u.Path = "/" + name
		addr = u.String()
	} else {
		var rows []struct {
			Name string
			File string
		}
		storetest.Must(t, s.DB().Raw("PRAGMA database_list").Find(&rows).Error, "database list")
		addr = rows[0].File
	}
	s2, err := store.Open(addr, nil)
	storetest.Must(t, err, "second instance")
	t.Cleanup(func() { s2.Close() })
	return s2
}

func TestCallbackTwoInstancesDeliverEveryEventOnce(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(50)
		w := newCBWorld(t, s, opts, 1, 2, 3, 4, 5, 6)
		s2 := reopen(t, s)
		const rounds = 15
		for n := 1; n <= rounds; n++ {
			for _, k := range allKinds {
				w.event(t, k, n)
			}
		}
		w.start(t, s, opts)
		w.start(t, s2, opts)
		waitDelivered(t, w.rcv, rounds*len(allKinds))
		time.Sleep(300 * time.Millisecond)
		if got := len(w.rcv.Delivered()); got != rounds*len(allKinds) || w.rcv.Duplicates() != 0 || len(w.rcv.Requests()) != got {
			t.Fatalf("delivered %d of %d, duplicates %d, requests %d", got, rounds*len(allKinds), w.rcv.Duplicates(), len(w.rcv.Requests()))
		}
		settle(t, s)
		var rows int64
		storetest.Must(t, s.DB().Raw("SELECT count(*) FROM callback_deliveries WHERE status = 'succeeded'").Scan(&rows).Error, "rows")
		if rows != int64(rounds*len(allKinds)) {
			t.Fatalf("%d succeeded deliveries", rows)
		}
	})
}

// stuckSender never answers until its context ends: a worker that dies in
// flight.
type stuckSender struct {
	once    sync.Once
	started chan struct{}
}

func (s *stuckSender) Send(ctx context.Context, url, secret, id string, at time.Time, body []byte) models.CallbackAttempt {
	s.once.Do(func() { close(s.started) })
	<-ctx.Done()
	return models.CallbackAttempt{Error: "stopped"}
}

func TestCallbackDeliveryInFlightOnADeadInstanceIsRetriedByAnother(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(5)
		opts.Lease = 700 * time.Millisecond
		w := newCBWorld(t, s, opts, models.NotificationProcessStatusChanged)
		w.event(t, models.EventProcessStatusChanged, 1)
		w.event(t, models.EventProcessStatusChanged, 2)

		dead := reopen(t, s)
		stuck := &stuckSender{started: make(chan struct{})}
		ctx, kill := context.WithCancel(context.Background())
		wait := dead.StartCallbacks(ctx, stuck, opts)
		select {
		case <-stuck.started:
		case <-time.After(30 * time.Second):
			t.Fatal("the doomed instance never claimed")
		}
		kill() // dies mid-delivery: nothing recorded, the lease stands
		wait()

		w.start(t, s, opts)
		waitDelivered(t, w.rcv, 2)
		time.Sleep(200 * time.Millisecond)
		reqs := w.rcv.Requests()
		if len(reqs) != 2 || w.rcv.Duplicates() != 0 {
			t.Fatalf("%d requests, %d duplicates", len(reqs), w.rcv.Duplicates())
		}
		if _, d := body(t, reqs[0]); d["toStatusId"] != float64(1) {
			t.Fatalf("first delivered %s", reqs[0].Body)
		}
	})
}

func TestCallbackEcho(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(3)
		w := newCBWorld(t, s, opts, models.NotificationProcessStatusChanged)
		raw := json.RawMessage(`{"processUniqueId":"` + w.process + `","processNumber":1,"fromStatusId":1,"toStatusId":2}`)
		res, err := s.EchoCallback(w.broker, w.partner, models.CallbackEcho{NotificationTypeID: 1, ProcessUUID: w.process, RawBody: raw})
		storetest.Must(t, err, "echo")
		reqs := w.rcv.Requests()
		if res.Attempt.StatusCode != 200 || len(reqs) != 1 || !reqs[0].Verified || reqs[0].ID != res.WebhookID {
			t.Fatalf("echo %+v, requests %+v", res, reqs)
		}
		p, d := body(t, reqs[0])
		if p.NotificationTypeID != 1 || d["toStatusId"] != float64(2) {
			t.Fatalf("echoed %s", reqs[0].Body)
		}
		w.rcv.SetGone(true)
		res, err = s.EchoCallback(w.broker, w.partner, models.CallbackEcho{NotificationTypeID: 1, ProcessUUID: w.process, RawBody: raw})
		storetest.Must(t, err, "echo 410")
		if res.Attempt.StatusCode != 410 {
			t.Fatalf("echo answered %+v", res.Attempt)
		}
		var rows int64
		storetest.Must(t, s.DB().Raw("SELECT count(*) FROM callback_deliveries").Scan(&rows).Error, "deliveries")
		if dis, _ := s.DisabledCallbacks(w.broker); rows != 0 || len(dis) != 0 {
			t.Fatalf("an echo left %d deliveries, %d disabled", rows, len(dis))
		}

		var foreign []string // a process of the partner's other firm: not the caller's
		storetest.Must(t, s.DB().Raw("SELECT uuid FROM processes WHERE broker_id <> ? LIMIT 1", w.firmID).Find(&foreign).Error, "foreign")
		for _, c := range []struct {
			name string
			in   models.CallbackEcho
			code models.Code
		}{
			{"both ids", models.CallbackEcho{NotificationTypeID: 1, ProcessUUID: w.process, SimulationUUID: w.sim, RawBody: raw}, models.CodeInvalid},
			{"no id", models.CallbackEcho{NotificationTypeID: 1, RawBody: raw}, models.CodeInvalid},
			{"simulation id for a process type", models.CallbackEcho{NotificationTypeID: 1, SimulationUUID: w.sim, RawBody: raw}, models.CodeInvalid},
			{"unknown key", models.CallbackEcho{NotificationTypeID: 1, ProcessUUID: w.process,
				RawBody: json.RawMessage(`{"processUniqueId":"` + w.process + `","processNumber":1,"fromStatusId":1,"toStatusId":2,"note":"x"}`)}, models.CodeInvalid},
			{"unknown type", models.CallbackEcho{NotificationTypeID: 8, ProcessUUID: w.process, RawBody: raw}, models.CodeInvalid},
			{"missing process", models.CallbackEcho{NotificationTypeID: 1, ProcessUUID: uuid.NewString(), RawBody: raw}, models.CodeNotFound},
			{"other firm's process", models.CallbackEcho{NotificationTypeID: 1, ProcessUUID: strings.ToLower(foreign[0]), RawBody: raw}, models.CodeNotFound},
			{"no subscription", models.CallbackEcho{NotificationTypeID: 6, SimulationUUID: w.sim,
				RawBody: json.RawMessage(`{"simulationUniqueId":"` + w.sim + `","simulationNumber":1,"esisUniqueId":"` + w.sim + `"}`)}, models.CodeNotFound},
		} {
			if _, err := s.EchoCallback(w.broker, w.partner, c.in); models.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		if n := len(w.rcv.Requests()); n != 2 {
			t.Fatalf("refused echoes sent: %d requests", n)
		}
	})
}

// A message posted through the service reaches the partner: the outbox row
// of the post, its payload with ids and numbers and never the text.
func TestCallbackOfARealPost(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(3)
		w := newCBWorld(t, s, opts, models.NotificationProcessMessageCreated)
		w.start(t, s, opts)
		staff := storetest.AsUser(t, s, "marta.santos@bank.example")
		m, err := s.PostMessage(staff, w.process, models.NewMessage{Subject: "Avaliação", Text: "secret text of the bank"})
		storetest.Must(t, err, "post")
		waitDelivered(t, w.rcv, 1)
		q := w.rcv.Delivered()[0]
		if strings.Contains(string(q.Body), "secret text") || strings.Contains(string(q.Body), "Avalia") {
			t.Fatalf("the payload carries the message: %s", q.Body)
		}
		_, d := body(t, q)
		if d["messageUniqueId"] != m.UUID || d["processUniqueId"] != w.process || d["authorKind"] != "bank" || d["seq"] != float64(m.Seq) {
			t.Fatalf("data %v, message %s seq %d", d, m.UUID, m.Seq)
		}
	})
}
