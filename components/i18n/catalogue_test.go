package i18n_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"portal/components/i18n"
	"portal/models"
)

// usedKeys are the message keys the code names: i18n.T and i18n.N calls
// with a literal key in Go and templ files (generated code aside). A key
// ending in "." is a prefix completed at run time ("format.month." + n).
func usedKeys(t *testing.T) map[string][]string {
	t.Helper()
	call := regexp.MustCompile(`i18n\.[TN]\((?:[^,()]|\([^()]*\))+,\s*"([^"]+)"`)
	used := map[string][]string{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && path != "../..") {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_templ.go") || strings.HasSuffix(path, "_test.go") ||
			!(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".templ")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = append(used[m[1]], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used
}

func TestCatalogueLoads(t *testing.T) {
	if err := i18n.Err(); err != nil {
		t.Fatal(err)
	}
}

// Every key is in both languages, every key the code names exists, and
// every key is used: a missing translation or a dead string fails here.
func TestCatalogueComplete(t *testing.T) {
	pt, err := i18n.Keys(i18n.PT)
	if err != nil {
		t.Fatal(err)
	}
	en, err := i18n.Keys(i18n.EN)
	if err != nil {
		t.Fatal(err)
	}
	for k := range pt {
		if !en[k] && !strings.HasPrefix(k, i18n.FieldPrefix) {
			t.Errorf("%q is in Portuguese only", k)
		}
	}
	for k := range en {
		if !pt[k] {
			t.Errorf("%q is in English only", k)
		}
		if strings.HasPrefix(k, i18n.FieldPrefix) {
			t.Errorf("%q: the English of field errors is the models catalogue's", k)
		}
	}
	// The services' field errors: Portuguese for every key of the models'
	// English catalogue, and nothing else under the prefix.
	fieldKeys := map[string]bool{}
	for _, k := range models.EnglishKeys() {
		fieldKeys[i18n.FieldPrefix+k] = true
		if !pt[i18n.FieldPrefix+k] {
			t.Errorf("field error %q has no Portuguese (%s%s)", k, i18n.FieldPrefix, k)
		}
	}
	used := usedKeys(t)
	for k, where := range used {
		if strings.HasSuffix(k, ".") {
			continue
		}
		if !pt[k] || !en[k] {
			t.Errorf("%s: key %q is not in both catalogues", where[0], k)
		}
	}
	for k := range pt {
		if fieldKeys[k] {
			continue
		}
		if strings.HasPrefix(k, i18n.FieldPrefix) {
			t.Errorf("%q is not a field error key of models", k)
			continue
		}
		ok := len(used[k]) > 0
		for u := range used {
			ok = ok || strings.HasSuffix(u, ".") && strings.HasPrefix(k, u)
		}
		if !ok {
			t.Errorf("catalogue key %q is never used", k)
		}
	}
}

func TestLanguageChoice(t *testing.T) {
	for header, want := range map[string]i18n.Lang{
		"": i18n.PT, "pt-PT": i18n.PT, "pt-BR,pt;q=0.9": i18n.PT, "en-GB,en;q=0.9": i18n.EN, "en": i18n.EN,
		"fr-FR,fr;q=0.9": i18n.PT, "fr,en;q=0.5": i18n.EN, "de,pt;q=0.8,en;q=0.5": i18n.PT, "garbage;;": i18n.PT,
	} {
		if got := i18n.Match(header); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
	for in, want := range map[string]i18n.Lang{"pt": i18n.PT, "PT-pt": i18n.PT, "en": i18n.EN, " en ": i18n.EN} {
		if got, ok := i18n.Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %s, %v", in, got, ok)
		}
	}
	if _, ok := i18n.Parse("fr"); ok {
		t.Error("Parse accepted fr")
	}
	if i18n.From(context.Background()) != i18n.PT {
		t.Error("the default language is not Portuguese")
	}
}

func TestPluralsAndArguments(t *testing.T) {
	pt, en := i18n.WithLang(context.Background(), i18n.PT), i18n.WithLang(context.Background(), i18n.EN)
	for _, tc := range []struct {
		ctx  context.Context
		n    int
		want string
	}{
		{pt, 1, "1 mensagem por ler"}, {pt, 2, "2 mensagens por ler"}, {en, 1, "1 unread message"}, {en, 5, "5 unread messages"},
	} {
		if got := i18n.N(tc.ctx, "layout.unread_badge", tc.n); got != tc.want {
			t.Errorf("%d: %q, want %q", tc.n, got, tc.want)
		}
	}
	f := models.FieldError{Field: "subject", Key: "message.subject_too_long", Args: models.Args{"Max": 200}}
	if got := i18n.Field(pt, f); got != "O assunto tem no máximo 200 caracteres." {
		t.Errorf("Portuguese field error %q", got)
	}
	if got := i18n.Field(en, f); got != "The subject is limited to 200 characters." {
		t.Errorf("English field error %q", got)
	}
	limited := models.AsError(models.Limited("rate.posting", nil, 3))
	if got := i18n.Refusal(pt, limited); got != "Está a enviar mensagens depressa demais. Aguarde um momento e tente novamente." {
		t.Errorf("Portuguese refusal %q", got)
	}
	if got := i18n.Refusal(en, limited); got != limited.Message || !strings.HasPrefix(got, "You are posting too fast") {
		t.Errorf("English refusal %q", got)
	}
	if got := i18n.Refusal(pt, models.AsError(models.Conflict("plain"))); got != "plain" {
		t.Errorf("a refusal without a key %q", got)
	}
	if got := i18n.T(pt, "no.such.key"); got != "no.such.key" {
		t.Errorf("a missing key renders %q", got)
	}
}
