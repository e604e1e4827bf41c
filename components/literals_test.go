package components_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// visibleAttr are the attributes a user reads or hears.
var visibleAttr = regexp.MustCompile(`\b(placeholder|title|aria-label|aria-description|alt|value|data-label|data-error-[a-z]+)="([^"]*)"`)

// symbols may stand in a template as they are: they read the same in
// every language.
var symbols = map[string]bool{"m²": true}

// No template shows the user a word that is not from the catalogue: text
// between tags and the visible attributes hold only expressions, symbols
// and punctuation. (Go expressions are i18n.T calls or data; the catalogue
// tests check those keys.)
func TestTemplatesHaveNoLiteralText(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".templ") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, f := range literalText(string(src)) {
			t.Errorf("%s:%d: literal text %q (put it in the catalogue)", path, f.line, f.text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type finding struct {
	line int
	text string
}

// literalText returns the words a templ file's markup holds outside Go
// expressions: in the bodies of its templ blocks, the text between tags
// and the values of visible attributes.
func literalText(src string) []finding {
	var out []finding
	var body []string
	var lines []int
	inBody := false
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "templ "):
			inBody = true
		case line == "}":
			inBody = false
		case !inBody, trimmed == "", strings.HasPrefix(trimmed, "//"), strings.HasPrefix(trimmed, "@"),
			strings.HasPrefix(trimmed, "{{"), controlLine.MatchString(trimmed):
		default:
			body = append(body, trimmed)
			lines = append(lines, i+1)
		}
	}
	// Markup spans lines; keep each line's number to report it.
	for j := range body {
		body[j] = "\x00" + strconv.Itoa(lines[j]) + "\x00" + body[j]
	}
	code := stripExpressions(strings.Join(body, "\n"))
	line := func(at int) int {
		m := markerPattern.FindAllStringSubmatch(code[:at], -1)
		if len(m) == 0 {
			return 0
		}
		n, _ := strconv.Atoi(m[len(m)-1][1])
		return n
	}
	for _, loc := range tagPattern.FindAllStringIndex(code, -1) {
		for _, m := range visibleAttr.FindAllStringSubmatch(code[loc[0]:loc[1]], -1) {
			if hasWord(m[2]) {
				out = append(out, finding{line(loc[0]), m[1] + "=" + m[2]})
			}
		}
	}
	prev := 0
	for _, loc := range append(tagPattern.FindAllStringIndex(code, -1), []int{len(code), len(code)}) {
		seg := markerPattern.ReplaceAllString(code[prev:loc[0]], " ")
		if hasWord(seg) {
			out = append(out, finding{line(loc[0]), strings.Join(strings.Fields(seg), " ")})
		}
		prev = loc[1]
	}
	return out
}

var (
	controlLine   = regexp.MustCompile(`^(if |for |switch |case |default:|} else|else|}$|{$)`)
	tagPattern    = regexp.MustCompile(`(?s)<[^>]*>`)
	markerPattern = regexp.MustCompile("\x00([0-9]+)\x00")
)

// stripExpressions removes the { ... } Go expressions of a line (string
// literals inside them included).
func stripExpressions(s string) string {
	var b strings.Builder
	depth, inString := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString != 0:
			if c == '\\' && inString == '"' {
				i++
			} else if c == inString {
				inString = 0
			}
		case depth > 0 && (c == '"' || c == '`'):
			inString = c
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
			if depth == 0 {
				b.WriteByte(' ')
			}
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func hasWord(s string) bool {
	for _, w := range strings.Fields(s) {
		if symbols[w] {
			continue
		}
		for _, r := range w {
			if unicode.IsLetter(r) {
				return true
			}
		}
	}
	return false
}

// The check itself: it finds words in text and visible attributes, across
// lines, and lets expressions, symbols and control flow through.
func TestLiteralTextFinds(t *testing.T) {
	src := "package x\n\ntempl A(v V) {\n\t<p class=\"mt-1\">{ i18n.T(ctx, \"a.b\") } · 3 m²</p>\n" +
		"\tif v.X {\n\t\t<span>Hello</span>\n\t}\n\t<input\n\t\ttype=\"text\"\n\t\tplaceholder=\"Your name\"\n\t/>\n" +
		"\t<button title={ i18n.T(ctx, \"a.c\") }>→</button>\n\t// a comment with words\n}\n"
	got := literalText(src)
	if len(got) != 2 || got[0] != (finding{8, "placeholder=Your name"}) || got[1] != (finding{6, "Hello"}) {
		t.Fatalf("found %+v", got)
	}
}
