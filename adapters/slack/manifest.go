package slack

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/unionhall/unionhall/bot"
)

// manifestJSON is the Slack app manifest for Socket Mode: the bot scopes
// and events this adapter uses. Its slash commands come from the
// commands' declarations.
//
//go:embed manifest.json
var manifestJSON []byte

// maxAppName is the longest app name Slack accepts.
const maxAppName = 35

// Manifest returns the Slack app manifest as indented JSON, with a slash
// command for each of cmds (Router.Commands). With baseURL
// empty it is for Socket Mode (no public URL). With the public base URL of
// the HTTP mode server (e.g. "https://hall.example.org"), Socket Mode is
// off and events, slash commands and interactivity point at its
// /slack/events, /slack/commands and /slack/interactive endpoints. A
// non-empty name replaces the app's and the bot's display name.
func Manifest(cmds []bot.Command, name, baseURL string) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return nil, fmt.Errorf("embedded manifest: %w", err)
	}
	slash := slashCommands(cmds)
	if name = strings.TrimSpace(name); name != "" {
		if utf8.RuneCountInString(name) > maxAppName {
			return nil, fmt.Errorf("app name %q is longer than Slack's %d characters", name, maxAppName)
		}
		obj(m, "display_information")["name"] = name
		obj(obj(m, "features"), "bot_user")["display_name"] = name
	}
	if baseURL = strings.TrimRight(strings.TrimSpace(baseURL), "/"); baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, errors.New("the request URL must be an https URL such as https://hall.example.org (Slack only calls https)")
		}
		settings := obj(m, "settings")
		settings["socket_mode_enabled"] = false
		obj(settings, "event_subscriptions")["request_url"] = baseURL + PathEvents
		obj(settings, "interactivity")["request_url"] = baseURL + PathInteractive
		for i := range slash {
			slash[i].URL = baseURL + PathCommands
		}
	}
	obj(m, "features")["slash_commands"] = slash
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// obj returns m[key] as an object, creating it when missing.
func obj(m map[string]any, key string) map[string]any {
	if o, ok := m[key].(map[string]any); ok {
		return o
	}
	o := map[string]any{}
	m[key] = o
	return o
}
