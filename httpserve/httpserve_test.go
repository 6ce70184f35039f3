package httpserve_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/httpserve"
)

func TestReadyzNamesEveryFailedCheckAndNothingElse(t *testing.T) {
	ok := func(context.Context) error { return nil }
	secret := func(context.Context) error { return errors.New("dial tcp db.internal:5432: password rejected") }
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "m 1\n") })
	srv := httptest.NewServer(httpserve.Handler([]httpserve.Check{
		{Name: "database", Check: secret}, {Name: "slack", Check: ok}, {Name: "discord", Check: secret},
	}, metrics, bottest.DiscardLogger()))
	defer srv.Close()

	for path, want := range map[string]struct {
		code int
		body string
	}{
		"/healthz": {http.StatusOK, "ok\n"},
		"/readyz":  {http.StatusServiceUnavailable, "database: not ready\ndiscord: not ready\n"},
		"/metrics": {http.StatusOK, "m 1\n"},
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want.code || string(body) != want.body {
			t.Errorf("GET %s = %d %q, want %d %q", path, resp.StatusCode, body, want.code, want.body)
		}
	}
	resp, err := http.Post(srv.URL+"/readyz", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /readyz = %d, want 405", resp.StatusCode)
	}
}

func TestLimitBodiesCutsLargeBodiesOff(t *testing.T) {
	var readErr error
	h := httpserve.LimitBodies(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, readErr = io.ReadAll(r.Body)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", httpserve.MaxBodyBytes+1))))
	if _, ok := errors.AsType[*http.MaxBytesError](readErr); !ok {
		t.Errorf("reading a body over the limit: err %v, want *http.MaxBytesError", readErr)
	}
}

func TestNewServerHasTimeouts(t *testing.T) {
	s := httpserve.NewServer(http.NotFoundHandler(), bottest.DiscardLogger())
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("server timeouts %v %v %v %v, want all set", s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout)
	}
}
