package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

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

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// serveAPI answers one Web API call: first any failure it was told to
// give, then invalid_auth for a wrong token, then the method's answer.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	form := decodeParams(r.Header.Get("Content-Type"), body)
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
	if f := s.limitedLocked(call.Method, call.Form); f != nil {
		call.Err = strconv.Itoa(f.Status)
		return map[string]any{"ok": false, "error": f.Error}, f
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
	case "users.lookupByEmail":
		return s.lookupByEmailLocked(form.Get("email")), nil
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
	if reply, ok := s.answerViews(call); ok {
		return reply, nil
	}
	if reply, ok := s.answerWorkspace(call); ok {
		return reply, nil
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
