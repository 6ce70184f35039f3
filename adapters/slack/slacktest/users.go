package slacktest

import "strings"

// SetUserEmail makes users.lookupByEmail find the member userID at email
// (matched without regard to case).
func (s *Server) SetUserEmail(email, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emails == nil {
		s.emails = map[string]string{}
	}
	s.emails[strings.ToLower(email)] = userID
}

// lookupByEmailLocked answers users.lookupByEmail as Slack does:
// users_not_found for an address no member has. s.mu must be held.
func (s *Server) lookupByEmailLocked(email string) map[string]any {
	id, ok := s.emails[strings.ToLower(email)]
	if !ok {
		return map[string]any{"ok": false, "error": "users_not_found"}
	}
	return map[string]any{"ok": true, "user": map[string]any{"id": id, "team_id": TeamID, "profile": map[string]any{"email": email}}}
}
