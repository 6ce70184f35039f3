package slacktest

import "encoding/json"

// SendOn writes a Socket Mode message on connection conn, numbered from 0
// in the order clients opened them, as Slack does when an app holds
// several connections (one per process) and picks one for each delivery.
func (s *Server) SendOn(conn int, msg map[string]any) {
	s.t.Helper()
	data, err := json.Marshal(msg)
	if err != nil {
		s.t.Fatalf("encode Socket Mode message: %v", err)
	}
	s.mu.Lock()
	var sk *socket
	if conn >= 0 && conn < len(s.sockets) {
		sk = s.sockets[conn]
	}
	s.mu.Unlock()
	id, _ := msg["envelope_id"].(string)
	s.sendOn(sk, id, data)
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
