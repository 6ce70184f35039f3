package polls

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/cards"
)

// Config is what a Service is built from.
type Config struct {
	// Store keeps polls and ballots.
	Store Store
	// Poster posts results and cards to a poll's channel when no message
	// there is being answered: when a poll closes on schedule, or is
	// closed from another channel. The hub of connected platforms.
	Poster Poster
	// Clock tells the time; bot.SystemClock when nil.
	Clock bot.Clock
	// Location is the time zone of times members type and read.
	Location *time.Location
	// Units is the unit list and coalition rule (see ParseUnits); nil when
	// none is configured (then --rule coalition is refused).
	Units *Coalition
	// Roster keeps the union's roster; nil when the installation keeps
	// none (then units are self-declared).
	Roster RosterStore
	// Nudges keeps automatic nudges and tells who has voted; nil disables
	// /poll nudge and --nudge.
	Nudges NudgeStore
	// Log receives operational logs. It never receives who chose what.
	Log *slog.Logger
	// Metrics counts the votes recorded; bot.NoMetrics when nil.
	Metrics bot.Metrics
	// Charter draws result charts; nil for results in text only.
	Charter Charter
}

// Poster posts to a platform without a message to answer. *bot.Hub
// implements it.
type Poster interface {
	// Send posts r on platform.
	Send(ctx context.Context, platform string, to bot.Destination, r bot.Reply) error
	// UpdateCard re-renders card c on platform.
	UpdateCard(ctx context.Context, platform string, c bot.Card) error
}

// Service runs polls: it opens them, records votes, closes them once, and
// serves the /poll, /vote and /unit commands.
type Service struct {
	store   Store
	poster  Poster
	clock   bot.Clock
	loc     *time.Location
	units   *Coalition
	roster  RosterStore
	nudges  NudgeStore
	log     *slog.Logger
	metrics bot.Metrics
	// charter draws result charts, or is nil.
	charter Charter

	// wake tells the closer a poll with a deadline was opened.
	wake chan struct{}
	// nudgeJobs hands nudges stewards ask for to the nudger (Run);
	// nudgeWake tells it a nudge was scheduled.
	nudgeJobs chan nudgeJob
	nudgeWake chan struct{}

	// cardLocks serialise reading and showing a poll's state (striped by
	// ID), so an older tally never overwrites a newer one or a closed card.
	cardLocks [64]sync.Mutex
	// refreshes coalesces card updates after votes, by poll ID: while one
	// caller reads a poll's tally and shows it, the votes that come in are
	// folded into one more update by that caller.
	refreshes cards.Coalescer[int64]
}

// New returns a Service. It needs a Store and a Poster, and validates the
// unit list.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Poster == nil {
		return nil, errors.New("polls: a Store and a Poster are required")
	}
	cfg.Clock = bot.OrSystemClock(cfg.Clock)
	cfg.Location = cmp.Or(cfg.Location, time.UTC)
	cfg.Log = bot.OrDefaultLogger(cfg.Log)
	if cfg.Units != nil {
		if err := cfg.Units.Validate(); err != nil {
			return nil, fmt.Errorf("polls: unit list: %w", err)
		}
	}
	return &Service{
		store: cfg.Store, poster: cfg.Poster, clock: cfg.Clock, loc: cfg.Location, units: cfg.Units, roster: cfg.Roster, nudges: cfg.Nudges, log: cfg.Log, charter: cfg.Charter,
		metrics:   bot.OrNoMetrics(cfg.Metrics),
		wake:      make(chan struct{}, 1),
		nudgeJobs: make(chan nudgeJob),
		nudgeWake: make(chan struct{}, 1),
	}, nil
}

// Units returns the configured unit list, or nil.
func (s *Service) Units() *Coalition { return s.units }

// OpenRequest is everything needed to open a poll.
type OpenRequest struct {
	// Question and Options are what the poll asks and offers.
	Question string
	Options  []string
	// Secret asks for a secret ballot; Hidden hides counts until close.
	Secret, Hidden bool
	// MaxChoices is how many options a member may choose (0 or 1: one).
	MaxChoices int
	// Rule judges the result.
	Rule Rule
	// ClosesAt is the deadline; zero for none.
	ClosesAt time.Time
	// Platform, Channel and Thread are where the poll is opened.
	Platform, Channel, Thread string
	// By is the steward opening it.
	By bot.User
	// Eligible is who may vote.
	Eligible Eligibility
	// NudgeBefore, when set, nudges the members who have not voted once,
	// this long before ClosesAt (--nudge).
	NudgeBefore time.Duration
	// Ranked makes it a ranked-choice poll.
	Ranked bool
	// OpensAt schedules the poll: its card is posted, and votes taken,
	// from then on; zero to open it now.
	OpensAt time.Time
	// RemindBefore asks for a reminder in the channel this long before
	// ClosesAt; zero for none.
	RemindBefore time.Duration
	// Again opens the poll even when the same question with the same
	// options is open in the channel already.
	Again bool
}

// Open validates and stores a new poll. Every problem is an EINVALID error
// saying what to fix; nothing is stored then.
func (s *Service) Open(ctx context.Context, req OpenRequest) (*Poll, error) {
	now := s.clock.Now()
	q := strings.TrimSpace(req.Question)
	switch {
	case q == "":
		return nil, bot.Errorf(bot.EINVALID, "The poll needs a question. Put it first, in quotes: /poll \"Would you vote yes?\" \"Yes\" \"No\".")
	case utf8.RuneCountInString(q) > MaxQuestion:
		return nil, bot.Errorf(bot.EINVALID, "The question is %d characters long; the limit is %d. Please shorten it.", utf8.RuneCountInString(q), MaxQuestion)
	}
	opts := make([]string, len(req.Options))
	seen := map[string]int{}
	for i, o := range req.Options {
		o = strings.Join(strings.Fields(o), " ")
		opts[i] = o
		switch n := utf8.RuneCountInString(o); {
		case n == 0:
			return nil, bot.Errorf(bot.EINVALID, "Option %d is empty. Give each option some text.", i+1)
		case n > MaxLabel:
			return nil, bot.Errorf(bot.EINVALID, "Option %d is %d characters long; a button holds at most %d. Please shorten it: %q.", i+1, n, MaxLabel, bot.Truncate(o, 40))
		}
		k := strings.ToLower(o)
		if j, dup := seen[k]; dup {
			return nil, bot.Errorf(bot.EINVALID, "Options %d and %d are the same (%q). Give each option once.", j, i+1, o)
		}
		seen[k] = i + 1
	}
	switch {
	case len(opts) == 0:
		return nil, bot.Errorf(bot.EINVALID, "The poll needs at least two options after the question, each in quotes: /poll \"%s\" \"Yes\" \"No\".", bot.Truncate(q, 60))
	case len(opts) == 1:
		return nil, bot.Errorf(bot.EINVALID, "The poll has only one option. Give at least two, each in quotes, e.g. \"Yes\" \"No\".")
	case len(opts) > MaxOptions:
		return nil, bot.Errorf(bot.EINVALID, "The poll has %d options; Slack and Discord show at most %d buttons on a message. Please use %d or fewer.", len(opts), MaxOptions, MaxOptions)
	}
	maxChoices := req.MaxChoices
	if maxChoices <= 0 {
		maxChoices = 1
	}
	if maxChoices > len(opts) {
		return nil, bot.Errorf(bot.EINVALID, "--max %d is more than the %d options. Use a number from 1 to %d, or --multi for any number.", maxChoices, len(opts), len(opts))
	}
	p := &Poll{
		Question: q, Options: opts, Secret: req.Secret, Hidden: req.Hidden, MaxChoices: maxChoices, Rule: req.Rule,
		Platform: req.Platform, Channel: req.Channel, Thread: req.Thread,
		OpenedBy: req.By.ID, OpenedByName: req.By.Name, OpenedAt: now.UTC().Truncate(time.Second),
		Eligible: req.Eligible,
	}
	if req.Eligible.Roster && s.roster == nil {
		return nil, bot.Errorf(bot.EINVALID, "--roster needs the union's roster, and this installation keeps none.")
	}
	if req.Ranked {
		switch {
		case req.MaxChoices > 1:
			return nil, bot.Errorf(bot.EINVALID, "A ranked poll (--ranked) lets members order every option already. Drop --multi/--max, or drop --ranked.")
		case req.Rule != RuleNone:
			return nil, bot.Errorf(bot.EINVALID, "A ranked poll (--ranked) is counted by instant-runoff, not by a rule. Drop --rule, or drop --ranked.")
		}
		p.Ranked = true
	}
	if req.Rule != RuleNone {
		if maxChoices > 1 {
			return nil, bot.Errorf(bot.EINVALID, "A rule (--rule) needs a single-choice poll, so that each member is either in favour or not. Drop --multi/--max, or drop --rule.")
		}
		p.Favour, p.Against = Sides(opts)
	}
	if req.Rule == RuleCoalition && s.units == nil {
		return nil, bot.Errorf(bot.EINVALID, "The coalition rule needs a list of units, and none is configured. Use --rule majority or --rule two-thirds.")
	}
	if s.units != nil {
		c := *s.units
		c.Units = slices.Clone(s.units.Units)
		p.Coalition = &c
	}
	if !req.ClosesAt.IsZero() {
		closes := req.ClosesAt.UTC().Truncate(time.Second)
		switch {
		case !closes.After(now):
			return nil, bot.Errorf(bot.EINVALID, "The close time %s is in the past. Give a time in the future, e.g. --closes in 2h or --closes Aug 31 17:00.", bot.FormatWhen(req.ClosesAt, s.loc))
		case closes.Sub(now) > MaxDuration:
			return nil, bot.Errorf(bot.EINVALID, "The close time %s is more than a year away. Give a nearer time.", bot.FormatWhen(req.ClosesAt, s.loc))
		}
		p.ClosesAt = closes
	}
	p.OpensAt, p.RemindBefore = req.OpensAt.UTC().Truncate(time.Second), req.RemindBefore
	if req.OpensAt.IsZero() {
		p.OpensAt = time.Time{}
	}
	if err := s.checkSchedule(p, now); err != nil {
		return nil, err
	}
	if err := s.checkNudgeBefore(ctx, p, req.NudgeBefore, now); err != nil {
		return nil, err
	}
	if !req.Again {
		if err := s.refuseRepeat(ctx, p); err != nil {
			return nil, err
		}
	}
	if err := s.store.CreatePoll(ctx, p); err != nil {
		return nil, fmt.Errorf("open poll: %w", err)
	}
	detail := ""
	if !p.OpensAt.IsZero() {
		detail = "scheduled to be posted " + bot.FormatWhen(p.OpensAt, s.loc)
	}
	s.record(ctx, s.auditEntry(p.ID, AuditOpen, req.By, detail))
	if req.NudgeBefore > 0 {
		if err := s.nudges.ScheduleNudge(ctx, p.ID, p.ClosesAt.Add(-req.NudgeBefore)); err != nil {
			// The poll is open; only its reminder is missing.
			s.log.ErrorContext(ctx, "scheduling a poll nudge", "poll", p.ID, "err", err)
		} else {
			s.wakeNudges()
		}
	}
	s.log.InfoContext(ctx, "poll opened", "poll", p.ID, "platform", p.Platform, "channel", p.Channel,
		"options", len(p.Options), "secret", p.Secret, "hidden", p.Hidden, "rule", string(p.Rule), "closes_at", p.ClosesAt)
	if !p.ClosesAt.IsZero() || !p.OpensAt.IsZero() {
		s.notify()
	}
	return p, nil
}

// notify wakes the closer without blocking.
func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Outcome is what a vote did.
type Outcome int

// Vote outcomes.
const (
	// Recorded is a member's first ballot in the poll.
	Recorded Outcome = iota + 1
	// Changed replaced or extended an earlier open ballot.
	Changed
	// Unchanged means the vote was already counted exactly so.
	Unchanged
	// AlreadyVoted means the member has a secret ballot in the poll
	// already, which cannot be changed.
	AlreadyVoted
)

// VoteRequest is one member's vote.
type VoteRequest struct {
	// PollID is the poll.
	PollID int64
	// Voter is the member.
	Voter bot.User
	// Choices are option numbers (1-based).
	Choices []int
	// Only makes a single choice on a multi-choice poll replace the
	// member's choices instead of adding to them.
	Only bool
}

// VoteResult says what was recorded.
type VoteResult struct {
	// Poll is the poll as read in the vote's transaction.
	Poll *Poll
	// Outcome is what happened.
	Outcome Outcome
	// Before are the earlier choices (open ballots only).
	Before []int
	// After are the choices now recorded (for AlreadyVoted on a secret
	// ballot: nil, since nothing records them).
	After []int
	// Unit is the unit the vote counts for, or "".
	Unit string
	// Member is where the member's unit came from.
	Member Membership
	// RosterKept reports whether the installation has a roster.
	RosterKept bool
}

// normalizeChoices sorts and de-duplicates option numbers.
func normalizeChoices(cs []int) []int {
	out := slices.Clone(cs)
	slices.Sort(out)
	return slices.Compact(out)
}

// errNoVotes is the refusal of a vote at now on a poll that does not take
// votes: one not open yet, or one that has ended.
func (s *Service) errNoVotes(p *Poll, now time.Time) error {
	if p.Scheduled(now) {
		return bot.Errorf(bot.ECONFLICT, "Poll %d opens %s; votes are taken from then on.", p.ID, bot.FormatWhen(p.OpensAt, s.loc))
	}
	return s.errClosed(p)
}

// errClosed is the refusal of a vote on a poll that has ended.
func (s *Service) errClosed(p *Poll) error {
	return bot.Errorf(bot.ECONFLICT, "Poll %d closed %s; votes are no longer accepted. Type /poll results %d to see the result.", p.ID, bot.FormatWhen(closedAt(p), s.loc), p.ID)
}

// Vote records a member's vote. It returns only after the vote is durably
// stored, or with an error and nothing changed.
func (s *Service) Vote(ctx context.Context, req VoteRequest) (*VoteResult, error) {
	choices := normalizeChoices(req.Choices)
	if len(choices) == 0 {
		return nil, bot.Errorf(bot.EINVALID, "Say which option: /vote %d 1.", req.PollID)
	}
	m, rosterKept, err := s.membership(ctx, req.Voter)
	if err != nil {
		return nil, fmt.Errorf("vote in poll %d: %w", req.PollID, err)
	}
	unit := m.Unit
	v := &vote{choices: choices, ranking: slices.Clone(req.Choices), only: req.Only, unit: unit, member: m, rosterKept: rosterKept, now: s.clock.Now(), res: VoteResult{Unit: unit}}
	err = s.store.Cast(ctx, req.PollID, Voter{ID: req.Voter.ID, Name: req.Voter.Name, Unit: unit},
		func(p *Poll, prior Prior) ([]int, error) { return s.decide(v, p, prior) })
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, s.errNotFound(req.PollID)
	case errors.Is(err, ErrAlreadyVoted):
		// The unique constraint caught a second ballot.
		v.res.Outcome, v.res.After = AlreadyVoted, nil
		return &v.res, nil
	case err != nil && bot.ErrorCode(err) != bot.EINTERNAL:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("vote in poll %d: %w", req.PollID, err)
	}
	if v.res.Outcome == Recorded || v.res.Outcome == Changed {
		s.metrics.VoteRecorded()
	}
	v.res.Member, v.res.RosterKept = m, rosterKept
	return &v.res, nil
}

// vote is one member's vote while the store's transaction decides it, and
// what it did.
type vote struct {
	// choices are the options named, sorted and without repeats.
	choices []int
	// ranking are the options named, in the order named (ranked polls).
	ranking []int
	// only makes a single choice replace a multi-choice ballot.
	only bool
	// unit is the member's unit, or "".
	unit string
	// member is what is known of the member's unit, for eligibility.
	member Membership
	// rosterKept reports whether the installation has a roster.
	rosterKept bool
	// now is when the vote was cast.
	now time.Time
	// res is what the vote did, as last decided.
	res VoteResult
}

// decide is the vote's DecideFunc: it refuses a vote the poll does not
// take, and otherwise returns the choices to record (none when nothing
// changes). The store may call it more than once; each call starts afresh.
func (s *Service) decide(v *vote, p *Poll, prior Prior) ([]int, error) {
	v.res = VoteResult{Poll: p, Unit: p.CountedUnit(v.unit)}
	if !p.OpenAt(v.now) {
		return nil, s.errNoVotes(p, v.now)
	}
	if why := p.Eligible.refusal(p.ID, v.member, v.rosterKept); why != "" {
		return nil, bot.Errorf(bot.EFORBIDDEN, "Nothing recorded. %s", why)
	}
	if p.Ranked {
		return v.decideRanked(p, prior)
	}
	if err := checkChoices(p, v.choices); err != nil {
		return nil, err
	}
	if p.Secret {
		return v.decideSecret(p, prior)
	}
	return v.decideOpen(p, prior)
}

// checkChoices refuses options the poll does not have and more choices
// than it takes.
func checkChoices(p *Poll, choices []int) error {
	for _, c := range choices {
		if c < 1 || c > len(p.Options) {
			return bot.Errorf(bot.EINVALID, "Poll %d has no option %d. Its options are %s.", p.ID, c, p.Labels(seq(len(p.Options))))
		}
	}
	if len(choices) <= p.MaxChoices {
		return nil
	}
	if p.MaxChoices == 1 {
		return bot.Errorf(bot.EINVALID, "Poll %d takes one choice; you gave %d. Vote for one option, e.g. /vote %d %d.", p.ID, len(choices), p.ID, choices[0])
	}
	return bot.Errorf(bot.EINVALID, "Poll %d takes up to %d choices; you gave %d.", p.ID, p.MaxChoices, len(choices))
}

// adds reports whether the vote adds one option to the member's choices:
// a single option named on a multi-choice poll, without --only.
func (v *vote) adds(p *Poll) bool { return p.Multi() && len(v.choices) == 1 && !v.only }

// decideSecret records a member's first secret ballot. A secret ballot
// cannot be changed, so a multi-choice one must name every choice at once.
func (v *vote) decideSecret(p *Poll, prior Prior) ([]int, error) {
	if prior.Voted {
		v.res.Outcome = AlreadyVoted
		return nil, nil
	}
	if v.adds(p) {
		return nil, bot.Errorf(bot.EINVALID, "Nothing recorded yet. Poll %d is a secret ballot where you may choose up to %d options, and a secret vote can't be changed once cast, so give all your choices at once, e.g. /vote %d 1 2. To choose only %s, type /vote %d %d --only.",
			p.ID, p.MaxChoices, p.ID, p.Label(v.choices[0]), p.ID, v.choices[0])
	}
	v.res.Outcome, v.res.After = Recorded, v.choices
	return v.choices, nil
}

// decideOpen records, changes or confirms an open ballot.
func (v *vote) decideOpen(p *Poll, prior Prior) ([]int, error) {
	v.res.Before = prior.Choices
	next, err := v.nextChoices(p, prior)
	if err != nil {
		return nil, err
	}
	// A vote that repeats the choices but comes from a member who has
	// since named another unit moves the ballot to that unit.
	if prior.Voted && slices.Equal(prior.Choices, next) && prior.Unit == v.res.Unit {
		v.res.Outcome, v.res.After = Unchanged, prior.Choices
		return nil, nil
	}
	v.res.Outcome, v.res.After = Recorded, next
	if prior.Voted {
		v.res.Outcome = Changed
	}
	return next, nil
}

// nextChoices returns the member's choices after the vote: the options
// named, or, when the vote adds one to an earlier ballot, the earlier
// choices with it. It refuses an addition past the poll's limit.
func (v *vote) nextChoices(p *Poll, prior Prior) ([]int, error) {
	if !v.adds(p) || !prior.Voted {
		return v.choices, nil
	}
	c := v.choices[0]
	if slices.Contains(prior.Choices, c) {
		return prior.Choices, nil
	}
	next := normalizeChoices(append(slices.Clone(prior.Choices), c))
	if len(next) > p.MaxChoices {
		return nil, bot.Errorf(bot.ECONFLICT, "You have already chosen the most poll %d allows (%d): %s. To change them, give your full list, e.g. /vote %d %s.",
			p.ID, p.MaxChoices, p.Labels(prior.Choices), p.ID, joinInts(normalizeChoices(append(slices.Clone(prior.Choices[:len(prior.Choices)-1]), c))))
	}
	return next, nil
}

func (s *Service) errNotFound(id int64) error {
	return bot.Errorf(bot.ENOTFOUND, "There is no poll %d. Type /poll list to see the open polls in this channel.", id)
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, " ")
}

// Results returns the poll's worked-out results.
func (s *Service) Results(ctx context.Context, id int64) (*Results, error) {
	t, err := s.store.Tally(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, s.errNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("tally poll %d: %w", id, err)
	}
	res := Compute(t, s.units, s.clock.Now())
	if res.Turnout, err = s.turnout(ctx, res); err != nil {
		return nil, fmt.Errorf("turnout of poll %d: %w", id, err)
	}
	if t.Poll.Ranked {
		rankings, err := s.store.Rankings(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("read rankings of poll %d: %w", id, err)
		}
		ro := InstantRunoff(len(t.Poll.Options), rankings)
		res.Runoff = &ro
	}
	return res, nil
}

// announcer posts a closed poll's result and final card.
type announcer interface {
	announce(ctx context.Context, p *Poll, r bot.Reply) error
	updateCard(ctx context.Context, p *Poll, c bot.Card) error
}

// posterAnnouncer posts through a Poster to the poll's own channel.
type posterAnnouncer struct{ p Poster }

func (a posterAnnouncer) announce(ctx context.Context, p *Poll, r bot.Reply) error {
	r.Thread = p.Thread
	return a.p.Send(ctx, p.Platform, bot.Destination{Channel: p.Channel, Thread: p.Thread}, r)
}

func (a posterAnnouncer) updateCard(ctx context.Context, p *Poll, c bot.Card) error {
	return a.p.UpdateCard(ctx, p.Platform, c)
}

// writerAnnouncer answers through the ResponseWriter of a message posted in
// the poll's channel.
type writerAnnouncer struct{ w bot.ResponseWriter }

func (a writerAnnouncer) announce(ctx context.Context, p *Poll, r bot.Reply) error {
	r.Thread = p.Thread
	return a.w.Reply(ctx, r)
}

func (a writerAnnouncer) updateCard(ctx context.Context, _ *Poll, c bot.Card) error {
	return a.w.UpdateCard(ctx, c)
}

// closeAndAnnounce closes the poll if it is still open and, only when this
// call closed it, posts the result and the final card. It reports whether
// this call closed the poll and how the result post stands; a failed post
// is recorded for a retry (see deliverResult). The error is a failure to
// close, or to record the post's outcome.
func (s *Service) closeAndAnnounce(ctx context.Context, p *Poll, by bot.User, a announcer) (bool, ResultPost, error) {
	at := s.clock.Now().UTC().Truncate(time.Second)
	if by.ID == ClosedBySchedule && p.Overdue(at) {
		// Voting ended at the deadline, however late this close comes
		// (after a restart, say); the result post says when it is sent.
		at = p.ClosesAt
	}
	won, err := s.store.ClosePoll(ctx, p.ID, by.ID, at)
	if err != nil {
		return false, ResultPost{}, fmt.Errorf("close poll %d: %w", p.ID, err)
	}
	if !won {
		return false, ResultPost{}, nil
	}
	s.log.InfoContext(ctx, "poll closed", "poll", p.ID, "by", by.ID)
	e := s.auditEntry(p.ID, AuditClose, by, "")
	if now := s.clock.Now().UTC().Truncate(time.Second); now.After(at) {
		e.Detail = "at its deadline; closed by Union Hall at " + bot.FormatWhen(now, s.loc)
	}
	e.At = at
	s.record(ctx, e)
	// The close put the result post in state sending: this caller owns it.
	rp, err := s.deliverResult(ctx, ResultPost{PollID: p.ID, State: ResultSending, ClosedAt: at}, a)
	return true, rp, err
}

// updateCard re-renders the poll's card from res.
func (s *Service) updateCard(ctx context.Context, res *Results, a announcer) error {
	c := Card(res, s.clock.Now(), s.loc)
	if err := a.updateCard(ctx, res.Poll, c); err != nil {
		return fmt.Errorf("update card of poll %d: %w", res.Poll.ID, err)
	}
	return nil
}

func (s *Service) cardLock(id int64) *sync.Mutex {
	return &s.cardLocks[uint64(id)%uint64(len(s.cardLocks))]
}

// refreshCard shows the poll's current tally on its card after a vote,
// unless the poll hides its counts or has closed. When many members vote at
// once, one caller keeps updating until the card shows every vote and the
// others return at once.
func (s *Service) refreshCard(ctx context.Context, id int64, a announcer) error {
	var errs []error
	s.refreshes.Do(id, func() {
		if err := s.showTally(ctx, id, a); err != nil {
			errs = append(errs, err)
		}
	})
	return errors.Join(errs...)
}

// showTally reads the tally and updates the card of an open poll.
func (s *Service) showTally(ctx context.Context, id int64, a announcer) error {
	mu := s.cardLock(id)
	mu.Lock()
	defer mu.Unlock()
	res, err := s.Results(ctx, id)
	if err != nil {
		return err
	}
	if res.Poll.Hidden || res.Poll.Closed() {
		return nil
	}
	return s.updateCard(ctx, res, a)
}

// CloseDue closes every poll whose deadline has passed and posts each
// result through the Poster to the poll's channel, then makes the due
// retries of result posts that failed earlier. Each poll is closed once
// and each result posted at most once, however many callers race. Failed
// posts are logged and retried, not returned; the error is a failure of
// the store.
func (s *Service) CloseDue(ctx context.Context) error {
	var errs []error
	if err := s.postDueEvents(ctx); err != nil {
		errs = append(errs, err)
	}
	due, err := s.store.DuePolls(ctx, s.clock.Now())
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("find polls due to close: %w", err))...)
	}
	for _, poll := range due {
		if _, _, err := s.closeAndAnnounce(ctx, poll, scheduleUser(), posterAnnouncer{s.poster}); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.retryResults(ctx, s.poster); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// maxWait bounds how long the closer sleeps, so a wall clock that jumps
// (a suspended machine) delays a close by at most this much.
const maxWait = time.Minute

// Run closes polls at their deadlines, and retries result posts that
// failed, until ctx ends. At start it marks the result posts a previous
// run left under way as uncertain (they are not posted again); then it
// closes every poll whose deadline passed while the process was down, then
// each at its time. It waits with a timer until the next deadline or retry
// and is woken early when a poll with a deadline is opened.
func (s *Service) Run(ctx context.Context) error {
	if s.nudges != nil {
		done := make(chan struct{})
		defer func() { <-done }()
		go func() {
			defer close(done)
			_ = s.runNudges(ctx)
		}()
	}
	if err := s.markInterrupted(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.ErrorContext(ctx, "checking for interrupted poll result posts", "err", err)
	}
	if err := s.markEventsInterrupted(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.ErrorContext(ctx, "checking for interrupted poll posts", "err", err)
	}
	for {
		if err := s.CloseDue(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log.ErrorContext(ctx, "closing due polls", "err", err)
		}
		wait := s.untilNext(ctx, "finding the next poll deadline", s.store.NextClose, maxWait)
		wait = s.untilNext(ctx, "finding the next poll result retry", s.store.NextResultTry, wait)
		wait = s.untilNext(ctx, "finding the next scheduled poll post", s.store.NextEvent, wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// untilNext returns how long until the time next finds, at most limit;
// limit when there is none, or when it cannot be read (logged as what).
func (s *Service) untilNext(ctx context.Context, what string, next func(context.Context) (time.Time, bool, error), limit time.Duration) time.Duration {
	at, ok, err := next(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.ErrorContext(ctx, what, "err", err)
	case ok:
		return min(max(at.Sub(s.clock.Now()), 0), limit)
	}
	return limit
}

// announcerFor returns how to post a poll's result when a request handled
// in req's channel closes it: the request's own writer when it is the
// poll's channel, otherwise the Poster.
func (s *Service) announcerFor(p *Poll, req *bot.Request, w bot.ResponseWriter) announcer {
	if req.Platform == p.Platform && req.Channel.ID == p.Channel {
		return writerAnnouncer{w}
	}
	return posterAnnouncer{s.poster}
}
