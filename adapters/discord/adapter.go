// Package discord is Union Hall's Discord adapter. It connects to the
// Discord gateway with discordgo, registers the slash commands, and
// translates slash commands, button clicks, direct messages and
// @mentions into bot.Messages; it renders replies as messages, ephemeral
// responses and cards (embeds with button rows).
//
// Slash commands are mapped onto the core's typed command language (see
// Commands), so the core parses everything once. Interactions are
// acknowledged within Discord's three seconds: a slash command is answered
// directly when its reply is ready within Options.AckAfter, and deferred
// (privately) otherwise; a button click is acknowledged at once with a
// deferred update, and under a burst of clicks the acknowledgements go
// before any other work. Posts and card edits go out on one lane per
// channel, so a rate-limit wait on one channel never holds up event
// handling or other channels, and card edits are coalesced to about one
// per second per message, the last state always landing.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/cards"
	"github.com/unionhall/unionhall/bot/lanes"
)

// Defaults for the zero values of Options.
const (
	DefaultAckAfter       = time.Second
	DefaultEditInterval   = time.Second
	DefaultHandlerTimeout = 2 * time.Minute
	DefaultShutdownGrace  = 10 * time.Second
	DefaultMaxConcurrent  = 16
	DefaultLeaderRetry    = 3 * time.Second
)

// Options configure an Adapter.
type Options struct {
	// Token is the bot token from the Developer Portal. A "Bot " prefix is
	// optional.
	Token string
	// GuildID, when set, registers the slash commands in that server only
	// (they appear at once); otherwise they are registered globally.
	GuildID string
	// APIURL, when set, replaces https://discord.com as the base of every
	// REST request (tests, proxies). The gateway address is whatever that
	// server's /gateway endpoint returns.
	APIURL string
	// AnnounceChannel is the channel ID for announcements; when set, the
	// adapter also implements bot.Announcer.
	AnnounceChannel string
	// StewardRole names the server role whose members have steward powers:
	// a role ID, or a role name looked up in the server's roles.
	StewardRole string
	// RoleNames reports members' server roles by name as well as by ID
	// (bot.User.Groups), reading each server's role list once every ten
	// minutes. Without it, roles are reported by ID only.
	RoleNames bool
	// MembersIntent asks Discord for the privileged Server Members intent
	// (switched on in the developer portal), so the adapter lists its
	// servers' members and follows their roles, and serves them as a
	// bot.GroupDirectory: units defined by a role then have a known
	// membership without a roster. When Discord refuses the intent, the
	// adapter says so in the log and carries on without it.
	MembersIntent bool
	// Commands are the slash commands to register and translate, derived
	// from the Router's declarations by NewSlashCommands. Nil registers
	// none.
	Commands *SlashCommands
	// HTTPClient is the client for REST requests; nil uses a client of its
	// own. Its transport is wrapped when APIURL is set.
	HTTPClient *http.Client
	// Logger receives the adapter's logs; nil uses slog.Default().
	Logger *slog.Logger
	// Clock tells the time for caches and message times; nil is the system
	// clock.
	Clock bot.Clock
	// AckAfter is how long a slash command may take to produce its first
	// reply before the adapter defers the response. Default 1s; Discord's
	// limit is 3s.
	AckAfter time.Duration
	// EditInterval is the least time between two edits of one message.
	// Default 1s.
	EditInterval time.Duration
	// HandlerTimeout bounds the handling of one event. Default 2m.
	HandlerTimeout time.Duration
	// ShutdownGrace is how long Run waits, once its context ends, for
	// events in progress and queued card edits. Default 10s.
	ShutdownGrace time.Duration
	// MaxConcurrent bounds how many events are dispatched to the core at
	// once; acknowledgements are never held back by it. Default 16.
	MaxConcurrent int
	// CardLocations, when set, remembers which messages show which card,
	// so that cards posted before a restart are updated (a poll closing on
	// schedule) without waiting for a click. Public card messages the
	// adapter posts and card messages members click are recorded there,
	// never ephemeral ones. Store failures are logged and never hold up a
	// post or an acknowledgement.
	CardLocations bot.CardLocations
	// Cards, when set, rebuilds a card from the store for a click that
	// needs more than its custom ID carries (the options of a ranking) on
	// a card this process has not shown, such as one posted before a
	// restart. Without it, such a click asks the member to type the
	// command.
	Cards CardSource
	// Metrics counts rate limits and reconnections; bot.NoMetrics when nil.
	Metrics bot.Metrics
	// Leadership, when set, is shared by the processes of one
	// installation: only the process that holds the gateway role
	// connects to the gateway (Discord delivers each event to one
	// connection), and the others take it over when it stops. Without
	// it, the adapter always connects.
	Leadership Leadership
	// PublicKey is the application's public key, which signs the
	// interactions Discord sends over HTTP (see InteractionsHandler);
	// without it the HTTP endpoint is not served.
	PublicKey []byte
	// InteractionsAddr, when set with PublicKey, is the address Run
	// serves the interactions endpoint on, e.g. ":3001"; leave it empty
	// to mount InteractionsHandler on a server of one's own.
	InteractionsAddr string
	// LeaderRetry is how often a process without the gateway role tries
	// to take it. Default 3s.
	LeaderRetry time.Duration
}

// Adapter is the Discord adapter. Create it with New.
type Adapter struct {
	opts    Options
	log     *slog.Logger
	clock   bot.Clock
	session *discordgo.Session

	customIDs customIDs
	rankings  rankings
	seen      recentIDs      // interactions handled, so that a replayed one is handled once
	cards     *cards.Updater // live cards; their edits go out on the channels' lanes
	out       *lanes.Group   // posts, one lane per channel
	pacer     *pacer         // Discord's rate limits, kept on our side
	roles     *roleResolver
	// serverRoles caches the servers' role lists, for the steward role
	// and members' role names.
	serverRoles *serverRoles
	// members lists the servers' members, with Options.MembersIntent;
	// nil without it.
	members *memberList
	dms     dmCache

	life context.Context // ends after Run has shut down
	stop context.CancelFunc
	sem  chan struct{}
	work group
	acks ackGate

	running    atomic.Bool
	connected  atomic.Bool  // the gateway session is ready or resumed
	standby    atomic.Bool  // another process holds the gateway role; this one stands by
	sessions   atomic.Int64 // gateway sessions made ready or resumed
	dispatcher atomic.Pointer[dispatcherBox]

	mu             sync.Mutex
	botID          string
	appID          string
	interactionsAt net.Addr // where the interactions endpoint listens, once it does
}

type dispatcherBox struct{ d bot.Dispatcher }

// announcingAdapter is an Adapter with an announcement channel.
type announcingAdapter struct{ *Adapter }

// Announce posts r to the announcement channel.
func (a announcingAdapter) Announce(ctx context.Context, r bot.Reply) error {
	r.Private = false
	if err := a.Send(ctx, bot.Destination{Channel: a.opts.AnnounceChannel}, r); err != nil {
		return fmt.Errorf("announce: %w", err)
	}
	return nil
}

// New returns a Discord adapter. The returned adapter also implements
// bot.Announcer when opts.AnnounceChannel is set. It does not connect
// until Run.
func New(opts Options) (bot.Adapter, error) {
	a, err := newAdapter(opts)
	if err != nil {
		return nil, err
	}
	switch {
	case opts.AnnounceChannel != "" && a.members != nil:
		return announcingDirectoryAdapter{announcingAdapter{a}, a.members}, nil
	case opts.AnnounceChannel != "":
		return announcingAdapter{a}, nil
	case a.members != nil:
		return directoryAdapter{a, a.members}, nil
	}
	return a, nil
}

func newAdapter(opts Options) (*Adapter, error) {
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(opts.Token), "Bot "))
	if token == "" {
		return nil, errors.New("discord: a bot token is required")
	}
	opts.AckAfter = bot.PositiveOr(opts.AckAfter, DefaultAckAfter)
	opts.EditInterval = bot.PositiveOr(opts.EditInterval, DefaultEditInterval)
	opts.HandlerTimeout = bot.PositiveOr(opts.HandlerTimeout, DefaultHandlerTimeout)
	opts.ShutdownGrace = bot.PositiveOr(opts.ShutdownGrace, DefaultShutdownGrace)
	opts.MaxConcurrent = bot.PositiveOr(opts.MaxConcurrent, DefaultMaxConcurrent)
	opts.LeaderRetry = bot.PositiveOr(opts.LeaderRetry, DefaultLeaderRetry)
	opts.Logger = bot.OrDefaultLogger(opts.Logger)
	opts.Clock = bot.OrSystemClock(opts.Clock)
	opts.Metrics = bot.OrNoMetrics(opts.Metrics)
	client, err := httpClient(opts.HTTPClient, opts.APIURL)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s.Client = client
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	s.StateEnabled = false
	// Reconnects and rate-limit waits are done by the adapter, bounded by
	// contexts, instead of discordgo's unbounded loops and sleeps.
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = false
	// discordgo logs through the standard log package, and at debug level
	// would print the identify payload; the adapter logs what matters
	// itself, through slog.
	s.LogLevel = discordgo.LogError - 1

	a := &Adapter{
		opts:    opts,
		log:     opts.Logger,
		clock:   opts.Clock,
		session: s,
		sem:     make(chan struct{}, opts.MaxConcurrent),
	}
	a.pacer = newPacer(opts.Clock, opts.Logger, opts.Metrics)
	a.life, a.stop = context.WithCancel(context.Background())
	// Each channel has a lane of its own, however many there are: a
	// rate-limit wait in one channel (discordgo waits per route, and
	// routes are per channel) holds up only that channel.
	a.out = lanes.New(0)
	a.out.OnPanic = func(p any) { a.log.Error("panic while sending to Discord", "panic", fmt.Sprint(p)) }
	a.cards = cards.New(cards.Config{
		Platform: bot.PlatformDiscord,
		Editor:   cards.EditorFunc(a.editCard),
		Lanes:    a.out,
		Store:    opts.CardLocations,
		Clock:    opts.Clock,
		Interval: opts.EditInterval,
		Pace:     func(ctx context.Context, m cards.Message) error { return a.pacer.editTurn(ctx, m.Channel) },
		Log:      opts.Logger,
	})
	a.serverRoles = &serverRoles{a: a, guilds: map[string]*guildRoles{}}
	a.roles = newRoleResolver(a, opts.StewardRole, a.serverRoles)
	if opts.MembersIntent {
		a.members = newMemberList(a)
		s.Identify.Intents |= discordgo.IntentsGuildMembers
	}
	return a, nil
}

// Platform returns bot.PlatformDiscord.
func (a *Adapter) Platform() string { return bot.PlatformDiscord }

// ids returns the bot's user ID and application ID, known after READY.
func (a *Adapter) ids() (botID, appID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botID, a.appID
}

// Run connects to the gateway, registers the slash commands and passes
// every interaction, direct message and @mention to d until ctx ends.
// Lost connections are resumed (or re-identified) with backoff. It returns
// nil after a clean shutdown, and an error when Discord refuses the token,
// the intents or the command registration. Run may be called once.
func (a *Adapter) Run(ctx context.Context, d bot.Dispatcher) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}
	defer a.stop()
	a.dispatcher.Store(&dispatcherBox{d})

	ready := make(chan struct{}, 1)
	disconnected := make(chan struct{}, 1)
	signal := func(c chan struct{}) {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	s := a.session
	var handlers []any
	if a.members != nil {
		handlers = a.members.handlers()
	}
	for _, h := range handlers {
		defer s.AddHandler(h)()
	}
	for _, remove := range []func(){
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
			a.onReady(r)
			a.markConnected()
			signal(ready)
		}),
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
			a.log.Info("Discord gateway session resumed")
			a.markConnected()
		}),
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			a.connected.Store(false)
			signal(disconnected)
		}),
		s.AddHandler(a.onInteraction),
		s.AddHandler(a.onMessage),
	} {
		defer remove()
	}

	if a.opts.InteractionsAddr != "" && len(a.opts.PublicKey) > 0 {
		ln, err := net.Listen("tcp", a.opts.InteractionsAddr)
		if err != nil {
			a.shutdown()
			return fmt.Errorf("discord: listen for interactions on %s: %w", a.opts.InteractionsAddr, err)
		}
		served := make(chan error, 1)
		httpCtx, stopHTTP := context.WithCancel(ctx)
		go func() { served <- a.serveInteractions(httpCtx, ln) }()
		defer func() {
			stopHTTP()
			if err := <-served; err != nil {
				a.log.Error("the Discord interactions endpoint stopped", "err", err)
			}
		}()
	}
	var err error
	if a.opts.Leadership != nil {
		err = a.serveGatewayWhileLeading(ctx, ready, disconnected)
	} else {
		err = a.serveGateway(ctx, ready, disconnected)
	}
	a.shutdown()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// serveGateway holds the gateway connection until ctx ends, reconnecting
// when it is lost and registering the commands after the first READY. It
// returns nil when ctx ends, or the error that retrying cannot fix.
func (a *Adapter) serveGateway(ctx context.Context, ready, disconnected <-chan struct{}) error {
	if err := a.connect(ctx); err != nil {
		return err
	}
	registered := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-disconnected:
			if ctx.Err() != nil {
				continue
			}
			a.log.Warn("Discord gateway connection lost; reconnecting")
			if err := a.connect(ctx); err != nil {
				return err
			}
		case <-ready:
			if registered {
				continue
			}
			if err := a.registerCommands(ctx); err != nil {
				return err
			}
			registered = true
		}
	}
}

// markConnected records a ready or resumed gateway session, counting each
// after the first as a reconnection.
func (a *Adapter) markConnected() {
	a.connected.Store(true)
	if a.sessions.Add(1) > 1 {
		a.opts.Metrics.Reconnected(bot.PlatformDiscord)
	}
}

// Connected reports whether the adapter is doing its job: its gateway
// session is up, or another process of the installation holds the
// gateway and this one stands by (serving HTTP interactions), so that a
// load balancer keeps every replica in rotation.
func (a *Adapter) Connected() bool { return a.connected.Load() || a.standby.Load() }

// QueueDepths returns the jobs in the adapter's queue of posts and edits
// ("out").
func (a *Adapter) QueueDepths() map[string]int { return map[string]int{"out": a.out.Pending()} }

func (a *Adapter) onReady(r *discordgo.Ready) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.User != nil {
		a.botID = r.User.ID
	}
	if r.Application != nil && r.Application.ID != "" {
		a.appID = r.Application.ID
	} else if a.appID == "" {
		a.appID = a.botID // a bot's application ID is its user ID
	}
	name := ""
	if r.User != nil {
		name = r.User.Username
	}
	a.log.Info("connected to Discord", "bot", name, "bot_id", a.botID, "guilds", len(r.Guilds))
}

// connect opens the gateway connection, retrying transient failures with
// backoff (1 s, 2 s, 4 s … at most a minute apart) until ctx ends. Errors
// Discord will keep returning (a refused token, disallowed intents) end it
// at once.
func (a *Adapter) connect(ctx context.Context) error {
	retry := backoff.Policy{Initial: time.Second, Max: time.Minute}
	return retry.Retry(ctx, a.clock, func(context.Context) error {
		err := a.session.Open()
		if err != nil && a.membersIntentError(err) {
			err = a.session.Open() // at once, without the intent
		}
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		if msg := fatalGatewayError(err); msg != "" {
			return backoff.Stop(fmt.Errorf("discord: %s: %w", msg, err))
		}
		return err
	}, func(err error, wait time.Duration) {
		a.log.Warn("could not connect to the Discord gateway; will retry", "err", err, "retry_in", wait)
	})
}

var closeCode = regexp.MustCompile(`close (\d{4})`)

// fatalGatewayError explains errors that retrying cannot fix, and returns
// "" for the others.
func fatalGatewayError(err error) string {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		switch rest.Response.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return "Discord refused the bot token (check DISCORD_TOKEN)"
		}
	}
	if errors.Is(err, discordgo.ErrUnauthorized) {
		return "Discord refused the bot token (check DISCORD_TOKEN)"
	}
	// discordgo returns the websocket library's close error as is; its
	// text carries the gateway's close code.
	if m := closeCode.FindStringSubmatch(err.Error()); m != nil {
		switch m[1] {
		case "4004":
			return "Discord refused the bot token (check DISCORD_TOKEN)"
		case "4013", "4014":
			return "Discord refused the gateway intents (Union Hall needs only Guild Messages and Direct Messages, which are not privileged)"
		case "4010", "4011", "4012":
			return "Discord refused the gateway connection settings"
		}
	}
	return ""
}

// registerCommands overwrites the application's slash commands with
// Options.Commands, in the configured guild or globally.
func (a *Adapter) registerCommands(ctx context.Context) error {
	_, appID := a.ids()
	scope := "globally"
	if a.opts.GuildID != "" {
		scope = "in server " + a.opts.GuildID
	}
	cmds := a.opts.Commands.Definitions()
	// Five attempts, 1 s, 2 s, 4 s and 8 s apart; only Discord's own
	// failures (5xx) are retried.
	retry := backoff.Policy{Initial: time.Second, Attempts: 5}
	err := retry.Retry(ctx, a.clock, func(ctx context.Context) error {
		err := a.rest(ctx, func(opts ...discordgo.RequestOption) error {
			_, err := a.session.ApplicationCommandBulkOverwrite(appID, a.opts.GuildID, cmds, opts...)
			return err
		})
		var rest *discordgo.RESTError
		if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode < 500 {
			return backoff.Stop(err)
		}
		return err
	}, func(err error, wait time.Duration) {
		a.log.Warn("could not register slash commands; will retry", "err", err, "retry_in", wait)
	})
	if err != nil {
		return fmt.Errorf("discord: register slash commands %s (was the bot invited with the applications.commands scope?): %w", scope, err)
	}
	a.log.Info("registered slash commands", "count", len(cmds), "scope", scope)
	return nil
}

// shutdown stops taking events, closes the gateway, and waits (at most
// ShutdownGrace) for events in progress and queued card edits.
func (a *Adapter) shutdown() {
	a.work.close()
	if err := a.session.Close(); err != nil {
		a.log.Debug("closing the Discord gateway", "err", err)
	}
	if err := a.cards.Drain(a.opts.ShutdownGrace, a.work.wait); err != nil {
		a.log.Warn("Discord events, posts or card edits still in progress at shutdown", "err", err)
	}
	a.stop()
}

// eventContext returns the context for handling one event. It outlives
// Run's context by up to ShutdownGrace, so work already started (a vote
// being recorded and confirmed) is finished rather than cut off.
func (a *Adapter) eventContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(a.life, a.opts.HandlerTimeout)
}

// dispatch passes m to the core, at most MaxConcurrent at a time.
func (a *Adapter) dispatch(ctx context.Context, w bot.ResponseWriter, m *bot.Message) {
	box := a.dispatcher.Load()
	if box == nil {
		return
	}
	a.acks.wait(ctx, ackPriorityWait)
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		a.log.Warn("Discord event dropped: too busy", "err", ctx.Err())
		a.tellTooBusy(w)
		return
	}
	defer func() { <-a.sem }()
	box.d.Dispatch(ctx, w, m)
}

// tooBusyNote tells a member their message waited too long to be handled.
const tooBusyNote = "Sorry, I was too busy to answer that in time. Please ask again in a minute."

// tooBusyTimeout bounds telling a member their message was dropped.
const tooBusyTimeout = 30 * time.Second

// tellTooBusy tells the member whose event was dropped, privately, that
// it was: no one is left waiting for an answer that will not come.
func (a *Adapter) tellTooBusy(w bot.ResponseWriter) {
	ctx, cancel := context.WithTimeout(a.life, tooBusyTimeout)
	defer cancel()
	if err := w.Reply(ctx, bot.Reply{Text: tooBusyNote, Private: true}); err != nil {
		a.log.Warn("could not tell a member their message was dropped", "err", err)
	}
}

// recoverPanic keeps a panic while handling one event from ending the
// process (discordgo does not recover its handlers); it is logged.
func (a *Adapter) recoverPanic(what string) {
	if p := recover(); p != nil {
		a.log.Error("panic while handling a Discord "+what, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
}

// Send posts r to a channel (or to to.Thread, which on Discord is a channel
// of its own). A private reply goes to to.User as a direct message.
func (a *Adapter) Send(ctx context.Context, to bot.Destination, r bot.Reply) error {
	channel := to.Channel
	if to.Thread != "" {
		channel = to.Thread
	}
	if r.Private {
		if to.User == "" {
			return errors.New("discord: a private message needs a user to send it to")
		}
		uid, err := userID(to.User)
		if err != nil {
			return err
		}
		if channel, err = a.dmChannel(ctx, uid); err != nil {
			return err
		}
	}
	if channel == "" {
		return errors.New("discord: no channel to send to")
	}
	_, err := a.post(ctx, channel, a.renderReply(r), "")
	return err
}

// UpdateCard re-renders every message posted (or clicked) with c.Key,
// including, with Options.CardLocations, those posted before a restart.
// The edits are queued and coalesced, so it returns once the stored
// locations are read; a failed edit is logged.
func (a *Adapter) UpdateCard(ctx context.Context, c bot.Card) error {
	a.cards.Update(ctx, c)
	return nil
}

// post sends messages to a channel on its lane, the first as a reply to
// replyTo when set, and records where the cards among them are shown.
func (a *Adapter) post(ctx context.Context, channel string, msgs []outMessage, replyTo string) ([]*discordgo.Message, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	var sent []*discordgo.Message
	err := a.out.Do(ctx, channel, func(ctx context.Context) error {
		for i, m := range msgs {
			var msg *discordgo.Message
			err := a.rest(ctx, func(opts ...discordgo.RequestOption) error {
				send := &discordgo.MessageSend{
					Content:         m.content,
					Embeds:          m.embeds(),
					Components:      m.componentList(),
					Files:           m.files(), // fresh readers for each attempt
					AllowedMentions: noMentions(),
				}
				if i == 0 && replyTo != "" {
					send.Reference = &discordgo.MessageReference{MessageID: replyTo, ChannelID: channel, FailIfNotExists: ptr(false)}
				}
				return a.pacer.send(ctx, channel, func() error {
					var err error
					msg, err = a.session.ChannelMessageSendComplex(channel, send, opts...)
					return err
				})
			})
			if err != nil {
				return err
			}
			sent = append(sent, msg)
			if m.cardKey != "" && msg != nil {
				a.shown(m, cards.Message{Channel: channel, ID: msg.ID})
			}
		}
		return nil
	})
	if err != nil {
		// On a cancelled wait the job may still be running: sent is not
		// ours to read.
		return nil, fmt.Errorf("post to channel %s: %w", channel, err)
	}
	return sent, nil
}

// shown records that the message at shows m's card, and whether that
// card can change (so that where it is shown is stored).
func (a *Adapter) shown(m outMessage, at cards.Message) {
	if m.changes {
		a.cards.Changing(m.cardKey)
	}
	a.cards.Shown(m.cardKey, at)
}

// userID returns the Discord snowflake of a platform-qualified user ID.
func userID(qualified string) (string, error) {
	platform, id, ok := bot.SplitID(qualified)
	if !ok || platform != bot.PlatformDiscord {
		return "", fmt.Errorf("discord: %q is not a Discord user ID", qualified)
	}
	return id, nil
}
