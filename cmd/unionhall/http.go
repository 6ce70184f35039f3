package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/httpserve"
)

// httpAddr is the address of the operations endpoints (/healthz, /readyz,
// /metrics), from UNIONHALL_HTTP_ADDR; "" turns them off.
func (c config) httpAddr() string { return c.vars.get("UNIONHALL_HTTP_ADDR") }

// sharesSlackServer reports whether the operations endpoints are served by
// Slack's HTTP mode server, which happens when UNIONHALL_HTTP_ADDR is the
// same address as SLACK_LISTEN_ADDR: one server then answers both.
func (a *app) sharesSlackServer(opts slackadapter.Options) bool {
	addr := a.cfg.httpAddr()
	return addr != "" && opts.Mode == slackadapter.ModeHTTP && opts.ListenAddr == addr
}

// meter returns what the adapters count through: the app's recorder, or
// nothing for an app built without one.
func (a *app) meter() bot.Metrics {
	if a.metrics == nil {
		return bot.NoMetrics{}
	}
	return a.metrics
}

// opsHandler serves the operations endpoints.
func (a *app) opsHandler() http.Handler {
	return httpserve.Handler(a.readyChecks(), a.metrics.Handler(), a.log)
}

// readyChecks are what /readyz checks: the database answers, and every
// adapter being served is connected to its platform (an adapter that
// cannot tell, such as the console, counts as connected).
func (a *app) readyChecks() []httpserve.Check {
	checks := []httpserve.Check{{Name: "database", Check: a.db.ping}}
	for _, p := range []string{bot.PlatformConsole, bot.PlatformSlack, bot.PlatformDiscord} {
		checks = append(checks, httpserve.Check{Name: p, Check: func(context.Context) error {
			return a.platformConnected(p)
		}})
	}
	return checks
}

// platformConnected returns an error when the adapter of platform is
// served and not connected.
func (a *app) platformConnected(platform string) error {
	for _, ad := range a.adapters {
		if ad.Platform() != platform {
			continue
		}
		if c, ok := ad.(bot.Connector); ok && !c.Connected() {
			return errors.New("not connected")
		}
	}
	return nil
}

// opsServer returns the job that serves the operations endpoints on
// UNIONHALL_HTTP_ADDR, listening already so that a taken address stops
// start-up; nil when the setting is empty or Slack's server serves them.
func (a *app) opsServer() (service, error) {
	addr := a.cfg.httpAddr()
	if addr == "" {
		return nil, nil
	}
	for _, ad := range a.adapters {
		if ad.Platform() == bot.PlatformSlack {
			if opts, err := a.cfg.slackOptions(); err == nil && a.sharesSlackServer(opts) {
				return nil, nil
			}
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("UNIONHALL_HTTP_ADDR: %w", err)
	}
	a.log.Info("serving health and metrics", "addr", ln.Addr().String())
	return func(ctx context.Context) error {
		return httpserve.Serve(ctx, ln, a.opsHandler(), a.log)
	}, nil
}
