package discordtest

import "github.com/unionhall/unionhall/bot/bottest"

// WaitAck waits until interaction id is acknowledged and returns it.
func (s *Server) WaitAck(id string) Interaction {
	s.t.Helper()
	var in Interaction
	bottest.WaitFor(s.t, "the acknowledgement of interaction "+id, func() bool {
		in = s.Interaction(id)
		return in.Acks > 0
	})
	return in
}

// WaitReply waits until interaction id is acknowledged and one of the
// messages answering it (its response or a follow-up, never an unfilled
// placeholder), oldest first, satisfies ok; it returns that message.
func (s *Server) WaitReply(id, what string, ok func(Message) bool) Message {
	s.t.Helper()
	return s.waitFirst(what, func() []Message {
		if s.Interaction(id).Acks == 0 {
			return nil
		}
		return s.InteractionMessages(id)
	}, func(m Message) bool { return !m.Deferred && ok(m) })
}

// WaitMessage waits until message id exists and satisfies ok, and returns
// it.
func (s *Server) WaitMessage(id, what string, ok func(Message) bool) Message {
	s.t.Helper()
	return s.waitFirst(what, func() []Message {
		m, found := s.Message(id)
		if !found {
			return nil
		}
		return []Message{m}
	}, ok)
}

// WaitChannelMessage waits until a message in channel satisfies ok, and
// returns the oldest that does.
func (s *Server) WaitChannelMessage(channel, what string, ok func(Message) bool) Message {
	s.t.Helper()
	return s.waitFirst(what, func() []Message { return s.ChannelMessages(channel) }, ok)
}

// waitFirst waits until one of list's messages satisfies ok and returns
// the first that does.
func (s *Server) waitFirst(what string, list func() []Message, ok func(Message) bool) Message {
	s.t.Helper()
	var found Message
	bottest.WaitFor(s.t, what, func() bool {
		for _, m := range list() {
			if ok(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}
