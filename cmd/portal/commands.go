package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"portal/models"
	"portal/models/store"
)

// newFlagSet returns a flag set that reports to stderr and returns errors
// instead of exiting.
func (a *app) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	return fs
}

// parseFlags parses args; -h prints the flags and ends the command.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return false, usageErrorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return false, nil
}

// openStore connects to the configured database. The store's errors are
// scrubbed of the address's passwords; the address is named redacted.
func openStore(cfg config, log *slog.Logger) (*store.Store, error) {
	st, err := store.OpenWith(cfg.Database, store.Options{Logger: log, PartnerTokenLifetime: cfg.PartnerTokenLifetime,
		EsisValidity: cfg.EsisValidity})
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", cfg.RedactedDatabase(), err)
	}
	st.SetDocumentLimits(cfg.Documents)
	if cfg.DocumentDir != "" {
		fc, err := store.NewFileContent(cfg.DocumentDir)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("PORTAL_DOCUMENT_DIR: %w", err)
		}
		st.SetContentStore(fc)
	}
	return st, nil
}

// ensureSchema migrates when PORTAL_MIGRATE allows it; otherwise it checks
// that the schema is exactly the one this build knows.
func ensureSchema(ctx context.Context, cfg config, st *store.Store) error {
	if cfg.Migrate {
		return st.Migrate(ctx)
	}
	if err := st.CheckSchema(ctx); err != nil {
		return fmt.Errorf("PORTAL_MIGRATE=false and the schema is not current: %w", err)
	}
	return nil
}

// readyStore opens the configured database with its schema current (or
// checked, under PORTAL_MIGRATE=false): what every operator command needs.
// The caller closes it.
func readyStore(ctx context.Context, cfg config, log *slog.Logger) (*store.Store, error) {
	st, err := openStore(cfg, log)
	if err != nil {
		return nil, err
	}
	if err := ensureSchema(ctx, cfg, st); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// bankName is the display name given to a bank row the portal creates.
func bankName(bankID string) string {
	if bankID == store.DemoBankID {
		return "Demo Bank"
	}
	return bankID
}

// cmdMigrate: portal migrate.
func (a *app) cmdMigrate(ctx context.Context, args []string) error {
	fs := a.newFlagSet("migrate")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, log, err := a.config()
	if err != nil {
		return err
	}
	st, err := openStore(cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "schema is at version %d (%s database)\n", v, cfg.Dialect)
	return nil
}

// cmdSeed: portal seed --demo.
func (a *app) cmdSeed(ctx context.Context, args []string) error {
	fs := a.newFlagSet("seed")
	demo := fs.Bool("demo", false, "load the demo world (the only data set so far)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if !*demo {
		return usageErrorf("seed: say what to load: --demo")
	}
	cfg, log, err := a.config()
	if err != nil {
		return err
	}
	st, err := readyStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.SeedDemo(ctx)
	if err != nil {
		return fmt.Errorf("load demo data: %w", err)
	}
	fmt.Fprintf(a.stdout, "demo data: %d rows inserted\n", n)
	return nil
}

// cmdUser: portal user add ...
func (a *app) cmdUser(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(a.stdout, usage)
			return nil
		}
		return usageErrorf("user: the only subcommand is 'user add'")
	}
	fs := a.newFlagSet("user add")
	var in models.NewUser
	fs.StringVar(&in.Email, "email", "", "e-mail address, the login name (required)")
	fs.StringVar(&in.Name, "name", "", "display name (required)")
	kind := fs.String("kind", "", "broker, staff, admin or customer (required)")
	fs.StringVar(&in.FirmUID, "firm", "", "broker unique id of the user's firm, e.g. BRK-LIS-001 (brokers only)")
	fs.Func("role", "entitlement at the bank, e.g. CanGetCustomerMessages (repeatable)", func(r string) error {
		in.Roles = append(in.Roles, r)
		return nil
	})
	fs.BoolVar(&in.APIEnabled, "api", false, "enable partner API access")
	if help, err := parseFlags(fs, args[1:]); help || err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--email", in.Email}, {"--name", in.Name}, {"--kind", *kind}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return usageErrorf("user add: missing %s", strings.Join(missing, ", "))
	}
	in.Kind = models.UserKind(strings.ToLower(*kind))
	if !in.Kind.Valid() {
		return usageErrorf("user add: --kind %q: want broker, staff, admin or customer", *kind)
	}

	cfg, log, err := a.config()
	if err != nil {
		return err
	}
	in.Password, err = a.readPassword()
	if err != nil {
		return err
	}
	st, err := readyStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.EnsureBank(ctx, cfg.BankID, bankName(cfg.BankID)); err != nil {
		return fmt.Errorf("bank %s: %w", cfg.BankID, err)
	}
	u, err := st.CreateUser(ctx, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(a.stdout, u.UUID)
	return nil
}

// readPassword takes PORTAL_USER_PASSWORD, or else the first line of stdin.
func (a *app) readPassword() (string, error) {
	if p := a.env("PORTAL_USER_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := a.stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(a.stderr, "Password (typed text is visible; prefer PORTAL_USER_PASSWORD or a pipe): ")
		}
	}
	if a.stdin == nil {
		return "", errors.New("no password: set PORTAL_USER_PASSWORD or write it on stdin")
	}
	line, err := bufio.NewReader(io.LimitReader(a.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password: set PORTAL_USER_PASSWORD or write it as the first line of stdin")
	}
	return line, nil
}

// describe turns a domain error into a message for the operator, listing
// invalid fields.
func describe(err error) error {
	var me *models.Error
	if !errors.As(err, &me) || me.Code == models.CodeInternal {
		return err
	}
	if len(me.Fields) == 0 {
		return errors.New(me.Message)
	}
	msgs := make([]string, len(me.Fields))
	for i, f := range me.Fields {
		msgs[i] = fmt.Sprintf("%s: %s", f.Field, f.Message())
	}
	return fmt.Errorf("%s:\n  %s", me.Message, strings.Join(msgs, "\n  "))
}
