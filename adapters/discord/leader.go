package discord

import (
	"context"

	"github.com/unionhall/unionhall/bot/backoff"
)

// gatewayRole names the role of the one process that holds the gateway
// connection.
const gatewayRole = "discord-gateway"

// Leadership makes one process, among those of an installation, the
// holder of a role.
type Leadership interface {
	// TryLead tries once, without waiting, to make this process the
	// holder of role; ok is false when another process holds it. While
	// it is held, lost is closed when the hold ends (the process's link
	// to whatever keeps the hold failed, or release was called); release
	// gives the role up.
	TryLead(ctx context.Context, role string) (lost <-chan struct{}, release func(), ok bool, err error)
}

// serveGatewayWhileLeading connects to the gateway only while this
// process holds the gateway role: it tries to take the role every
// LeaderRetry (on the adapter's clock), serves the gateway while it holds
// it, and leaves the gateway as soon as it loses it. It returns nil when
// ctx ends, or the error that retrying cannot fix (a refused token).
func (a *Adapter) serveGatewayWhileLeading(ctx context.Context, ready, disconnected <-chan struct{}) error {
	for {
		lost, release, ok, err := a.opts.Leadership.TryLead(ctx, gatewayRole)
		// Standing by while another process holds the gateway is this
		// process doing its job; not knowing whether one does is not.
		a.standby.Store(err == nil && !ok)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Warn("could not learn whether another process holds the Discord gateway; will try again", "err", err, "retry_in", a.opts.LeaderRetry)
		case ok:
			a.log.Info("this process holds the Discord gateway")
			err := a.serveWhileHeld(ctx, lost, ready, disconnected)
			release()
			if err != nil || ctx.Err() != nil {
				return err
			}
			a.log.Warn("this process lost the Discord gateway; another takes it over", "retry_in", a.opts.LeaderRetry)
		}
		if backoff.Sleep(ctx, a.clock, a.opts.LeaderRetry) != nil {
			return nil
		}
	}
}

// serveWhileHeld serves the gateway until ctx ends or lost is closed,
// then closes the gateway connection.
func (a *Adapter) serveWhileHeld(ctx context.Context, lost <-chan struct{}, ready, disconnected <-chan struct{}) error {
	held, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-lost:
			cancel()
		case <-held.Done():
		}
	}()
	err := a.serveGateway(held, ready, disconnected)
	if held.Err() != nil {
		err = nil // the hold ended or ctx did: neither is a failure
	}
	if ctx.Err() == nil {
		if cerr := a.session.Close(); cerr != nil {
			a.log.Debug("closing the Discord gateway", "err", cerr)
		}
	}
	return err
}
