package polls

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
)

// ResultState is where a closed poll's result post stands.
type ResultState string

// Result post states. See store/sqlite/migrations/0006_poll_result_posts.sql.
const (
	// ResultNone is the state of an open poll.
	ResultNone ResultState = ""
	// ResultSending means an attempt to post is under way. The close
	// itself puts a poll in this state, so the caller that closed it owns
	// the first attempt; a retry claims it from ResultRetry.
	ResultSending ResultState = "sending"
	// ResultRetry means an attempt failed and another is due at NextTry.
	ResultRetry ResultState = "retry"
	// ResultPosted means the result was posted and the final card shown.
	ResultPosted ResultState = "posted"
	// ResultFailed means attempts went on for ResultRetryWindow after the
	// close, all failed, and Union Hall gave up.
	ResultFailed ResultState = "failed"
	// ResultUncertain means Union Hall stopped during an attempt to post,
	// so whether the result reached the channel is unknown. It is not
	// posted again.
	ResultUncertain ResultState = "uncertain"
)

// The retry policy of a result post that failed: the first retry comes
// FirstRetryDelay after the failure, each further one twice as long after
// the one before, at most MaxRetryDelay apart, and the last one at
// ResultRetryWindow after the poll closed. A failure at or after that gives
// up.
const (
	// FirstRetryDelay is the wait after the first failed attempt.
	FirstRetryDelay = time.Minute
	// MaxRetryDelay is the longest wait between attempts.
	MaxRetryDelay = 30 * time.Minute
	// ResultRetryWindow is how long after the close attempts go on.
	ResultRetryWindow = 24 * time.Hour
)

// RetryDelay returns the wait before the next attempt after the given
// number of failed attempts (1 or more): 1, 2, 4 … minutes, at most 30.
func RetryDelay(failed int) time.Duration {
	return backoff.Policy{Initial: FirstRetryDelay, Max: MaxRetryDelay}.Delay(failed)
}

// ResultPost is the record of a closed poll's result post.
type ResultPost struct {
	// PollID is the poll.
	PollID int64
	// State is where the post stands.
	State ResultState
	// ClosedAt is when the poll closed; attempts stop ResultRetryWindow
	// after it.
	ClosedAt time.Time
	// PostedAt is when the result post succeeded; zero until it has. A
	// later attempt then only shows the final card.
	PostedAt time.Time
	// Attempts counts the failed attempts.
	Attempts int
	// NextTry is when the next attempt is due (state ResultRetry).
	NextTry time.Time
	// Error is what the last failed attempt reported.
	Error string
}

// lateAnnouncement is how long after a poll's deadline its first result
// post says that it comes late, and when the poll really closed.
const lateAnnouncement = 2 * time.Minute

// maxErrorText bounds the error text kept with a result post.
const maxErrorText = 500

// deliverResult makes one attempt, owned by this caller (rp is in state
// ResultSending), to post poll rp.PollID's result through a and show its
// final card, and records the outcome: posted, or a retry with backoff, or
// failed once the retry window has passed. Failures are logged here. It
// returns the post as recorded, and an error only when the outcome could
// not be stored.
func (s *Service) deliverResult(ctx context.Context, rp ResultPost, a announcer) (ResultPost, error) {
	// The poll is closed for good; post its result even if the caller is
	// shutting down.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err := s.attemptResult(ctx, &rp, a)
	now := s.clock.Now().UTC().Truncate(time.Second)
	if err == nil {
		if rp.Attempts > 0 {
			s.log.InfoContext(ctx, "poll result posted after failed attempts", "poll", rp.PollID, "attempts", rp.Attempts+1)
		}
		rp.State, rp.NextTry, rp.Error = ResultPosted, time.Time{}, ""
		if err := s.store.RecordResultPost(ctx, rp); err != nil {
			return rp, fmt.Errorf("record result post of poll %d: %w", rp.PollID, err)
		}
		return rp, nil
	}
	rp.Attempts++
	rp.Error = bot.Truncate(err.Error(), maxErrorText)
	what := "result"
	if !rp.PostedAt.IsZero() {
		what = "final card"
	}
	giveUp := rp.ClosedAt.Add(ResultRetryWindow)
	if now.Before(giveUp) {
		rp.State = ResultRetry
		rp.NextTry = now.Add(RetryDelay(rp.Attempts))
		if rp.NextTry.After(giveUp) {
			rp.NextTry = giveUp
		}
		s.log.WarnContext(ctx, "posting a poll "+what+" failed; will retry", "poll", rp.PollID,
			"attempts", rp.Attempts, "next_try", rp.NextTry, "err", err)
	} else {
		rp.State, rp.NextTry = ResultFailed, time.Time{}
		s.log.ErrorContext(ctx, "gave up posting a poll "+what, "poll", rp.PollID,
			"attempts", rp.Attempts, "closed_at", rp.ClosedAt, "err", err)
	}
	if err := s.store.RecordResultPost(ctx, rp); err != nil {
		return rp, fmt.Errorf("record result post of poll %d: %w", rp.PollID, err)
	}
	return rp, nil
}

// attemptResult posts the result unless it has been posted already, then
// re-renders the final card. It sets rp.PostedAt, and stores it, as soon
// as the post succeeds, so a failure after it never posts the result again.
func (s *Service) attemptResult(ctx context.Context, rp *ResultPost, a announcer) error {
	res, err := s.Results(ctx, rp.PollID)
	if err != nil {
		return err
	}
	if rp.PostedAt.IsZero() {
		now := s.clock.Now()
		report := Report(res, now, s.loc)
		text := fmt.Sprintf("Poll %d has closed. Final result:", rp.PollID)
		switch {
		case rp.Attempts > 0:
			text = fmt.Sprintf("Poll %d closed %s. Final result:", rp.PollID, bot.FormatWhen(rp.ClosedAt, s.loc))
		case now.Sub(rp.ClosedAt) > lateAnnouncement:
			text = fmt.Sprintf("Poll %d closed at its deadline, %s. Its result is announced late, now (%s), as Union Hall could not announce it then; no vote after the deadline was counted. Final result:",
				rp.PollID, bot.FormatWhen(rp.ClosedAt, s.loc), bot.FormatWhen(now, s.loc))
		}
		if err := a.announce(ctx, res.Poll, bot.Reply{Text: text, Card: &report}); err != nil {
			return fmt.Errorf("post result of poll %d: %w", rp.PollID, err)
		}
		rp.PostedAt = now.UTC().Truncate(time.Second)
		if err := s.store.RecordResultPost(ctx, *rp); err != nil {
			// The final record below stores it again; until then a crash
			// leaves the post "uncertain", never posted twice.
			s.log.ErrorContext(ctx, "recording a posted poll result", "poll", rp.PollID, "err", err)
		}
		// The chart goes with the first post only, and is not retried:
		// the result it draws is in the post already.
		if chart, ok := s.chartReply(ctx, res); ok {
			if err := a.announce(ctx, res.Poll, chart); err != nil {
				s.log.WarnContext(ctx, "posting a poll result chart", "poll", rp.PollID, "err", err)
			}
		}
	}
	mu := s.cardLock(rp.PollID)
	mu.Lock()
	defer mu.Unlock()
	return s.updateCard(ctx, res, a)
}

// retryResults makes the due retries of result posts through p. Each is
// claimed with a conditional update first, so racing callers post it once.
func (s *Service) retryResults(ctx context.Context, p Poster) error {
	now := s.clock.Now()
	due, err := s.store.DueResultPosts(ctx, now)
	if err != nil {
		return fmt.Errorf("find poll results to post again: %w", err)
	}
	var errs []error
	for _, d := range due {
		rp, ok, err := s.store.ClaimResultPost(ctx, d.PollID, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("claim result post of poll %d: %w", d.PollID, err))
			continue
		}
		if !ok {
			continue
		}
		if _, err := s.deliverResult(ctx, rp, posterAnnouncer{p}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// markInterrupted handles result posts left under way by a previous run:
// it marks them uncertain (or, when only the card was left, due for a
// retry) and logs an error for each uncertain one.
func (s *Service) markInterrupted(ctx context.Context) error {
	ps, err := s.store.MarkResultsInterrupted(ctx, s.clock.Now().UTC().Truncate(time.Second))
	if err != nil {
		return fmt.Errorf("mark interrupted poll result posts: %w", err)
	}
	for _, rp := range ps {
		s.log.ErrorContext(ctx, "Union Hall stopped while posting a poll result; it may or may not have been posted, and is not posted again. Check the poll's channel.",
			"poll", rp.PollID, "closed_at", rp.ClosedAt)
	}
	return nil
}

// resultNote tells a steward about a closed poll's result that has not
// been posted in its channel, or returns "" when it has been.
func (s *Service) resultNote(rp ResultPost, now time.Time) string {
	if !rp.PostedAt.IsZero() {
		return ""
	}
	switch rp.State {
	case ResultRetry:
		return fmt.Sprintf("For stewards: the result of poll %d has not been posted in its channel yet (%s failed). I will try again %s, and keep trying until %s.",
			rp.PollID, bot.Plural(rp.Attempts, "attempt"), bot.FormatRelative(rp.NextTry, now), bot.FormatWhen(rp.ClosedAt.Add(ResultRetryWindow), s.loc))
	case ResultSending:
		return fmt.Sprintf("For stewards: the result of poll %d is being posted in its channel right now.", rp.PollID)
	case ResultFailed:
		return fmt.Sprintf("For stewards: the announcement of poll %d's result failed. I tried %s over %s after it closed and gave up, so members have not seen it in the channel. Please share this result there.",
			rp.PollID, bot.Plural(rp.Attempts, "time"), bot.Plural(int(ResultRetryWindow.Hours()), "hour"))
	case ResultUncertain:
		return fmt.Sprintf("For stewards: Union Hall stopped while posting the result of poll %d, so I cannot tell whether it reached the channel, and I will not post it again by myself. Please check the channel and share this result if it is missing.", rp.PollID)
	}
	return ""
}
