package polls

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// EventKind is a post a poll makes on its own at a set time.
type EventKind string

// The posts a poll makes on its own.
const (
	// EventOpening posts the card of a poll scheduled with --opens.
	EventOpening EventKind = "opening"
	// EventReminder reminds the channel that the poll closes soon
	// (--remind).
	EventReminder EventKind = "reminder"
)

// EventState is where such a post stands. See
// store/sqlite/migrations/0012_poll_events.sql.
type EventState string

// Event states.
const (
	// EventDue waits for its time (again, after a failed attempt).
	EventDue EventState = "due"
	// EventSending is claimed by one poster, which is posting it.
	EventSending EventState = "sending"
	// EventSent was posted.
	EventSent EventState = "sent"
	// EventSkipped was not posted because it no longer applied: a
	// reminder for a poll already closed.
	EventSkipped EventState = "skipped"
	// EventFailed was given up after EventRetryWindow of failures.
	EventFailed EventState = "failed"
	// EventUncertain was under way when Union Hall stopped; it is not
	// posted again.
	EventUncertain EventState = "uncertain"
)

// EventRetryWindow is how long after its time a failed post is retried.
const EventRetryWindow = 24 * time.Hour

// Event is one post a poll makes on its own.
type Event struct {
	// PollID is the poll.
	PollID int64
	// Kind is what is posted.
	Kind EventKind
	// At is when it is due (the next try, after a failure).
	At time.Time
	// State is where it stands.
	State EventState
	// Attempts counts the failed attempts.
	Attempts int
	// Error is what the last failed attempt reported.
	Error string
}

// EventStore is the part of Store that keeps the posts polls make on
// their own. CreatePoll creates a poll's events: an opening at OpensAt
// when it is set, a reminder RemindBefore before ClosesAt when that is
// set.
type EventStore interface {
	// DueEvents returns the events in state EventDue whose time is at or
	// before t, earliest first.
	DueEvents(ctx context.Context, t time.Time) ([]Event, error)
	// ClaimEvent moves e from EventDue to EventSending if its time is at
	// or before t, and reports whether this call did: exactly one of
	// racing callers gets true.
	ClaimEvent(ctx context.Context, e Event, t time.Time) (bool, error)
	// FinishEvent records the outcome of a claimed event: its state, time,
	// attempts and error. It refuses an event that is not EventSending.
	FinishEvent(ctx context.Context, e Event) error
	// NextEvent returns the earliest time of the events in state EventDue.
	NextEvent(ctx context.Context) (time.Time, bool, error)
	// MarkEventsInterrupted is called once at start-up: it marks every
	// event left in EventSending EventUncertain and returns them.
	MarkEventsInterrupted(ctx context.Context) ([]Event, error)
}

// postDueEvents posts every event that is due, each claimed first so it
// is posted once however many callers race. Failures are logged and
// retried; the error is a failure of the store.
func (s *Service) postDueEvents(ctx context.Context) error {
	now := s.clock.Now()
	due, err := s.store.DueEvents(ctx, now)
	if err != nil {
		return fmt.Errorf("find poll posts due: %w", err)
	}
	var errs []error
	for _, e := range due {
		ok, err := s.store.ClaimEvent(ctx, e, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("claim %s of poll %d: %w", e.Kind, e.PollID, err))
			continue
		}
		if !ok {
			continue
		}
		if err := s.deliverEvent(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deliverEvent posts a claimed event and records how it went.
func (s *Service) deliverEvent(ctx context.Context, e Event) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	sent, err := s.postEvent(ctx, e)
	now := s.clock.Now().UTC().Truncate(time.Second)
	switch {
	case err == nil && sent:
		e.State, e.Error = EventSent, ""
		s.log.InfoContext(ctx, "poll "+string(e.Kind)+" posted", "poll", e.PollID)
	case err == nil:
		e.State = EventSkipped
	default:
		e.Attempts++
		e.Error = bot.Truncate(err.Error(), maxErrorText)
		next := now.Add(RetryDelay(e.Attempts))
		if next.Before(e.At.Add(EventRetryWindow)) && e.Attempts < 64 {
			e.State = EventDue
			s.log.WarnContext(ctx, "posting a poll "+string(e.Kind)+" failed; will retry", "poll", e.PollID, "attempts", e.Attempts, "next_try", next, "err", err)
			e.At = next
		} else {
			e.State = EventFailed
			s.log.ErrorContext(ctx, "gave up posting a poll "+string(e.Kind), "poll", e.PollID, "attempts", e.Attempts, "err", err)
		}
	}
	if err := s.store.FinishEvent(ctx, e); err != nil {
		return fmt.Errorf("record %s of poll %d: %w", e.Kind, e.PollID, err)
	}
	return nil
}

// postEvent posts e. It reports false, with no error, when the event no
// longer applies (the poll was deleted or has closed).
func (s *Service) postEvent(ctx context.Context, e Event) (bool, error) {
	res, err := s.Results(ctx, e.PollID)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p, now := res.Poll, s.clock.Now()
	if !p.OpenAt(now) {
		return false, nil
	}
	dest := bot.Destination{Channel: p.Channel, Thread: p.Thread}
	switch e.Kind {
	case EventOpening:
		c := Card(res, now, s.loc)
		return true, s.poster.Send(ctx, p.Platform, dest, bot.Reply{Card: &c, Thread: p.Thread})
	case EventReminder:
		text := fmt.Sprintf("Poll %d, %q, closes %s (%s). Vote with the buttons on its card or /vote %d <option>; /poll results %d shows the tally.",
			p.ID, bot.Truncate(p.Question, 80), bot.FormatRelative(p.ClosesAt, now), bot.FormatWhen(p.ClosesAt, s.loc), p.ID, p.ID)
		if p.Hidden {
			text = fmt.Sprintf("Poll %d, %q, closes %s (%s). Vote with the buttons on its card or /vote %d <option>.",
				p.ID, bot.Truncate(p.Question, 80), bot.FormatRelative(p.ClosesAt, now), bot.FormatWhen(p.ClosesAt, s.loc), p.ID)
		}
		return true, s.poster.Send(ctx, p.Platform, dest, bot.Reply{Text: text, Thread: p.Thread})
	}
	return false, fmt.Errorf("poll %d: unknown post %q", e.PollID, e.Kind)
}

// markEventsInterrupted marks the posts a previous run left under way as
// uncertain, with an error log for each: they are not posted again.
func (s *Service) markEventsInterrupted(ctx context.Context) error {
	es, err := s.store.MarkEventsInterrupted(ctx)
	if err != nil {
		return fmt.Errorf("mark interrupted poll posts: %w", err)
	}
	for _, e := range es {
		s.log.ErrorContext(ctx, "Union Hall stopped while posting a poll "+string(e.Kind)+"; it may or may not have been posted, and is not posted again. Check the poll's channel.",
			"poll", e.PollID)
	}
	return nil
}

// checkSchedule refuses an opening or reminder time that cannot work.
func (s *Service) checkSchedule(p *Poll, now time.Time) error {
	if !p.OpensAt.IsZero() {
		switch {
		case !p.OpensAt.After(now):
			return bot.Errorf(bot.EINVALID, "The opening time %s is in the past. Give a time in the future, e.g. --opens in 2h, or leave --opens out to open the poll now.", bot.FormatWhen(p.OpensAt, s.loc))
		case p.OpensAt.Sub(now) > MaxDuration:
			return bot.Errorf(bot.EINVALID, "The opening time %s is more than a year away. Give a nearer time.", bot.FormatWhen(p.OpensAt, s.loc))
		case !p.ClosesAt.IsZero() && !p.ClosesAt.After(p.OpensAt):
			return bot.Errorf(bot.EINVALID, "The poll would close (%s) before it opens (%s). Give a close time after the opening.", bot.FormatWhen(p.ClosesAt, s.loc), bot.FormatWhen(p.OpensAt, s.loc))
		}
	}
	if p.RemindBefore == 0 {
		return nil
	}
	if p.ClosesAt.IsZero() {
		return bot.Errorf(bot.EINVALID, "--remind reminds the channel before the poll closes, so it needs a close time: add --closes, e.g. --closes in 2d --remind 1h.")
	}
	at := p.ClosesAt.Add(-p.RemindBefore)
	start := now
	if p.OpensAt.After(now) {
		start = p.OpensAt
	}
	if !at.After(start) {
		return bot.Errorf(bot.EINVALID, "A reminder %s before the close would come at %s, before the poll is open. Use a shorter --remind, or a later --closes.", spanText(p.RemindBefore), bot.FormatWhen(at, s.loc))
	}
	return nil
}

// spanText writes a lead time such as 90 minutes as "1 hour 30 minutes".
func spanText(d time.Duration) string {
	days, d := int(d/(24*time.Hour)), d%(24*time.Hour)
	hours, d := int(d/time.Hour), d%time.Hour
	minutes := int(d / time.Minute)
	var parts []string
	for _, u := range []struct {
		n    int
		noun string
	}{{days, "day"}, {hours, "hour"}, {minutes, "minute"}} {
		if u.n > 0 {
			parts = append(parts, bot.Plural(u.n, u.noun))
		}
	}
	if len(parts) == 0 {
		return "less than a minute"
	}
	return strings.Join(parts, " ")
}

// readSchedule reads --opens and --remind into req.
func (s *Service) readSchedule(r *bot.Request, req *OpenRequest) error {
	if r.Has("opens") {
		t, err := bot.ParseWhen(r.Arg("opens"), s.clock.Now(), s.loc)
		if err != nil {
			return err
		}
		req.OpensAt = t
	}
	if r.Has("remind") {
		d, err := bot.ParseDuration(strings.TrimPrefix(strings.TrimSpace(r.Arg("remind")), "in "))
		if err != nil {
			return bot.Errorf(bot.EINVALID, "--remind takes how long before the close to remind the channel, like --remind 1h: %s", bot.ErrorMessage(err))
		}
		req.RemindBefore = d
	}
	return nil
}

// scheduledText confirms a scheduled poll to the steward who opened it.
func scheduledText(p *Poll, now time.Time, loc *time.Location) string {
	s := fmt.Sprintf("Poll %d is scheduled: its card will be posted in this channel %s (%s), and votes taken from then on.", p.ID, bot.FormatRelative(p.OpensAt, now), bot.FormatWhen(p.OpensAt, loc))
	if !p.ClosesAt.IsZero() {
		s += fmt.Sprintf(" It closes %s.", bot.FormatWhen(p.ClosesAt, loc))
	}
	if p.RemindBefore > 0 {
		s += fmt.Sprintf(" A reminder goes out %s before it closes.", spanText(p.RemindBefore))
	}
	return s + fmt.Sprintf(" /poll delete %d cancels it.", p.ID)
}
