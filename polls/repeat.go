package polls

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/unionhall/unionhall/bot"
)

// refuseRepeat refuses to open p when a poll asking the same question with
// the same options is still open in its channel: two of them would split
// the votes, and a second one is most often a command sent twice. --again
// opens it all the same.
func (s *Service) refuseRepeat(ctx context.Context, p *Poll) error {
	open, err := s.store.OpenPolls(ctx, p.Platform, p.Channel)
	if err != nil {
		return fmt.Errorf("open poll: look for the same poll: %w", err)
	}
	now := s.clock.Now()
	for _, o := range open {
		if o.Overdue(now) || !samePoll(o, p) {
			continue
		}
		return bot.Errorf(bot.ECONFLICT, "Poll %d, opened %s, already asks %q with the same options and settings in this channel, and it is still open. Members vote there: /vote %d <option>. To open a second one all the same, send your command again with --again.",
			o.ID, bot.FormatWhen(o.OpenedAt, s.loc), bot.Truncate(o.Question, 80), o.ID)
	}
	return nil
}

// samePoll reports whether a and b ask the same question with the same
// options in the same order, ignoring letter case and spacing, under the
// same ballot settings and rule.
func samePoll(a, b *Poll) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return norm(a.Question) == norm(b.Question) &&
		a.Secret == b.Secret && a.Hidden == b.Hidden && a.MaxChoices == b.MaxChoices && a.Rule == b.Rule &&
		slices.EqualFunc(a.Options, b.Options, func(x, y string) bool { return norm(x) == norm(y) })
}
