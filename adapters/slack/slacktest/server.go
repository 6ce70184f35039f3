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
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
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

// Call is one Web API call the Server received, answered or failed.
type Call struct {
	Method string     // "chat.postMessage"
	Form   url.Values // the call's parameters
	Token  string     // the token it was made with
	// TS is the timestamp the Server gave the message the call created
	// (chat.postMessage, chat.postEphemeral); empty otherwise.
	TS string
	// Err is what the Server answered instead of success: a Slack error
	// code ("invalid_auth") or an HTTP status ("429"). Empty on success.
	Err string
	At  time.Time // when the call arrived
}

// Blocks returns the call's Block Kit blocks.
func (c Call) Blocks() []map[string]any { return decodeBlocks(c.Form.Get("blocks")) }

// Text returns the call's text and every text in its blocks, one per line
// (see Text).
func (c Call) Text() string { return Text(c.Form.Get("text"), c.Blocks()) }

// ResponsePost is one message posted to a response URL.
type ResponsePost struct {
	Name string         // the name given to ResponseURL
	Body map[string]any // the message as posted
	At   time.Time      // when it arrived

	msg responseMessage
}

// responseMessage is the part of a response URL post tests read.
type responseMessage struct {
	Text         string           `json:"text"`
	ResponseType string           `json:"response_type"`
	Blocks       []map[string]any `json:"blocks"`
}

// ResponseType returns "ephemeral" for a reply shown to the member alone,
// "in_channel" for one shown to everyone.
func (p ResponsePost) ResponseType() string { return p.msg.ResponseType }

// Blocks returns the message's Block Kit blocks.
func (p ResponsePost) Blocks() []map[string]any { return p.msg.Blocks }

// Text returns the message's text and every text in its blocks, one per
// line (see Text).
func (p ResponsePost) Text() string { return Text(p.msg.Text, p.msg.Blocks) }

// Upload is a file uploaded with files.getUploadURLExternal.
type Upload struct {
	FileID string
	Data   []byte
}

// Failure is how the Server answers a call it was told to fail.
type Failure struct {
	// Status is the HTTP status to answer with (429, 503). When it is 0
	// the Server answers 200 with {"ok": false, "error": Error}.
	Status int
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// Error is the Slack error code ("ratelimited", "channel_not_found").
	Error string
}

// Server is a local Slack. It is safe for concurrent use. Every method
// that waits or sends fails the test it was created for when it cannot.
type Server struct {
	t        testing.TB
	srv      *httptest.Server
	upgrader websocket.Upgrader

	mu        sync.Mutex
	calls     []Call
	responses []ResponsePost
	uploads   []Upload
	failures  map[string][]Failure
	ts        int
	members   []string
	groupErr  string
	sockets   []*socket
	sent      map[string]time.Time // envelope ID → when it was sent
	acks      map[string]time.Time // envelope ID → when it was first acknowledged
	pingEvery time.Duration
	pingReset chan struct{} // closed when pingEvery changes
	pongs     int
}

// NewServer starts a Server that is stopped, with every connection to it
// closed, when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{
		t:         t,
		upgrader:  websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		failures:  map[string][]Failure{},
		sent:      map[string]time.Time{},
		acks:      map[string]time.Time{},
		pingReset: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/ws", s.serveSocket)
	mux.HandleFunc(responsePath, s.serveResponse)
	mux.HandleFunc("/upload/", s.serveUpload)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
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
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || slices.Contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
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
	var out []ResponsePost
	for _, p := range s.responses {
		if len(names) == 0 || slices.Contains(names, p.Name) {
			out = append(out, p)
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

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// serveAPI answers one Web API call: first any failure it was told to
// give, then invalid_auth for a wrong token, then the method's answer.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = form.Get("token")
	}
	call := Call{Method: method, Form: form, Token: token, At: time.Now()}
	reply, fail := s.answer(&call)
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	if fail != nil {
		if fail.RetryAfter != "" {
			w.Header().Set("Retry-After", fail.RetryAfter)
		}
		if fail.Status != 0 {
			w.WriteHeader(fail.Status)
			return
		}
	}
	writeJSON(w, reply)
}

// answer decides the reply to call, setting its TS and Err. It returns
// the failure it was told to give, if any.
func (s *Server) answer(call *Call) (map[string]any, *Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.failures[call.Method]; len(q) > 0 {
		f := q[0]
		s.failures[call.Method] = q[1:]
		call.Err = f.Error
		if f.Status != 0 {
			call.Err = strconv.Itoa(f.Status)
		}
		return map[string]any{"ok": false, "error": f.Error}, &f
	}
	fail := func(code string) (map[string]any, *Failure) {
		call.Err = code
		return map[string]any{"ok": false, "error": code}, nil
	}
	want := BotToken
	if call.Method == "apps.connections.open" {
		want = AppToken
	}
	if call.Token != want {
		return fail("invalid_auth")
	}
	form := call.Form
	switch call.Method {
	case "auth.test":
		return map[string]any{"ok": true, "user_id": BotUserID, "bot_id": BotID, "team": "Local 1", "team_id": TeamID}, nil
	case "apps.connections.open":
		return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws"}, nil
	case "chat.postMessage":
		call.TS = s.nextTSLocked()
		return map[string]any{"ok": true, "channel": form.Get("channel"), "ts": call.TS}, nil
	case "chat.postEphemeral":
		call.TS = s.nextTSLocked()
		return map[string]any{"ok": true, "message_ts": call.TS}, nil
	case "chat.update":
		return map[string]any{"ok": true, "channel": form.Get("channel"), "ts": form.Get("ts"), "text": form.Get("text")}, nil
	case "usergroups.users.list":
		if s.groupErr != "" {
			return fail(s.groupErr)
		}
		if form.Get("usergroup") != UserGroupID {
			return fail("no_such_subteam")
		}
		return map[string]any{"ok": true, "users": slices.Clone(s.members)}, nil
	case "usergroups.list":
		return map[string]any{"ok": true, "usergroups": []map[string]string{{"id": UserGroupID, "handle": UserGroupHandle, "name": "Stewards"}}}, nil
	case "conversations.open":
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + form.Get("users")}}, nil
	case "files.getUploadURLExternal":
		id := "F" + s.nextTSLocked()
		return map[string]any{"ok": true, "file_id": id, "upload_url": s.srv.URL + "/upload/" + id}, nil
	case "files.completeUploadExternal":
		var files []map[string]any
		json.Unmarshal([]byte(form.Get("files")), &files)
		return map[string]any{"ok": true, "files": files}, nil
	}
	return fail("unknown_method")
}

// nextTSLocked returns a new message timestamp; the first is
// 1700000000.000001. s.mu must be held.
func (s *Server) nextTSLocked() string {
	s.ts++
	return fmt.Sprintf("1700000000.%06d", s.ts)
}

// serveResponse records a post to a response URL.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	p := ResponsePost{Name: strings.TrimPrefix(r.URL.Path, responsePath), At: time.Now()}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &p.Body); err != nil {
		s.t.Errorf("response URL %s: undecodable message: %v", p.Name, err)
		http.Error(w, "undecodable message", http.StatusBadRequest)
		return
	}
	json.Unmarshal(body, &p.msg)
	s.mu.Lock()
	s.responses = append(s.responses, p)
	s.mu.Unlock()
	io.WriteString(w, "ok")
}

// serveUpload receives a file at the upload URL files.getUploadURLExternal
// gave out.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	s.mu.Lock()
	s.uploads = append(s.uploads, Upload{FileID: strings.TrimPrefix(r.URL.Path, "/upload/"), Data: data})
	s.mu.Unlock()
	io.WriteString(w, "OK")
}

func decodeBlocks(s string) []map[string]any {
	var b []map[string]any
	json.Unmarshal([]byte(s), &b)
	return b
}
