// Package httpserve is Union Hall's operations endpoint: /healthz says the
// process is alive, /readyz whether it can serve members (the database
// answers and every platform is connected), /metrics the Prometheus
// metrics. It also builds the http.Server these run on, with the time and
// size limits every Union Hall server uses.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// The endpoints' paths.
const (
	PathHealth  = "/healthz"
	PathReady   = "/readyz"
	PathMetrics = "/metrics"
)

// Limits of every request to the server.
const (
	// MaxBodyBytes bounds a request body; the operations endpoints read
	// none, and a client sending more is cut off.
	MaxBodyBytes = 1 << 20
	// CheckTimeout bounds each readiness check, so a hung database makes
	// /readyz fail rather than hang.
	CheckTimeout = 2 * time.Second
)

// Check is one condition for readiness.
type Check struct {
	// Name says what is checked ("database", "slack"); /readyz prints it
	// when the check fails.
	Name string
	// Check returns nil when the condition holds. Its error is logged,
	// never shown: it may name a file or a host.
	Check func(ctx context.Context) error
}

// Handler serves /healthz, /readyz (running checks) and /metrics (served
// by metrics).
func Handler(checks []Check, metrics http.Handler, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("GET "+PathReady, func(w http.ResponseWriter, r *http.Request) {
		serveReady(w, r, checks, log)
	})
	mux.Handle("GET "+PathMetrics, metrics)
	return LimitBodies(mux)
}

// serveReady runs every check and answers 200 "ready" when all pass, or
// 503 with one line per failed check.
func serveReady(w http.ResponseWriter, r *http.Request, checks []Check, log *slog.Logger) {
	var failed []string
	for _, c := range checks {
		ctx, cancel := context.WithTimeout(r.Context(), CheckTimeout)
		err := c.Check(ctx)
		cancel()
		if err != nil {
			log.Warn("readiness check failed", "check", c.Name, "err", err)
			failed = append(failed, c.Name+": not ready\n")
		}
	}
	if len(failed) > 0 {
		writeText(w, http.StatusServiceUnavailable, strings.Join(failed, ""))
		return
	}
	writeText(w, http.StatusOK, "ready\n")
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, text)
}

// LimitBodies cuts every request body off after MaxBodyBytes.
func LimitBodies(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		h.ServeHTTP(w, r)
	})
}

// NewServer returns a server for h with Union Hall's timeouts: slow or
// idle clients are cut off rather than holding connections open.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// shutdownGrace is how long requests in flight may finish once the
// server is stopped.
const shutdownGrace = 5 * time.Second

// Serve serves h on ln until ctx ends, then shuts the server down.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := NewServer(h, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("HTTP server did not shut down cleanly", "err", err)
		}
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
}
