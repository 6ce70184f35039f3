package polls

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/unionhall/unionhall/bot"
)

// RosterEntry says which unit one member is in, according to the union's
// roster. A person known on two platforms has one entry per ID, sharing
// the Person number, so they count once in their unit's membership.
type RosterEntry struct {
	// Member is the platform-qualified ID, e.g. "slack:U0123".
	Member string
	// Unit is the unit's name as the units file spells it.
	Unit string
	// Person numbers the people of the roster (the CSV line they came
	// from): entries with the same Person are one member.
	Person int
}

// RosterProblem is a roster line that could not be used, and why.
type RosterProblem struct {
	// Line is the line number in the CSV file (the header is line 1).
	Line int
	// Reason says what is wrong, in a sentence.
	Reason string
}

// String returns "line 7: reason".
func (p RosterProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Reason) }

// RosterStore keeps the roster. store/sqlite and store/postgres implement
// it.
type RosterStore interface {
	// ReplaceRoster replaces the whole roster with entries in one
	// transaction: readers see the old roster or the new, never a mix.
	ReplaceRoster(ctx context.Context, entries []RosterEntry) error
	// HasRoster reports whether a roster has been imported (and has rows).
	HasRoster(ctx context.Context) (bool, error)
	// RosterUnit returns the unit of a member on the roster, and false
	// when the member is not on it.
	RosterUnit(ctx context.Context, member string) (string, bool, error)
	// RosterSizes returns how many people the roster has in each unit; it
	// is empty when there is no roster.
	RosterSizes(ctx context.Context) (map[string]int, error)
	// RosterMembers returns the IDs on the roster in the given units, or
	// in every unit when units is empty, sorted.
	RosterMembers(ctx context.Context, units []string) ([]string, error)
}

// EmailResolver finds a member's platform-qualified ID from their email
// address (on Slack, users.lookupByEmail). It returns "" and no error when
// no member has the address.
type EmailResolver interface {
	MemberByEmail(ctx context.Context, email string) (string, error)
}

// Roster column names. A roster has a unit column and at least one column
// naming the member; `member` takes a platform-qualified ID or an email.
const (
	colUnit    = "unit"
	colMember  = "member"
	colSlack   = "slack_user_id"
	colDiscord = "discord_user_id"
	colEmail   = "email"
)

// memberColumns are the columns that name a member, and the platform a
// bare ID in them belongs to ("" when the value says it itself).
var memberColumns = map[string]string{colMember: "", colSlack: bot.PlatformSlack, colDiscord: bot.PlatformDiscord, colEmail: ""}

// knownPlatforms are the platforms a roster's qualified IDs may name.
var knownPlatforms = map[string]bool{bot.PlatformSlack: true, bot.PlatformDiscord: true, bot.PlatformConsole: true}

// ParseRoster reads a roster CSV (see docs/units-and-eligibility.md): a
// header with a unit column and one or more member columns, then one line
// per person. Units are matched by name or alias against units; emails are
// resolved with emails (nil: an email line is a problem). It returns the
// usable entries and the lines it could not use; the error is for a file
// that cannot be read at all (no header, no unit or member column, bad
// CSV).
func ParseRoster(ctx context.Context, r io.Reader, units *Coalition, emails EmailResolver) ([]RosterEntry, []RosterProblem, error) {
	if units == nil {
		return nil, nil, errors.New("roster: no units file is configured, so there are no units to put members in")
	}
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("roster: the file is empty; it needs a header line such as unit,member")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("roster: header: %w", err)
	}
	unitCol, idCols, err := rosterColumns(header)
	if err != nil {
		return nil, nil, err
	}
	p := rosterParser{units: units, emails: emails, seen: map[string]int{}}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.problem(pe.StartLine, "not valid CSV: %v", pe.Err)
				continue
			}
			return nil, nil, fmt.Errorf("roster: line %d: %w", line, err)
		}
		if err := p.row(ctx, line, rec, unitCol, idCols, header); err != nil {
			return nil, nil, err
		}
	}
	return p.entries, p.problems, nil
}

// rosterColumns finds the unit column and the member columns of a header.
func rosterColumns(header []string) (int, []int, error) {
	unitCol := -1
	var idCols []int
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		header[i] = h
		switch _, isID := memberColumns[h]; {
		case h == colUnit:
			unitCol = i
		case isID:
			idCols = append(idCols, i)
		}
	}
	if unitCol < 0 || len(idCols) == 0 {
		return 0, nil, fmt.Errorf("roster: the header %q needs a %q column and a member column (%s, %s, %s or %s)",
			strings.Join(header, ","), colUnit, colMember, colSlack, colDiscord, colEmail)
	}
	return unitCol, idCols, nil
}

// rosterParser collects a roster's entries and problems line by line.
type rosterParser struct {
	units    *Coalition
	emails   EmailResolver
	seen     map[string]int // member -> line
	entries  []RosterEntry
	problems []RosterProblem
}

func (p *rosterParser) problem(line int, format string, args ...any) {
	p.problems = append(p.problems, RosterProblem{Line: line, Reason: fmt.Sprintf(format, args...)})
}

// row reads one person's line. The error is a failure to resolve an email
// (the platform could not be asked), which stops the import.
func (p *rosterParser) row(ctx context.Context, line int, rec []string, unitCol int, idCols []int, header []string) error {
	field := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	name := field(unitCol)
	if name == "" {
		p.problem(line, "no unit")
		return nil
	}
	u, ok := p.units.Exact(name)
	if !ok {
		p.problem(line, "unit %q is not in the units file (units: %s)", bot.Truncate(name, 60), p.units.names())
		return nil
	}
	var ids []string
	for _, c := range idCols {
		v := field(c)
		if v == "" {
			continue
		}
		id, reason, err := p.member(ctx, header[c], v)
		if err != nil {
			return fmt.Errorf("roster: line %d: %w", line, err)
		}
		if reason != "" {
			p.problem(line, "%s", reason)
			return nil
		}
		if first, dup := p.seen[id]; dup {
			p.problem(line, "%s is already on line %d", id, first)
			return nil
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		p.problem(line, "no member ID or email")
		return nil
	}
	for _, id := range ids {
		p.seen[id] = line
		p.entries = append(p.entries, RosterEntry{Member: id, Unit: u.Name, Person: line})
	}
	return nil
}

// member turns a member column's value into a platform-qualified ID, or
// says why it cannot.
func (p *rosterParser) member(ctx context.Context, col, v string) (id, reason string, err error) {
	isEmail := col == colEmail || col == colMember && strings.Contains(v, "@")
	if isEmail {
		if _, perr := mail.ParseAddress(v); perr != nil {
			return "", fmt.Sprintf("%q is not an email address", bot.Truncate(v, 80)), nil
		}
		if p.emails == nil {
			return "", fmt.Sprintf("email %s cannot be looked up: no platform that finds members by email is configured (Slack, with the users:read.email scope)", v), nil
		}
		id, err := p.emails.MemberByEmail(ctx, v)
		if err != nil {
			return "", "", fmt.Errorf("look up %s: %w", v, err)
		}
		if id == "" {
			return "", fmt.Sprintf("no member has the email %s", v), nil
		}
		return id, "", nil
	}
	if platform := memberColumns[col]; platform != "" {
		return platform + ":" + v, "", nil
	}
	if platform, _, ok := bot.SplitID(v); !ok || !knownPlatforms[platform] {
		return "", fmt.Sprintf("%q is neither a platform-qualified ID (slack:U0123, discord:8123, console:alice) nor an email", bot.Truncate(v, 80)), nil
	}
	return v, "", nil
}
