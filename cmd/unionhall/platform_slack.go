package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/bot"
)

// defaultSlackListenAddr is where HTTP mode listens when SLACK_LISTEN_ADDR
// is unset.
const defaultSlackListenAddr = ":3000"

// slackAdapter builds the Slack adapter when SLACK_BOT_TOKEN is set, and
// returns nil otherwise.
func (a *app) slackAdapter() (bot.Adapter, error) {
	if a.cfg.SlackBotToken == "" {
		return nil, nil
	}
	opts, err := a.cfg.slackOptions()
	if err != nil {
		return nil, err
	}
	opts.Log, opts.Clock, opts.CardLocations, opts.Metrics = a.log, a.clock, a.cardLocations(), a.meter()
	if a.sharesSlackServer(opts) {
		opts.Routes = a.opsHandler()
	}
	// Nil on SQLite, where this process is the only one.
	opts.Deliveries = a.stores.Deliveries
	ad, err := slackadapter.New(opts)
	if err != nil {
		return nil, fmt.Errorf("slack: %w", err)
	}
	// /help shows the commands as they are typed in Slack.
	a.router.SetPlatformSyntax(bot.PlatformSlack, slackadapter.Syntax)
	return ad, nil
}

// slackOptions checks the Slack settings and returns the adapter's options
// from them. Socket Mode is used when SLACK_APP_TOKEN is set (unless
// SLACK_MODE=http), HTTP mode when only SLACK_SIGNING_SECRET is. Errors name
// the setting at fault and never echo a token.
func (c config) slackOptions() (slackadapter.Options, error) {
	var opts slackadapter.Options
	if !strings.HasPrefix(c.SlackBotToken, "xoxb-") {
		return opts, errors.New("SLACK_BOT_TOKEN: this is not a bot token (a bot token starts with xoxb-; copy the Bot User OAuth Token from the app's OAuth & Permissions page)")
	}
	var mode slackadapter.Mode
	switch m := strings.ToLower(c.vars.get("SLACK_MODE")); m {
	case "":
		switch {
		case c.SlackAppToken != "":
			mode = slackadapter.ModeSocket
		case c.SlackSigningSecret != "":
			mode = slackadapter.ModeHTTP
		default:
			return opts, errors.New("SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode, the default) nor SLACK_SIGNING_SECRET (HTTP mode) is")
		}
	case "socket":
		mode = slackadapter.ModeSocket
	case "http":
		mode = slackadapter.ModeHTTP
	default:
		return opts, fmt.Errorf("SLACK_MODE: %q is neither socket nor http", m)
	}
	opts = slackadapter.Options{
		BotToken:        c.SlackBotToken,
		Mode:            mode,
		APIURL:          c.SlackAPIURL,
		AnnounceChannel: strings.TrimPrefix(c.vars.get("SLACK_ANNOUNCE_CHANNEL"), "#"),
		StewardGroup:    c.vars.get("SLACK_STEWARD_GROUP"),
	}
	// Units may name the Slack user group their members are in.
	units, err := c.loadUnits()
	if err != nil {
		return opts, err
	}
	opts.MemberGroups = units.SlackGroups()
	switch mode {
	case slackadapter.ModeSocket:
		if c.SlackAppToken == "" {
			return opts, errors.New("SLACK_APP_TOKEN: Socket Mode needs the app-level token (Basic Information, App-Level Tokens, with the connections:write scope)")
		}
		if !strings.HasPrefix(c.SlackAppToken, "xapp-") {
			return opts, errors.New("SLACK_APP_TOKEN: this is not an app-level token (it starts with xapp-)")
		}
		opts.AppToken = c.SlackAppToken
		if n := c.vars.get("SLACK_SOCKET_CONNECTIONS"); n != "" {
			if opts.SocketConnections, err = strconv.Atoi(n); err != nil || opts.SocketConnections < 1 || opts.SocketConnections > 10 {
				return opts, fmt.Errorf("SLACK_SOCKET_CONNECTIONS: %q is not a number of connections from 1 to 10", n)
			}
		}
	case slackadapter.ModeHTTP:
		if c.SlackSigningSecret == "" {
			return opts, errors.New("SLACK_SIGNING_SECRET: HTTP mode needs the app's signing secret (Basic Information, App Credentials)")
		}
		opts.SigningSecret = c.SlackSigningSecret
		opts.ListenAddr = c.vars.or("SLACK_LISTEN_ADDR", defaultSlackListenAddr)
	}
	return opts, checkAPIURL("SLACK_API_URL", c.SlackAPIURL, "https://slack-gov.com/api/")
}
