package slacktest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// decodeParams returns a Web API call's parameters: a form body as it
// is, and a JSON body (which methods such as views.open take) with each
// top-level field as one parameter, objects and arrays in their JSON.
func decodeParams(contentType string, body []byte) url.Values {
	if !strings.HasPrefix(contentType, "application/json") {
		form, _ := url.ParseQuery(string(body))
		return form
	}
	var fields map[string]json.RawMessage
	json.Unmarshal(body, &fields)
	form := url.Values{}
	for k, raw := range fields {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			form.Set(k, s)
			continue
		}
		form.Set(k, string(raw))
	}
	return form
}

// View is a modal the app opened with views.open.
type View struct {
	ID        string
	TriggerID string
	// Body is the view as the app sent it.
	Body map[string]any
}

// Blocks returns the view's blocks.
func (v View) Blocks() []map[string]any {
	b, _ := json.Marshal(v.Body["blocks"])
	return decodeBlocks(string(b))
}

// Text returns the view's title and every text a member sees in it.
func (v View) Text() string {
	title, _ := v.Body["title"].(map[string]any)
	t, _ := title["text"].(string)
	return Text(t, v.Blocks())
}

// answerViews answers views.open, as Slack does for a trigger_id it
// gave: the view, with an ID. ok is false for any other method. s.mu must
// be held.
func (s *Server) answerViews(call *Call) (reply map[string]any, ok bool) {
	if call.Method != "views.open" {
		return nil, false
	}
	var view map[string]any
	if call.Form.Get("trigger_id") == "" || json.Unmarshal([]byte(call.Form.Get("view")), &view) != nil {
		call.Err = "invalid_arguments"
		return map[string]any{"ok": false, "error": call.Err}, true
	}
	view["id"] = fmt.Sprintf("V%d", len(s.calls)+1)
	call.TS = view["id"].(string)
	return map[string]any{"ok": true, "view": view}, true
}

// Views returns the modals opened so far, oldest first.
func (s *Server) Views() []View {
	var out []View
	for _, c := range s.Calls("views.open") {
		if c.Err != "" {
			continue
		}
		v := View{ID: c.TS, TriggerID: c.Form.Get("trigger_id")}
		json.Unmarshal([]byte(c.Form.Get("view")), &v.Body)
		out = append(out, v)
	}
	return out
}

// ViewSubmission is the payload of user's submission of view with the
// given menu picks: block_id → action_id → the chosen option's value (a
// menu left empty is left out, as Slack does).
func ViewSubmission(user string, view View, picks map[string]map[string]string) map[string]any {
	values := map[string]any{}
	for block, actions := range picks {
		vs := map[string]any{}
		for action, value := range actions {
			vs[action] = map[string]any{"type": "static_select", "selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": value}}}
		}
		values[block] = vs
	}
	body := map[string]any{"id": view.ID, "type": "modal", "team_id": TeamID, "state": map[string]any{"values": values}}
	for _, k := range []string{"callback_id", "private_metadata", "title", "blocks"} {
		if v, ok := view.Body[k]; ok {
			body[k] = v
		}
	}
	return map[string]any{
		"type":       "view_submission",
		"api_app_id": AppID,
		"team":       map[string]any{"id": TeamID},
		"user":       map[string]any{"id": user, "name": strings.ToLower(user)},
		"trigger_id": "T-submit-" + view.ID,
		"view":       body,
	}
}

// SendViewSubmission sends, in envelope id, user's submission of view
// with picks (see ViewSubmission), and returns the answer the client's
// acknowledgement carried: nil when it carried none, which closes the
// modal.
func (s *Server) SendViewSubmission(id, user string, view View, picks map[string]map[string]string) map[string]any {
	s.t.Helper()
	env := InteractiveEnvelope(id, ViewSubmission(user, view, picks))
	env["accepts_response_payload"] = true
	s.Send(env)
	s.WaitAcked(id)
	s.mu.Lock()
	raw := s.answers[id]
	s.mu.Unlock()
	if raw == nil {
		return nil
	}
	var answer map[string]any
	if err := json.Unmarshal(raw, &answer); err != nil {
		s.t.Fatalf("acknowledgement of %s: undecodable answer %s: %v", id, raw, err)
	}
	return answer
}
