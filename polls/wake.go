package polls

// Wake makes the poll closer and the nudger look at the store now rather
// than at their next check: another process on the same database opened a
// poll with a deadline or a scheduled post, brought a deadline forward,
// scheduled a nudge or a result post to retry. It never blocks.
func (s *Service) Wake() {
	s.notify()
	s.wakeNudges()
}
