package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/webhook"
	"portal/models/webhook/webhooktest"
)

// `portal serve` killed with SIGKILL while callbacks are pending (one in
// flight): after a restart every committed event is delivered (lost: 0).
func TestCallbacksSurviveSIGKILL(t *testing.T) {
	if os.Getenv("PORTAL_TEST_RUN_MAIN") == "1" {
		os.Args = []string{"portal", "serve"}
		main()
		return
	}
	if testing.Short() {
		t.Skip("waits for a dead instance's lease (30 s)")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")

	// The receiver's certificate (httptest's, the same for every test
	// server) is the child's only root, through SSL_CERT_FILE.
	probe := httptest.NewTLSServer(http.NotFoundHandler())
	certFile := filepath.Join(dir, "receiver.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: probe.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	probe.Close()
	rcv := webhooktest.New(t, webhook.NewSecret())
	rcv.SetDelay(100 * time.Millisecond)

	// The database: demo world, one subscription, n committed events.
	st, err := store.Open(filepath.Join(data, sqliteFileName), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must(st.Migrate(ctx), "migrate")
	_, err = st.SeedDemo(ctx)
	must(err, "demo")
	st.SetCallbackSender(webhook.New(webhook.Options{}), store.CallbackOptions{AllowLoopback: true})
	var u models.User
	must(st.DB().Where("email = ?", "ana.silva@lisboa-credito.example").Take(&u).Error, "broker")
	p, err := st.Principal(ctx, u.ID)
	must(err, "principal")
	broker := models.WithPrincipal(ctx, p)
	var partner models.Partner
	must(st.DB().Where("client_id = ?", store.DemoPartnerClient).Take(&partner).Error, "partner")
	sub, err := st.PutCallback(broker, strings.ToLower(partner.UUID), models.NotificationProcessStatusChanged,
		models.CallbackInput{URL: rcv.URL}, false)
	must(err, "subscribe")
	must(rcv.SetSecret(sub.Secret), "receiver secret")
	var process string
	must(st.DB().Raw("SELECT uuid FROM processes WHERE broker_id = ? ORDER BY id LIMIT 1", p.FirmID).Scan(&process).Error, "process")
	const n = 20
	for i := 1; i <= n; i++ {
		ev := models.Event{Kind: models.EventProcessStatusChanged, OccurredAt: time.Now().UTC(), BankID: p.BankID,
			BrokerID: p.FirmID, ProcessUUID: strings.ToLower(process), FromStatusID: i - 1, ToStatusID: i}
		payload, _ := json.Marshal(ev)
		must(st.DB().Exec("INSERT INTO outbox_events (kind, bank_id, subject_uuid, payload, created_at) VALUES (?, ?, ?, ?, ?)",
			string(ev.Kind), p.BankID, ev.ProcessUUID, string(payload), ev.OccurredAt).Error, "event")
	}
	must(st.Close(), "close")

	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCallbacksSurviveSIGKILL$")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PORTAL_TEST_RUN_MAIN=1", "PORTAL_DATA_DIR="+data, "PORTAL_ADDR=127.0.0.1:0",
			"PORTAL_CALLBACK_ALLOW_LOOPBACK=true", "SSL_CERT_FILE="+certFile, "DATABASE_URL=")
		out, _ := os.Create(filepath.Join(dir, fmt.Sprintf("portal-%d.log", time.Now().UnixNano())))
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := start()
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := rcv.WaitRequests(wctx, 5); err != nil {
		first.Process.Kill()
		t.Fatalf("first instance delivered %d: %v", len(rcv.Delivered()), err)
	}
	must(first.Process.Kill(), "SIGKILL") // mid-delivery: the receiver takes 100 ms to answer
	first.Wait()
	before := len(rcv.Delivered())

	second := start()
	t.Cleanup(func() { second.Process.Kill(); second.Wait() })
	wctx2, cancel2 := context.WithTimeout(ctx, 120*time.Second)
	defer cancel2()
	deadline := time.Now().Add(120 * time.Second)
	var lost []int
	for {
		got := map[int]bool{}
		for _, q := range rcv.Delivered() {
			var pl struct {
				Data struct {
					ToStatusID int `json:"toStatusId"`
				} `json:"data"`
			}
			json.Unmarshal(q.Body, &pl)
			got[pl.Data.ToStatusID] = true
		}
		lost = lost[:0]
		for i := 1; i <= n; i++ {
			if !got[i] {
				lost = append(lost, i)
			}
		}
		if len(lost) == 0 || time.Now().After(deadline) || wctx2.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("delivered before the kill: %d of %d; after restart: lost %d, duplicates %d (at least once)",
		before, n, len(lost), rcv.Duplicates())
	if len(lost) != 0 {
		t.Fatalf("lost after SIGKILL and restart: %v", lost)
	}
	if rcv.BadSignatures() != 0 {
		t.Fatalf("%d bad signatures", rcv.BadSignatures())
	}
}
