package polls

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/unionhall/unionhall/bot"
)

// SafeCell protects a CSV cell from being read as a formula by a
// spreadsheet: a cell starting with =, +, -, @, a tab or a carriage return
// gets a leading single quote.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// writeCSV writes rows with every cell made safe.
func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = SafeCell(c)
		}
		if err := w.Write(safe); err != nil {
			return nil, fmt.Errorf("write CSV: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write CSV: %w", err)
	}
	return buf.Bytes(), nil
}

// Export returns a poll's ballots as a CSV file and a note to send with
// it. An open ballot exports one row per voter with their choices; a
// secret ballot exports only the counts per option and unit, since nothing
// records who chose what. A hidden poll cannot be exported before it
// closes.
func (s *Service) Export(ctx context.Context, id int64) (*bot.File, string, error) {
	res, err := s.Results(ctx, id)
	if err != nil {
		return nil, "", err
	}
	p := res.Poll
	if !res.showCounts() {
		return nil, "", bot.Errorf(bot.ECONFLICT, "Poll %d hides its results from everyone, stewards included, until it closes; export it then.", p.ID)
	}
	pid := strconv.FormatInt(p.ID, 10)
	state := "open"
	if res.Final {
		state = "closed"
	}
	if p.Secret {
		rows := [][]string{{"poll", "question", "option_number", "option", "unit", "votes"}}
		for i, label := range p.Options {
			// Units too small for their split to stay secret are left out;
			// the overall row carries every vote.
			rows = append(rows, []string{pid, p.Question, strconv.Itoa(i + 1), label, "(all)", strconv.Itoa(res.Options[i])})
			for _, u := range res.Units {
				if n := u.Counts[i]; n > 0 && !u.Withheld {
					rows = append(rows, []string{pid, p.Question, strconv.Itoa(i + 1), label, u.Unit.Name, strconv.Itoa(n)})
				}
			}
			if n := res.NoUnit[i]; n > 0 && !res.NoUnitWithheld {
				rows = append(rows, []string{pid, p.Question, strconv.Itoa(i + 1), label, "(no unit given)", strconv.Itoa(n)})
			}
		}
		data, err := writeCSV(rows)
		if err != nil {
			return nil, "", err
		}
		note := fmt.Sprintf("Poll %d (%s, secret ballot): counts by option, overall and by unit, from %d voters (units with fewer than %d votes are left out so their ballots stay secret). There are no voter identities: nothing records who chose what.", p.ID, state, res.Voters, MinSecretSplit)
		return &bot.File{Name: "poll-" + pid + "-tally.csv", ContentType: "text/csv", Data: data}, note, nil
	}
	ballots, err := s.store.Ballots(ctx, id)
	if err != nil {
		return nil, "", fmt.Errorf("export poll %d: %w", id, err)
	}
	rows := [][]string{{"poll", "question", "voter_id", "voter_name", "unit", "option_numbers", "options"}}
	for _, b := range ballots {
		nums := make([]string, len(b.Choices))
		labels := make([]string, len(b.Choices))
		for i, c := range b.Choices {
			nums[i] = strconv.Itoa(c)
			if c >= 1 && c <= len(p.Options) {
				labels[i] = p.Options[c-1]
			}
		}
		rows = append(rows, []string{pid, p.Question, b.Voter, b.VoterName, b.Unit, strings.Join(nums, " "), strings.Join(labels, "; ")})
	}
	data, err := writeCSV(rows)
	if err != nil {
		return nil, "", err
	}
	note := fmt.Sprintf("Poll %d (%s, open ballot): %d ballots, one row per voter. It shows who chose what; keep it among stewards.", p.ID, state, len(ballots))
	return &bot.File{Name: "poll-" + pid + "-ballots.csv", ContentType: "text/csv", Data: data}, note, nil
}
