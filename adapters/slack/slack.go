// Package slack is Union Hall's Slack adapter. It receives events, slash
// commands and button clicks over Socket Mode (the default: no public URL
// needed) or the HTTP Events API (behind a reverse proxy, every request's
// signature verified), translates them into bot.Messages for the router,
// and renders replies and cards as Block Kit messages. It uses slack-go
// for the Web API, request verification and payload types, and speaks the
// Socket Mode protocol itself over gorilla/websocket, because slack-go's
// Socket Mode client reconnects at once after too_many_websockets and
// never acknowledges a payload it cannot parse (see runSocket).
//
// Every delivery from Slack is acknowledged at once and handled afterwards,
// in order per channel. Retried deliveries are processed once. Replies go
// out through an ordered queue per channel that honours Slack's rate
// limits, and live cards (poll tallies) are updated with chat.update at
// most about once a second per message, the last state always landing.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/cards"
	"github.com/unionhall/unionhall/bot/lanes"
	"github.com/unionhall/unionhall/bot/pace"
)

// Mode is how the adapter receives events from Slack.
type Mode string

// Connection modes.
const (
	// ModeSocket receives events over a Socket Mode WebSocket; it needs an
	// app-level token and no public URL.
	ModeSocket Mode = "socket"
	// ModeHTTP receives events, slash commands and interactions as HTTP
	// requests signed with the app's signing secret.
	ModeHTTP Mode = "http"
)

// Timing defaults.
const (
	// sendTimeout bounds one outbound delivery, retries included.
	sendTimeout = 2 * time.Minute
	// handlerTimeout bounds one handler run.
	handlerTimeout = time.Minute
	// shutdownGrace is how long Run waits, when stopping, for handlers in
	// progress and replies still queued.
	shutdownGrace = 10 * time.Second
	// defaultUpdateInterval is the minimum time between two chat.update
	// calls for one message.
	defaultUpdateInterval = time.Second
	// ackTimeout bounds the wait to hand an acknowledgement to the socket.
	ackTimeout = 3 * time.Second
	// maxHandlers bounds handlers running at once (one per channel at a
	// time); maxSenders bounds Web API requests in flight at once. A job
	// waiting for its turn within Slack's limits (see pacer) holds none,
	// so a busy channel's waits never hold up another channel.
	maxHandlers = 16
	maxSenders  = 32
)

// Options configure an Adapter.
type Options struct {
	// BotToken is the bot token (xoxb-...). Required.
	BotToken string
	// AppToken is the app-level token (xapp-...) for Socket Mode.
	AppToken string
	// SigningSecret verifies requests in HTTP mode.
	SigningSecret string
	// Mode selects Socket Mode or HTTP mode. Empty means Socket Mode when
	// AppToken is set and HTTP mode otherwise.
	Mode Mode
	// ListenAddr is the address the HTTP mode server listens on, e.g.
	// ":3000".
	ListenAddr string
	// APIURL overrides the Web API base URL (GovSlack, tests); empty means
	// https://slack.com/api/.
	APIURL string
	// AnnounceChannel is the channel (ID, or name) reminders are announced
	// in; when set, New returns an adapter that is also a bot.Announcer.
	AnnounceChannel string
	// StewardGroup is a user group (ID such as S0123, or handle such as
	// @stewards) whose members have steward powers.
	StewardGroup string
	// MemberGroups are user groups (IDs or handles) whose members are
	// reported in bot.User.Groups, by the group's ID and by its name as
	// given here. Their member lists are read at start-up and every two
	// minutes, and on RefreshGroups.
	MemberGroups []string
	// Log receives the adapter's logs; slog.Default when nil.
	Log *slog.Logger
	// Clock tells the time; the system clock when nil.
	Clock bot.Clock
	// HTTPClient makes Web API calls; a client with a 30 s timeout when nil.
	HTTPClient *http.Client
	// CardLocations, when set, remembers which messages show which card,
	// so that cards posted before a restart are updated (a poll closing on
	// schedule) without waiting for a click. Card messages posted in
	// channels and clicked card messages are recorded there, never
	// ephemeral ones, and only those that show the card without text above
	// it. Store failures are logged and never hold up a post or an
	// acknowledgement.
	CardLocations bot.CardLocations
	// Metrics counts rate limits and reconnections; bot.NoMetrics when nil.
	Metrics bot.Metrics
	// Routes, when set, serves every request the HTTP mode server has no
	// route of its own for (the program's health and metrics endpoints),
	// so one server can serve both.
	Routes http.Handler
	// SocketConnections is how many Socket Mode connections to keep open
	// at once (DefaultSocketConnections when zero, at most 10): a spare
	// carries the events while another reconnects.
	SocketConnections int
	// Deliveries, when set, is where processes sharing a database record
	// the deliveries they take on, so that each is handled by one of
	// them; without it the adapter remembers its own in memory.
	Deliveries Deliveries
}

// Adapter is the Slack adapter. It implements bot.Adapter.
type Adapter struct {
	opts   Options
	mode   Mode
	apiURL string
	sdk    *slack.Client
	api    webAPI
	log    *slog.Logger
	clock  bot.Clock

	// Seams for tests: waiting before a retry, and the durations that
	// pace retries and liveness checks.
	sleep         func(ctx context.Context, d time.Duration) error
	rateLimitWait time.Duration
	readTimeout   time.Duration

	pacer    *pacer        // Slack's rate limits, kept on our side
	held     *pace.Held    // public answers to members still queued, per channel
	in       *lanes.Group  // handlers, one lane per channel
	out      *lanes.Group  // outbound jobs: one lane per channel ID, and one per member for private replies
	senders  chan struct{} // one per Web API request in flight (maxSenders)
	seen     seenFilter
	cards    *cards.Updater // live cards; their edits go out on the channels' lanes
	stewards *userGroup
	groups   []*userGroup // Options.MemberGroups

	sendCtx  context.Context
	stopSend context.CancelFunc

	mu        sync.Mutex
	botUserID string
	mention   *regexp.Regexp
	listener  net.Addr
	ready     chan struct{}
	readyOnce sync.Once

	sockets   *sockets     // Socket Mode connections live, and when the next may open
	hellos    atomic.Int64 // Socket Mode hello messages received
	connected atomic.Bool  // the HTTP mode server listens
}

// New returns a Slack adapter. When opts.AnnounceChannel is set, the
// adapter also implements bot.Announcer.
func New(opts Options) (bot.Adapter, error) {
	a, err := newAdapter(opts)
	if err != nil {
		return nil, err
	}
	if opts.AnnounceChannel != "" {
		return &announcingAdapter{a}, nil
	}
	return a, nil
}

func newAdapter(opts Options) (*Adapter, error) {
	if opts.BotToken == "" {
		return nil, errors.New("a bot token is required")
	}
	if !strings.HasPrefix(opts.BotToken, "xoxb-") {
		return nil, errors.New("the bot token must be a bot token (it starts with xoxb-)")
	}
	mode := opts.Mode
	if mode == "" {
		mode = ModeHTTP
		if opts.AppToken != "" {
			mode = ModeSocket
		}
	}
	switch mode {
	case ModeSocket:
		if opts.AppToken == "" {
			return nil, errors.New("Socket Mode needs an app-level token (xapp-...)")
		}
		if !strings.HasPrefix(opts.AppToken, "xapp-") {
			return nil, errors.New("the app-level token must start with xapp-")
		}
	case ModeHTTP:
		if opts.SigningSecret == "" {
			return nil, errors.New("HTTP mode needs the app's signing secret (or set an app-level token for Socket Mode)")
		}
		if opts.ListenAddr == "" {
			return nil, errors.New("HTTP mode needs a listen address")
		}
	default:
		return nil, fmt.Errorf("unknown mode %q (want socket or http)", mode)
	}
	switch {
	case opts.SocketConnections == 0:
		opts.SocketConnections = DefaultSocketConnections
	case opts.SocketConnections < 1 || opts.SocketConnections > maxSocketConnections:
		return nil, fmt.Errorf("%d Socket Mode connections: Slack allows 1 to %d", opts.SocketConnections, maxSocketConnections)
	}
	opts.Log = bot.OrDefaultLogger(opts.Log)
	opts.Clock = bot.OrSystemClock(opts.Clock)
	opts.Metrics = bot.OrNoMetrics(opts.Metrics)
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	apiURL := opts.APIURL
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	sdkOpts := []slack.Option{slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(opts.HTTPClient)}
	if opts.AppToken != "" {
		sdkOpts = append(sdkOpts, slack.OptionAppLevelToken(opts.AppToken))
	}
	sdk := slack.New(opts.BotToken, sdkOpts...)
	log := opts.Log.With("platform", bot.PlatformSlack)
	a := &Adapter{
		opts:          opts,
		mode:          mode,
		apiURL:        apiURL,
		sdk:           sdk,
		api:           sdkClient{Client: sdk, http: opts.HTTPClient},
		log:           log,
		clock:         opts.Clock,
		rateLimitWait: defaultRateLimitWait,
		readTimeout:   defaultReadTimeout,
		pacer:         newPacer(opts.Clock, log, opts.Metrics),
		in:            lanes.New(maxHandlers),
		held:          pace.NewHeld(opts.Clock),
		sockets:       newSockets(opts.Clock),
		out:           lanes.New(0),
		senders:       make(chan struct{}, maxSenders),
		ready:         make(chan struct{}),
	}
	a.sleep = a.wait
	a.seen = newDedupe(opts.Clock, dedupeTTL)
	if opts.Deliveries != nil {
		a.seen = newSharedDedupe(opts.Deliveries, opts.Clock, dedupeTTL, log)
	}
	a.cards = a.newCardUpdater(defaultUpdateInterval)
	a.sendCtx, a.stopSend = context.WithCancel(context.Background())
	onPanic := func(p any) { a.log.Error("panic in Slack adapter job", "panic", p) }
	a.in.OnPanic, a.out.OnPanic = onPanic, onPanic
	if opts.StewardGroup != "" {
		a.stewards = &userGroup{api: a.api, clock: a.clock, log: log, name: opts.StewardGroup, lost: "its members have no steward powers until it works"}
	}
	for _, name := range opts.MemberGroups {
		a.groups = append(a.groups, &userGroup{api: a.api, clock: a.clock, log: log, name: name, lost: "its members are not reported in it until it works"})
	}
	return a, nil
}

// Platform returns bot.PlatformSlack.
func (a *Adapter) Platform() string { return bot.PlatformSlack }

// Connected reports whether Slack can reach the adapter now: a Socket
// Mode connection is open and greeted, or the HTTP mode server listens.
func (a *Adapter) Connected() bool { return a.connected.Load() || a.sockets.Live() > 0 }

// QueueDepths returns the jobs in the adapter's queues: messages being
// handled ("in") and Web API calls being sent ("out").
func (a *Adapter) QueueDepths() map[string]int {
	return map[string]int{"in": a.in.Pending(), "out": a.out.Pending()}
}

// Run connects to Slack and passes every message to d until ctx ends. When
// ctx ends it stops receiving, lets handlers in progress finish and sends
// what is still queued (for up to 10 seconds), then returns nil.
func (a *Adapter) Run(ctx context.Context, d bot.Dispatcher) error {
	if err := a.identify(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	for _, g := range append([]*userGroup{a.stewards}, a.groups...) {
		if g == nil {
			continue
		}
		fctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		if err := g.refresh(fctx); err != nil {
			a.log.Warn("could not read a Slack user group; "+g.lost, "group", g.name, "err", safeErr(err))
		}
		cancel()
		go g.run(ctx, stewardTTL)
	}
	var err error
	switch a.mode {
	case ModeSocket:
		err = a.runSocket(ctx, d)
	case ModeHTTP:
		err = a.runHTTP(ctx, d)
	}
	a.shutdown()
	return err
}

// identify learns the bot's own user and bot IDs (to recognise mentions
// and ignore its own messages), checking the bot token on the way.
func (a *Adapter) identify(ctx context.Context) error {
	var res *slack.AuthTestResponse
	for {
		err := a.call(ctx, "auth.test", func(ctx context.Context) error {
			var err error
			res, err = a.api.AuthTestContext(ctx)
			return err
		})
		if err == nil {
			break
		}
		if kind, _ := classify(err); kind == permanent {
			return fmt.Errorf("slack: checking the bot token: %w", err)
		}
		a.log.Warn("cannot reach Slack yet; trying again", "err", safeErr(err))
		if err := a.sleep(ctx, 30*time.Second); err != nil {
			return err
		}
	}
	a.mu.Lock()
	a.botUserID = res.UserID
	a.mention = regexp.MustCompile(`<@` + regexp.QuoteMeta(res.UserID) + `(\|[^>]*)?>`)
	a.mu.Unlock()
	a.log.Info("Slack bot identified", "user", res.UserID, "team", res.Team)
	return nil
}

// shutdown waits for handlers in progress, sends the last card states and
// what is queued, then stops outbound calls.
func (a *Adapter) shutdown() {
	if err := a.cards.Drain(shutdownGrace, a.in.Wait); err != nil {
		a.log.Warn("stopped before every reply and card update was sent", "err", err)
	}
	a.stopSend()
}

// newCardUpdater returns the updater of the adapter's live cards, editing
// a message at most once per interval.
func (a *Adapter) newCardUpdater(interval time.Duration) *cards.Updater {
	return cards.New(cards.Config{
		Platform: bot.PlatformSlack,
		Editor:   cards.EditorFunc(a.editCard),
		Lanes:    a.out,
		Store:    a.opts.CardLocations,
		Clock:    a.clock,
		Interval: interval,
		Pace: func(ctx context.Context, m cards.Message) error {
			return a.paceCall(ctx, "chat.update", m.Channel)
		},
		Log: a.log,
	})
}

// markReady records that the adapter is receiving.
func (a *Adapter) markReady() { a.readyOnce.Do(func() { close(a.ready) }) }

// Send posts r to a destination: a channel (and thread), or, for a private
// reply, the member to.User (ephemeral in the channel, or a direct message
// when there is no channel). It returns once the reply is delivered.
func (a *Adapter) Send(ctx context.Context, to bot.Destination, r bot.Reply) error {
	dest := destination{channel: to.Channel, thread: to.Thread}
	if to.User != "" {
		platform, id, ok := bot.SplitID(to.User)
		if !ok || platform != bot.PlatformSlack {
			return fmt.Errorf("send: %q is not a Slack user", to.User)
		}
		dest.user = id
	}
	if err := a.deliver(ctx, dest, r, true); err != nil {
		return fmt.Errorf("send to slack channel %s: %w", to.Channel, err)
	}
	return nil
}

// UpdateCard re-renders every message this adapter knows shows c.Key,
// including, with Options.CardLocations, those posted before a restart.
// The updates are sent in the background, coalesced to about one per
// second per message, with the latest state always sent last.
func (a *Adapter) UpdateCard(ctx context.Context, c bot.Card) error {
	a.cards.Update(ctx, c)
	return nil
}

// announcingAdapter is an Adapter with an announcement channel.
type announcingAdapter struct{ *Adapter }

// Announce posts r in the announcement channel and returns once it is
// delivered.
func (a *announcingAdapter) Announce(ctx context.Context, r bot.Reply) error {
	r.Private = false
	if err := a.deliver(ctx, destination{channel: a.opts.AnnounceChannel}, r, true); err != nil {
		return fmt.Errorf("announce in slack channel %s: %w", a.opts.AnnounceChannel, err)
	}
	return nil
}
