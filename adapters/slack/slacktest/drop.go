package slacktest

// DropConnection cuts Socket Mode connection conn (numbered from 0 in the
// order clients opened them) without a close frame, as a network failure
// would; the others stay open.
func (s *Server) DropConnection(conn int) {
	s.mu.Lock()
	var sk *socket
	if conn >= 0 && conn < len(s.sockets) {
		sk = s.sockets[conn]
	}
	s.mu.Unlock()
	if sk == nil {
		s.t.Fatalf("no Socket Mode connection %d to drop", conn)
	}
	sk.conn.NetConn().Close()
}
