// Package components holds the templ views: the layout, shared widgets and
// one folder per feature, each with its view-model structs and its
// user-visible strings in one place.
package components

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"portal/components/i18n"
	"portal/models"
	"portal/static"
)

// Page is what the layout needs to frame any page.
type Page struct {
	Title  string
	User   *models.Principal // nil when signed out
	Flash  string
	Active string // the nav item to mark current
	Unread int64  // customers: unread messages in the inbox (the header badge)
	// Timer is what static/js/session.js is told for a signed-in user; the
	// zero value is production's.
	Timer SessionTimer
}

// IdleWarningLead is how long before the idle timeout a signed-in page
// warns that the session is about to end.
const IdleWarningLead = 2 * time.Minute

// SessionTimer is the idle timeout a page announces and how long before
// it the warning shows. Zero fields mean models.SessionIdleTimeout and
// IdleWarningLead; only tests shorten them (the server's timeout stays).
type SessionTimer struct {
	Timeout, Lead time.Duration
}

func (t SessionTimer) timeout() time.Duration {
	if t.Timeout > 0 {
		return t.Timeout
	}
	return models.SessionIdleTimeout
}

func (t SessionTimer) lead() time.Duration {
	if t.Lead > 0 && t.Lead < t.timeout() {
		return t.Lead
	}
	return min(IdleWarningLead, t.timeout()/2)
}

// TimeoutSeconds is the body's data-idle-timeout.
func (t SessionTimer) TimeoutSeconds() string { return strconv.Itoa(int(t.timeout().Seconds())) }

// LeadSeconds is the body's data-idle-warn: seconds before the timeout.
func (t SessionTimer) LeadSeconds() string { return strconv.Itoa(int(t.lead().Seconds())) }

// LeadMinutes is the lead in whole minutes, rounded up, for the warning's
// text ("will end in 2 minutes").
func (t SessionTimer) LeadMinutes() int { return int((t.lead() + time.Minute - 1) / time.Minute) }

// OtherLang is the language the header's switch offers.
func (p Page) OtherLang(ctx context.Context) i18n.Lang {
	if i18n.From(ctx) == i18n.EN {
		return i18n.PT
	}
	return i18n.EN
}

type NavItem struct {
	Key, Label, Href string
	Count            int64 // a badge after the label when > 0 (the inbox's unread count)
}

// Nav lists the navigation for the user's kind.
func (p Page) Nav(ctx context.Context) []NavItem {
	if p.User == nil {
		return nil
	}
	switch p.User.Kind {
	case models.KindBroker:
		return []NavItem{{"processes", i18n.T(ctx, "layout.nav_processes"), "/processes", 0},
			{"simulations", i18n.T(ctx, "sim.nav"), "/simulations", 0}}
	case models.KindStaff:
		return []NavItem{{"queue", i18n.T(ctx, "layout.nav_queue"), "/staff/threads", 0}, {"processes", i18n.T(ctx, "layout.nav_processes"), "/staff/processes", 0},
			{"simulations", i18n.T(ctx, "sim.nav"), "/simulations", 0}, {"customers", i18n.T(ctx, "layout.nav_customers"), "/staff/customers", 0}}
	case models.KindAdmin:
		return []NavItem{{"admin", i18n.T(ctx, "layout.nav_admin"), "/admin", 0}, {"queue", i18n.T(ctx, "layout.nav_queue"), "/staff/threads", 0},
			{"processes", i18n.T(ctx, "layout.nav_processes"), "/staff/processes", 0}, {"customers", i18n.T(ctx, "layout.nav_customers"), "/staff/customers", 0}}
	case models.KindCustomer:
		return []NavItem{{"inbox", i18n.T(ctx, "layout.nav_inbox"), "/inbox", p.Unread}}
	}
	return nil
}

// Organisation is the line under the user's name: firm or the bank.
func (p Page) Organisation(ctx context.Context) string {
	if p.User == nil {
		return ""
	}
	if p.User.FirmName != "" {
		return p.User.FirmName
	}
	if p.User.IsCustomer() {
		return i18n.T(ctx, "layout.customer_label")
	}
	return i18n.T(ctx, "layout.bank_name")
}

var (
	assetOnce sync.Once
	assetVer  map[string]string
)

// Asset returns the URL of a static file with a content hash, so browsers
// cache it and still see a new build at once.
func Asset(name string) string {
	assetOnce.Do(func() {
		assetVer = map[string]string{}
		_ = fs.WalkDir(static.FS, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(static.FS, path)
			if err == nil {
				sum := sha256.Sum256(b)
				assetVer[path] = hex.EncodeToString(sum[:4])
			}
			return nil
		})
	})
	name = strings.TrimPrefix(name, "/")
	return "/static/" + name + "?v=" + assetVer[name]
}

// htmxConfig: no inline indicator styles and no eval (the CSP forbids
// both), no history cache (pages are personal: the server re-renders), and
// forms' 422 (field errors) and 429 (slow down) answers are swapped in like
// successes so the errors show next to the fields.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"historyCacheSize":0,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},` +
	`{"code":"422","swap":true},{"code":"429","swap":true},{"code":"[45]..","swap":false,"error":true}]}`
