package discord

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

func TestEscapeMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text, 3% raise.", "plain text, 3% raise."},
		{"**bold** _it_ ~~s~~ `code` ||spoiler||", `\*\*bold\*\* \_it\_ \~\~s\~\~ \` + "`" + `code\` + "`" + ` \|\|spoiler\|\|`},
		{"# Heading\n> quote\n- item\n1. first\n-# small", "\\# Heading\n\\> quote\n\\- item\n1\\. first\n\\-# small"},
		{"<@123> <#456> <t:1:R> <:e:1>", `\<@123> \<#456> \<t:1:R> \<:e:1>`},
		{"hi @everyone and @HERE", "hi @\u200beveryone and @\u200bHERE"},
		{"[click](https://evil.example)", `\[click\](https://evil.example)`},
		{"see https://ct.gov/a_b*c_ now", "see https://ct.gov/a_b*c\\_ now"},
		{`back\slash`, `back\\slash`},
		{"", ""},
	} {
		if got := escapeMarkdown(tc.in); got != tc.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSplitTextFitsAndKeepsEverything(t *testing.T) {
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "Line %d: the *wage* freeze_ends in year %d.\n", i, i%5)
	}
	b.WriteString(strings.Repeat("x", 4500) + "\n")
	b.WriteString(strings.Repeat("*", 2500))
	text := b.String()
	chunks := splitText(text, maxContent)
	if len(chunks) < 8 {
		t.Fatalf("only %d chunks", len(chunks))
	}
	var joined strings.Builder
	for _, c := range chunks {
		if textLen(c) > maxContent {
			t.Fatalf("chunk of %d units", textLen(c))
		}
		if strings.HasSuffix(c, `\`) && !strings.HasSuffix(c, `\\`) {
			t.Fatalf("chunk ends inside an escape: %q", c[len(c)-10:])
		}
		joined.WriteString(c)
	}
	// Nothing is lost: unescaping the chunks gives back the words.
	got := strings.NewReplacer(`\*`, "*", `\_`, "_", "\n", "").Replace(joined.String())
	want := strings.NewReplacer("\n", "").Replace(text)
	if got != want {
		t.Errorf("split text lost content: got %d bytes, want %d", len(got), len(want))
	}
	if splitText(" \n ", maxContent) != nil {
		t.Error("blank text gave chunks")
	}
}

func TestTextLenCountsUTF16(t *testing.T) {
	if n := textLen("a😀é"); n != 4 {
		t.Errorf("textLen = %d, want 4", n)
	}
	s := truncate(strings.Repeat("😀", 100), 11)
	if textLen(s) > 11 || !utf8.ValidString(s) || !strings.HasSuffix(s, "…") {
		t.Errorf("truncate = %q (%d units)", s, textLen(s))
	}
	if got := truncate(`abcdefgh\*`, 10); got != `abcdefgh\*` {
		t.Errorf("truncate changed a fitting string: %q", got)
	}
	if got := truncate(`abcdefg\*xyz`, 9); got != "abcdefg…" {
		t.Errorf("truncate cut inside an escape: %q", got)
	}
}

func TestRenderCardLimits(t *testing.T) {
	a := &Adapter{}
	var buttons []bot.Button
	for i := range 30 {
		buttons = append(buttons, bot.Button{Label: strings.Repeat("L", 100), Action: "vote", Value: fmt.Sprintf("7 %d", i+1), Style: bot.StylePrimary})
	}
	buttons = append(buttons, bot.Button{Label: "dup", Action: "vote", Value: "7 1"})
	long := bot.Button{Label: "Long", Action: "vote", Value: "7 \"" + strings.Repeat("option ", 30) + "\""}
	c := &bot.Card{Key: "poll:7", Title: strings.Repeat("T", 300), Body: strings.Repeat("b", 5000), Footer: strings.Repeat("f", 3000), Buttons: append([]bot.Button{long}, buttons...)}
	e, rows := a.renderCard(c)
	total := textLen(e.Title) + textLen(e.Description) + textLen(e.Footer.Text)
	if textLen(e.Title) > maxEmbedTitle || textLen(e.Description) > maxEmbedDesc || textLen(e.Footer.Text) > maxEmbedFooter || total > maxEmbedTotal {
		t.Errorf("embed over limits: title %d, description %d, footer %d, total %d", textLen(e.Title), textLen(e.Description), textLen(e.Footer.Text), total)
	}
	if len(rows) != maxRows {
		t.Fatalf("%d rows, want %d", len(rows), maxRows)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		row := r.(discordgo.ActionsRow)
		if len(row.Components) > maxButtonsInRow {
			t.Errorf("row of %d buttons", len(row.Components))
		}
		for _, comp := range row.Components {
			b := comp.(discordgo.Button)
			if textLen(b.Label) > maxButtonLabel || textLen(b.CustomID) > maxCustomID || seen[b.CustomID] {
				t.Errorf("bad button %+v", b)
			}
			seen[b.CustomID] = true
		}
	}
	// The long command got a digest ID that decodes back to it.
	first := rows[0].(discordgo.ActionsRow).Components[0].(discordgo.Button)
	if cmd, ok := a.customIDs.decode(first.CustomID); !ok || cmd != long.Command() {
		t.Errorf("long custom ID %q decodes to %q, %v", first.CustomID, cmd, ok)
	}
	if _, ok := (&customIDs{}).decode(first.CustomID); ok {
		t.Error("a digest from another process decoded")
	}
	if !strings.Contains(e.Description, "") || !strings.HasSuffix(e.Description, "…") {
		t.Errorf("long body not truncated with an ellipsis")
	}
	if id := a.customIDs.encode("/vote 7 1"); id != "/vote 7 1" {
		t.Errorf("a short command is not its own custom ID: %q", id)
	}
}

func TestRenderReplyPutsCardAndFileLast(t *testing.T) {
	a := &Adapter{}
	msgs := a.renderReply(bot.Reply{Text: strings.Repeat("word ", 500), Card: &bot.Card{Key: "k", Title: "T"}, File: &bot.File{Name: "x.csv", Data: []byte("a")}})
	if len(msgs) != 2 || msgs[0].embed != nil || msgs[1].embed == nil || msgs[1].file == nil || msgs[1].cardKey != "k" {
		t.Fatalf("render = %+v", msgs)
	}
	if msgs := a.renderReply(bot.Reply{Card: &bot.Card{Title: "only"}}); len(msgs) != 1 || msgs[0].content != "" {
		t.Errorf("card-only reply = %+v", msgs)
	}
	if msgs := a.renderReply(bot.Reply{}); msgs != nil {
		t.Errorf("empty reply = %+v", msgs)
	}
}
