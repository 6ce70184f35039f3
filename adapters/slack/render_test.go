package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
)

func TestEscapeAndLinks(t *testing.T) {
	cases := map[string]string{
		"a & b < c > d":                          "a &amp; b &lt; c &gt; d",
		"<!channel> wake up":                     "&lt;!channel&gt; wake up",
		"<@U123> and <#C1|general>":              "&lt;@U123&gt; and &lt;#C1|general&gt;",
		"<https://evil.example|click here>":      "&lt;<https://evil.example>|click here&gt;",
		"see https://ct.gov/sebac. Thanks":       "see <https://ct.gov/sebac>. Thanks",
		"(https://a.example/x?y=1&z=2)":          "(<https://a.example/x?y=1&amp;z=2>)",
		"plain @channel and @here stay inert":    "plain @channel and @here stay inert",
		"a bare https:// is not a link":          "a bare https:// is not a link",
		"*bold* _it_ and `code` are formatting.": "*bold* _it_ and `code` are formatting.",
	}
	for in, want := range cases {
		if got := mrkdwn(in); got != want {
			t.Errorf("mrkdwn(%q) = %q, want %q", in, got, want)
		}
	}
}

// noInjectedMarkup fails if rendered text contains a Slack control
// sequence that did not come from the adapter's own URL links.
func noInjectedMarkup(t *testing.T, s string) {
	t.Helper()
	for _, bad := range []string{"<!", "<@", "<#", "|click"} {
		if strings.Contains(s, bad) {
			t.Errorf("rendered text contains %q: %q", bad, s)
		}
	}
}

func TestCardRendering(t *testing.T) {
	c := bot.Card{
		Key:   "poll:12",
		Title: "Ratify? <!channel>",
		Body:  "Yes: 3 <@U1>\nNo: 1 & more",
		Buttons: []bot.Button{
			{Label: "Yes", Action: "vote", Value: "12 1", Style: bot.StylePrimary},
			{Label: "No", Action: "vote", Value: "12 2", Style: bot.StyleDanger},
			{Label: "Results", Action: "poll", Value: "results 12"},
		},
		Footer: "4 votes · closes <!here>",
	}
	msgs := renderReply(bot.Reply{Card: &c})
	if len(msgs) != 1 || msgs[0].card == nil {
		t.Fatalf("got %d messages", len(msgs))
	}
	blocks := blocksJSON(t, msgs[0].blocks)
	types := []string{}
	for _, b := range blocks {
		types = append(types, b["type"].(string))
	}
	if strings.Join(types, ",") != "header,section,actions,context" {
		t.Fatalf("block types = %v", types)
	}
	header := blocks[0]["text"].(map[string]any)
	if header["type"] != "plain_text" || header["text"] != "Ratify? <!channel>" {
		t.Errorf("header = %v (plain_text is shown literally, never parsed)", header)
	}
	section := blocks[1]["text"].(map[string]any)
	if section["type"] != "mrkdwn" || section["verbatim"] != true {
		t.Errorf("section text = %v, want verbatim mrkdwn", section)
	}
	noInjectedMarkup(t, section["text"].(string))
	noInjectedMarkup(t, msgs[0].fallback)
	if id, _ := blocks[2]["block_id"].(string); !strings.HasPrefix(id, "uh.card.0.r") || !strings.HasSuffix(id, ":poll:12") {
		t.Errorf("actions block_id = %v", blocks[2]["block_id"])
	}
	// An updated card gets new block_ids, as Slack asks; the same card
	// rendered again keeps them.
	changed := msgs[0].card
	changed.Body += "\n1 member voted."
	if again := cardMessage(nil, *changed); again.blocks[len(again.blocks)-2].(*slack.ActionBlock).BlockID == blocks[2]["block_id"] {
		t.Errorf("updated card reuses block_id %v", blocks[2]["block_id"])
	}
	if key, ok := cardKeyFromBlockID(blocks[2]["block_id"].(string)); !ok || key != "poll:12" {
		t.Errorf("card key from block_id = %q, %v", key, ok)
	}
	ids := map[string]bool{}
	for i, el := range blocks[2]["elements"].([]any) {
		b := el.(map[string]any)
		ids[b["action_id"].(string)] = true
		if b["value"] != c.Buttons[i].Command() {
			t.Errorf("button %d value %v, want %q", i, b["value"], c.Buttons[i].Command())
		}
	}
	if len(ids) != 3 {
		t.Errorf("action_ids not unique: %v", ids)
	}
	ctx := blocks[3]["elements"].([]any)[0].(map[string]any)
	noInjectedMarkup(t, ctx["text"].(string))
	if key, ok := cardKeyFromBlockID(blocks[2]["block_id"].(string)); !ok || key != "poll:12" {
		t.Errorf("key from block_id = %q %v", key, ok)
	}
}

func TestLongTextSplitsWithinLimits(t *testing.T) {
	line := strings.Repeat("word & ", 40) // 280 characters, 440 once escaped
	long := strings.Repeat(line+"\n", 400)
	msgs := renderReply(bot.Reply{Text: long})
	if len(msgs) < 2 {
		t.Fatalf("%d messages for %d characters, want several", len(msgs), len(long))
	}
	var rebuilt []string
	for _, m := range msgs {
		if len(m.blocks) > maxBlocks {
			t.Errorf("%d blocks in one message", len(m.blocks))
		}
		chars := 0
		for _, b := range blocksJSON(t, m.blocks) {
			txt := b["text"].(map[string]any)["text"].(string)
			n := utf8.RuneCountInString(txt)
			if n > maxSectionChars {
				t.Errorf("section of %d characters", n)
			}
			chars += n
			rebuilt = append(rebuilt, txt)
		}
		if chars > maxMessageChars {
			t.Errorf("message of %d characters", chars)
		}
		if utf8.RuneCountInString(m.fallback) > maxFallbackChars {
			t.Errorf("fallback of %d characters", utf8.RuneCountInString(m.fallback))
		}
	}
	// Nothing lost, nothing cut inside an entity.
	joined := strings.Join(rebuilt, "\n")
	if strings.Count(joined, "&amp;") != strings.Count(long, "&") || strings.Count(joined, "word") != strings.Count(long, "word") {
		t.Error("text lost or entities cut while splitting")
	}

	// One enormous line without spaces is cut hard but still within limits.
	pieces := splitRendered(mrkdwn(strings.Repeat("é", 7000)), maxSectionChars)
	if len(pieces) != 3 || utf8.RuneCountInString(pieces[0]) != maxSectionChars {
		t.Errorf("hard cut: %d pieces", len(pieces))
	}
}

func TestCardLimits(t *testing.T) {
	var buttons []bot.Button
	for i := range 30 {
		buttons = append(buttons, bot.Button{Label: strings.Repeat("x", 100), Action: "vote", Value: fmt.Sprintf("1 %d", i+1)})
	}
	c := bot.Card{Key: "poll:1", Title: strings.Repeat("T", 200), Body: strings.Repeat(strings.Repeat("b", 2999)+"\n", 60), Buttons: buttons, Footer: "f"}
	blocks := blocksJSON(t, renderCard(c))
	if len(blocks) > maxBlocks {
		t.Fatalf("%d blocks", len(blocks))
	}
	if h := blocks[0]["text"].(map[string]any)["text"].(string); utf8.RuneCountInString(h) > maxHeaderChars {
		t.Errorf("header of %d characters", utf8.RuneCountInString(h))
	}
	var rows, nButtons int
	seen := map[string]bool{}
	for _, b := range blocks {
		if b["type"] == "actions" {
			rows++
			if seen[b["block_id"].(string)] {
				t.Errorf("duplicate block_id %v", b["block_id"])
			}
			seen[b["block_id"].(string)] = true
			for _, el := range b["elements"].([]any) {
				nButtons++
				label := el.(map[string]any)["text"].(map[string]any)["text"].(string)
				if utf8.RuneCountInString(label) > maxButtonLabel {
					t.Errorf("button label of %d characters", utf8.RuneCountInString(label))
				}
			}
		}
	}
	if rows != 2 || nButtons != 30 {
		t.Errorf("%d buttons in %d rows, want 30 in 2", nButtons, rows)
	}
	last := blocks[len(blocks)-1]
	if last["type"] != "context" {
		t.Errorf("footer missing when the body is cut: last block %v", last["type"])
	}
}

func TestReplyWithTextAndCardKeepsTextOnUpdate(t *testing.T) {
	c := bot.Card{Key: "poll:2", Title: "Q?", Body: "Yes: 0"}
	msgs := renderReply(bot.Reply{Text: "Poll 2 is open.", Card: &c})
	if len(msgs) != 1 || len(msgs[0].prefix) != 1 {
		t.Fatalf("messages %d, prefix %d", len(msgs), len(msgs[0].prefix))
	}
	// The prefix is recovered from a posted message's blocks.
	var parsed slack.Blocks
	if err := json.Unmarshal([]byte(mustJSON(t, msgs[0].blocks)), &parsed); err != nil {
		t.Fatal(err)
	}
	prefix := textPrefix(parsed.BlockSet)
	c.Body = "Yes: 1"
	up := blocksJSON(t, cardMessage(prefix, c).blocks)
	if txt := slacktest.Text("", up); !strings.Contains(txt, "Poll 2 is open.") || !strings.Contains(txt, "Yes: 1") {
		t.Errorf("updated message = %q", txt)
	}
}

func TestDecodeText(t *testing.T) {
	cases := map[string]string{
		"what about &lt;raises&gt; &amp; pensions?": "what about <raises> & pensions?",
		"ask <@U123|ann> in <#C1|general>":          "ask @ann in #general",
		"ask <@U123> now":                           "ask @U123 now",
		"<!here> vote":                              "@here vote",
		"see <https://ct.gov|the site>":             "see the site",
		"see <https://ct.gov>":                      "see https://ct.gov",
		"group <!subteam^S1|@stewards>":             "group @stewards",
		`/poll “Ratify?” "Yes" "No"`:                `/poll “Ratify?” "Yes" "No"`,
	}
	for in, want := range cases {
		if got := decodeText(in); got != want {
			t.Errorf("decodeText(%q) = %q, want %q", in, got, want)
		}
	}
	if ts := parseTS("1700000000.000100"); ts.Unix() != 1700000000 || ts.Nanosecond() != 100000 {
		t.Errorf("parseTS = %v", ts)
	}
	if !parseTS("junk").IsZero() {
		t.Error("parseTS of junk should be zero")
	}
}

// FuzzRenderReply checks that any reply renders within Slack's limits and
// that member text can never produce a link with a hidden target, a
// mention or a special command.
func FuzzRenderReply(f *testing.F) {
	for _, s := range []string{"", "hello", "<!channel>", "a & b", "see https://x.example/a?b=1&c=2.", strings.Repeat("é&<>\n", 2000), "<https://evil|good>", "\xff\xfe"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, text, body string) {
		c := bot.Card{Key: "poll:1", Title: body, Body: body, Footer: text, Buttons: []bot.Button{{Label: text, Action: "vote", Value: "1 1"}}}
		for _, m := range renderReply(bot.Reply{Text: text, Card: &c}) {
			if len(m.blocks) > maxBlocks {
				t.Fatalf("%d blocks", len(m.blocks))
			}
			for _, b := range blocksJSON(t, m.blocks) {
				tx, ok := b["text"].(map[string]any)
				if !ok || tx["type"] != "mrkdwn" {
					continue
				}
				s := tx["text"].(string)
				if utf8.RuneCountInString(s) > maxSectionChars || strings.TrimSpace(s) == "" {
					t.Fatalf("section of %d characters", utf8.RuneCountInString(s))
				}
				checkLinks(t, s)
			}
			checkLinks(t, m.fallback)
		}
	})
}

// checkLinks fails unless every <...> in s is a plain link to an http(s)
// URL with no label.
func checkLinks(t *testing.T, s string) {
	t.Helper()
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return
		}
		j := strings.IndexByte(s[i:], '>')
		inner := s[i+1:]
		if j >= 0 {
			inner = s[i+1 : i+j]
		}
		if !strings.HasPrefix(inner, "http://") && !strings.HasPrefix(inner, "https://") || strings.ContainsAny(inner, "|<") {
			t.Fatalf("unsafe markup %q in %q", inner, s)
		}
		if j < 0 {
			return
		}
		s = s[i+j+1:]
	}
}

// TestMessagesStayWithinSlacksBlockTextLimit checks that long replies are
// split, and long cards cut, so that no message carries more block text
// than Slack accepts (it answers msg_blocks_too_long at about 12,000).
func TestMessagesStayWithinSlacksBlockTextLimit(t *testing.T) {
	long := strings.Repeat("The agreement includes a two-year wage freeze. ", 700) // about 33,000 characters
	msgs := renderReply(bot.Reply{Text: long, Card: &bot.Card{Key: "poll:1", Title: "Ratify?", Body: long, Footer: "Poll 1",
		Buttons: []bot.Button{{Label: "Yes", Action: "vote", Value: "1 1"}, {Label: "No", Action: "vote", Value: "1 2"}}}})
	if len(msgs) < 4 {
		t.Fatalf("33,000 characters of text and a long card went into %d messages", len(msgs))
	}
	for i, m := range msgs {
		if n := blocksChars(m.blocks); n > maxMessageChars || len(m.blocks) > maxBlocks {
			t.Errorf("message %d carries %d characters in %d blocks", i, n, len(m.blocks))
		}
	}
	card := msgs[len(msgs)-1]
	if card.card == nil {
		t.Fatal("the card is not on the last message")
	}
	var last string
	for _, b := range card.blocks {
		if s, ok := b.(*slack.SectionBlock); ok {
			last = s.Text.Text
		}
	}
	if !strings.HasSuffix(last, "…") {
		t.Errorf("a cut card body does not say so: ends %q", last[max(0, len(last)-40):])
	}
	if n := blocksChars(cardMessage(nil, *card.card).blocks); n > maxMessageChars {
		t.Errorf("card update carries %d characters", n)
	}
}
