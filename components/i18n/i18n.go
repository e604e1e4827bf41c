// Package i18n is the portal's message catalogue: every user-visible string
// of the pages, in Portuguese (pt-PT, the default) and English, resolved per
// request from the context. Catalogues are TOML files per feature and
// language in locales/ (NAME.pt-PT.toml, NAME.en.toml), loaded into one
// go-i18n bundle with CLDR plural rules; placeholders are {{.Name}}.
package i18n

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"portal/models"
)

// Lang is a language the portal speaks.
type Lang string

const (
	PT Lang = "pt-PT" // the default
	EN Lang = "en"
)

// Langs are the languages, the default first.
var Langs = []Lang{PT, EN}

// ptTag is parsed once: Tag is asked on every formatted number.
var ptTag = language.MustParse(string(PT))

// Tag is the language's BCP 47 tag.
func (l Lang) Tag() language.Tag {
	if l == EN {
		return language.English
	}
	return ptTag
}

// HTML is the value of <html lang>.
func (l Lang) HTML() string { return string(l.orDefault()) }

func (l Lang) orDefault() Lang {
	if l == EN {
		return EN
	}
	return PT
}

// Parse reads a stored or posted language ("pt", "pt-PT", "en", any case).
func Parse(s string) (Lang, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pt", "pt-pt":
		return PT, true
	case "en", "en-gb", "en-us":
		return EN, true
	}
	return "", false
}

var matcher = language.NewMatcher([]language.Tag{PT.Tag(), EN.Tag()})

// Match picks the language of an Accept-Language header: Portuguese unless
// the client prefers English.
func Match(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return PT
	}
	_, i, conf := matcher.Match(tags...)
	if i == 1 && conf != language.No {
		return EN
	}
	return PT
}

type langKey struct{}

// WithLang returns ctx speaking l.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, langKey{}, l.orDefault())
}

// From is the language of ctx (PT when none was chosen).
func From(ctx context.Context) Lang {
	if l, ok := ctx.Value(langKey{}).(Lang); ok {
		return l
	}
	return PT
}

//go:embed locales/*.toml
var files embed.FS

var (
	loadOnce   sync.Once
	bundle     *goi18n.Bundle
	localizers map[Lang]*goi18n.Localizer
	loadErr    error
)

func load() {
	bundle = goi18n.NewBundle(PT.Tag())
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var msgFiles []*goi18n.MessageFile
	loadErr = fs.WalkDir(files, "locales", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := bundle.LoadMessageFileFS(files, path)
		if f != nil {
			msgFiles = append(msgFiles, f)
		}
		return err
	})
	localizers = map[Lang]*goi18n.Localizer{}
	for _, l := range Langs {
		localizers[l] = goi18n.NewLocalizer(bundle, string(l))
	}
	buildFast(msgFiles)
}

// Err reports a catalogue that did not load (the start-up check).
func Err() error {
	loadOnce.Do(load)
	return loadErr
}

// T is the message key in ctx's language, with its named arguments
// ({{.Name}}). A key missing from the catalogue renders as itself (the
// catalogue tests keep every key used present in both languages).
func T(ctx context.Context, key string, args ...map[string]any) string {
	return localize(From(ctx), key, nil, args)
}

// N is T with count choosing the plural form; the text sees it as {{.Count}}.
func N(ctx context.Context, key string, count int, args ...map[string]any) string {
	return localize(From(ctx), key, count, args)
}

// plain caches the texts without arguments of keys the catalogue does not
// have (they render as the key); the catalogue's own are in plainTexts.
var plain sync.Map // plainKey -> string

type plainKey struct {
	lang Lang
	key  string
}

func localize(l Lang, key string, count any, args []map[string]any) string {
	loadOnce.Do(load)
	l = l.orDefault()
	if count == nil && len(args) == 0 {
		if s, ok := plainTexts[l][key]; ok {
			return s
		}
		if s, ok := plain.Load(plainKey{l, key}); ok {
			return s.(string)
		}
		s := localizeData(l, key, nil, nil)
		plain.Store(plainKey{l, key}, s)
		return s
	}
	if s, ok := fastLocalize(l, key, count, args); ok {
		return s
	}
	return localizeData(l, key, count, args)
}

func localizeData(l Lang, key string, count any, args []map[string]any) string {
	var data map[string]any
	if len(args) > 0 || count != nil {
		data = map[string]any{}
		for _, a := range args {
			for k, v := range a {
				data[k] = v
			}
		}
		if count != nil {
			data["Count"] = count
		}
	}
	s, err := localizers[l].Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return key
	}
	return s
}

// FieldPrefix puts the services' field error keys in a namespace of their
// own in the catalogue.
const FieldPrefix = "error."

// Field words a field error of the services in ctx's language: "error." +
// its key from the catalogue, else (English, or a key without a
// translation) the models' English text.
func Field(ctx context.Context, f models.FieldError) string {
	l := From(ctx)
	if l != EN && Has(l, FieldPrefix+f.Key) {
		return localize(l, FieldPrefix+f.Key, nil, []map[string]any{f.Args})
	}
	return f.Message()
}

// Refusal words a service's refusal in ctx's language: its catalogue key
// when it has one with a translation, else its (English) message.
func Refusal(ctx context.Context, e *models.Error) string {
	l := From(ctx)
	if e.Key != "" && l != EN && Has(l, FieldPrefix+e.Key) {
		return localize(l, FieldPrefix+e.Key, nil, []map[string]any{e.Args})
	}
	return e.Message
}

// Has reports whether key is in the catalogue of l.
func Has(l Lang, key string) bool {
	loadOnce.Do(load)
	_, tag, err := localizers[l].LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: key, PluralCount: 1})
	var nf *goi18n.MessageNotFoundErr
	return !errors.As(err, &nf) && tag == l.Tag()
}

// Keys lists the keys of l's catalogue files, for the completeness tests.
func Keys(l Lang) (map[string]bool, error) {
	out := map[string]bool{}
	err := fs.WalkDir(files, "locales", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "."+string(l)+".toml") {
			return err
		}
		raw, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		var m map[string]any
		if _, err := toml.NewDecoder(bytes.NewReader(raw)).Decode(&m); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return flatten(path, "", m, out)
	})
	return out, err
}

// pluralForms are the keys of a message with plural forms.
var pluralForms = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// flatten adds the message ids of a decoded catalogue file to out: a table
// whose keys are plural forms is one message, any other table a prefix.
func flatten(path, prefix string, m map[string]any, out map[string]bool) error {
	for k, v := range m {
		id := k
		if prefix != "" {
			id = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			isMessage := len(sub) > 0
			for f := range sub {
				isMessage = isMessage && pluralForms[f]
			}
			if !isMessage {
				if err := flatten(path, id, sub, out); err != nil {
					return err
				}
				continue
			}
		}
		if out[id] {
			return fmt.Errorf("%s: key %s is in two files", path, id)
		}
		out[id] = true
	}
	return nil
}
