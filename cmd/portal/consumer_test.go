package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"portal/models"
	"portal/models/store"
)

func TestConsumerAddEnablesDirectLogin(t *testing.T) {
	env := sqliteEnv(t)
	if _, _, err := portal(t, env, "", "seed", "--demo"); err != nil {
		t.Fatal(err)
	}
	login := func() error {
		st, err := store.Open(filepath.Join(env["PORTAL_DATA_DIR"], "portal.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = st.DirectLogin(context.Background(), models.DirectLoginInput{Username: "marta.santos@bank.example",
			Password: store.DemoPassword, ConsumerKey: "bank-crm", ClientIP: "127.0.0.1"})
		return err
	}
	if err := login(); models.ErrorCode(err) != models.CodeUnauthorized {
		t.Fatalf("unregistered consumer: %v", err)
	}
	out, _, err := portal(t, env, "", "consumer", "add", "--key", "bank-crm", "--name", "Bank CRM")
	if err != nil || out != "consumer bank-crm: registered\n" {
		t.Fatalf("consumer add: %q %v", out, err)
	}
	if err := login(); err != nil {
		t.Fatalf("registered consumer: %v", err)
	}
	if _, _, err := portal(t, env, "", "consumer", "disable", "--key", "bank-crm"); err != nil {
		t.Fatal(err)
	}
	if err := login(); models.ErrorCode(err) != models.CodeUnauthorized {
		t.Fatalf("disabled consumer: %v", err)
	}
	var ue usageError
	for _, args := range [][]string{{"consumer"}, {"consumer", "add"}, {"consumer", "remove", "--key", "x"}} {
		if _, _, err := portal(t, env, "", args...); !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, _, err := portal(t, env, "", "consumer", "enable", "--key", "nobody"); err == nil {
		t.Error("enabling an unknown consumer succeeded")
	}
}
