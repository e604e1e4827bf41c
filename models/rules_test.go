package models

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fields renders err's field errors as "field: English text".
func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e := AsError(err)
	if e.Code != CodeInvalid {
		t.Fatalf("code %s, want invalid (%v)", e.Code, err)
	}
	var out []string
	for _, f := range e.Fields {
		if !HasEnglish(f.Key) {
			t.Errorf("field %s: key %q is not in the catalogue", f.Field, f.Key)
		}
		out = append(out, f.Field+": "+f.Message())
	}
	return out
}

func check(t *testing.T, name string, err error, want ...string) {
	t.Helper()
	if got := fields(t, err); !slices.Equal(got, want) {
		t.Errorf("%s: errors %q, want %q", name, got, want)
	}
}

func TestCleanText(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiline bool
		want      string
		ok        bool
	}{
		{"  hello  ", false, "hello", true},
		{"a\r\nb\rc", true, "a\nb\nc", true},
		{"a\nb", false, "", false},
		{"tab\there", true, "tab\there", true},
		{"tab\there", false, "", false},
		{"bell\a", true, "", false},
		{"\xff", true, "", false},
		{"", false, "", true},
	} {
		got, ok := CleanText(tc.in, tc.multiline)
		if got != tc.want || ok != tc.ok {
			t.Errorf("CleanText(%q, %v) = %q, %v; want %q, %v", tc.in, tc.multiline, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNewMessageValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	for _, tc := range []struct {
		name string
		in   NewMessage
		want []string
	}{
		{"ok", NewMessage{Subject: " Payslips ", Text: " Attached.\r\n"}, nil},
		{"no subject", NewMessage{Text: "x"}, nil},
		{"subject at limit", NewMessage{Subject: long(200), Text: "x"}, nil},
		{"subject too long", NewMessage{Subject: long(201), Text: "x"}, []string{"subject: The subject is limited to 200 characters."}},
		{"subject two lines", NewMessage{Subject: "a\nb", Text: "x"}, []string{"subject: The subject must be a single line of text."}},
		{"empty text", NewMessage{Text: " \n "}, []string{"text: Write a message."}},
		{"text control", NewMessage{Text: "a\x00"}, []string{"text: The message contains characters that are not allowed."}},
		{"text at limit", NewMessage{Text: long(4000)}, nil},
		{"text too long", NewMessage{Text: long(4001)}, []string{"text: The message is limited to 4000 characters."}},
		{"both", NewMessage{Subject: "a\tb", Text: ""}, []string{"subject: The subject must be a single line of text.", "text: Write a message."}},
	} {
		out, err := tc.in.Validate()
		check(t, tc.name, err, tc.want...)
		if err == nil && (out.Subject != strings.TrimSpace(tc.in.Subject) || strings.ContainsAny(out.Text, "\r")) {
			t.Errorf("%s: cleaned to %+v", tc.name, out)
		}
	}
}

func TestMessagePageValidate(t *testing.T) {
	for _, tc := range []struct {
		pg   MessagePage
		want []string
	}{
		{MessagePage{1, 20}, nil},
		{MessagePage{0, 20}, []string{"pageNumber: pageNumber must be 1 or more."}},
		{MessagePage{1, 0}, []string{"pageSize: pageSize must be between 1 and 100."}},
		{MessagePage{1, 101}, []string{"pageSize: pageSize must be between 1 and 100."}},
		{MessagePage{100, 100}, nil},
		{MessagePage{101, 100}, []string{"pageNumber: Pages end 10000 messages deep."}},
	} {
		check(t, strconv.Itoa(tc.pg.PageNumber)+"x"+strconv.Itoa(tc.pg.PageSize), tc.pg.Validate(), tc.want...)
	}
}

func TestAuthorKindOf(t *testing.T) {
	for _, tc := range []struct {
		p    *Principal
		want AuthorKind
		ok   bool
	}{
		{&Principal{Kind: KindBroker, FirmID: 1}, AuthorBroker, true},
		{&Principal{Kind: KindStaff}, AuthorBank, true},
		{&Principal{Kind: KindAdmin}, AuthorBank, true},
		{&Principal{Kind: KindCustomer}, "", false},
		{nil, "", false},
	} {
		if got, ok := AuthorKindOf(tc.p); got != tc.want || ok != tc.ok {
			t.Errorf("AuthorKindOf(%+v) = %q, %v; want %q, %v", tc.p, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPostingRate(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	if err := PostingRate(time.Time{}, now); err != nil {
		t.Fatalf("fewer posts than the limit: %v", err)
	}
	for _, tc := range []struct {
		oldest time.Time
		retry  int
	}{
		{now.Add(-59 * time.Second), 1},
		{now.Add(-30*time.Second + time.Millisecond), 31},
		{now, 60},
		{now.Add(-MessageRateWindow), 1}, // leaving the window now: never 0
	} {
		e := AsError(PostingRate(tc.oldest, now))
		if e.Code != CodeRateLimited || e.RetryAfter != tc.retry {
			t.Errorf("oldest %v: %s retry %d, want rate limited retry %d", now.Sub(tc.oldest), e.Code, e.RetryAfter, tc.retry)
		}
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("  two\n\nlines  here "); got != "two lines here" {
		t.Errorf("Excerpt joined lines to %q", got)
	}
	long := strings.Repeat("ab ", 100)
	got := Excerpt(long)
	if n := len([]rune(got)); n > ReplyQueueExcerptLength || !strings.HasSuffix(got, "…") || strings.Contains(got, " …") {
		t.Errorf("Excerpt of a long text: %q (%d characters)", got, n)
	}
}

func TestReplyQueueFilterValidate(t *testing.T) {
	for _, tc := range []struct {
		f     ReplyQueueFilter
		kind  AuthorKind
		limit int
		want  []string
	}{
		{ReplyQueueFilter{}, "", DefaultReplyQueuePageSize, nil},
		{ReplyQueueFilter{Filter: ReplyQueueWaiting, Limit: 10}, AuthorBroker, 10, nil},
		{ReplyQueueFilter{Filter: ReplyQueueAnswered}, AuthorBank, DefaultReplyQueuePageSize, nil},
		{ReplyQueueFilter{Filter: ReplyQueueAll}, "", DefaultReplyQueuePageSize, nil},
		{ReplyQueueFilter{Filter: "mine", Limit: 101}, "", 101, []string{"filter: Unknown filter.", "limit: Page size must be between 1 and 100."}},
	} {
		var v Validation
		f := tc.f
		kind := f.Validate(&v)
		check(t, string(tc.f.Filter), v.Err(), tc.want...)
		if kind != tc.kind || f.Limit != tc.limit {
			t.Errorf("%q: kind %q limit %d, want %q %d", tc.f.Filter, kind, f.Limit, tc.kind, tc.limit)
		}
	}
}

func TestProcessFilterValidate(t *testing.T) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		f    ProcessFilter
		want []string
	}{
		{"empty", ProcessFilter{}, nil},
		{"search trimmed", ProcessFilter{Search: strings.Repeat("a", 100) + "   "}, nil},
		{"search too long", ProcessFilter{Search: strings.Repeat("a", 101)}, []string{"q: Search is limited to 100 characters."}},
		{"unknown status", ProcessFilter{StatusID: 99}, []string{"status: Unknown status."}},
		{"known status", ProcessFilter{StatusID: 8}, nil},
		{"limit", ProcessFilter{Limit: 101}, []string{"limit: Page size must be between 1 and 100."}},
		{"dates", ProcessFilter{LastActionFrom: day, LastActionTo: day}, []string{"to: The end date must be after the start date."}},
		{"both cursors", ProcessFilter{After: "a", Before: "b"}, []string{"after: Use either after or before, not both."}},
	} {
		var v Validation
		f := tc.f
		f.Validate(&v)
		check(t, tc.name, v.Err(), tc.want...)
		if len(tc.want) == 0 && (f.Limit == 0 || f.Search != strings.TrimSpace(tc.f.Search)) {
			t.Errorf("%s: not normalised: %+v", tc.name, f)
		}
	}
}

func TestPagingValidate(t *testing.T) {
	for _, tc := range []struct {
		p    Paging
		want []string
	}{
		{Paging{}, nil},
		{Paging{Limit: 500, Offset: 10_000}, nil},
		{Paging{Limit: -1}, []string{"limit: limit must be between 1 and 500."}},
		{Paging{Limit: 501, Offset: -1}, []string{"limit: limit must be between 1 and 500.", "offset: offset must be between 0 and 10000."}},
	} {
		got, err := tc.p.Validate()
		check(t, "paging", err, tc.want...)
		if err == nil && tc.p.Limit == 0 && got.Limit != DefaultCustomerPageSize {
			t.Errorf("default limit %d", got.Limit)
		}
	}
}

func TestNewCustomerMessageValidate(t *testing.T) {
	s := func(v string) *string { return &v }
	ok := NewCustomerMessage{Message: s(" Hello "), Transport: s("SMS"), FromDepartment: s("Mortgages"), FromPerson: s("Marta")}
	with := func(f func(*NewCustomerMessage)) NewCustomerMessage { in := ok; f(&in); return in }
	for _, tc := range []struct {
		name string
		in   NewCustomerMessage
		want []string
	}{
		{"ok", ok, nil},
		{"all missing", NewCustomerMessage{}, []string{"message: message is required.", "transport: transport is required.",
			"from_department: from_department is required.", "from_person: from_person is required."}},
		{"empty text", with(func(in *NewCustomerMessage) { in.Message = s(" ") }), []string{"message: Write a message."}},
		{"long text", with(func(in *NewCustomerMessage) { in.Message = s(strings.Repeat("x", 1025)) }), []string{"message: The message is limited to 1024 characters."}},
		{"header two lines", with(func(in *NewCustomerMessage) { in.FromPerson = s("a\nb") }), []string{"from_person: from_person must be a single line of text."}},
		{"header long", with(func(in *NewCustomerMessage) { in.FromDepartment = s(strings.Repeat("d", 65)) }), []string{"from_department: from_department is limited to 64 characters."}},
		{"free transport (API)", with(func(in *NewCustomerMessage) { in.Transport = s("PIGEON") }), nil},
		{"empty transport (v1.4.0)", with(func(in *NewCustomerMessage) { in.Transport = s("") }), nil},
		{"listed transport only", with(func(in *NewCustomerMessage) { in.Transport, in.ListedTransportOnly = s("PIGEON"), true }),
			[]string{"transport: Choose one of the listed transports."}},
		{"listed transport ok", with(func(in *NewCustomerMessage) { in.ListedTransportOnly = true }), nil},
	} {
		out, err := tc.in.Validate()
		check(t, tc.name, err, tc.want...)
		if tc.name == "ok" && (out.Message != "Hello" || out.Transport != "SMS" || out.FromPerson != "Marta") {
			t.Errorf("cleaned to %+v", out)
		}
	}
}

func TestNewCustomerValidate(t *testing.T) {
	ok := NewCustomer{LegalName: "Maria Ferreira", MobilePhone: "+351 912 345 678", Email: "maria@example.com", TaxID: " 123 456 789 "}
	out, err := ok.Validate()
	check(t, "ok", err)
	if out.TaxID != "123456789" {
		t.Errorf("tax id %q, want spaces removed", out.TaxID)
	}
	check(t, "empty", func() error { _, err := (NewCustomer{}).Validate(); return err }(),
		"legal_name: legal_name is required.", "mobile_phone_number: mobile_phone_number is required.", "email: email is required.")
	bad := ok
	bad.Email = "Maria <maria@example.com>"
	_, err = bad.Validate()
	check(t, "display name e-mail", err, "email: email must be an e-mail address.")
}

func TestNewUserValidate(t *testing.T) {
	in := NewUser{Email: " Ana@Example.PT ", Name: " Ana ", Kind: KindBroker, Password: "Rio-Douro-na-Ribeira", FirmUID: "BRK-1"}
	out, err := in.Validate()
	check(t, "ok", err)
	if out.Email != "ana@example.pt" || out.Name != "Ana" {
		t.Errorf("normalised to %+v", out)
	}
	_, err = NewUser{Email: "x", Kind: "boss", Password: "short", FirmUID: "F", Roles: []string{"CanFly"}}.Validate()
	check(t, "bad", err, "email: A valid e-mail address is required.", "name: A name of 1 to 200 characters is required.",
		"kind: Kind must be broker, staff, admin or customer.", "password: The password must have at least 12 characters.",
		"firm: Only brokers belong to a firm.", "roles: Unknown role CanFly.")
	_, err = NewUser{Email: "a@b.pt", Name: "A", Kind: KindBroker, Password: "Rio-Douro-na-Ribeira"}.Validate()
	check(t, "broker without firm", err, "firm: A broker needs a firm (its broker unique id).")
}

func TestEntitlementRules(t *testing.T) {
	check(t, "ok", NewEntitlement{Role: RoleCanGetCustomerMessages, BankID: "demo.bank"}.Validate())
	check(t, "bad", NewEntitlement{Role: "CanFly"}.Validate(), "role_name: Unknown role. Roles are "+strings.Join(Roles, ", ")+".",
		"bank_id: bank_id is required: every role is held at a bank.")
	check(t, "staff", MayHoldRoles(KindStaff))
	check(t, "broker", MayHoldRoles(KindBroker), "user_id: Roles are granted to bank staff and admins only.")
}

func TestIdempotencyKeyRule(t *testing.T) {
	for k, want := range map[string]bool{"7c1e-a": true, strings.Repeat("k", MaxIdempotencyKey): true,
		"": false, strings.Repeat("k", MaxIdempotencyKey+1): false, "é": false, "a\tb": false} {
		if err := ValidIdempotencyKey(k); (err == nil) != want {
			t.Errorf("ValidIdempotencyKey(%q) = %v, want valid %v", k, err, want)
		}
	}
}

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		text string
		args Args
		want string
	}{
		{"plain", nil, "plain"},
		{"{{.Field}} is limited to {{.Max}} characters.", Args{"Field": "subject", "Max": 200}, "subject is limited to 200 characters."},
		{"{{.Missing}} stays", nil, "{{.Missing}} stays"},
		{"open {{.", Args{}, "open {{."},
	} {
		if got := Fill(tc.text, tc.args); got != tc.want {
			t.Errorf("Fill(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// Every message key written in the code (a string literal passed as the key
// of Validation.Add or Invalid, or as FieldError.Key) is in the English
// catalogue, and every catalogue key is used somewhere.
func TestCatalogueKeysUsed(t *testing.T) {
	used := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		lit := func(e ast.Expr) {
			if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
				s, _ := strconv.Unquote(b.Value)
				if !strings.Contains(s, ".") {
					return // keys are "area.what"; other Key fields hold plain words
				}
				used[s] = true
				if !HasEnglish(s) {
					t.Errorf("%s: key %q is not in the English catalogue", fset.Position(b.Pos()), s)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := n.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				if (name == "Add" || name == "Invalid") && len(n.Args) == 3 {
					lit(n.Args[1])
				}
				if name == "Limited" && len(n.Args) == 3 || name == "TooLarge" && len(n.Args) == 2 {
					lit(n.Args[0])
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "Key" && i < len(n.Rhs) {
						lit(n.Rhs[i])
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "Key" || k.Name == "RefusalKey") {
					lit(n.Value)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range EnglishKeys() {
		if !used[k] {
			t.Errorf("catalogue key %q is never used", k)
		}
	}
}
