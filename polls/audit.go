package polls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// AuditAction names a steward's action on a poll, as the audit trail
// records it.
type AuditAction string

// The actions the audit trail records.
const (
	// AuditOpen is the opening of a poll.
	AuditOpen AuditAction = "open"
	// AuditClose is a close by a steward, or at the deadline (by
	// ClosedBySchedule).
	AuditClose AuditAction = "close"
	// AuditDelete is the deletion of a poll opened by mistake.
	AuditDelete AuditAction = "delete"
	// AuditExport is an export of the ballots or counts.
	AuditExport AuditAction = "export"
	// AuditNudge is a reminder sent to members who have not voted.
	AuditNudge AuditAction = "nudge"
	// AuditRosterImport is an import of the roster a poll's eligibility
	// is checked against.
	AuditRosterImport AuditAction = "roster import"
)

// AuditEntry is one steward action on a poll. Entries outlive their poll,
// so a deleted poll's trail says who deleted it. They never name a voter.
type AuditEntry struct {
	// PollID is the poll acted on.
	PollID int64
	// At is when, to the second.
	At time.Time
	// Action is what was done.
	Action AuditAction
	// By is the platform-qualified ID of the steward, or ClosedBySchedule.
	By string
	// ByName is the steward's display name, or "".
	ByName string
	// Detail says more, in words, or is "".
	Detail string
}

// RosterAuditID is the poll ID of audit entries that concern every poll,
// such as a roster import: a poll's trail shows those made while it was
// open, and the last one before it opened, whose roster it started with.
const RosterAuditID = 0

// RosterImportEntry is the audit entry of a roster import made at at by
// the operator by (e.g. "cli:alice"), with what it did in detail.
func RosterImportEntry(at time.Time, by, detail string) AuditEntry {
	return AuditEntry{PollID: RosterAuditID, At: at.UTC().Truncate(time.Second), Action: AuditRosterImport,
		By: by, Detail: bot.Truncate(detail, maxAuditDetail)}
}

// trail returns poll id's audit trail: its own entries, and the roster
// imports that decided who could vote in it (the last before it opened
// and those while it was open), in time order. p is the poll, or nil
// when it was deleted.
func (s *Service) trail(ctx context.Context, id int64, p *Poll) ([]AuditEntry, error) {
	own, err := s.store.Audit(ctx, id)
	if err != nil || p == nil {
		return own, err
	}
	imports, err := s.store.Audit(ctx, RosterAuditID)
	if err != nil {
		return nil, err
	}
	var relevant []AuditEntry
	for _, e := range imports {
		switch {
		case !e.At.After(p.OpenedAt):
			relevant = []AuditEntry{e} // the newest before the opening so far
		case p.ClosedAt.IsZero() || !e.At.After(p.ClosedAt):
			relevant = append(relevant, e)
		}
	}
	out := append(own, relevant...)
	slices.SortStableFunc(out, func(a, b AuditEntry) int { return a.At.Compare(b.At) })
	return out, nil
}

// maxAuditDetail bounds the detail kept with an entry.
const maxAuditDetail = 500

// Audit records that by did action on poll pollID, with an optional
// detail, in the poll's audit trail. Every steward action on a poll goes
// through it, so /poll audit and the export show who did what and when.
func (s *Service) Audit(ctx context.Context, pollID int64, action AuditAction, by bot.User, detail string) error {
	e := s.auditEntry(pollID, action, by, detail)
	if err := s.store.AddAudit(ctx, e); err != nil {
		return fmt.Errorf("record %s of poll %d in its audit trail: %w", action, pollID, err)
	}
	return nil
}

// auditEntry builds an entry stamped with the current time.
func (s *Service) auditEntry(pollID int64, action AuditAction, by bot.User, detail string) AuditEntry {
	return AuditEntry{
		PollID: pollID, At: s.clock.Now().UTC().Truncate(time.Second), Action: action,
		By: by.ID, ByName: by.Name, Detail: bot.Truncate(detail, maxAuditDetail),
	}
}

// record adds e, an action that has already happened, to the audit trail;
// a failure to record it is logged, since the action stands either way.
func (s *Service) record(ctx context.Context, e AuditEntry) {
	if err := s.store.AddAudit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "recording a steward action", "poll", e.PollID, "action", string(e.Action), "err", err)
	}
}

// scheduleUser is who closes a poll at its deadline, in the audit trail.
func scheduleUser() bot.User { return bot.User{ID: ClosedBySchedule, Name: "deadline"} }

func (s *Service) serveAudit(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	id := r.Int("poll")
	p, err := s.store.Poll(ctx, id)
	if errors.Is(err, ErrNotFound) {
		p, err = nil, nil
	} else if err != nil {
		return fmt.Errorf("read poll %d: %w", id, err)
	}
	entries, err := s.trail(ctx, id, p)
	if err != nil {
		return fmt.Errorf("read audit trail of poll %d: %w", id, err)
	}
	switch {
	case p == nil:
		// A deleted poll keeps its trail on the platform it was opened on.
		if len(entries) == 0 || !strings.HasPrefix(entries[0].By, r.Platform+":") {
			return s.errNotFound(id)
		}
	case p.Platform != r.Platform:
		return s.errNotFound(id)
	}
	var b strings.Builder
	if p != nil {
		fmt.Fprintf(&b, "Audit trail of poll %d, %q (times in %s):", id, bot.Truncate(p.Question, 80), s.loc)
	} else {
		fmt.Fprintf(&b, "Audit trail of poll %d, since deleted (times in %s):", id, s.loc)
	}
	if len(entries) == 0 {
		b.WriteString("\nNothing recorded.")
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "\n%s  %s by %s", bot.FormatWhen(e.At, s.loc), e.Action, auditWho(e))
		if e.Detail != "" {
			b.WriteString(": " + e.Detail)
		}
	}
	return w.Reply(ctx, bot.Reply{Text: b.String(), Private: true, Thread: r.Thread})
}

// auditWho names who acted: the steward's name and ID, or the deadline.
func auditWho(e AuditEntry) string {
	switch {
	case e.By == ClosedBySchedule:
		return "the deadline"
	case e.ByName != "" && e.ByName != e.By:
		return e.ByName + " (" + e.By + ")"
	}
	return e.By
}

// auditFile writes poll id's audit trail as a CSV file, sent with its
// export.
func (s *Service) auditFile(ctx context.Context, p *Poll) (*bot.File, error) {
	id := p.ID
	entries, err := s.trail(ctx, id, p)
	if err != nil {
		return nil, fmt.Errorf("read audit trail of poll %d: %w", id, err)
	}
	rows := [][]string{{"poll", "at", "action", "by", "by_name", "detail"}}
	pid := strconv.FormatInt(id, 10)
	for _, e := range entries {
		rows = append(rows, []string{pid, e.At.UTC().Format(time.RFC3339), string(e.Action), e.By, e.ByName, e.Detail})
	}
	data, err := writeCSV(rows)
	if err != nil {
		return nil, err
	}
	return &bot.File{Name: "poll-" + pid + "-audit.csv", ContentType: "text/csv", Data: data}, nil
}

func (s *Service) serveDelete(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	p, err := s.lookup(ctx, w, r, r.Int("poll"))
	if err != nil {
		return err
	}
	if p.Voters > 0 {
		return bot.Errorf(bot.ECONFLICT, "Poll %d has %s, so it cannot be deleted: members' votes are not thrown away. Close it instead: /poll close %d.", p.ID, bot.Plural(p.Voters, "vote"), p.ID)
	}
	e := s.auditEntry(p.ID, AuditDelete, r.User, fmt.Sprintf("%q, opened %s", bot.Truncate(p.Question, 80), bot.FormatWhen(p.OpenedAt, s.loc)))
	deleted, err := s.store.DeletePoll(ctx, p.ID, e)
	switch {
	case errors.Is(err, ErrNotFound):
		return s.errNotFound(p.ID)
	case err != nil:
		return fmt.Errorf("delete poll %d: %w", p.ID, err)
	case !deleted:
		return bot.Errorf(bot.ECONFLICT, "Poll %d has votes now, so it cannot be deleted. Close it instead: /poll close %d.", p.ID, p.ID)
	}
	s.log.InfoContext(ctx, "poll deleted", "poll", p.ID, "by", r.User.ID)
	if p.Scheduled(s.clock.Now()) {
		return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Scheduled poll %d (%q) is deleted and will not be posted. /poll audit %d shows who scheduled and deleted it.", p.ID, bot.Truncate(p.Question, 80), p.ID), Private: true, Thread: r.Thread})
	}
	card := DeletedCard(p, r.User, s.clock.Now(), s.loc)
	if err := s.announcerFor(p, r, w).updateCard(ctx, p, card); err != nil {
		s.log.WarnContext(ctx, "updating the card of a deleted poll", "poll", p.ID, "err", err)
	}
	return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Poll %d (%q) is deleted; its card now says so. /poll audit %d shows who opened and deleted it.", p.ID, bot.Truncate(p.Question, 80), p.ID), Private: true, Thread: r.Thread})
}

// DeletedCard is what a deleted poll's card turns into: no options, no
// buttons, and who deleted it when.
func DeletedCard(p *Poll, by bot.User, now time.Time, loc *time.Location) bot.Card {
	who := by.Name
	if who == "" {
		who = "a steward"
	}
	return bot.Card{
		Key:    CardKey(p.ID),
		Title:  p.Question,
		Body:   fmt.Sprintf("This poll was deleted by %s on %s, before anyone voted; it was opened by mistake.", who, bot.FormatWhen(now, loc)),
		Footer: fmt.Sprintf("Poll %d · deleted", p.ID),
	}
}
