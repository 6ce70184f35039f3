package slacktest

import (
	"net/http"
	"slices"
	"strings"
)

// Channel is a conversation the Server describes in conversations.info.
type Channel struct {
	// ID is the channel's ID (C0123ABCD) and Name its name, without "#".
	ID, Name string
	// Private channels need the bot as a member to be posted in.
	Private bool
	// Member reports whether the bot is in the channel.
	Member bool
	// Archived channels take no posts.
	Archived bool
}

// workspace is what the Server knows of the app's installation: the
// scopes granted to its bot token and the channels it can see. It is
// guarded by the Server's mu.
type workspace struct {
	scopes   []string
	channels map[string]Channel
}

// SetScopes sets the scopes the bot token was granted, which auth.test
// reports in its X-OAuth-Scopes header as Slack does. None until set.
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.workspace.scopes = slices.Clone(scopes)
}

// AddChannel makes conversations.info describe ch; any other channel is
// channel_not_found.
func (s *Server) AddChannel(ch Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workspace.channels == nil {
		s.workspace.channels = map[string]Channel{}
	}
	s.workspace.channels[ch.ID] = ch
}

// withScopes adds the X-OAuth-Scopes header to auth.test's answers.
func (s *Server) withScopes(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.TrimPrefix(r.URL.Path, "/api/") == "auth.test" {
			s.mu.Lock()
			w.Header().Set("X-OAuth-Scopes", strings.Join(s.workspace.scopes, ","))
			s.mu.Unlock()
		}
		next(w, r)
	}
}

// answerWorkspace answers the methods that describe the workspace; ok is
// false for any other method. s.mu must be held.
func (s *Server) answerWorkspace(call *Call) (reply map[string]any, ok bool) {
	if call.Method != "conversations.info" {
		return nil, false
	}
	ch, found := s.workspace.channels[call.Form.Get("channel")]
	if !found {
		call.Err = "channel_not_found"
		return map[string]any{"ok": false, "error": call.Err}, true
	}
	return map[string]any{"ok": true, "channel": map[string]any{
		"id": ch.ID, "name": ch.Name, "is_channel": !ch.Private, "is_private": ch.Private,
		"is_member": ch.Member, "is_archived": ch.Archived,
	}}, true
}
