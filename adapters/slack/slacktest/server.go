// Package slacktest provides a local Slack for tests, in the manner of
// net/http/httptest: a Server that speaks the Web API methods Union Hall
// calls, the Socket Mode WebSocket and response URLs over loopback,
// records everything it receives, and can be told to fail. It also builds
// the payloads Slack sends (events, slash commands, button clicks), signs
// requests as Slack does for HTTP mode, and reads Block Kit messages back
// as a member would see them.
//
// The adapter's own tests and the end-to-end tests of "unionhall run"
// share it, so that both speak to the same Slack.
package slacktest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials and identities the Server accepts and answers with. Tests
// configure the code under test with these tokens; no log line may ever
// contain their secret parts (see LeakedSecrets).
const (
	// BotToken is the bot token every Web API call but
	// apps.connections.open must carry.
	BotToken = "xoxb-1111-2222-secretbottoken"
	// AppToken is the app-level token apps.connections.open must carry.
	AppToken = "xapp-1-A111-3333-secretapptoken"
	// SigningSecret is the secret HTTP-mode tests sign requests with.
	SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	// BotUserID is the bot's user ID, as auth.test reports it.
	BotUserID = "UBOT"
	// BotID is the bot's bot ID, as auth.test reports it.
	BotID = "BBOT"
	// TeamID is the workspace every payload comes from.
	TeamID = "T1"
	// AppID is the app every payload is addressed to.
	AppID = "A1"
	// UserGroupID and UserGroupHandle name the one user group the Server
	// knows (see SetUserGroup).
	UserGroupID     = "S0STEWARD"
	UserGroupHandle = "stewards"
)

// responsePath is where the Server serves response URLs. A response URL
// lets whoever holds it answer as the app, so it is secret too.
const responsePath = "/hooks/"

// LeakedSecrets returns the secrets found in text: the secret parts of the
// tokens, the signing secret, and any response URL. Tests run it over
// everything the code under test logged.
func LeakedSecrets(text string) []string {
	var found []string
	for _, s := range []string{"secretbottoken", "secretapptoken", SigningSecret, responsePath} {
		if strings.Contains(text, s) {
			found = append(found, s)
		}
	}
	return found
}

// Server is a local Slack. It is safe for concurrent use. Every method
// that waits or sends fails the test it was created for when it cannot.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	calls     []Call
	responses []ResponsePost
	uploads   []Upload
	failures  map[string][]Failure
	ts        int
	members   []string
	groupErr  string
	emails    map[string]string // users.lookupByEmail: lower-case address -> user ID
	sockets   []*socket
	sent      map[string]time.Time // envelope ID → when it was sent
	acks      map[string]time.Time // envelope ID → when it was first acknowledged
	answers   map[string][]byte    // envelope ID → the answer its acknowledgement carried
	pingEvery time.Duration
	pingReset chan struct{} // closed when pingEvery changes
	pongs     int
	workspace workspace
	throttle  *throttle // nil: no rate limits
	redeliver *redelivery
}

// NewServer starts a Server that is stopped, with every connection to it
// closed, when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{
		t:         t,
		failures:  map[string][]Failure{},
		sent:      map[string]time.Time{},
		acks:      map[string]time.Time{},
		answers:   map[string][]byte{},
		pingReset: make(chan struct{}),
		redeliver: newRedelivery(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.withScopes(s.serveAPI))
	mux.HandleFunc("/ws", s.serveSocket)
	mux.HandleFunc(responsePath, s.serveResponse)
	mux.HandleFunc("/upload/", s.serveUpload)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.stopRedelivery()
		s.DropConnections()
		s.srv.Close()
	})
	return s
}

// APIURL is the Web API's base URL: the adapter's APIURL option, or
// SLACK_API_URL.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL returns a response URL on the Server; what is posted to it
// is recorded under name.
func (s *Server) ResponseURL(name string) string { return s.srv.URL + responsePath + name }

// FailNext makes the next n calls of method fail as f says.
func (s *Server) FailNext(method string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], f)
	}
}

// SetUserGroup sets the members usergroups.users.list reports for the
// user group UserGroupID. When errCode is not empty, every call of it
// fails with that Slack error instead, until SetUserGroup is called again.
func (s *Server) SetUserGroup(members []string, errCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members, s.groupErr = slices.Clone(members), errCode
}

// Calls returns the Web API calls of the given methods (all calls when
// none is given) in the order they arrived, failed ones included.
func (s *Server) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return named(s.calls, func(c Call) string { return c.Method }, methods)
}

// Posts returns the chat.postMessage calls, in order.
func (s *Server) Posts() []Call { return s.Calls("chat.postMessage") }

// Updates returns the chat.update calls, in order.
func (s *Server) Updates() []Call { return s.Calls("chat.update") }

// Ephemerals returns the chat.postEphemeral calls, in order.
func (s *Server) Ephemerals() []Call { return s.Calls("chat.postEphemeral") }

// ResponsePosts returns the posts to the named response URLs (to all of
// them when no name is given), in the order they arrived.
func (s *Server) ResponsePosts(names ...string) []ResponsePost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return named(s.responses, func(p ResponsePost) string { return p.Name }, names)
}

// named returns the items whose name is one of names, or all of them when
// names is empty, in order.
func named[T any](items []T, name func(T) string, names []string) []T {
	var out []T
	for _, it := range items {
		if len(names) == 0 || slices.Contains(names, name(it)) {
			out = append(out, it)
		}
	}
	return out
}

// Uploads returns the files uploaded so far, in order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.uploads)
}
