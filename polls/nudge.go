package polls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/pace"
)

// nudgePace is the time between two direct messages of a nudge on
// platform: the platform's pace for direct messages to many members
// (pace.DirectMessages), which keeps within its rate limits.
func nudgePace(platform string) time.Duration { return pace.DirectMessages(platform).Interval() }

// NudgeStore keeps the automatic nudges of polls (--nudge) and tells who
// has voted, so a nudge reaches only members who have not. store/sqlite
// and store/postgres implement it.
type NudgeStore interface {
	// ScheduleNudge records that poll id's members are to be nudged at t.
	ScheduleNudge(ctx context.Context, id int64, t time.Time) error
	// DueNudges returns the polls whose nudge is due at or before t and
	// not yet claimed, earliest first.
	DueNudges(ctx context.Context, t time.Time) ([]int64, error)
	// ClaimNudge marks poll id's nudge as sent at t if no one has claimed
	// it, and reports whether this call did. Exactly one of racing
	// callers, in any process, gets true.
	ClaimNudge(ctx context.Context, id int64, t time.Time) (bool, error)
	// NextNudge returns the earliest due time of the unclaimed nudges.
	NextNudge(ctx context.Context) (time.Time, bool, error)
	// Participants returns the members who have voted in poll id, open or
	// secret ballot alike (a secret ballot records who took part, never
	// what they chose).
	Participants(ctx context.Context, id int64) ([]string, error)
}

// nudgeJob is one nudge to send: a poll's eligible members who have not
// voted, and the steward to tell how many were reached.
type nudgeJob struct {
	poll    *Poll
	members []string
	steward string
	// vague withholds the counts from the steward (see vagueCounts).
	vague bool
	// scheduled marks a nudge asked for with --nudge, sent on schedule.
	scheduled bool
}

// vagueCounts reports whether the steward must not be told how many
// members a nudge reaches: on a secret ballot, when either those who have
// not voted or those who have are fewer than MinSecretSplit, an exact
// count would come close to telling whether a given member voted.
func vagueCounts(p *Poll, pending, eligible int) bool {
	return p.Secret && (pending < MinSecretSplit || eligible-pending < MinSecretSplit)
}

// vagueNote stands in for a nudge's counts on a small secret ballot.
const vagueNote = "I don't give the number on a secret ballot this small, since it could tell who voted."

// checkNudgeable refuses a nudge for a poll whose voters the bot cannot
// list (see eligibleMembers).
func (s *Service) checkNudgeable(ctx context.Context, p *Poll) error {
	_, err := s.eligibleMembers(ctx, p)
	return err
}

// eligibleMembers returns the members of poll p's platform who may vote in
// it, or an EINVALID error saying why the bot cannot list them. Only a
// poll limited with --roster or --units has a known set: the roster's
// members when one is imported; otherwise, on a poll limited to units
// each of which names a group the platform lists (a Discord role, a Slack
// user group), the members of those groups, but for members in two units'
// groups, who count for none.
func (s *Service) eligibleMembers(ctx context.Context, p *Poll) ([]string, error) {
	if s.nudges == nil || s.roster == nil {
		return nil, bot.Errorf(bot.EINVALID, "Nudges are not available here: this installation keeps no roster.")
	}
	if !p.Eligible.Limited() {
		return nil, bot.Errorf(bot.EINVALID, "Poll %d is open to everyone in its channel, so I don't know who may vote and has not. Nudges work on polls limited with --roster or --units, once a roster is imported.", p.ID)
	}
	kept, err := s.roster.HasRoster(ctx)
	if err != nil {
		return nil, fmt.Errorf("read roster: %w", err)
	}
	if kept {
		members, err := s.roster.RosterMembers(ctx, p.Eligible.Units)
		if err != nil {
			return nil, fmt.Errorf("nudge poll %d: %w", p.ID, err)
		}
		prefix := p.Platform + ":"
		return slices.DeleteFunc(members, func(m string) bool { return !strings.HasPrefix(m, prefix) }), nil
	}
	if members, ok := s.groupsMembers(p); ok {
		return members, nil
	}
	return nil, bot.Errorf(bot.EINVALID, "No roster has been imported, so I don't know who may vote in poll %d. Import one with unionhall roster import FILE.csv.", p.ID)
}

// groupsMembers returns the members of the platform groups of the units
// poll p is limited to, but for members in two units' groups, sorted, and
// false unless the poll is limited to units only and the platform lists
// every one of their groups.
func (s *Service) groupsMembers(p *Poll) ([]string, bool) {
	if p.Eligible.Roster || len(p.Eligible.Units) == 0 {
		return nil, false
	}
	groups := s.readUnitGroups(p.Platform)
	var out []string
	for _, name := range p.Eligible.Units {
		ids, ok := groups.listed[name]
		if !ok {
			return nil, false
		}
		for _, id := range ids {
			if len(groups.byMember[id]) == 1 {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out, true
}

// newNudge returns the nudge of poll p on behalf of steward: the members
// of p's platform who may vote in it and have not.
func (s *Service) newNudge(ctx context.Context, p *Poll, steward string) (nudgeJob, error) {
	members, err := s.eligibleMembers(ctx, p)
	if err != nil {
		return nudgeJob{}, err
	}
	voted, err := s.voted(ctx, p.ID)
	if err != nil {
		return nudgeJob{}, err
	}
	eligible := len(members)
	members = slices.DeleteFunc(members, func(m string) bool { return voted[m] })
	return nudgeJob{poll: p, members: members, steward: steward, vague: vagueCounts(p, len(members), eligible)}, nil
}

// voted returns the set of members who have voted in poll id.
func (s *Service) voted(ctx context.Context, id int64) (map[string]bool, error) {
	ids, err := s.nudges.Participants(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("nudge poll %d: %w", id, err)
	}
	set := make(map[string]bool, len(ids))
	for _, m := range ids {
		set[m] = true
	}
	return set, nil
}

// nudgeNote is the direct message a nudged member gets above the poll's
// card.
func nudgeNote(p *Poll, now time.Time, loc *time.Location) string {
	when := "It is open until a steward closes it."
	if !p.ClosesAt.IsZero() {
		when = fmt.Sprintf("It closes %s (%s).", bot.FormatWhen(p.ClosesAt, loc), bot.FormatRelative(p.ClosesAt, now))
	}
	return fmt.Sprintf("A reminder from your union: you may vote in poll %d and have not yet. %s You can vote with the buttons below, or with /vote %d <option> here or in the poll's channel. %s",
		p.ID, when, p.ID, StrawPollNotice)
}

// sendNudges messages each member of job privately, one every interval,
// skipping those who vote meanwhile and stopping when the poll closes or
// ctx ends. It returns how many were messaged, and how many could not be
// reached (direct messages closed), each such failure logged.
func (s *Service) sendNudges(ctx context.Context, job nudgeJob) (sent, failed int, err error) {
	p := job.poll
	paced := true // no message sent since the last wait
	for _, m := range job.members {
		if !paced {
			if err := backoff.Sleep(ctx, s.clock, nudgePace(p.Platform)); err != nil {
				return sent, failed, err
			}
			paced = true
		}
		// Who has voted is read again before every message (at the nudge
		// pace, a small read), so a member who votes meanwhile is spared.
		voted, err := s.voted(ctx, p.ID)
		if err != nil {
			return sent, failed, err
		}
		if voted[m] {
			continue
		}
		now := s.clock.Now()
		res, err := s.Results(ctx, p.ID)
		if err != nil {
			return sent, failed, err
		}
		if !res.Poll.OpenAt(now) {
			return sent, failed, nil
		}
		c := Card(res, now, s.loc)
		r := bot.Reply{Text: nudgeNote(p, now, s.loc), Card: &c, Private: true}
		paced = false
		if err := s.poster.Send(ctx, p.Platform, bot.Destination{User: m}, r); err != nil {
			if ctx.Err() != nil {
				return sent, failed, ctx.Err()
			}
			if errors.Is(err, bot.ErrDirectMessagesRefused) {
				return sent, failed, fmt.Errorf("nudge poll %d: %w", p.ID, err)
			}
			failed++
			s.log.WarnContext(ctx, "a nudge could not be delivered", "poll", p.ID, "err", err)
			continue
		}
		sent++
	}
	return sent, failed, nil
}

// runNudge sends one nudge and tells the steward how many members it
// reached, and nothing about who.
func (s *Service) runNudge(ctx context.Context, job nudgeJob) {
	sent, failed, err := s.sendNudges(ctx, job)
	p := job.poll
	s.log.InfoContext(ctx, "poll nudge sent", "poll", p.ID, "nudged", sent, "unreachable", failed, "err", err)
	if ctx.Err() != nil || job.steward == "" {
		return
	}
	msg := fmt.Sprintf("Poll %d: I reminded %s who may vote and had not.", p.ID, members(sent))
	switch {
	case job.vague:
		msg = fmt.Sprintf("Poll %d: I reminded the members who may vote and had not. %s", p.ID, vagueNote)
	case failed > 0:
		msg += fmt.Sprintf(" %s could not be reached (direct messages closed).", members(failed))
	}
	switch {
	case errors.Is(err, bot.ErrDirectMessagesRefused):
		msg += fmt.Sprintf(" Then the platform stopped me from opening more direct messages (its protection against mass messages), so the others were not reminded: remind them in the channel, or try /poll nudge %d again in a few hours.", p.ID)
	case err != nil:
		msg += " The nudge stopped early because of an error; it is logged."
	}
	by := job.steward
	if job.scheduled {
		by = ClosedBySchedule
	}
	s.recordNudge(ctx, p.ID, by, msg)
	if err := s.poster.Send(ctx, p.Platform, bot.Destination{User: job.steward}, bot.Reply{Text: msg, Private: true}); err != nil {
		s.log.WarnContext(ctx, "telling the steward how many were nudged", "poll", p.ID, "err", err)
	}
}

// recordNudge records in poll id's audit trail that by (a steward's ID,
// or ClosedBySchedule) had its members nudged; detail is what the steward
// was told, counts only.
func (s *Service) recordNudge(ctx context.Context, id int64, by, detail string) {
	s.record(ctx, s.auditEntry(id, AuditNudge, bot.User{ID: by}, detail))
}

// members says "1 member" or "12 members".
func members(n int) string {
	if n == 1 {
		return "1 member"
	}
	return thousands(n) + " members"
}

// Nudge starts nudging the members who may vote in poll id and have not,
// on behalf of steward, and returns how many it will message, and whether
// that number must be kept from the steward (vagueCounts). The messages go
// out at the nudge pace from the background job (Run); the steward is told
// how many were reached when it is done.
func (s *Service) Nudge(ctx context.Context, id int64, steward string) (int, bool, error) {
	p, err := s.store.Poll(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return 0, false, s.errNotFound(id)
	}
	if err != nil {
		return 0, false, fmt.Errorf("read poll %d: %w", id, err)
	}
	if !p.OpenAt(s.clock.Now()) {
		return 0, false, s.errClosed(p)
	}
	if err := s.checkNudgeable(ctx, p); err != nil {
		return 0, false, err
	}
	job, err := s.newNudge(ctx, p, steward)
	if err != nil || len(job.members) == 0 {
		return 0, job.vague, err
	}
	select {
	case s.nudgeJobs <- job:
		return len(job.members), job.vague, nil
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
}

// runNudges sends the nudges stewards ask for and the scheduled ones when
// they are due, one nudge at a time, until ctx ends.
func (s *Service) runNudges(ctx context.Context) error {
	for {
		s.nudgeDue(ctx)
		wait := s.untilNext(ctx, "finding the next poll nudge", s.nudges.NextNudge, maxWait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case job := <-s.nudgeJobs:
			t.Stop()
			s.runNudge(ctx, job)
		case <-s.nudgeWake:
			t.Stop()
		case <-t.C:
		}
	}
}

// nudgeDue claims and sends every scheduled nudge that is due. A claimed
// nudge is never sent again, even after a restart: a nudge is sent at most
// once.
func (s *Service) nudgeDue(ctx context.Context) {
	now := s.clock.Now()
	ids, err := s.nudges.DueNudges(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "finding due poll nudges", "err", err)
		}
		return
	}
	for _, id := range ids {
		won, err := s.nudges.ClaimNudge(ctx, id, now)
		if err != nil || !won {
			if err != nil {
				s.log.ErrorContext(ctx, "claiming a poll nudge", "poll", id, "err", err)
			}
			continue
		}
		p, err := s.store.Poll(ctx, id)
		if err == nil && p.OpenAt(now) {
			var job nudgeJob
			if job, err = s.newNudge(ctx, p, p.OpenedBy); err == nil {
				job.scheduled = true
				s.runNudge(ctx, job)
			}
		}
		if err != nil {
			s.log.ErrorContext(ctx, "sending a scheduled poll nudge", "poll", id, "err", err)
		}
	}
}

// wakeNudges tells the nudger a nudge was scheduled, without blocking.
func (s *Service) wakeNudges() {
	select {
	case s.nudgeWake <- struct{}{}:
	default:
	}
}

// checkNudgeBefore refuses a --nudge the poll cannot have: without a
// close time, past already, or on a poll whose voters are not known.
func (s *Service) checkNudgeBefore(ctx context.Context, p *Poll, before time.Duration, now time.Time) error {
	switch {
	case before == 0:
		return nil
	case before < 0:
		return bot.Errorf(bot.EINVALID, "--nudge takes how long before the close to remind members, e.g. --nudge 24h.")
	case p.ClosesAt.IsZero():
		return bot.Errorf(bot.EINVALID, "--nudge reminds members a while before the poll closes, so it needs --closes too.")
	case !p.ClosesAt.Add(-before).After(now):
		return bot.Errorf(bot.EINVALID, "--nudge %s before a close at %s would be now or in the past. Give a shorter time, or use /poll nudge <poll> once the poll is open.",
			before, bot.FormatWhen(p.ClosesAt, s.loc))
	case !p.Eligible.Limited():
		return bot.Errorf(bot.EINVALID, "--nudge needs a poll limited with --roster or --units: only then do I know who may vote and has not.")
	}
	return s.checkNudgeable(ctx, p)
}
