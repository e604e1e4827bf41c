// Package web assembles the HTTP side: the Gin engine, the middleware every
// transport shares (sessions, bearer tokens, cross-origin protection,
// logging, recovery, limits, security headers) and the three route tables.
package web

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"portal/components"
	"portal/models"
	"portal/web/api"
	"portal/web/obp"
	"portal/web/session"
	"portal/web/ui"
	"portal/web/wire"
)

// Options configure the engine.
type Options struct {
	Services models.Services
	Logger   *slog.Logger
	// SessionKeys are securecookie key pairs (hash key 64 bytes, block key
	// 32 bytes), newest first; older pairs still decode during a rotation.
	SessionKeys [][]byte
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed; empty
	// means client addresses come from the connection.
	TrustedProxies []string
	// SecureCookies means the portal is reached over TLS (itself or behind
	// a proxy): cookies are Secure and __Host- prefixed, answers carry HSTS.
	SecureCookies bool
	// Registry receives the HTTP metrics; nil uses a fresh one.
	Registry *prometheus.Registry
	// MetricsToken, when set, serves /metrics on this handler to requests
	// with "Authorization: Bearer <MetricsToken>". Unset, /metrics is not
	// served here (404): MetricsHandler serves it on a listener of its own.
	MetricsToken string
	// SessionTimer is what signed-in pages tell their idle-timeout warning;
	// leave it zero (models.SessionIdleTimeout, warning 2 minutes before).
	// Browser tests shorten it; the server's own timeout never changes.
	SessionTimer components.SessionTimer
	// PublicURL is the portal's address as users reach it, the origin of
	// links in mails ("" means ui.DefaultPublicURL).
	PublicURL string
	// DocumentLimits bound the browser's uploads as the service bounds
	// every upload (zero fields: the models' defaults).
	DocumentLimits models.DocumentLimits
}

// New returns the portal's HTTP handler.
func New(o Options) (http.Handler, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(o.TrustedProxies); err != nil {
		return nil, err
	}
	if len(o.TrustedProxies) == 0 {
		// Gin trusts everyone by default; nil means trust no proxy.
		if err := e.SetTrustedProxies(nil); err != nil {
			return nil, err
		}
	}
	e.HandleMethodNotAllowed = false

	m := newMetrics(o.Registry)
	e.Use(requestID(), recovery(o.Logger), requestLog(o.Logger, m), securityHeaders(o.SecureCookies), wire.LimitBody(1<<20))

	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", func(c *gin.Context) {
		if err := o.Services.Health.Ready(c.Request.Context()); err != nil {
			o.Logger.Warn("not ready", "err", err, "request_id", RequestID(c))
			c.Header("Retry-After", strconv.Itoa(models.UnavailableRetryAfter))
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	})
	if o.MetricsToken != "" {
		e.GET("/metrics", metricsAuth(o.MetricsToken), gin.WrapH(MetricsHandler(o.Registry)))
	}
	e.GET("/static/*file", staticFiles.serve(""))
	e.HEAD("/static/*file", staticFiles.serve(""))
	e.GET("/favicon.ico", staticFiles.serve("favicon.svg"))

	sessions := session.NewStore(o.Services.Sessions, o.SessionKeys, o.SecureCookies)
	h := ui.New(ui.Deps{Services: o.Services, Logger: o.Logger, Sessions: sessions, SecureCookies: o.SecureCookies,
		SessionTimer: o.SessionTimer, PublicURL: o.PublicURL, DocumentLimits: o.DocumentLimits})
	browser := []gin.HandlerFunc{crossOriginProtection(), session.Middleware(sessions, o.Services.Auth, o.Logger, h.Fail),
		ui.Language, h.ReadForm}
	h.Register(e.Group("", browser...))

	// The partner API: everything but its OpenAPI document and
	// authentication takes the partner bearer token (web/api/routes.go).
	partner := api.New(api.Deps{Services: o.Services, Logger: o.Logger})
	partner.Register(e.Group("/v1"))
	partner.RegisterBankAlias(e.Group("/API/partnersPortal"))

	// The OBP-compatible customer-messages API: DirectLogin at
	// /my/logins/direct, the rest under /obp (web/obp/routes.go).
	obp.New(obp.Deps{Services: o.Services, Logger: o.Logger}).Register(e.Group(""))

	// Unknown /v1 and /obp paths answer in their API's error body, others
	// the HTML page.
	e.NoRoute(append([]gin.HandlerFunc{api.NoRoute, obp.NoRoute}, append(browser, h.NotFound)...)...)
	return compressPages(e)
}

// MetricsHandler serves the registry in Prometheus' text format, for a
// listener of its own (PORTAL_METRICS_ADDR) that only the monitoring
// network reaches.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
