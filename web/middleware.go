package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"portal/web/wire"
)

const requestIDKey = "portal.request_id"

// RequestID returns the id given to this request (also in X-Request-ID).
func RequestID(c *gin.Context) string { return c.GetString(requestIDKey) }

func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		c.Set(requestIDKey, id)
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

type metrics struct {
	duration *prometheus.HistogramVec
}

// Every label comes from a closed set, so no client can add series: the
// method is one of knownMethods or "other", the route is Gin's matched
// template or "unmatched", the status is the one the portal answered.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// methodLabel is the request method for metrics and logs: a known one, else "other".
func methodLabel(m string) string {
	if knownMethods[m] {
		return m
	}
	return "other"
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "portal_http_request_duration_seconds",
		Help:    "HTTP request latency by route and status.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "route", "status"})}
	reg.MustRegister(m.duration)
	return m
}

// routeKey names a route answered with a method (both from closed sets:
// knownMethods or "other", Gin's templates or "unmatched").
type routeKey struct{ method, route string }

// statusKey is a routeKey with the status answered.
type statusKey struct {
	routeKey
	status int
}

// requestLog logs one line per request: never the query string, bodies,
// cookies or tokens (they can hold personal data or secrets).
//
// It is on every request's path, so it does per request only what differs
// per request: the logger of each method and route is built once with those
// two attributes already formatted (slog handlers format With's attributes
// once), the histogram's observer of each method, route and status is
// looked up once, and the line's five other attributes fit in the record
// without an allocation.
func requestLog(log *slog.Logger, m *metrics) gin.HandlerFunc {
	var (
		mu        sync.RWMutex
		loggers   = map[routeKey]*slog.Logger{}
		observers = map[statusKey]prometheus.Observer{}
	)
	observer := func(k statusKey) prometheus.Observer {
		mu.RLock()
		o, ok := observers[k]
		mu.RUnlock()
		if !ok {
			o = m.duration.WithLabelValues(k.method, k.route, strconv.Itoa(k.status))
			mu.Lock()
			observers[k] = o
			mu.Unlock()
		}
		return o
	}
	logger := func(k routeKey) *slog.Logger {
		mu.RLock()
		l, ok := loggers[k]
		mu.RUnlock()
		if !ok {
			l = log.With(slog.String("method", k.method), slog.String("route", k.route))
			mu.Lock()
			loggers[k] = l
			mu.Unlock()
		}
		return l
	}
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		// A client that went away mid-request is answered (and recorded)
		// wire.StatusClientClosed, 499, by the transports.
		status := c.Writer.Status()
		if status < 100 || status > 599 {
			status = 0 // cannot happen with net/http; keeps the label set closed regardless
		}
		d := time.Since(start)
		rk := routeKey{methodLabel(c.Request.Method), route}
		observer(statusKey{rk, status}).Observe(d.Seconds())
		if strings.HasPrefix(route, "/static/") || route == "/healthz" || route == "/metrics" {
			return
		}
		level := slog.LevelInfo
		switch {
		case status == http.StatusServiceUnavailable:
			level = slog.LevelWarn // the database out of reach: not a bug, and /readyz says so too
		case status >= 500:
			level = slog.LevelError
		}
		ctx := c.Request.Context()
		if !log.Enabled(ctx, level) {
			return
		}
		logger(rk).LogAttrs(ctx, level, "request",
			slog.String("path", c.Request.URL.Path), slog.Int("status", status),
			slog.Duration("duration", d), slog.String("request_id", RequestID(c)),
			slog.String("client_ip", c.ClientIP()))
	}
}

func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				log.Error("panic", "panic", r, "request_id", RequestID(c), "route", c.FullPath())
				if !c.Writer.Written() {
					c.Header("Content-Type", "text/plain; charset=utf-8")
					c.String(http.StatusInternalServerError, "Internal error. Reference: %s", RequestID(c))
				}
				c.Abort()
			}
		}()
		c.Next()
	}
}

// contentSecurityPolicy allows no inline script or style: htmx is loaded
// from /static and its inline indicator styles are switched off.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// hsts is sent on every answer when the portal is reached over TLS: the
// browser then never tries plain HTTP for a year.
const hsts = "max-age=31536000; includeSubDomains"

func securityHeaders(tls bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		if tls {
			h.Set("Strict-Transport-Security", hsts)
		}
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if strings.HasPrefix(c.Request.URL.Path, "/static/") {
			h.Set("Cache-Control", "public, max-age=3600")
		} else {
			// Pages are personal; nothing may be cached by browsers or proxies.
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}

// crossOriginProtection rejects cross-origin state-changing browser
// requests (Go's net/http.CrossOriginProtection: Sec-Fetch-Site / Origin).
func crossOriginProtection() gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			c.Header("Content-Type", "text/plain; charset=utf-8")
			c.String(http.StatusForbidden, "Cross-origin request refused.")
			c.Abort()
			return
		}
		c.Next()
	}
}

// metricsAuth lets through only "Authorization: Bearer <token>" with the
// configured token (compared in constant time); anything else is 401.
func metricsAuth(token string) gin.HandlerFunc {
	want := []byte(token)
	return func(c *gin.Context) {
		got, ok := wire.CutScheme(c.GetHeader("Authorization"), "Bearer", " ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			c.Header("Content-Type", "text/plain; charset=utf-8")
			c.String(http.StatusUnauthorized, "Unauthorized.")
			c.Abort()
			return
		}
		c.Next()
	}
}
