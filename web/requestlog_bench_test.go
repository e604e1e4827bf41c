package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// requestLogBefore is requestLog as it was before it cached its loggers and
// observers: the baseline BenchmarkRequestLog measures in the same run.
func requestLogBefore(log *slog.Logger, m *metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		d := time.Since(start)
		method := methodLabel(c.Request.Method)
		m.duration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
		log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("method", method), slog.String("route", route),
			slog.String("path", c.Request.URL.Path), slog.Int("status", status),
			slog.Duration("duration", d), slog.String("request_id", RequestID(c)),
			slog.String("client_ip", c.ClientIP()))
	}
}

// BenchmarkRequestLog measures the request log middleware (JSON lines to
// io.Discard, the latency histogram) around an empty handler, before and
// after, in one run; it logs after/before.
//
//	go test ./web -run '^$' -bench RequestLog -benchmem
func BenchmarkRequestLog(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	ns := map[string]float64{}
	for _, c := range []struct {
		name string
		mw   func(*slog.Logger, *metrics) gin.HandlerFunc
	}{{"before", requestLogBefore}, {"after", requestLog}} {
		b.Run(c.name, func(b *testing.B) {
			log := slog.New(slog.NewJSONHandler(io.Discard, nil))
			e := gin.New()
			e.Use(requestID(), c.mw(log, newMetrics(prometheus.NewRegistry())))
			e.GET("/v1/processes/:id/messages", func(c *gin.Context) { c.Status(http.StatusOK) })
			req := httptest.NewRequest(http.MethodGet, "/v1/processes/0f9d7c1e-2b1a-4c3d-8e4f-5a6b7c8d9e0f/messages", nil)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.ServeHTTP(httptest.NewRecorder(), req)
			}
			ns[c.name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
	}
	if ns["before"] > 0 && ns["after"] > 0 {
		b.Logf("request log: after/before = %.2f (%.0f ns vs %.0f ns per request, including the router and recorder)",
			ns["after"]/ns["before"], ns["after"], ns["before"])
	}
}
