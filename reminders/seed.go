package reminders

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// DeadlineDef is a deadline from the deadlines file.
type DeadlineDef struct {
	// Key identifies the deadline across restarts and edits of the file.
	Key string
	// Name is what the deadline is called.
	Name string
	// At is the deadline (for a Yearly one, its next instance).
	At time.Time
	// Zone is the IANA name of the deadline's time zone.
	Zone string
	// Yearly reports whether the deadline comes round every year.
	Yearly bool
	// Leads are the lead times of its reminders.
	Leads []time.Duration
	// Note is an optional line added to its reminders.
	Note string
}

// SyncDeadlines makes the stored deadlines from the deadlines file match
// defs, and can run at every start-up: it inserts new deadlines, updates
// changed ones (matched by Key), and deletes those no longer in the file.
// It never re-arms an occurrence: an unchanged deadline's reminders keep
// their next occurrence, and a changed one's reminders are armed only for
// occurrences after now. A deadline or reminder a steward deleted in chat
// stays deleted.
func SyncDeadlines(ctx context.Context, store Store, defs []DeadlineDef, now time.Time, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	want := map[string]bool{}
	for _, def := range defs {
		if def.Key == "" {
			return fmt.Errorf("deadline %q has no key", def.Name)
		}
		if want[def.Key] {
			return fmt.Errorf("deadline key %q is used twice", def.Key)
		}
		want[def.Key] = true
		if err := syncDeadline(ctx, store, def, now, log); err != nil {
			return fmt.Errorf("deadline %s: %w", def.Key, err)
		}
	}
	keys, err := store.DeadlineKeys(ctx)
	if err != nil {
		return fmt.Errorf("read configured deadlines: %w", err)
	}
	for _, k := range keys {
		if want[k] {
			continue
		}
		d, err := store.DeadlineByKey(ctx, k)
		if err != nil || d == nil {
			return fmt.Errorf("read deadline %s: %w", k, err)
		}
		if err := store.DeleteDeadline(ctx, d.ID, ByConfig, now); err != nil {
			return fmt.Errorf("delete deadline %s: %w", k, err)
		}
		log.Info("deadline removed: it is no longer in the deadlines file", "key", k, "name", d.Name)
	}
	return nil
}

func syncDeadline(ctx context.Context, store Store, def DeadlineDef, now time.Time, log *slog.Logger) error {
	zone, err := LoadZone(def.Zone)
	if err != nil {
		return err
	}
	leads := normalizeLeads(def.Leads)
	d, err := store.DeadlineByKey(ctx, def.Key)
	if err != nil {
		return err
	}
	if d == nil {
		d = &Deadline{Key: def.Key, Name: def.Name, At: def.At, Zone: zone.String(), Yearly: def.Yearly, Note: def.Note,
			CreatedBy: ByConfig, CreatedAt: now}
		for _, l := range leads {
			d.Leads = append(d.Leads, &Reminder{Kind: KindLead, Zone: d.Zone, Lead: l, CreatedBy: ByConfig, CreatedAt: now, Deadline: d})
		}
		for _, r := range d.Leads {
			if err := arm(r, now); err != nil {
				return err
			}
		}
		log.Info("deadline added from the deadlines file", "key", def.Key, "name", def.Name)
		return store.SaveDeadline(ctx, d)
	}
	if !d.DeletedAt.IsZero() && d.DeletedBy != ByConfig {
		log.Info("deadline from the deadlines file stays deleted: a steward deleted it", "key", def.Key, "by", d.DeletedBy)
		return nil
	}
	ruleChanged := !sameRule(d, def, zone) || !d.DeletedAt.IsZero()
	changed := ruleChanged || d.Name != def.Name || d.Note != def.Note
	if ruleChanged {
		d.At, d.Zone, d.Yearly = def.At, zone.String(), def.Yearly
		d.DeletedAt, d.DeletedBy = time.Time{}, ""
	}
	d.Name, d.Note = def.Name, def.Note
	have := map[time.Duration]bool{}
	for _, r := range d.Leads {
		r.Deadline = d
		have[r.Lead] = true
		inFile := slices.Contains(leads, r.Lead)
		switch {
		case !inFile && r.DeletedAt.IsZero():
			r.DeletedAt, r.DeletedBy, r.Next = now, ByConfig, time.Time{}
			changed = true
		case !inFile:
		case !r.DeletedAt.IsZero() && r.DeletedBy != ByConfig:
			// A steward deleted this reminder: leave it deleted.
		case ruleChanged || !r.DeletedAt.IsZero():
			r.DeletedAt, r.DeletedBy, r.Zone = time.Time{}, "", d.Zone
			if err := arm(r, now); err != nil {
				return err
			}
			changed = true
		}
	}
	for _, l := range leads {
		if have[l] {
			continue
		}
		r := &Reminder{Kind: KindLead, Zone: d.Zone, Lead: l, DeadlineID: d.ID, CreatedBy: ByConfig, CreatedAt: now, Deadline: d}
		if err := arm(r, now); err != nil {
			return err
		}
		d.Leads = append(d.Leads, r)
		changed = true
	}
	if !changed {
		return nil
	}
	log.Info("deadline updated from the deadlines file", "key", def.Key, "name", def.Name)
	return store.SaveDeadline(ctx, d)
}

// arm sets a reminder's next occurrence to its first one after now.
func arm(r *Reminder, now time.Time) error {
	sch, err := r.Schedule()
	if err != nil {
		return err
	}
	r.Next = sch.Next(now)
	return nil
}

// sameRule reports whether the stored deadline fires at the same times as
// def: the same instant, or for a yearly deadline the same month, day and
// time of day.
func sameRule(d *Deadline, def DeadlineDef, zone *time.Location) bool {
	if d.Zone != zone.String() || d.Yearly != def.Yearly {
		return false
	}
	if !d.Yearly {
		return d.At.Equal(def.At)
	}
	a, b := d.At.In(zone), def.At.In(zone)
	return a.Month() == b.Month() && a.Day() == b.Day() && a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}

// normalizeLeads drops duplicate and non-positive leads and sorts the rest
// longest first.
func normalizeLeads(in []time.Duration) []time.Duration {
	var out []time.Duration
	for _, l := range in {
		if l > 0 && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b time.Duration) int { return cmp.Compare(b, a) })
	return out
}
