package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/cards"
	"github.com/unionhall/unionhall/bot/pace"
)

// maxResponseURLUses is how many times Slack accepts a post to one
// response_url.
const maxResponseURLUses = 5

// destination is where one reply goes.
type destination struct {
	channel string // Slack channel ID (or name, for the announcement channel)
	user    string // Slack user ID of the member being answered, if any
	thread  string
	// dm is set when channel is the bot's direct message with user, where
	// a private reply is simply posted.
	dm bool
	// resp, when set, is the interaction's response_url, used for private
	// replies and as a fallback where the bot cannot post.
	resp *responseURL
}

// responseURL is an interaction's response_url with its use count.
type responseURL struct {
	url  string
	mu   sync.Mutex
	uses int
}

// take reserves one use of the URL, reporting false when none is left.
func (r *responseURL) take() bool {
	if r == nil || r.url == "" {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.uses >= maxResponseURLUses {
		return false
	}
	r.uses++
	return true
}

// privateLane names the lane of the private replies to one member in a
// channel. Public posts go on the lane named by the channel ID itself,
// which card edits share (see cards.Message); no channel ID contains ":".
func privateLane(channel, user string) string { return "priv:" + channel + ":" + user }

// deliver queues reply r for dest on the destination's lane, in order
// after everything queued there before. With wait set it returns when the
// reply has been delivered (or has failed, or ctx ends); otherwise it
// returns at once and failures are logged.
func (a *Adapter) deliver(ctx context.Context, dest destination, r bot.Reply, wait bool) error {
	// Without a channel, the only place to post is a direct message.
	private := (r.Private && !dest.dm) || dest.channel == ""
	if !private {
		switch a.routeFor(dest, r) {
		case ephemeral:
			r, private = pace.Privately(r), true
		case directMessage:
			r, private = pace.Privately(r), true
			dest = destination{user: dest.user}
		}
	}
	if private && dest.user == "" {
		return errors.New("a private reply needs a member to send it to")
	}
	lane := dest.channel
	if private {
		lane = privateLane(dest.channel, dest.user)
	}
	var jobs []func(context.Context) error
	for _, m := range renderReply(r) {
		switch {
		case private:
			jobs = append(jobs, func(ctx context.Context) error { return a.postPrivate(ctx, dest, m) })
		default:
			var post *cards.Post
			if m.card != nil && dest.channel != "" {
				post = a.cards.Posting(*m.card, cards.Message{Channel: dest.channel, Extra: cardText(m.prefix)})
			}
			jobs = append(jobs, func(ctx context.Context) error { return a.postPublic(ctx, dest, m, post) })
		}
	}
	if r.File != nil {
		f := *r.File
		jobs = append(jobs, func(ctx context.Context) error { return a.sendFile(ctx, dest, f, private || dest.user != "") })
	}
	if len(jobs) == 0 {
		return nil
	}

	var (
		mu   sync.Mutex
		errs []error
	)
	// A caller that waits bounds the delivery with its own context: once it
	// has given up, what is still queued is dropped rather than posted
	// behind its back (a reminder would otherwise risk going out twice).
	base := a.sendCtx
	if wait {
		base = ctx
	}
	done := make(chan struct{})
	member := privateLane(dest.channel, dest.user)
	if !private && dest.user != "" {
		a.memberPosts.Add(member, 1)
	}
	for i, job := range jobs {
		a.out.Add(lane, func() {
			jctx, cancel := context.WithTimeout(base, sendTimeout)
			defer cancel()
			defer context.AfterFunc(a.sendCtx, cancel)()
			if err := job(jctx); err != nil {
				a.log.Error("could not deliver a Slack reply", "channel", dest.channel, "err", safeErr(err))
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			if i == len(jobs)-1 {
				if !private && dest.user != "" {
					a.memberPosts.Add(member, -1)
				}
				close(done)
			}
		})
	}
	if !wait {
		return nil
	}
	select {
	case <-done:
		mu.Lock()
		defer mu.Unlock()
		return errors.Join(errs...)
	case <-ctx.Done():
		return fmt.Errorf("waiting for delivery: %w", ctx.Err())
	}
}

// postPublic posts m in the destination channel. A card message (post) is
// rendered with its card's latest state at the moment it is sent. If the
// bot may not post there (a private channel it was not invited to) and
// the reply answers an interaction, it is posted through the response_url
// instead.
func (a *Adapter) postPublic(ctx context.Context, dest destination, m message, post *cards.Post) error {
	if err := ctx.Err(); err != nil {
		if post != nil {
			post.Failed()
		}
		return err
	}
	var ts string
	err := a.callIn(ctx, "chat.postMessage", dest.channel, func(ctx context.Context) error {
		if post != nil {
			// Every attempt (a retry may come long after the first) sends
			// the card's latest state.
			m = cardMessage(m.prefix, post.Card())
		}
		opts := m.options()
		if dest.thread != "" {
			opts = append(opts, slack.MsgOptionTS(dest.thread))
		}
		var err error
		_, ts, err = a.api.PostMessageContext(ctx, dest.channel, opts...)
		return err
	})
	if err != nil {
		switch slackError(err) {
		case "not_in_channel", "channel_not_found":
			if dest.resp.take() {
				err = a.postResponse(ctx, dest.resp.url, m, slack.ResponseTypeInChannel)
			}
		}
	}
	if post != nil {
		if err != nil {
			ts = ""
		}
		post.Posted(ts) // none when posted through the response_url: not ours to edit
	}
	return err
}

// postPrivate shows m to dest.user only: through the response_url when
// the reply answers an interaction, otherwise as an ephemeral message.
func (a *Adapter) postPrivate(ctx context.Context, dest destination, m message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dest.resp.take() {
		err := a.postResponse(ctx, dest.resp.url, m, slack.ResponseTypeEphemeral)
		if err == nil {
			return nil
		}
		a.log.Warn("response_url failed; sending an ephemeral message instead", "err", safeErr(err))
	}
	if dest.channel == "" {
		return a.postDM(ctx, dest.user, m)
	}
	opts := m.options()
	if dest.thread != "" {
		opts = append(opts, slack.MsgOptionTS(dest.thread))
	}
	return a.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := a.api.PostEphemeralContext(ctx, dest.channel, dest.user, opts...)
		return err
	})
}

// postResponse posts m to a response_url.
func (a *Adapter) postResponse(ctx context.Context, url string, m message, responseType string) error {
	if !allowedResponseURL(url, a.apiURL) {
		return errors.New("refusing a response_url outside Slack")
	}
	msg := &slack.WebhookMessage{
		Text:         m.fallback,
		Blocks:       &slack.Blocks{BlockSet: m.blocks},
		ResponseType: responseType,
	}
	return a.call(ctx, "response_url", func(ctx context.Context) error {
		return a.api.PostResponse(ctx, url, msg)
	})
}

// openDM returns the ID of the bot's direct message channel with user.
func (a *Adapter) openDM(ctx context.Context, user string) (string, error) {
	var id string
	err := a.call(ctx, "conversations.open", func(ctx context.Context) error {
		ch, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		if err != nil {
			return err
		}
		id = ch.ID
		return nil
	})
	return id, err
}

// postDM posts m in the bot's direct message with user.
func (a *Adapter) postDM(ctx context.Context, user string, m message) error {
	ch, err := a.openDM(ctx, user)
	if err != nil {
		return err
	}
	return a.callIn(ctx, "chat.postMessage", ch, func(ctx context.Context) error {
		_, _, err := a.api.PostMessageContext(ctx, ch, m.options()...)
		return err
	})
}

// sendFile uploads f. A private file (an export asked for by a member)
// goes into the bot's direct message with that member, never into a
// shared channel, and a short private note in the channel says where it
// went. Otherwise it is shared in the destination channel.
func (a *Adapter) sendFile(ctx context.Context, dest destination, f bot.File, private bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name := f.Name
	if name == "" {
		name = "export.csv"
	}
	if len(f.Data) == 0 {
		note := renderReply(bot.Reply{Text: name + " is empty: there is nothing to export."})
		if private {
			return a.postPrivate(ctx, dest, note[0])
		}
		return a.postPublic(ctx, dest, note[0], nil)
	}
	channel, thread := dest.channel, dest.thread
	if private && !dest.dm {
		var err error
		if channel, err = a.openDM(ctx, dest.user); err != nil {
			return err
		}
		thread = ""
	}
	err := a.call(ctx, "files.upload", func(ctx context.Context) error {
		_, err := a.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Filename:        name,
			Title:           name,
			FileSize:        len(f.Data),
			Reader:          bytes.NewReader(f.Data),
			Channel:         channel,
			ThreadTimestamp: thread,
		})
		return err
	})
	if err != nil {
		return err
	}
	if private && !dest.dm && dest.channel != "" {
		note := renderReply(bot.Reply{Text: "I sent you " + name + " in a direct message."})
		return a.postPrivate(ctx, dest, note[0])
	}
	return nil
}
