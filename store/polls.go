package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/polls"
)

// CounterUnits returns the units a poll keeps vote counters for: "" for
// voters who named none, then each unit of its coalition. Every counter
// is created, at zero, when the poll is stored.
func CounterUnits(p *polls.Poll) []string {
	units := []string{""}
	if p.Coalition != nil {
		for _, u := range p.Coalition.Units {
			units = append(units, u.Name)
		}
	}
	return units
}

// RecordResultPost implements polls.Store.RecordResultPost for an engine,
// given update, which writes rp's outcome on its poll if the poll's
// result post is in state sending or uncertain, and returns how many
// polls it changed. It refuses an outcome that cannot be recorded, and
// one for a post that was not under way.
func RecordResultPost(rp polls.ResultPost, update func() (int64, error)) error {
	switch rp.State {
	case polls.ResultSending, polls.ResultRetry, polls.ResultPosted, polls.ResultFailed:
	default:
		return fmt.Errorf("record result post of poll %d: cannot record state %q", rp.PollID, rp.State)
	}
	if rp.State == polls.ResultRetry && rp.NextTry.IsZero() {
		return fmt.Errorf("record result post of poll %d: a retry needs a time", rp.PollID)
	}
	n, err := update()
	switch {
	case err != nil:
		return fmt.Errorf("record result post of poll %d: %w", rp.PollID, err)
	case n != 1:
		return fmt.Errorf("record result post of poll %d: not in sending state", rp.PollID)
	}
	return nil
}

// CountedChoices returns the options of a ballot that its poll's vote
// counters count: every choice, or on a ranked poll only the first
// preference (the rest of a ranking is counted per distinct ranking).
func CountedChoices(p *polls.Poll, choices []int) []int {
	if p.Ranked && len(choices) > 1 {
		return choices[:1]
	}
	return choices
}

// PollEvents returns the posts a new poll makes on its own, each due:
// its opening when it is scheduled, and its reminder before it closes.
// CreatePoll stores them with the poll.
func PollEvents(p *polls.Poll) []polls.Event {
	var es []polls.Event
	if !p.OpensAt.IsZero() {
		es = append(es, polls.Event{PollID: p.ID, Kind: polls.EventOpening, At: p.OpensAt, State: polls.EventDue})
	}
	if p.RemindBefore > 0 && !p.ClosesAt.IsZero() {
		es = append(es, polls.Event{PollID: p.ID, Kind: polls.EventReminder, At: p.ClosesAt.Add(-p.RemindBefore).Truncate(time.Second), State: polls.EventDue})
	}
	return es
}

// FinishEvent implements polls.EventStore.FinishEvent for an engine,
// given update, which writes e's outcome if it is in state sending and
// returns how many events it changed.
func FinishEvent(e polls.Event, update func() (int64, error)) error {
	switch e.State {
	case polls.EventDue, polls.EventSent, polls.EventSkipped, polls.EventFailed:
	default:
		return fmt.Errorf("record %s of poll %d: cannot record state %q", e.Kind, e.PollID, e.State)
	}
	n, err := update()
	switch {
	case err != nil:
		return fmt.Errorf("record %s of poll %d: %w", e.Kind, e.PollID, err)
	case n != 1:
		return fmt.Errorf("record %s of poll %d: not in sending state", e.Kind, e.PollID)
	}
	return nil
}

// DeletedPoll is the outcome of an engine's DeletePoll transaction (see
// polls.Store.DeletePoll): polls.ErrNotFound as it is, any other error
// with the poll named.
func DeletedPoll(id int64, deleted bool, err error) (bool, error) {
	switch {
	case errors.Is(err, polls.ErrNotFound):
		return false, err
	case err != nil:
		return false, fmt.Errorf("delete poll %d: %w", id, err)
	}
	return deleted, nil
}
