package reminders

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/unionhall/unionhall/bot"
)

//go:embed deadlines.yaml
var defaultDeadlines string

// DefaultDeadlines returns the example deadlines file: the Aug. 31
// ratification deadline of the default knowledge base. The program shows
// it in the console when no data file is configured; it documents the
// file format.
func DefaultDeadlines() bot.DataFile {
	return bot.DataFile{Name: "the embedded deadlines file", Data: []byte(defaultDeadlines)}
}

// deadlinesFile is the format of the deadlines file.
type deadlinesFile struct {
	Deadlines []deadlineEntry `yaml:"deadlines"`
}

type deadlineEntry struct {
	Key      string   `yaml:"key"`
	Name     string   `yaml:"name"`
	When     string   `yaml:"when"`
	Timezone string   `yaml:"timezone"`
	Leads    []string `yaml:"leads"`
	Note     string   `yaml:"note"`
}

var (
	reYear     = regexp.MustCompile(`\b\d{4}\b`)
	reRelative = regexp.MustCompile(`(?i)^\s*(in\s|today|tomorrow)`)
)

// ParseDeadlines reads a deadlines file (the format of DefaultDeadlines).
// Times are read in zone unless a deadline names its own. A date without a
// year is the next such date after now, and the deadline repeats every
// year. Errors name the file by name, the deadline and the field.
func ParseDeadlines(file bot.DataFile, now time.Time, zone *time.Location) ([]DeadlineDef, error) {
	defs, err := parseDeadlines(file.Data, now, zone)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file.Name, err)
	}
	return defs, nil
}

// parseDeadlines is ParseDeadlines without the file's name in errors.
func parseDeadlines(data []byte, now time.Time, zone *time.Location) ([]DeadlineDef, error) {
	var f deadlinesFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not a valid deadlines file: %w", err)
	}
	var out []DeadlineDef
	for i, e := range f.Deadlines {
		d, err := e.def(now, zone)
		if err != nil {
			label := strings.TrimSpace(e.Key)
			if label == "" {
				label = fmt.Sprintf("number %d", i+1)
			}
			return nil, fmt.Errorf("deadline %s: %w", label, err)
		}
		if slices.ContainsFunc(out, func(o DeadlineDef) bool { return o.Key == d.Key }) {
			return nil, fmt.Errorf("deadline %s: the key is used twice", d.Key)
		}
		out = append(out, d)
	}
	return out, nil
}

// def checks one entry of the file and reads it as a DeadlineDef.
func (e deadlineEntry) def(now time.Time, zone *time.Location) (DeadlineDef, error) {
	d := DeadlineDef{Key: strings.TrimSpace(e.Key), Name: strings.TrimSpace(e.Name), Note: strings.TrimSpace(e.Note)}
	switch {
	case d.Key == "":
		return d, errors.New("key is missing")
	case d.Name == "":
		return d, errors.New("name is missing")
	case strings.TrimSpace(e.When) == "":
		return d, errors.New(`when is missing (e.g. when: "Aug 31 17:00")`)
	case reRelative.MatchString(e.When):
		return d, fmt.Errorf("when %q is relative to the start-up time; give a calendar date such as \"Aug 31 17:00\"", e.When)
	}
	if tz := strings.TrimSpace(e.Timezone); tz != "" {
		loc, err := LoadZone(tz)
		if err != nil {
			return d, fmt.Errorf("timezone: %s", bot.ErrorMessage(err))
		}
		zone = loc
	}
	at, err := bot.ParseWhen(e.When, now, zone)
	if err != nil {
		return d, fmt.Errorf("when: %s", bot.ErrorMessage(err))
	}
	for _, l := range e.Leads {
		lead, err := bot.ParseDuration(l)
		if err != nil {
			return d, fmt.Errorf("leads: %s", bot.ErrorMessage(err))
		}
		if lead > MaxLead {
			return d, fmt.Errorf("leads: %s is longer than a year", l)
		}
		d.Leads = append(d.Leads, lead)
	}
	d.At, d.Zone, d.Yearly = at, zone.String(), !reYear.MatchString(e.When)
	return d, nil
}
