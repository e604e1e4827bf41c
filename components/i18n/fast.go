package i18n

import (
	"strconv"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// The fast path: go-i18n runs text/template for every lookup, which was a
// tenth of a list page's CPU. At load time each message's plural forms are
// compiled here into literal text and {{.Name}} placeholders; a lookup then
// only concatenates. go-i18n stays the source of truth: the plain texts are
// what it renders, the plural form of a count is what its CLDR rules pick
// (asked of a probe bundle whose messages are the forms' names), and any
// template that is more than placeholders, or an argument that is not a
// string or an integer, goes to go-i18n itself. fast_test.go compares both
// paths over the whole catalogue.

// segment is literal text, or (name != "") the placeholder {{.name}}.
type segment struct {
	lit, name string
}

// compiled is one message in one language: its forms' segments, or slow
// when a form is not plain text and placeholders.
type compiled struct {
	forms map[string][]segment // by CLDR form name ("one", "other", …)
	slow  bool
	// counted remembers the plural form of small counts (int -> string):
	// the probe costs a language match per call.
	counted sync.Map
}

var (
	plainTexts map[Lang]map[string]string    // the texts without arguments, by language and key
	compiledBy map[Lang]map[string]*compiled // by language and key
	probes     map[Lang]*goi18n.Localizer    // answers a count's plural form name
)

// buildFast fills the fast path's tables from the message files go-i18n
// loaded (files in load order, as the bundle saw them).
func buildFast(msgFiles []*goi18n.MessageFile) {
	byLang := map[Lang]map[string]*goi18n.Message{}
	probeBundle := goi18n.NewBundle(PT.Tag())
	for _, f := range msgFiles {
		l := EN
		if f.Tag != EN.Tag() {
			l = PT
		}
		if byLang[l] == nil {
			byLang[l] = map[string]*goi18n.Message{}
		}
		var ps []*goi18n.Message
		for _, m := range f.Messages {
			byLang[l][m.ID] = m
			ps = append(ps, probeOf(m))
		}
		_ = probeBundle.AddMessages(f.Tag, ps...)
	}
	plainTexts = map[Lang]map[string]string{}
	compiledBy = map[Lang]map[string]*compiled{}
	probes = map[Lang]*goi18n.Localizer{}
	for _, l := range Langs {
		plainTexts[l] = map[string]string{}
		compiledBy[l] = map[string]*compiled{}
		probes[l] = goi18n.NewLocalizer(probeBundle, string(l))
		ids := map[string]bool{}
		for _, ml := range byLang {
			for id := range ml {
				ids[id] = true
			}
		}
		for id := range ids {
			// go-i18n falls back to the default language's message.
			m := byLang[l][id]
			if m == nil {
				m = byLang[PT][id]
			}
			if m == nil {
				continue
			}
			plainTexts[l][id] = localizeData(l, id, nil, nil)
			compiledBy[l][id] = compile(m)
		}
	}
}

// probeOf is m with each of its forms' text replaced by the form's name.
func probeOf(m *goi18n.Message) *goi18n.Message {
	p := &goi18n.Message{ID: m.ID}
	for _, f := range []struct {
		src  string
		dst  *string
		name string
	}{{m.Zero, &p.Zero, "zero"}, {m.One, &p.One, "one"}, {m.Two, &p.Two, "two"},
		{m.Few, &p.Few, "few"}, {m.Many, &p.Many, "many"}, {m.Other, &p.Other, "other"}} {
		if f.src != "" {
			*f.dst = f.name
		}
	}
	return p
}

func compile(m *goi18n.Message) *compiled {
	c := &compiled{forms: map[string][]segment{}}
	if m.LeftDelim != "" || m.RightDelim != "" {
		c.slow = true
		return c
	}
	for _, f := range []struct{ name, src string }{{"zero", m.Zero}, {"one", m.One}, {"two", m.Two},
		{"few", m.Few}, {"many", m.Many}, {"other", m.Other}} {
		if f.src == "" {
			continue
		}
		segs, ok := parseSegments(f.src)
		if !ok {
			c.slow = true
			return c
		}
		c.forms[f.name] = segs
	}
	return c
}

// parseSegments splits src at its {{.Name}} placeholders; false when it
// has any other action.
func parseSegments(src string) ([]segment, bool) {
	var out []segment
	for {
		i := strings.Index(src, "{{")
		if i < 0 {
			if src != "" || len(out) == 0 {
				out = append(out, segment{lit: src})
			}
			return out, true
		}
		if i > 0 {
			out = append(out, segment{lit: src[:i]})
		}
		rest := src[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return nil, false
		}
		name, ok := strings.CutPrefix(rest[:j], ".")
		if !ok || !isIdent(name) {
			return nil, false
		}
		out = append(out, segment{name: name})
		src = rest[j+2:]
	}
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

// maxCounted bounds the counts whose plural form is remembered.
const maxCounted = 1024

// probeData is any non-nil template data: it spares go-i18n building a
// map for the probe's texts, which have no placeholders.
var probeData = struct{}{}

// pluralForm is the form go-i18n picks for count in l's message key, ""
// when it would find none.
func pluralForm(l Lang, key string, count any) string {
	s, err := probes[l].Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: probeData, PluralCount: count})
	if err != nil && s == "" {
		return ""
	}
	return s
}

// fastLocalize is localize's answer from the compiled tables; false sends
// the lookup to go-i18n.
func fastLocalize(l Lang, key string, count any, args []map[string]any) (string, bool) {
	c := compiledBy[l][key]
	if c == nil || c.slow {
		return "", false
	}
	form := "other"
	if n, small := count.(int); small && n >= 0 && n < maxCounted {
		if f, ok := c.counted.Load(n); ok {
			form = f.(string)
		} else {
			form = pluralForm(l, key, count)
			c.counted.Store(n, form)
		}
	} else if count != nil {
		form = pluralForm(l, key, count)
	}
	segs, ok := c.forms[form]
	if !ok {
		return "", false
	}
	if len(segs) == 1 && segs[0].name == "" {
		return segs[0].lit, true
	}
	n := 0
	var vals [8]string
	if len(segs) > len(vals) {
		return "", false
	}
	for i, s := range segs {
		if s.name == "" {
			n += len(s.lit)
			continue
		}
		v, ok := argText(s.name, count, args)
		if !ok {
			return "", false
		}
		vals[i] = v
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for i, s := range segs {
		if s.name == "" {
			b.WriteString(s.lit)
		} else {
			b.WriteString(vals[i])
		}
	}
	return b.String(), true
}

// argText is the text text/template prints for {{.name}}: the count for
// Count, else the last argument map's value (later maps win, as in
// localizeData); false for a missing name or a type whose printing is
// left to text/template.
func argText(name string, count any, args []map[string]any) (string, bool) {
	var v any
	found := false
	if name == "Count" && count != nil {
		v, found = count, true
	} else {
		for i := len(args) - 1; i >= 0 && !found; i-- {
			v, found = args[i][name]
		}
	}
	if !found {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int32:
		return strconv.FormatInt(int64(v), 10), true
	}
	return "", false
}
