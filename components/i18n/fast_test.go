package i18n

import (
	"fmt"
	"sort"
	"testing"
)

// The fast path renders exactly what go-i18n renders: every key of the
// catalogue in both languages, without arguments, with each placeholder
// given a string or an integer, and with plural counts around every CLDR
// boundary the two languages have (one, many at millions).
func TestFastPathMatchesGoI18n(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	counts := []int{}
	for i := -3; i <= 2100; i++ {
		counts = append(counts, i)
	}
	for _, n := range []int{999_999, 1_000_000, 1_000_001, 2_000_000, 3_500_000, 1_000_000_000, 1 << 40} {
		counts = append(counts, n, -n)
	}
	for _, l := range Langs {
		keys := make([]string, 0, len(compiledBy[l]))
		for k := range compiledBy[l] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fast := 0
		for _, key := range keys {
			c := compiledBy[l][key]
			names := map[string]bool{}
			for _, segs := range c.forms {
				for _, s := range segs {
					if s.name != "" {
						names[s.name] = true
					}
				}
			}
			strArgs, intArgs, i64Args := map[string]any{}, map[string]any{}, map[string]any{}
			for n := range names {
				strArgs[n] = "«" + n + "»"
				intArgs[n] = len(n) * 1234
				i64Args[n] = int64(len(n)) * -98765
			}
			check := func(what string, count any, args ...map[string]any) {
				t.Helper()
				want := localizeData(l, key, count, args)
				got := localize(l, key, count, args)
				if got != want {
					t.Errorf("%s %s %s count=%v: fast %q, go-i18n %q", l, key, what, count, got, want)
				}
				if _, ok := fastLocalize(l, key, count, args); ok {
					fast++
				}
			}
			check("plain", nil)
			for _, a := range []map[string]any{strArgs, intArgs, i64Args} {
				check(fmt.Sprintf("args %v", a), nil, a)
				// Later maps win over earlier ones, and Count over both.
				check("two maps", nil, intArgs, a)
			}
			if len(c.forms) > 1 || names["Count"] {
				for _, n := range counts {
					check("count", n, strArgs)
					check("count", n, map[string]any{"Count": "not this"}, strArgs)
				}
			}
			// Arguments the fast path leaves to text/template.
			check("missing", nil, map[string]any{"Unrelated": 1})
			check("float", nil, map[string]any{"Count": 1.5, "Amount": 2.25, "Number": nil})
		}
		if fast == 0 {
			t.Errorf("%s: the fast path answered nothing", l)
		}
	}
	// The list's counts take the fast path.
	for _, l := range Langs {
		if s, ok := fastLocalize(l, "processes.count", nil, nil); ok {
			t.Errorf("%s: count without Count answered %q", l, s)
		}
		if _, ok := fastLocalize(l, "processes.count", 12, nil); !ok {
			t.Errorf("%s: processes.count took the slow path", l)
		}
	}
	// A key outside the catalogue renders as itself either way.
	if got := localize(EN, "no.such.key", 3, nil); got != "no.such.key" {
		t.Errorf("missing key: %q", got)
	}
}

func TestParseSegments(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []segment
		ok   bool
	}{
		{"", []segment{{}}, true},
		{"plain }} text", []segment{{lit: "plain }} text"}}, true},
		{"{{.A}}", []segment{{name: "A"}}, true},
		{"x {{.A}}, {{.B_2}}!", []segment{{lit: "x "}, {name: "A"}, {lit: ", "}, {name: "B_2"}, {lit: "!"}}, true},
		{"{{ .A }}", nil, false},
		{"{{.A.B}}", nil, false},
		{"{{if .A}}x{{end}}", nil, false},
		{"{{.A", nil, false},
		{"{{.}}", nil, false},
	} {
		got, ok := parseSegments(tc.src)
		if ok != tc.ok || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: %v %v, want %v %v", tc.src, got, ok, tc.want, tc.ok)
		}
	}
}
