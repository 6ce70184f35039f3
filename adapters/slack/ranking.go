package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
)

// A card's bot.Ranking is a button that opens a modal with one menu per
// rank; submitting the modal sends the whole order as one command.
const (
	rankButtonID     = "uh.rank"       // action_id of the button on the card
	rankViewID       = "uh.rank"       // callback_id of the modal
	rankBlockPrefix  = "uh.rank."      // block_id of rank n's input: uh.rank.<n>
	rankPickID       = "pick"          // action_id of each rank's menu
	maxModalTitle    = 24              // title of a modal
	maxOptionText    = 75              // text of a menu option
	maxPrivateMeta   = 3000            // private_metadata of a modal
	viewsOpenTimeout = 3 * time.Second // a trigger_id expires after 3 s
)

// rankForm is what the modal carries in its private_metadata, so that its
// submission needs nothing remembered: the ranking and where the card was.
type rankForm struct {
	Ranking bot.Ranking `json:"r"`
	Channel string      `json:"c"`
	Thread  string      `json:"t,omitempty"`
}

// rankButton renders a card's ranking as the button that opens its modal.
// Its value is the ranking itself; it returns nil when that would not fit
// in a button's value (the card still says how to type the command).
func rankButton(r bot.Ranking) *slack.ButtonBlockElement {
	value, err := json.Marshal(r)
	if err != nil || len(value) > maxButtonValue {
		return nil
	}
	label := cmp.Or(strings.TrimSpace(r.Label), "Rank")
	btn := slack.NewButtonBlockElement(rankButtonID, string(value),
		slack.NewTextBlockObject(slack.PlainTextType, bot.Truncate(label, maxButtonLabel), true, false))
	return btn.WithStyle(slack.StylePrimary)
}

// rankModal is the modal of form: the question, then one menu of the
// options per rank, the required ranks first and the others optional.
func rankModal(form rankForm) (slack.ModalViewRequest, error) {
	meta, err := json.Marshal(form)
	if err != nil {
		return slack.ModalViewRequest{}, fmt.Errorf("encoding the ranking: %w", err)
	}
	if len(meta) > maxPrivateMeta {
		return slack.ModalViewRequest{}, fmt.Errorf("the ranking is %d bytes, more than a modal keeps", len(meta))
	}
	r := form.Ranking
	plain := func(s string, limit int) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, bot.Truncate(s, limit), false, false)
	}
	var blocks []slack.Block
	if t := strings.TrimSpace(r.Title); t != "" {
		blocks = append(blocks, sectionBlock("uh.rank.title", splitRendered(mrkdwn(t), maxSectionChars)[0]))
	}
	options := make([]*slack.OptionBlockObject, len(r.Options))
	for i, o := range r.Options {
		options[i] = slack.NewOptionBlockObject(strconv.Itoa(i+1), plain(fmt.Sprintf("%d. %s", i+1, o), maxOptionText), nil)
	}
	for n := 1; n <= len(r.Options); n++ {
		menu := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose an option", maxOptionText), rankPickID, options...)
		in := slack.NewInputBlock(fmt.Sprintf("%s%d", rankBlockPrefix, n), plain(bot.RankLabel(n), maxOptionText), nil, menu)
		in.Optional = n > max(r.Required, 1)
		blocks = append(blocks, in)
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      rankViewID,
		Title:           plain(cmp.Or(strings.TrimSpace(r.Label), "Rank"), maxModalTitle),
		Submit:          plain("Submit", maxModalTitle),
		Close:           plain("Cancel", maxModalTitle),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: string(meta),
	}, nil
}

// openRanking answers a click on a card's ranking button by opening its
// modal for the member, with the click's trigger_id (valid for 3 s, so
// the call is not retried). When the form cannot open, the member is told
// privately how to vote without it, so the tap is never met with silence.
func (a *Adapter) openRanking(ctx context.Context, triggerID, value string, dest destination) {
	form := rankForm{Channel: dest.channel, Thread: dest.thread}
	if err := json.Unmarshal([]byte(value), &form.Ranking); err != nil || len(form.Ranking.Options) == 0 {
		a.log.Warn("ranking button with an unreadable value ignored", "err", err)
		a.rankingUnavailable(ctx, dest, bot.Ranking{})
		return
	}
	view, err := rankModal(form)
	if err != nil {
		a.log.Warn("ranking form not opened", "err", err)
		a.rankingUnavailable(ctx, dest, form.Ranking)
		return
	}
	openCtx, cancel := context.WithTimeout(ctx, viewsOpenTimeout)
	defer cancel()
	if _, err := a.api.OpenViewContext(openCtx, triggerID, view); err != nil {
		a.log.Warn("could not open the ranking form", "err", safeErr(err))
		a.rankingUnavailable(ctx, dest, form.Ranking)
	}
}

// rankingUnavailable tells the member, privately, that the ranking form
// did not open and how to rank by typing instead.
func (a *Adapter) rankingUnavailable(ctx context.Context, dest destination, r bot.Ranking) {
	text := "The ranking form did not open. Tap the button again"
	if r.Action != "" && len(r.Options) > 1 {
		example := make([]int, len(r.Options))
		for i := range example {
			example[i] = i + 1
		}
		text += ", or type your order, most preferred first: " + r.Command(example)
	}
	if err := a.deliver(ctx, dest, bot.Reply{Text: text + ".", Private: true}, false); err != nil {
		a.log.Warn("could not tell a member the ranking form did not open", "err", err)
	}
}

// isRankSubmission reports whether payload is the submission of a
// ranking modal, which Slack wants answered in its acknowledgement.
func isRankSubmission(payload []byte) bool {
	var cb struct {
		Type string `json:"type"`
		View struct {
			CallbackID string `json:"callback_id"`
		} `json:"view"`
	}
	return json.Unmarshal(payload, &cb) == nil && cb.Type == string(slack.InteractionTypeViewSubmission) && cb.View.CallbackID == rankViewID
}

// onRankSubmission handles the submission of a ranking modal and returns
// the answer for its acknowledgement: the modal's field errors, in plain
// words, when the picks cannot be submitted (an option picked twice, a
// rank skipped), or nil to close it. Picks that can be submitted are sent
// as the ranking's command, all at once, from the member who submitted
// them in the card's channel; nothing is sent for a refused submission.
func (a *Adapter) onRankSubmission(ctx context.Context, d bot.Dispatcher, payload []byte) []byte {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		a.log.Warn("unreadable form submission skipped", "err", err)
		return nil
	}
	var form rankForm
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &form); err != nil || form.Channel == "" || cb.User.ID == "" {
		a.log.Warn("ranking form without its ranking, channel or member ignored", "err", err)
		return nil
	}
	picks := make([]int, len(form.Ranking.Options))
	for i := range picks {
		v := cb.View.State.Values[fmt.Sprintf("%s%d", rankBlockPrefix, i+1)][rankPickID].SelectedOption.Value
		picks[i], _ = strconv.Atoi(v)
	}
	order, rank, msg := form.Ranking.Problem(picks)
	if msg != "" {
		answer, _ := json.Marshal(slack.NewErrorsViewSubmissionResponse(map[string]string{fmt.Sprintf("%s%d", rankBlockPrefix, rank): msg}))
		return answer
	}
	m := &bot.Message{
		Platform: bot.PlatformSlack,
		Channel:  bot.Channel{ID: form.Channel},
		User:     a.user(cb.User.ID, cb.User.Name),
		Text:     form.Ranking.Command(order),
		Thread:   form.Thread,
		Button:   true,
		Time:     a.clock.Now(),
	}
	a.dispatch(ctx, d, m, destination{channel: form.Channel, user: cb.User.ID, thread: form.Thread})
	return nil
}
