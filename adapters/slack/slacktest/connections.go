package slacktest

import (
	"encoding/json"
	"slices"
)

// SendOn writes a Socket Mode message on connection conn, numbered from 0
// in the order clients opened them, as Slack does when an app holds
// several connections (one per process) and picks one for each delivery.
func (s *Server) SendOn(conn int, msg map[string]any) {
	s.t.Helper()
	data, err := json.Marshal(msg)
	if err != nil {
		s.t.Fatalf("encode Socket Mode message: %v", err)
	}
	id, _ := msg["envelope_id"].(string)
	s.sendOn(s.socketAt(conn), id, data)
}

// Live returns the numbers of the connections still open, in the order
// clients opened them.
func (s *Server) Live() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for i, sk := range s.sockets {
		select {
		case <-sk.done:
		default:
			out = append(out, i)
		}
	}
	return out
}

// socketAt returns connection conn, numbered as for SendOn, or nil when
// there is no such connection.
func (s *Server) socketAt(conn int) *socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if conn < 0 || conn >= len(s.sockets) {
		return nil
	}
	return s.sockets[conn]
}

// indexOf returns sk's number, as for SendOn.
func (s *Server) indexOf(sk *socket) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Index(s.sockets, sk)
}
