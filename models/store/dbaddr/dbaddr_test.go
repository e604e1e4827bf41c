package dbaddr

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	for _, c := range []struct {
		in      string
		dialect Dialect
		dsn     string
	}{
		{"postgres://portal:s3cret@db:5432/portal?sslmode=require", Postgres, "postgres://portal:s3cret@db:5432/portal?sslmode=require"},
		{"postgresql://db.internal/portal", Postgres, "postgresql://db.internal/portal"},
		{"  postgres://u@h/db  ", Postgres, "postgres://u@h/db"},
		{"host=db user=u password=p dbname=x", Postgres, "host=db user=u password=p dbname=x"},
		{"host=db user=u password='a b' dbname=x sslmode=disable", Postgres, "host=db user=u password='a b' dbname=x sslmode=disable"},
		{`host = db  port=5433 password='it\'s \\ here' dbname=x`, Postgres, `host = db  port=5433 password='it\'s \\ here' dbname=x`},
		{"dbname=portal", Postgres, "dbname=portal"},
		{"host=/var/run/postgresql dbname=portal application_name=portal", Postgres, "host=/var/run/postgresql dbname=portal application_name=portal"},
		{"sqlite:/var/lib/portal/portal.db", SQLite, "/var/lib/portal/portal.db"},
		{"sqlite:///var/lib/portal/portal", SQLite, "/var/lib/portal/portal"},
		{"SQLite:data/x", SQLite, "data/x"},
		{"file:data/portal.db", SQLite, "data/portal.db"},
		{"file:///tmp/p.sqlite3", SQLite, "/tmp/p.sqlite3"},
		{"/tmp/x/other.db", SQLite, "/tmp/x/other.db"},
		{"data/portal.sqlite", SQLite, "data/portal.sqlite"},
		{"./my data/Portal.SQLITE3", SQLite, "./my data/Portal.SQLITE3"},
		{`C:\portal\portal.db`, SQLite, `C:\portal\portal.db`},
	} {
		a, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if a.Dialect != c.dialect || a.DSN != c.dsn {
			t.Errorf("Parse(%q) = %+v, want %s %q", c.in, a, c.dialect, c.dsn)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"portal", "not a database address the portal understands"},
		{"data/portal", "not a database address"},
		{"/var/lib/portal/.db", "not a database address"},
		{"my-database.txt", "not a database address"},
		{"mysql://u:s3cret@h/db", "unsupported URL scheme"},
		{"POSTGRES://u:s3cret@h/db", "unsupported URL scheme"},
		{"http://example.com/x.db", "unsupported URL scheme"},
		{"host=db password='s3cret", "unterminated quoted value"},
		{"host=db password=s3cret\\", "backslash"},
		{"host=db password=s3cret junk", "without '='"},
		{"foo=bar.db", "without any PostgreSQL connection keyword"},
		{"host=db port=notaport password=s3cret", "invalid PostgreSQL address"},
		{"postgres://u:s3cret@h:notaport/db", "not a valid postgres:// URL"},
		{"postgres://u:s3cret@h/db?sslmode=sometimes", "invalid PostgreSQL address"},
		{"postgres://u:s3cret@h/db\x7f", "not a valid postgres:// URL"},
		{"host=db sslmode=sometimes password='s3 cret'", "invalid PostgreSQL address"},
		{"sqlite:", "needs a file path"},
		{"file:/tmp/", "needs a file path"},
		{"file:/tmp/x.db?mode=ro", "takes no options"},
		{"/tmp/what?.db", "cannot contain ? or #"},
	} {
		_, err := Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want it to say %q", c.in, err, c.want)
		}
		if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "cret'") {
			t.Errorf("Parse(%q) error shows the password: %v", c.in, err)
		}
		if strings.Contains(c.want, "understands") && !strings.Contains(err.Error(), Accepted) {
			t.Errorf("Parse(%q) = %v: does not name the accepted forms", c.in, err)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://portal:s3cret-0@db.internal:5432/portal?sslmode=verify-full&password=s3cret-1&sslpassword=s3cret-2",
			"postgres://portal:xxxxx@db.internal:5432/portal?password=xxxxx&sslmode=verify-full&sslpassword=xxxxx"},
		{"postgresql://db.internal/portal?PASSWORD=s3cret-3&application_name=portal",
			"postgresql://db.internal/portal?PASSWORD=xxxxx&application_name=portal"},
		{"postgres://db.internal/portal?password=s3cret-4&password=s3cret-5&SslPassword=s3cret-6",
			"postgres://db.internal/portal?SslPassword=xxxxx&password=xxxxx&password=xxxxx"},
		{"postgres://db.internal/portal?pass%77ord=s3cret-7&sslmode=require", "postgres://db.internal/portal?password=xxxxx&sslmode=require"},
		{"postgres://db.internal/portal?password=s3cret-8#s3cret-9", "postgres://db.internal/portal?password=xxxxx"},
		{"postgres://db.internal/portal?password=s3cret-10;sslmode=disable", "postgres://db.internal/portal"},
		{"postgres://u@h/db?sslmode=disable", "postgres://u@h/db?sslmode=disable"},
		{"host=db user=u password=s3cret-11 dbname=x", "host=db user=u password=xxxxx dbname=x"},
		{"host=db password='s3cret 12' sslpassword = s3cret-13 dbname=x", "host=db password=xxxxx sslpassword = xxxxx dbname=x"},
		{`password='s3cret\'14 \\' host=db`, "password=xxxxx host=db"},
		{"PassWord=s3cret-15 host=db", "PassWord=xxxxx host=db"},
		// Not parseable: masked by pattern.
		{"host=db password='s3cret-16", "host=db password=xxxxx"},
		{"host=db password=s3cret-17 junk", "host=db password=xxxxx junk"},
		{"mysql://u:s3cret-18@h/db", "mysql://u:xxxxx@h/db"},
		{"postgres://u:s3cret-19@h/db\x7f", "postgres://u:xxxxx@h/db\x7f"},
		// SQLite paths are shown as they are.
		{"/var/lib/portal/portal.db", "/var/lib/portal/portal.db"},
		{"sqlite:data/p.db", "sqlite:data/p.db"},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if strings.Contains(Redact(c.in), "s3cret") {
			t.Errorf("Redact(%q) shows a password", c.in)
		}
	}
}

func TestScrub(t *testing.T) {
	for _, c := range []struct{ dsn, text string }{
		{"postgres://portal:p%40ss%2Fw0rd!@db/portal",
			`failed to connect to postgres://portal:p%40ss%2Fw0rd!@db/portal: password "p@ss/w0rd!" rejected (p%40ss%2Fw0rd%21)`},
		{"postgres://db/portal?password=s3%20cret&sslpassword=k3y",
			"dial postgres://db/portal?password=s3%20cret&sslpassword=k3y: s3 cret / s3+cret / k3y"},
		{`host=db user=u password='it\'s secret' dbname=x`,
			`cannot parse host=db user=u password='it\'s secret' dbname=x: bad password it's secret ('it\'s secret')`},
		{"host=db password=plainpw", "got password=plainpw and plainpw"},
	} {
		a, err := Parse(c.dsn)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.dsn, err)
		}
		got := Scrub(c.text, a)
		for _, secret := range []string{"p@ss/w0rd", "p%40ss", "s3 cret", "s3%20cret", "s3+cret", "k3y", "it's secret", `it\'s secret`, "plainpw"} {
			if strings.Contains(got, secret) {
				t.Errorf("Scrub(%q) = %q: still shows %q", c.text, got, secret)
			}
		}
		if !strings.Contains(got, "xxxxx") {
			t.Errorf("Scrub(%q) = %q: nothing replaced", c.text, got)
		}
	}
	// Text without the password is left alone; an address without one too.
	a, _ := Parse("postgres://u:pw123@h/db")
	if got := Scrub("connection refused", a); got != "connection refused" {
		t.Errorf("Scrub changed %q", got)
	}
	b, _ := Parse("data/portal.db")
	if got := Scrub("open data/portal.db: permission denied", b); got != "open data/portal.db: permission denied" {
		t.Errorf("Scrub changed %q", got)
	}
}

// Formatting an Addr, as text or in a structured log, never shows the
// password.
func TestAddrFormatsRedacted(t *testing.T) {
	a, err := Parse("host=db user=u password=s3cret dbname=x")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("opening", "database", a)
	out := fmt.Sprintf("%v %s %+v", a, a, errors.New(a.String())) + b.String()
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "password=xxxxx") {
		t.Fatalf("formatted: %s", out)
	}
}
