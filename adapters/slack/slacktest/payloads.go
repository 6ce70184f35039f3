package slacktest

import "strings"

// The payloads below have the shapes Slack sends, with the fields
// Union Hall reads. Events and payloads are maps so that a test can add or
// change a field (a subtype, a bot_id) before sending.

// Mention is an app_mention event: user mentioned the bot in channel.
// threadTS, when set, is the thread the mention was written in.
func Mention(user, channel, text, ts, threadTS string) map[string]any {
	e := map[string]any{"type": "app_mention", "user": user, "channel": channel, "text": text, "ts": ts, "event_ts": ts}
	if threadTS != "" {
		e["thread_ts"] = threadTS
	}
	return e
}

// DirectMessage is a message event in the direct-message channel between
// user and the bot.
func DirectMessage(user, channel, text, ts string) map[string]any {
	return map[string]any{"type": "message", "channel_type": "im", "user": user, "channel": channel, "text": text, "ts": ts, "event_ts": ts}
}

// EventCallback is the Events API callback that carries event: the body
// of an HTTP-mode event request, and the payload of an events_api
// envelope. Slack retries a callback with the same eventID.
func EventCallback(eventID string, event map[string]any) map[string]any {
	return map[string]any{
		"type": "event_callback", "team_id": TeamID, "api_app_id": AppID,
		"event_id": eventID, "event_time": 1700000000, "event": event,
	}
}

// EventsAPIEnvelope is the Socket Mode envelope of event. retry is its
// delivery attempt: 0 for the first, 1 or more for Slack's retries after
// an unacknowledged delivery.
func EventsAPIEnvelope(envelopeID, eventID string, retry int, event map[string]any) map[string]any {
	env := map[string]any{
		"type": "events_api", "envelope_id": envelopeID, "accepts_response_payload": false,
		"retry_attempt": retry, "retry_reason": "",
		"payload": EventCallback(eventID, event),
	}
	if retry > 0 {
		env["retry_reason"] = "timeout"
	}
	return env
}

// SlashCommand is the payload of a slash command user typed in channel.
// Replies to it may be posted to responseURL.
func SlashCommand(command, text, user, channel, responseURL, triggerID string) map[string]any {
	return map[string]any{
		"command": command, "text": text, "user_id": user, "user_name": strings.ToLower(user),
		"channel_id": channel, "channel_name": "general", "team_id": TeamID,
		"response_url": responseURL, "trigger_id": triggerID, "api_app_id": AppID,
	}
}

// SlashCommandEnvelope is the Socket Mode envelope of a slash command
// payload.
func SlashCommandEnvelope(envelopeID string, payload map[string]any) map[string]any {
	return map[string]any{"type": "slash_commands", "envelope_id": envelopeID, "accepts_response_payload": true, "payload": payload}
}

// BlockActions is the payload of user's click on btn in the bot's message
// (channel, messageTS, with messageBlocks), clicked at messageTS. Replies
// to it may be posted to responseURL.
func BlockActions(user, channel, messageTS string, messageBlocks []map[string]any, btn Button, triggerID, responseURL string) map[string]any {
	return map[string]any{
		"type":         "block_actions",
		"trigger_id":   triggerID,
		"response_url": responseURL,
		"api_app_id":   AppID,
		"user":         map[string]any{"id": user, "name": strings.ToLower(user)},
		"channel":      map[string]any{"id": channel, "name": "general"},
		"team":         map[string]any{"id": TeamID},
		"container":    map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false},
		"message":      map[string]any{"type": "message", "ts": messageTS, "bot_id": BotID, "blocks": messageBlocks},
		"actions": []map[string]any{{
			"type": "button", "action_id": btn.ActionID, "block_id": btn.BlockID, "value": btn.Value,
			"text": map[string]any{"type": "plain_text", "text": btn.Label}, "action_ts": messageTS,
		}},
	}
}

// InteractiveEnvelope is the Socket Mode envelope of an interaction
// payload such as BlockActions.
func InteractiveEnvelope(envelopeID string, payload map[string]any) map[string]any {
	return map[string]any{"type": "interactive", "envelope_id": envelopeID, "accepts_response_payload": false, "payload": payload}
}
