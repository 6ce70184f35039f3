package discordtest

// errOpeningDMsTooFast is Discord's JSON error code for "You are opening
// direct messages too fast", its spam protection's answer to a bot that
// opens many direct-message channels in a row. Discord publishes no limit
// for it and no retry_after comes with it.
const errOpeningDMsTooFast = 40003

// dmSpam is how many new direct-message channels the bot has opened, and
// after how many Discord's spam protection refuses more. It is guarded by
// the Server's mu.
type dmSpam struct {
	opened int
	limit  int // 0: no limit
}

// refuses reports whether opening one more new channel is refused.
func (d dmSpam) refuses() bool { return d.limit > 0 && d.opened >= d.limit }

// LimitNewDMs makes the server refuse, with error 40003, to open more than
// n new direct-message channels from now on, as Discord's spam protection
// does; channels already open keep working.
func (s *Server) LimitNewDMs(n int) {
	s.with(func() { s.dmSpam = dmSpam{limit: n} })
}
