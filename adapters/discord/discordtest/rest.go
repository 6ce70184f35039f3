package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// apiPrefix is the versioned path every REST endpoint is under.
const apiPrefix = "/api/v9"

// Route names a REST endpoint: its method and its path under /api/v9.
type Route string

// The endpoints the server serves.
const (
	RouteGateway        Route = "GET /gateway"
	RouteGatewayBot     Route = "GET /gateway/bot"
	RouteGuildCommands  Route = "PUT /applications/{app}/guilds/{guild}/commands"
	RouteGlobalCommands Route = "PUT /applications/{app}/commands"
	RouteCallback       Route = "POST /interactions/{id}/{token}/callback"
	RouteFollowUp       Route = "POST /webhooks/{app}/{token}"
	RouteEditOriginal   Route = "PATCH /webhooks/{app}/{token}/messages/{mid}"
	RouteGetOriginal    Route = "GET /webhooks/{app}/{token}/messages/{mid}"
	RouteCreateMessage  Route = "POST /channels/{channel}/messages"
	RouteEditMessage    Route = "PATCH /channels/{channel}/messages/{mid}"
	RouteCreateDM       Route = "POST /users/@me/channels"
	RouteGuildRoles     Route = "GET /guilds/{guild}/roles"
)

// access is who may call a route.
type access int

const (
	anyone      access = iota
	botToken           // the Authorization header carries the bot token
	interaction        // the path names an interaction by ID and token
	webhook            // the path carries the token of an acknowledged interaction
)

// handler serves a request on one route, with the server locked.
type handler func(*Server, *request) response

// routes are the endpoints by who may call them.
var routes = []struct {
	access access
	serve  map[Route]handler
}{
	{anyone, map[Route]handler{RouteGateway: (*Server).gatewayURL}},
	{botToken, map[Route]handler{
		RouteGatewayBot:     (*Server).gatewayURL,
		RouteGuildCommands:  (*Server).overwriteCommands,
		RouteGlobalCommands: (*Server).overwriteCommands,
		RouteCreateMessage:  (*Server).createMessage,
		RouteEditMessage:    (*Server).editMessage,
		RouteCreateDM:       (*Server).createDM,
		RouteGuildRoles:     (*Server).guildRoles,
	}},
	{interaction, map[Route]handler{RouteCallback: (*Server).callback}},
	{webhook, map[Route]handler{
		RouteFollowUp:     (*Server).followUp,
		RouteEditOriginal: (*Server).editOriginal,
		RouteGetOriginal:  (*Server).getOriginal,
	}},
}

// guildRoles are the roles of GuildID.
var guildRoles = []map[string]any{
	{"id": GuildID, "name": "@everyone"},
	{"id": MemberRoleID, "name": "Member"},
	{"id": StewardRoleID, "name": StewardRoleName},
}

func (s *Server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, group := range slices.Concat(routes, guildRoutes, memberRoutes) {
		for route, serve := range group.serve {
			method, path, _ := strings.Cut(string(route), " ")
			mux.HandleFunc(method+" "+apiPrefix+path, s.handle(route, group.access, serve))
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.violate("unexpected request %s %s", r.Method, r.URL.Path)
		apiError(http.StatusNotFound, 0, "404: Not Found").write(w)
	})
	return mux
}

// request is a REST request being served, with what the wrapper learned.
type request struct {
	r    *http.Request
	body []byte
	in   *Interaction // for interaction and webhook routes
	call *Call
	// header, when its bucket is set, is the route's rate-limit state,
	// sent with the answer.
	header bucketHeaders
}

// response is what a handler answers; body is encoded as JSON.
type response struct {
	status int
	header map[string]string
	body   any
}

func (resp response) write(w http.ResponseWriter) {
	for k, v := range resp.header {
		w.Header().Set(k, v)
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.status)
	json.NewEncoder(w).Encode(resp.body)
}

func ok(body any) response { return response{status: http.StatusOK, body: body} }

func apiError(status, code int, message string) response {
	return response{status: status, body: map[string]any{"code": code, "message": message}}
}

// handle serves route: it reads the body, checks access and rate limits,
// runs serve with the server locked, and records the call.
func (s *Server) handle(route Route, access access, serve handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if access == webhook {
			s.awaitAnswer(r.PathValue("token"))
		}
		s.mu.Lock()
		q := &request{r: r, body: body, call: &Call{Route: route, At: time.Now(), ChannelID: r.PathValue("channel")}}
		var resp response
		if err != nil {
			resp = apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
		} else if resp = s.admitLocked(route, access, q); resp.status == 0 {
			resp = serve(s, q)
		}
		if q.header.bucket != "" && resp.status < 300 {
			if resp.header == nil {
				resp.header = map[string]string{}
			}
			q.header.set(resp.header)
		}
		q.call.Status = resp.status
		s.calls = append(s.calls, *q.call)
		s.mu.Unlock()
		resp.write(w)
	}
}

// admitLocked checks who is calling and the route's rate limit; it
// returns a zero response when the request may be served.
func (s *Server) admitLocked(route Route, access access, q *request) response {
	r := q.r
	if app := r.PathValue("app"); app != "" && app != AppID {
		s.violateLocked("%s for application %s", route, app)
		return apiError(http.StatusNotFound, 10002, "Unknown Application")
	}
	switch access {
	case botToken:
		if r.Header.Get("Authorization") != "Bot "+s.token {
			s.violateLocked("%s without the bot token", route)
			return apiError(http.StatusUnauthorized, 0, "401: Unauthorized")
		}
	case interaction:
		in := s.interactions[r.PathValue("id")]
		if in == nil || in.Token != r.PathValue("token") {
			s.violateLocked("callback for an unknown interaction")
			return apiError(http.StatusNotFound, 10062, "Unknown interaction")
		}
		q.in = in
	case webhook:
		in := s.byToken[r.PathValue("token")]
		if in == nil || in.Acks == 0 {
			s.violateLocked("%s for an unknown or unacknowledged interaction", route)
			return apiError(http.StatusNotFound, 10015, "Unknown Webhook")
		}
		q.in = in
	}
	if q.in != nil {
		q.call.InteractionID = q.in.ID
	}
	return s.rateLimitLocked(route, access, q)
}

// rateLimit is a number of 429s to answer on a route.
type rateLimit struct {
	n          int
	retryAfter time.Duration
}

// RateLimit answers the next n requests on route with 429 Too Many
// Requests, with Discord's headers and body and the given retry_after.
// Each 429 closes the route's bucket (the route in one channel) until
// retry_after has passed; a request in that time is answered with 429
// again and is a violation.
func (s *Server) RateLimit(route Route, n int, retryAfter time.Duration) {
	s.with(func() { s.limits[route] = rateLimit{n: n, retryAfter: retryAfter} })
}

func (s *Server) rateLimitLocked(route Route, access access, q *request) response {
	bucket := string(route) + " " + q.call.ChannelID
	now := s.nowLocked(q)
	if reset, ok := s.resets[bucket]; ok && now.Before(reset) {
		s.violateLocked("%s retried %v before its retry_after had passed", route, reset.Sub(now))
		return tooManyRequests(bucketHeaders{bucket: bucketID(route), limit: 1, resetAt: reset, after: reset.Sub(now)}, "user")
	}
	l := s.limits[route]
	if l.n == 0 {
		return s.throttleLocked(route, access, q, now)
	}
	l.n--
	s.limits[route] = l
	s.resets[bucket] = now.Add(l.retryAfter)
	return tooManyRequests(bucketHeaders{bucket: bucketID(route), limit: 1, resetAt: now.Add(l.retryAfter), after: l.retryAfter}, "user")
}

// badBody answers a body the server could not read; the bot sent it, so
// it is a violation.
func (s *Server) badBody(route Route, err error) response {
	s.violateLocked("%s: %v", route, err)
	return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
}

// served answers with m and records it on the call.
func served(q *request, m *Message) response {
	q.call.MessageID = m.ID
	q.call.ChannelID = m.ChannelID
	return ok(messageJSON(m))
}

func (s *Server) wsURL() string { return "ws" + strings.TrimPrefix(s.gw.URL, "http") }

func (s *Server) gatewayURL(*request) response {
	return ok(map[string]any{"url": s.wsURL(), "shards": 1,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}})
}

func (s *Server) overwriteCommands(q *request) response {
	var cmds []*discordgo.ApplicationCommand
	if err := json.Unmarshal(q.body, &cmds); err != nil {
		return s.badBody(q.call.Route, err)
	}
	guild := q.r.PathValue("guild")
	for _, c := range cmds {
		c.ID, c.ApplicationID, c.GuildID = s.newIDLocked(), AppID, guild
	}
	s.overwrites = append(s.overwrites, Overwrite{GuildID: guild, Commands: cmds})
	return ok(cmds)
}

func (s *Server) callback(q *request) response {
	typ, o, err := s.readMessage(q, true)
	if err != nil {
		return s.badBody(q.call.Route, err)
	}
	in := q.in
	in.Acks++
	if in.Acks > 1 {
		s.violateLocked("interaction %s acknowledged twice", in.ID)
		return apiError(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	}
	in.AckLatency = time.Since(in.SentAt)
	in.AckType, in.AckFlags = typ, o.Flags
	switch typ {
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource:
		deferral := typ == discordgo.InteractionResponseDeferredChannelMessageWithSource
		s.checkLocked(o, "interaction response", deferral)
		m := s.newMessageLocked(in.ChannelID, o)
		m.InteractionID, m.Deferred = in.ID, deferral
		in.OriginalID = m.ID
	case discordgo.InteractionResponseDeferredMessageUpdate:
		if in.Type != discordgo.InteractionMessageComponent {
			s.violateLocked("deferred update of interaction %s, which is not a component's", in.ID)
		}
		in.OriginalID = in.ClickedID
	case discordgo.InteractionResponseUpdateMessage:
		s.updateClickedLocked(in, o)
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		in.Choices = o.Choices
	default:
		s.violateLocked("callback type %d", typ)
	}
	return response{status: http.StatusNoContent}
}

func (s *Server) followUp(q *request) response {
	_, o, err := s.readMessage(q, false)
	if err != nil {
		return s.badBody(q.call.Route, err)
	}
	in := q.in
	if q.r.URL.Query().Get("wait") != "true" {
		s.violateLocked("follow-up without wait=true")
	}
	s.checkLocked(o, "follow-up", false)
	m := s.messages[in.OriginalID]
	if m != nil && m.Deferred {
		// The first follow-up after a deferral fills the placeholder and
		// keeps its visibility, as on Discord.
		apply(m, o)
		m.Deferred = false
	} else {
		m = s.newMessageLocked(in.ChannelID, o)
		m.InteractionID = in.ID
	}
	in.Followups = append(in.Followups, m.ID)
	return served(q, m)
}

// webhookMessageLocked returns the message a webhook path names:
// "@original" is the interaction's response.
func (s *Server) webhookMessageLocked(q *request) *Message {
	id := q.r.PathValue("mid")
	if id == "@original" {
		id = q.in.OriginalID
	}
	if s.deleted[id] {
		return nil
	}
	return s.messages[id]
}

func (s *Server) editOriginal(q *request) response {
	_, o, err := s.readMessage(q, false)
	if err != nil {
		return s.badBody(q.call.Route, err)
	}
	m := s.webhookMessageLocked(q)
	if m == nil {
		return apiError(http.StatusNotFound, 10008, "Unknown Message")
	}
	s.checkLocked(o, "webhook edit", false)
	editLocked(m, o)
	return served(q, m)
}

func (s *Server) getOriginal(q *request) response {
	m := s.webhookMessageLocked(q)
	if m == nil {
		return apiError(http.StatusNotFound, 10008, "Unknown Message")
	}
	return served(q, m)
}

func (s *Server) createMessage(q *request) response {
	_, o, err := s.readMessage(q, false)
	if err != nil {
		return s.badBody(q.call.Route, err)
	}
	s.checkLocked(o, "channel message", false)
	if o.Flags&discordgo.MessageFlagsEphemeral != 0 {
		s.violateLocked("ephemeral flag on a channel message")
	}
	return served(q, s.newMessageLocked(q.r.PathValue("channel"), o))
}

func (s *Server) editMessage(q *request) response {
	_, o, err := s.readMessage(q, false)
	if err != nil {
		return s.badBody(q.call.Route, err)
	}
	id := q.r.PathValue("mid")
	m := s.messages[id]
	if s.deleted[id] {
		return apiError(http.StatusNotFound, 10008, "Unknown Message")
	}
	if m == nil || m.ChannelID != q.r.PathValue("channel") || m.Ephemeral() {
		s.violateLocked("edit of an unknown or ephemeral message through the channel")
		return apiError(http.StatusNotFound, 10008, "Unknown Message")
	}
	s.checkLocked(o, "message edit", false)
	editLocked(m, o)
	return served(q, m)
}

func (s *Server) createDM(q *request) response {
	var body struct {
		Recipient string `json:"recipient_id"`
	}
	if err := json.Unmarshal(q.body, &body); err != nil || body.Recipient == "" {
		return s.badBody(q.call.Route, fmt.Errorf("no recipient_id: %v", err))
	}
	if s.closedDMs[body.Recipient] {
		return apiError(http.StatusForbidden, 50007, "Cannot send messages to this user")
	}
	ch, found := s.dmChannels[body.Recipient]
	if !found && s.dmSpam.refuses() {
		return apiError(http.StatusForbidden, errOpeningDMsTooFast, "You are opening direct messages too fast.")
	}
	if !found {
		s.dmSpam.opened++
		ch = s.newIDLocked()
		s.dmChannels[body.Recipient] = ch
	}
	q.call.ChannelID = ch
	return ok(map[string]any{"id": ch, "type": discordgo.ChannelTypeDM, "recipients": []any{map[string]any{"id": body.Recipient}}})
}

func (s *Server) guildRoles(q *request) response {
	if q.r.PathValue("guild") != GuildID {
		return apiError(http.StatusNotFound, 10004, "Unknown Guild")
	}
	return ok(guildRoles)
}
