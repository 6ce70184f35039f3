package polls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Limits on what a poll card can show. Slack allows 25 elements in an
// actions block and 75 characters on a button; Discord allows 25 buttons
// per message and 80 characters on a button. Union Hall uses the smaller of
// each so a poll renders the same everywhere.
const (
	// MaxOptions is the most options a poll may have.
	MaxOptions = 25
	// MaxLabel is the longest option label, in characters.
	MaxLabel = 75
	// MaxQuestion is the longest question, in characters: it is the card's
	// title, and a Slack header holds 150.
	MaxQuestion = 150
	// MaxDuration is how far ahead a poll may be set to close.
	MaxDuration = 366 * 24 * time.Hour
)

// Rule is how a poll's result is judged.
type Rule string

// Rules a poll may use.
const (
	// RuleNone shows the split without a pass or fail.
	RuleNone Rule = ""
	// RuleMajority passes when more members are in favour than against.
	RuleMajority Rule = "majority"
	// RuleTwoThirds passes when at least two thirds of those for or
	// against are in favour.
	RuleTwoThirds Rule = "two-thirds"
	// RuleCoalition passes when enough units each have a majority in
	// favour and together represent enough of the membership.
	RuleCoalition Rule = "coalition"
)

// RuleNames are the names of the rules a poll may use, as --rule takes
// them.
var RuleNames = []string{string(RuleMajority), string(RuleTwoThirds), string(RuleCoalition)}

// ruleSynonyms are other ways stewards write a rule's name. Each means
// exactly that rule; a word that could mean several thresholds (such as
// "supermajority": three fifths? two thirds?) is refused, with the list of
// rules, rather than guessed. RuleSummary names every one.
var ruleSynonyms = map[string]string{
	"simple-majority": string(RuleMajority), "simple": string(RuleMajority),
	"2/3": string(RuleTwoThirds), "twothirds": string(RuleTwoThirds), "two_thirds": string(RuleTwoThirds),
}

// RuleSummary describes --rule in /help and on every platform, within
// the 100 characters Discord shows. The other spellings ruleSynonyms
// accepts are listed in docs/polls.md.
const RuleSummary = "How the result is judged: majority, two-thirds (2/3) or coalition; without it, no pass or fail"

// ParseRule reads a --rule value: a rule's name or a synonym, in any
// letter case.
func ParseRule(s string) (Rule, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if name, ok := ruleSynonyms[s]; ok {
		s = name
	}
	if slices.Contains(RuleNames, s) {
		return Rule(s), true
	}
	return RuleNone, false
}

// Poll is one straw poll.
type Poll struct {
	// ID is the poll's public number.
	ID int64
	// Question is what the poll asks.
	Question string
	// Options are the choices, numbered from 1 in this order.
	Options []string
	// Secret marks a secret ballot (--anonymous).
	Secret bool
	// Hidden withholds counts from everyone until the poll closes.
	Hidden bool
	// MaxChoices is how many options a member may choose; 1 for a
	// single-choice poll.
	MaxChoices int
	// Rule is how the result is judged.
	Rule Rule
	// Ranked marks a ranked-choice poll (--ranked): members order the
	// options, and the result is counted by instant-runoff.
	Ranked bool
	// Favour and Against are the option numbers counted as in favour and
	// against under Rule; 0 when the poll has no rule.
	Favour, Against int
	// Coalition is the unit list and thresholds in force when the poll was
	// opened, so a later change of configuration cannot change an open
	// poll's rule. Nil for polls opened without units configured.
	Coalition *Coalition
	// Platform and Channel are where the poll was opened and where its
	// result is posted.
	Platform, Channel string
	// Thread is the thread the poll was opened in, if any.
	Thread string
	// OpenedBy is the platform-qualified ID of the steward who opened it.
	OpenedBy string
	// OpenedByName is that steward's display name.
	OpenedByName string
	// OpenedAt is when the poll was opened.
	OpenedAt time.Time
	// OpensAt is when a poll scheduled with --opens is posted and takes
	// votes; zero for a poll open from the start.
	OpensAt time.Time
	// ClosesAt is when the poll closes itself; zero for no deadline.
	ClosesAt time.Time
	// RemindBefore is how long before ClosesAt the channel is reminded
	// (--remind); zero for no reminder.
	RemindBefore time.Duration
	// ClosedAt is when the poll was closed; zero while open.
	ClosedAt time.Time
	// ClosedBy is who closed it: a steward's ID, or "schedule".
	ClosedBy string
	// Voters is the number of members who have voted.
	Voters int
	// Revision increases with every change to the poll's tally or state.
	Revision int64
}

// ClosedBySchedule is the ClosedBy of a poll closed at its deadline.
const ClosedBySchedule = "schedule"

// Multi reports whether members may choose more than one option.
func (p *Poll) Multi() bool { return p.MaxChoices > 1 }

// Closed reports whether the poll has been marked closed.
func (p *Poll) Closed() bool { return !p.ClosedAt.IsZero() }

// OpenAt reports whether votes are accepted at t: the poll has opened, is
// not closed, and its deadline, if any, has not passed.
func (p *Poll) OpenAt(t time.Time) bool {
	return !p.Closed() && !p.Scheduled(t) && (p.ClosesAt.IsZero() || t.Before(p.ClosesAt))
}

// Scheduled reports whether the poll is waiting, at t, for its opening
// time.
func (p *Poll) Scheduled(t time.Time) bool { return !p.OpensAt.IsZero() && t.Before(p.OpensAt) }

// Overdue reports whether the poll's deadline has passed at t but it has
// not been marked closed yet.
func (p *Poll) Overdue(t time.Time) bool {
	return !p.Closed() && !p.ClosesAt.IsZero() && !t.Before(p.ClosesAt)
}

// Label returns "n. label" for option n (1-based).
func (p *Poll) Label(n int) string {
	if n < 1 || n > len(p.Options) {
		return fmt.Sprintf("option %d", n)
	}
	return fmt.Sprintf("%d. %s", n, p.Options[n-1])
}

// Labels returns "1. A, 3. C" for the given option numbers.
func (p *Poll) Labels(choices []int) string {
	parts := make([]string, len(choices))
	for i, c := range choices {
		parts[i] = p.Label(c)
	}
	return strings.Join(parts, ", ")
}

// CountedUnit returns the unit a vote from a member of unit counts for in
// this poll: the unit itself when it is in the poll's unit list, otherwise
// "" (no unit). Counters exist from the poll's opening for exactly these
// units, so a vote never creates one.
func (p *Poll) CountedUnit(unit string) string {
	if p.Coalition == nil {
		return ""
	}
	if _, ok := p.Coalition.Unit(unit); !ok {
		return ""
	}
	return unit
}

// Voter is a member casting a vote.
type Voter struct {
	// ID is platform-qualified.
	ID string
	// Name is the display name, kept with open ballots for exports.
	Name string
	// Unit is the unit the member had declared when voting, or "".
	Unit string
}

// Prior is a member's earlier ballot in a poll, as the store sees it inside
// the vote's transaction.
type Prior struct {
	// Voted reports whether the member has a ballot in the poll.
	Voted bool
	// Choices are the earlier choices, sorted (on a ranked poll: in order
	// of preference); always nil on a secret ballot, where nothing records
	// them.
	Choices []int
	// Unit is the unit the earlier ballot counts for ("" on a secret
	// ballot).
	Unit string
}

// DecideFunc computes a member's new choices from the poll and their prior
// ballot, inside the store's transaction. It returns nil choices and a nil
// error when nothing should change, and an error to refuse the vote.
type DecideFunc func(p *Poll, prior Prior) ([]int, error)

// Count is one tally counter: the votes for one option from members of one
// unit ("" for members who have not named their unit).
type Count struct {
	// Option is the 1-based option number.
	Option int
	// Unit is the unit name, or "".
	Unit string
	// Votes is the count.
	Votes int
}

// Tally is a poll with its counters, read together.
type Tally struct {
	// Poll is the poll as of the counters.
	Poll *Poll
	// Counts are the non-zero counters.
	Counts []Count
}

// Ballot is one member's ballot on an open-ballot poll, for exports.
type Ballot struct {
	// Voter is the platform-qualified ID.
	Voter string
	// VoterName is the display name at the time of voting.
	VoterName string
	// Unit is the unit the vote counts for, or "".
	Unit string
	// Choices are the option numbers chosen, sorted.
	Choices []int
}

// ErrNotFound is returned by a Store for a poll that does not exist.
var ErrNotFound = errors.New("poll not found")

// ErrAlreadyVoted is returned by a Store when the unique constraint on a
// poll's ballots or participants refuses a second ballot.
var ErrAlreadyVoted = errors.New("member has already voted in this poll")

// Store keeps polls and ballots. store/sqlite implements it.
type Store interface {
	EventStore
	// CreatePoll stores a new poll and sets its ID.
	CreatePoll(ctx context.Context, p *Poll) error
	// Poll returns the poll with the given ID, or ErrNotFound.
	Poll(ctx context.Context, id int64) (*Poll, error)
	// OpenPolls returns the polls not yet marked closed in a channel,
	// oldest first.
	OpenPolls(ctx context.Context, platform, channel string) ([]*Poll, error)
	// Cast applies one member's vote in a single transaction: it reads the
	// poll and the member's prior ballot, calls decide, and records the
	// returned choices. On a secret ballot it records only that the member
	// took part, separately from counters that the choices increment. It
	// returns only after the vote is durably committed, or with decide's
	// error (nothing recorded), ErrNotFound, or ErrAlreadyVoted.
	Cast(ctx context.Context, pollID int64, v Voter, decide DecideFunc) error
	// Tally returns the poll and its counters, read in one transaction.
	Tally(ctx context.Context, id int64) (*Tally, error)
	// ClosePoll marks the poll closed if it is still open and reports
	// whether this call closed it. Exactly one caller ever gets true.
	ClosePoll(ctx context.Context, id int64, by string, at time.Time) (bool, error)
	// DuePolls returns the polls not yet closed whose deadline is at or
	// before t.
	DuePolls(ctx context.Context, t time.Time) ([]*Poll, error)
	// NextClose returns the earliest deadline of the polls not yet closed.
	NextClose(ctx context.Context) (time.Time, bool, error)
	// ResultPost returns the state of a poll's result post, or ErrNotFound.
	ResultPost(ctx context.Context, id int64) (ResultPost, error)
	// RecordResultPost stores the state, attempts, next try, error and
	// posted time of rp, for a post in state ResultSending or
	// ResultUncertain (which it corrects); for any other state it returns
	// an error and changes nothing.
	RecordResultPost(ctx context.Context, rp ResultPost) error
	// DueResultPosts returns the result posts in state ResultRetry whose
	// next try is at or before t, earliest first.
	DueResultPosts(ctx context.Context, t time.Time) ([]ResultPost, error)
	// ClaimResultPost moves poll id's result post from ResultRetry to
	// ResultSending if its next try is at or before t, and returns it as
	// claimed. Exactly one of racing callers gets true.
	ClaimResultPost(ctx context.Context, id int64, t time.Time) (ResultPost, bool, error)
	// NextResultTry returns the earliest next try of the result posts in
	// state ResultRetry.
	NextResultTry(ctx context.Context) (time.Time, bool, error)
	// MarkResultsInterrupted is called once at start-up: it moves every
	// result post left in state ResultSending to ResultUncertain when the
	// result had not been recorded as posted, or back to ResultRetry (due
	// at t) when only the final card was left to show, and returns the
	// posts it marked uncertain.
	MarkResultsInterrupted(ctx context.Context, t time.Time) ([]ResultPost, error)
	// UnpostedResults returns the result posts of closed polls in a
	// channel whose result has not been posted (any state but ResultPosted
	// with no posted time), oldest poll first.
	UnpostedResults(ctx context.Context, platform, channel string) ([]ResultPost, error)
	// Ballots returns the ballots of an open-ballot poll, by voter. It
	// returns nothing for a secret ballot.
	Ballots(ctx context.Context, id int64) ([]Ballot, error)
	// AddAudit records a steward's action on a poll.
	AddAudit(ctx context.Context, e AuditEntry) error
	// Audit returns a poll's audit entries in the order they were
	// recorded, including those of a deleted poll.
	Audit(ctx context.Context, id int64) ([]AuditEntry, error)
	// DeletePoll deletes a poll and its counters, recording e in its audit
	// trail in the same transaction, if no member has voted in it; it
	// reports whether it deleted the poll, and returns ErrNotFound when
	// there is none.
	DeletePoll(ctx context.Context, id int64, e AuditEntry) (bool, error)
	// Rankings returns the ballots of a ranked poll as counts per
	// distinct ranking, in no meaningful order.
	Rankings(ctx context.Context, id int64) ([]Ranking, error)
	// SetUnit records the unit a member says they are in.
	SetUnit(ctx context.Context, member, unit string) error
	// Unit returns the unit a member said they are in, or "".
	Unit(ctx context.Context, member string) (string, error)
}

// favourWords and againstWords recognise yes/no option labels by their
// first word (or first two, for "in favour").
var (
	favourWords  = map[string]bool{"yes": true, "y": true, "yea": true, "yeah": true, "aye": true, "for": true, "in favor": true, "in favour": true, "approve": true, "support": true, "agree": true, "ratify": true, "accept": true}
	againstWords = map[string]bool{"no": true, "n": true, "nay": true, "nope": true, "against": true, "oppose": true, "reject": true, "disagree": true}
)

// leadingWords returns the first one and two words of s, lower case,
// letters only.
func leadingWords(s string) (one, two string) {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) > 0 {
		one = words[0]
	}
	if len(words) > 1 {
		two = words[0] + " " + words[1]
	}
	return one, two
}

// Sides finds the "in favour" and "against" options (1-based) among
// labels: the one option reading as yes and the one reading as no when
// there is exactly one of each, otherwise options 1 and 2.
func Sides(labels []string) (favour, against int) {
	var yes, no []int
	for i, l := range labels {
		one, two := leadingWords(l)
		switch {
		case favourWords[two] || favourWords[one]:
			yes = append(yes, i+1)
		case againstWords[one]:
			no = append(no, i+1)
		}
	}
	if len(yes) == 1 && len(no) == 1 {
		return yes[0], no[0]
	}
	return 1, 2
}
