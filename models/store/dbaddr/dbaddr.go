// Package dbaddr reads the database address the portal is given
// (DATABASE_URL): which database it names and the DSN to open it with, and
// how to show it, or an error that quotes it, without its passwords.
//
// Accepted, and nothing else:
//
//   - PostgreSQL as a URL: postgres://user:pass@host:5432/db?sslmode=...
//     (or postgresql://);
//   - PostgreSQL in libpq keyword/value form: host=db user=u password='a b'
//     dbname=portal (values may be single-quoted, with \' and \\ escapes);
//   - SQLite as sqlite:PATH or file:PATH, or a plain path ending in .db,
//     .sqlite or .sqlite3.
//
// Both PostgreSQL forms are checked with pgconn.ParseConfig, the parser the
// driver itself uses, so what is accepted here is what the driver reads.
// Anything else is an error: an address the portal does not understand must
// never become a SQLite file named after it.
package dbaddr

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Dialect is the kind of database an address names.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Addr is a parsed database address.
type Addr struct {
	Dialect Dialect
	// DSN is what the driver opens: the PostgreSQL URL or keyword/value
	// string as given, or the SQLite file path (without sqlite:/file:).
	DSN string
}

// String is the address without its passwords, so formatting an Addr
// (%v, %s) never shows one.
func (a Addr) String() string { return Redact(a.DSN) }

// LogValue keeps passwords out of structured logs too.
func (a Addr) LogValue() slog.Value { return slog.StringValue(Redact(a.DSN)) }

// Accepted describes the accepted forms, for error messages.
const Accepted = "a postgres:// or postgresql:// URL, a PostgreSQL keyword/value string " +
	"(host=... user=... dbname=...), sqlite:PATH or file:PATH, or a file path ending in .db, .sqlite or .sqlite3"

// sqliteExtensions are the endings that make a plain path a SQLite file.
var sqliteExtensions = []string{".db", ".sqlite", ".sqlite3"}

// libpqKeys are connection keywords of libpq (and pgx); a keyword/value
// string must use at least one of them to be taken for PostgreSQL.
var libpqKeys = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "database": true, "user": true,
	"password": true, "passfile": true, "service": true, "servicefile": true, "sslmode": true,
	"sslrootcert": true, "sslcert": true, "sslkey": true, "sslpassword": true, "connect_timeout": true,
	"application_name": true, "target_session_attrs": true, "options": true, "sslnegotiation": true,
	"channel_binding": true, "min_read_buffer_size": true, "krbsrvname": true, "krbspn": true,
}

// secretKeys are the settings whose values are passwords.
func secretKey(k string) bool {
	return strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword")
}

// redacted replaces a secret (url.URL.Redacted's mark).
const redacted = "xxxxx"

// Parse reads a database address. Its errors never quote s (it may hold a
// password) beyond what Redact leaves of it.
func Parse(s string) (Addr, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Addr{}, errors.New("empty database address; want " + Accepted)
	}
	switch {
	case isPostgresURL(s):
		if _, err := url.Parse(s); err != nil {
			// url.Parse errors quote the URL: do not repeat it.
			return Addr{}, errors.New("not a valid postgres:// URL")
		}
		if err := checkPostgres(s); err != nil {
			return Addr{}, err
		}
		return Addr{Dialect: Postgres, DSN: s}, nil
	case hasPrefixFold(s, "sqlite:") || hasPrefixFold(s, "file:"):
		path := s[strings.IndexByte(s, ':')+1:]
		if strings.HasPrefix(path, "//") { // sqlite:///abs/path, file:///abs/path
			path = path[2:]
		}
		if strings.ContainsAny(path, "?#") {
			return Addr{}, errors.New("a SQLite address takes no options (?...): the portal sets them itself")
		}
		if strings.TrimSpace(path) == "" || strings.HasSuffix(path, "/") {
			return Addr{}, errors.New("a SQLite address needs a file path after sqlite: or file:")
		}
		return Addr{Dialect: SQLite, DSN: path}, nil
	case looksKeywordValue(s):
		pairs, err := splitKeywordValue(s)
		if err != nil {
			return Addr{}, fmt.Errorf("not a valid PostgreSQL keyword/value string (%v); want %s", err, Accepted)
		}
		known := false
		for _, p := range pairs {
			if !keyPattern.MatchString(p.key) {
				return Addr{}, fmt.Errorf("not a valid PostgreSQL keyword/value string: %q is not a keyword", clip(p.key))
			}
			known = known || libpqKeys[strings.ToLower(p.key)]
		}
		if !known {
			return Addr{}, errors.New("a keyword/value string without any PostgreSQL connection keyword " +
				"(host, port, dbname, user, ...); want " + Accepted)
		}
		if err := checkPostgres(s); err != nil {
			return Addr{}, err
		}
		return Addr{Dialect: Postgres, DSN: s}, nil
	case strings.Contains(s, "://"):
		return Addr{}, errors.New("unsupported URL scheme; want " + Accepted)
	}
	lower := strings.ToLower(s)
	for _, ext := range sqliteExtensions {
		if strings.HasSuffix(lower, ext) && len(filepath.Base(s)) > len(ext) {
			if strings.ContainsAny(s, "?#") { // the DSN is a file: URI with the portal's options
				return Addr{}, errors.New("a SQLite file path cannot contain ? or #")
			}
			return Addr{Dialect: SQLite, DSN: s}, nil
		}
	}
	return Addr{}, errors.New("not a database address the portal understands; want " + Accepted)
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// checkPostgres validates a PostgreSQL address with the driver's parser.
// Its error is scrubbed: pgconn's own redaction misses some spellings
// (password = 'x', escaped quotes).
func checkPostgres(s string) error {
	if _, err := pgconn.ParseConfig(s); err != nil {
		msg := err.Error()
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) && pe.Unwrap() != nil {
			msg = pe.Unwrap().Error() // the reason, without the string
		}
		return fmt.Errorf("invalid PostgreSQL address: %s", Scrub(msg, Addr{Dialect: Postgres, DSN: s}))
	}
	return nil
}

// keyPattern is a keyword of the keyword/value form.
var keyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// looksKeywordValue: the string starts with "keyword =".
var keywordStart = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*[ \t]*=`)

func looksKeywordValue(s string) bool { return keywordStart.MatchString(s) }

// pair is one keyword=value of the keyword/value form; start and end are
// the bytes of the value as written (quotes included).
type pair struct {
	key, val   string
	start, end int
}

const spaces = " \t\n\r\v\f"

// splitKeywordValue reads the keyword/value form the way pgconn does
// (single quotes, backslash escapes), remembering where each value is.
func splitKeywordValue(s string) ([]pair, error) {
	var out []pair
	i := 0
	skip := func() {
		for i < len(s) && strings.IndexByte(spaces, s[i]) >= 0 {
			i++
		}
	}
	skip()
	for i < len(s) {
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, errors.New("a part without '='")
		}
		key := strings.Trim(s[i:i+eq], spaces)
		if key == "" {
			return nil, errors.New("a value without a keyword")
		}
		i += eq + 1
		skip()
		start := i
		var val strings.Builder
		switch {
		case i == len(s):
		case s[i] != '\'':
			for ; i < len(s) && strings.IndexByte(spaces, s[i]) < 0; i++ {
				if s[i] == '\\' {
					i++
					if i == len(s) {
						return nil, errors.New("a backslash at the end")
					}
				}
				val.WriteByte(s[i])
			}
		default:
			i++
			for ; i < len(s) && s[i] != '\''; i++ {
				if s[i] == '\\' {
					i++
					if i == len(s) {
						break
					}
				}
				val.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("an unterminated quoted value")
			}
			i++ // the closing quote
		}
		out = append(out, pair{key: key, val: val.String(), start: start, end: i})
		skip()
	}
	return out, nil
}

// Redact returns s with every password hidden: the user-info password and
// password/sslpassword query parameters of a URL (names ignoring case), the
// password and sslpassword values of the keyword/value form. A string of
// neither form that still looks like it holds a password (password=...,
// scheme://user:secret@) is masked by pattern.
func Redact(s string) string {
	if isPostgresURL(strings.TrimSpace(s)) {
		if r, ok := redactURL(strings.TrimSpace(s)); ok {
			return r
		}
		return redactByPattern(s)
	}
	if looksKeywordValue(strings.TrimSpace(s)) {
		t := strings.TrimSpace(s)
		if pairs, err := splitKeywordValue(t); err == nil {
			var b strings.Builder
			last := 0
			for _, p := range pairs {
				if secretKey(p.key) {
					b.WriteString(t[last:p.start])
					b.WriteString(redacted)
					last = p.end
				}
			}
			b.WriteString(t[last:])
			return b.String()
		}
	}
	return redactByPattern(s)
}

// redactURL hides the user-info password and the secret query parameters.
// The query is re-encoded from what url.Query parses, which is also what
// pgx reads, so a pair it cannot parse is left out rather than shown.
func redactURL(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	if u.RawQuery != "" || u.ForceQuery {
		q := u.Query()
		changed := false
		for k, vs := range q {
			if secretKey(k) {
				for i := range vs {
					vs[i] = redacted
				}
				changed = true
			}
		}
		if _, err := url.ParseQuery(u.RawQuery); changed || err != nil {
			u.RawQuery = q.Encode()
		}
	}
	u.Fragment, u.RawFragment = "", ""
	return u.Redacted(), true
}

var (
	secretPattern   = regexp.MustCompile(`(?i)(\b(?:ssl)?password[ \t]*=[ \t]*)('(?:[^'\\]|\\.)*'?|[^ \t\r\n&;]*)`)
	userinfoPattern = regexp.MustCompile(`(://[^/@\s:]*:)[^@\s]*@`)
)

func redactByPattern(s string) string {
	s = secretPattern.ReplaceAllString(s, "${1}"+redacted)
	return userinfoPattern.ReplaceAllString(s, "${1}"+redacted+"@")
}

// passwords returns the passwords an address holds, as the driver reads
// them.
func passwords(dsn string) []string {
	dsn = strings.TrimSpace(dsn)
	var out []string
	switch {
	case isPostgresURL(dsn):
		u, err := url.Parse(dsn)
		if err != nil {
			break
		}
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw)
		}
		for k, vs := range u.Query() {
			if secretKey(k) {
				out = append(out, vs...)
			}
		}
	case looksKeywordValue(dsn):
		pairs, err := splitKeywordValue(dsn)
		if err != nil {
			break
		}
		for _, p := range pairs {
			if secretKey(p.key) {
				out = append(out, p.val, dsn[p.start:p.end])
			}
		}
	}
	return out
}

// Scrub removes the passwords of addr from text: an error or log line of
// the driver may quote the DSN, or the password alone, raw or escaped.
func Scrub(text string, addr Addr) string {
	if addr.DSN == "" {
		return text
	}
	if r := Redact(addr.DSN); r != addr.DSN {
		text = strings.ReplaceAll(text, addr.DSN, r)
	}
	var forms []string
	for _, pw := range passwords(addr.DSN) {
		if pw == "" || pw == redacted {
			continue
		}
		forms = append(forms, pw, url.QueryEscape(pw), url.PathEscape(pw),
			strings.TrimPrefix(url.UserPassword("", pw).String(), ":"),
			strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw))
	}
	// Longest first, so a form containing another is replaced whole.
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	for _, f := range forms {
		if f != "" {
			text = strings.ReplaceAll(text, f, redacted)
		}
	}
	return text
}
