package slacktest

import "strings"

// Text returns fallback and every text a member sees in blocks, one per
// line, in the order Slack shows them: a block's text, then its fields,
// its elements (context texts, button labels, rich text) and its
// accessory. Tests assert on it with strings.Contains and regular
// expressions, so the order is the message's, never a map's.
func Text(fallback string, blocks []map[string]any) string {
	parts := []string{fallback}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["text"].(string); ok {
				parts = append(parts, t)
			} else {
				walk(x["text"])
			}
			for _, k := range []string{"title", "fields", "elements", "element", "accessory", "label", "hint"} {
				walk(x[k])
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	for _, b := range blocks {
		walk(b)
	}
	return strings.Join(parts, "\n")
}

// BlocksOfType returns the blocks of the given type ("header", "actions",
// "context"), in order.
func BlocksOfType(blocks []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, b := range blocks {
		if b["type"] == typ {
			out = append(out, b)
		}
	}
	return out
}

// Button is a button of a Block Kit message: what a member sees (Label)
// and what a click on it sends back (BlockID, ActionID, Value).
type Button struct {
	BlockID, ActionID, Label, Value string
}

// Buttons returns every button in the actions blocks of blocks, in order.
func Buttons(blocks []map[string]any) []Button {
	var out []Button
	for _, b := range BlocksOfType(blocks, "actions") {
		blockID, _ := b["block_id"].(string)
		els, _ := b["elements"].([]any)
		for _, e := range els {
			el, _ := e.(map[string]any)
			if el["type"] != "button" {
				continue
			}
			btn := Button{BlockID: blockID}
			btn.ActionID, _ = el["action_id"].(string)
			btn.Value, _ = el["value"].(string)
			if t, ok := el["text"].(map[string]any); ok {
				btn.Label, _ = t["text"].(string)
			}
			out = append(out, btn)
		}
	}
	return out
}
