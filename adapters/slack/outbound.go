package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/cards"
	"github.com/unionhall/unionhall/bot/pace"
)

// errGonePrivately ends the post of an answer in its channel that was
// sent privately instead while it waited its turn.
var errGonePrivately = errors.New("the answer went privately instead")

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
//
// A public answer to a member goes privately when the channel is busy
// (routeFor), and also later, while it waits its turn, once something
// holds the channel up so long that it would be posted more than
// pace.BusyAfter after it was queued (see pace.Held).
func (a *Adapter) deliver(ctx context.Context, dest destination, r bot.Reply, wait bool) error {
	// Without a channel, the only place to post is a direct message.
	private := (r.Private && !dest.dm) || dest.channel == ""
	if !private {
		if rt := a.routeFor(dest, r); rt != inChannel {
			r, dest = privately(dest, r, rt)
			private = true
		}
	}
	if private && dest.user == "" {
		return errors.New("a private reply needs a member to send it to")
	}
	// A caller that waits bounds the delivery with its own context: once it
	// has given up, what is still queued is dropped rather than posted
	// behind its back (a reminder would otherwise risk going out twice).
	base := a.sendCtx
	if wait {
		base = ctx
	}
	d := newDelivery(base)
	var hold *pace.Hold
	if !private && dest.user != "" {
		var divert func()
		if mayGoPrivate(dest, r) {
			divert = func() { a.divert(d, dest, r) }
		}
		hold = a.held.Hold(dest.channel, dest.user, time.Time{}, divert)
	}
	if !a.enqueue(d, dest, r, private, hold) {
		hold.Done()
		d.stopPublic()
		return nil
	}
	if !wait {
		return nil
	}
	select {
	case <-d.done:
		return d.err()
	case <-ctx.Done():
		return fmt.Errorf("waiting for delivery: %w", ctx.Err())
	}
}

// divert sends r, a public answer for dest held up in its channel,
// privately instead, by the quicker private route, finishing d. The wait
// of the public post, if it has begun, is called off.
func (a *Adapter) divert(d *delivery, dest destination, r bot.Reply) {
	d.stopPublic()
	rt, _ := a.privateRoute(dest)
	r, dest = privately(dest, r, rt)
	a.enqueue(d, dest, r, true, nil)
}

// enqueue queues the jobs that deliver r to dest (privately, or in the
// channel with hold following a public answer to a member) and finish d.
// It reports false when there is nothing to send.
func (a *Adapter) enqueue(d *delivery, dest destination, r bot.Reply, private bool, hold *pace.Hold) bool {
	lane := dest.channel
	if private {
		lane = privateLane(dest.channel, dest.user)
	}
	var jobs []func(context.Context) error
	for i, m := range renderReply(r) {
		switch {
		case private:
			jobs = append(jobs, func(ctx context.Context) error { return a.postPrivate(ctx, dest, m) })
		default:
			var post *cards.Post
			if m.card != nil && dest.channel != "" {
				post = a.cards.Posting(*m.card, cards.Message{Channel: dest.channel, Extra: cardText(m.prefix)})
			}
			// Only the first message may still go privately once its
			// post was refused: after it, the answer is on show.
			first := hold
			if i > 0 {
				first = nil
			}
			jobs = append(jobs, func(ctx context.Context) error {
				if hold.Diverted() {
					if post != nil {
						post.Failed()
					}
					return nil
				}
				return a.postPublic(ctx, dest, m, post, first)
			})
		}
	}
	if r.File != nil {
		f := *r.File
		jobs = append(jobs, func(ctx context.Context) error { return a.sendFile(ctx, dest, f, private || dest.user != "") })
	}
	if len(jobs) == 0 {
		return false
	}
	jobCtx := d.base
	if !private {
		jobCtx = d.public
	}
	for i, job := range jobs {
		a.out.Add(lane, func() {
			jctx, cancel := context.WithTimeout(jobCtx, sendTimeout)
			defer cancel()
			defer context.AfterFunc(a.sendCtx, cancel)()
			err := job(jctx)
			if hold.Diverted() {
				return // the private jobs finish the delivery
			}
			if err != nil {
				a.log.Error("could not deliver a Slack reply", "channel", dest.channel, "err", safeErr(err))
				d.failed(err)
			}
			if i == len(jobs)-1 && hold.Done() {
				d.finish()
			}
		})
	}
	return true
}

// delivery is one reply on its way. Its jobs report their errors here,
// and the last of them finishes it: those in the channel, or, when the
// answer was held up there and went privately, the private ones.
type delivery struct {
	base       context.Context // bounds every job
	public     context.Context // bounds the jobs in the channel; ended by a divert
	stopPublic context.CancelFunc

	mu   sync.Mutex
	errs []error
	done chan struct{}
}

func newDelivery(base context.Context) *delivery {
	d := &delivery{base: base, done: make(chan struct{})}
	d.public, d.stopPublic = context.WithCancel(base)
	return d
}

// failed records a job's error.
func (d *delivery) failed(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.errs = append(d.errs, err)
}

// finish marks the delivery done.
func (d *delivery) finish() {
	d.stopPublic()
	close(d.done)
}

// err returns the jobs' errors.
func (d *delivery) err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return errors.Join(d.errs...)
}

// postPublic posts m in the destination channel. A card message (post) is
// rendered with its card's latest state at the moment it is sent. If the
// bot may not post there (a private channel it was not invited to) and
// the reply answers an interaction, it is posted through the response_url
// instead.
//
// hold, when set, follows the answer while it waits in the channel: it
// is claimed just before each attempt, and put back when Slack refuses
// the attempt, so that a long Retry-After can still send the answer
// privately instead (see deliver). When it has gone privately, nothing is
// posted.
func (a *Adapter) postPublic(ctx context.Context, dest destination, m message, post *cards.Post, hold *pace.Hold) error {
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
		if !hold.Sending() {
			return errGonePrivately
		}
		var err error
		_, ts, err = a.api.PostMessageContext(ctx, dest.channel, opts...)
		if kind, _ := classify(err); kind == rateLimited {
			hold.Retry()
		}
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
		return a.postPublic(ctx, dest, note[0], nil, nil)
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
