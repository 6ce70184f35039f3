package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/adapters/slack/slacktest"
)

// discordToken is the bot token the Discord fake accepts.
const discordToken = "bench.DiscordBotToken.ratification"

// questions are what members ask, in turn.
var questions = []string{
	"when is the ratification vote?",
	"what happens to my pension?",
	"how do I vote?",
	"is there a wage freeze?",
	"what about layoffs?",
}

// question is one mention sent to the bot.
type question struct {
	platform string
	channel  string
	member   int
	burst    bool      // asked in the burst channel
	key      string    // Slack: the message ts; Discord: the message ID
	at       time.Time // when it was sent
}

// play runs the day d and reports whether everything was answered,
// counted and announced once.
func play(d day) (bool, error) {
	dir, err := os.MkdirTemp("", "ratificationday")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "unionhall")
	log.Print("building unionhall")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/unionhall").CombinedOutput(); err != nil {
		return false, fmt.Errorf("go build (run from the repository's root): %v\n%s", err, out)
	}

	r := &runner{}
	defer r.close()
	sl := slacktest.NewServer(r)
	sl.Throttle(slacktest.DocumentedLimits())
	sl.SetPingInterval(10 * time.Second) // as Slack keeps a quiet connection alive
	dc := discordtest.NewServer(r, discordtest.WithToken(discordToken))
	dc.Throttle(discordtest.DocumentedLimits())

	db := filepath.Join(dir, "unionhall.db")
	logPath := filepath.Join(dir, "unionhall.log")
	proc, err := newProcess(bin, logPath, []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"UNIONHALL_DB=" + db,
		"UNIONHALL_STEWARDS=slack:" + slackSteward,
		"SLACK_BOT_TOKEN=" + slacktest.BotToken, "SLACK_APP_TOKEN=" + slacktest.AppToken, "SLACK_API_URL=" + sl.APIURL(),
		"SLACK_ANNOUNCE_CHANNEL=#" + slackAnnounce,
		"DISCORD_TOKEN=" + discordToken, "DISCORD_GUILD_ID=" + discordtest.GuildID, "DISCORD_API_URL=" + dc.URL(),
		"DISCORD_STEWARD_ROLE=" + discordtest.StewardRoleID, "DISCORD_ANNOUNCE_CHANNEL=" + discordAnnounce,
	})
	if err != nil {
		return false, err
	}
	if err := proc.start(); err != nil {
		return false, err
	}
	g := &game{sl: sl, dc: dc, proc: proc, mem: []*sampler{newSampler(proc.pid())}}
	stopped := false
	defer func() {
		if !stopped {
			g.proc.stop()
		}
	}()
	if err := g.waitFor("both platforms connected", time.Minute, func() bool {
		return sl.Connected() && len(dc.Overwrites()) > 0 && dc.Gateway().Connected
	}); err != nil {
		return false, err
	}
	if d.dropSlack {
		// The bot opens its spare Slack connection when
		// apps.connections.open, one a minute, allows.
		log.Print("waiting for the spare Slack connection")
		if err := g.waitFor("the spare Slack connection", 90*time.Second, func() bool { return len(sl.Live()) >= 2 }); err != nil {
			log.Printf("unionhall's log is kept at %s", keepLog(logPath))
			return false, err
		}
	}
	dbBefore := dbSize(db)
	log.Print("waiting for the process to settle")
	before := proc.settle(30 * time.Second)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go g.watch(ctx)

	if err := g.openPolls(); err != nil {
		return false, err
	}
	g.remind(d.burstWindow/2, "Vote today, first call")
	first, second := pollPlan(g.polls, d.votes/len(g.polls))
	clicks := map[*poll]int{}

	// The bursts: questions and first votes at once, a connection cut on
	// each platform and a storm of 429s along the way.
	plan := schedule(d)
	log.Printf("asking %d questions (%d in one channel within %v on each platform) and casting %d first votes", len(plan), d.burst, d.burstWindow, len(first))
	start := time.Now()
	var asked []question
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); asked = ask(g, plan, start) }()
	var voteErr error
	go func() { defer wg.Done(); first, voteErr = g.castVotes(first, d.burstWindow, false, clicks) }()
	steps := []struct {
		at time.Duration
		do func() error
	}{
		{d.burstWindow / 4, func() error { g.storm(d.storm); return nil }},
		{d.burstWindow / 2, g.dropDiscord},
	}
	if d.dropSlack {
		steps = append(steps, struct {
			at time.Duration
			do func() error
		}{d.burstWindow * 2 / 3, g.dropSlack})
	}
	for _, step := range steps {
		time.Sleep(time.Until(start.Add(step.at)))
		if err := step.do(); err != nil {
			return false, err
		}
	}
	wg.Wait()
	if voteErr != nil {
		return false, voteErr
	}
	last := plan[len(plan)-1].at
	for i := range asked {
		last = latest(last, asked[i].at)
	}
	var res results
	err = g.waitFor("every question answered", time.Until(last.Add(d.settle)), func() bool {
		res = collect(sl, dc, asked)
		return res.answered == len(asked)
	})
	if err != nil {
		log.Print(err)
	}
	res = collect(sl, dc, asked)
	refused := g.refusals()

	// The second round: repeated clicks, changes and redeliveries, with a
	// SIGKILL halfway and a reminder due while the process is down.
	log.Printf("casting %d more votes, with a SIGKILL halfway", len(second))
	if _, err := g.castVotes(resent(second, first), d.burstWindow/2, true, clicks); err != nil {
		return false, err
	}
	if err := g.waitFor("every card exact and every reminder announced", d.settle, func() bool {
		for _, p := range g.polls {
			if text, _ := g.card(p); !p.exact(text) {
				return false
			}
		}
		return g.remindersOnce()
	}); err != nil {
		log.Print(err)
	}
	stop()
	// A few seconds for anything duplicated to show.
	time.Sleep(d.quiet)
	res = collect(sl, dc, asked)
	after := proc.settle(time.Minute)
	peak := g.peak()
	stopped = true
	g.proc.stop()

	report(d, asked, res, refused)
	cardsOK := g.reportPolls(clicks)
	ballotErr := ballots(db, g.polls)
	if ballotErr != nil {
		log.Printf("database: %v", ballotErr)
	} else {
		fmt.Println("database: one ballot per member in every poll, with the option each chose last")
	}
	ann, all := g.announced(), g.refusals()
	for _, p := range []string{"slack", "discord"} {
		fmt.Printf("%s: reminders announced %v; 429s received in all %d (of which %d forced in the storm)\n", p, ann[p], all[p], g.stormed[p])
	}
	fmt.Printf("process: peak RSS %.1f MB, %d threads at peak; idle before the day %.1f MB and %d goroutines, after %.1f MB and %d goroutines\n",
		mb(peak.hwm), peak.threads, mb(before.rssKB), before.goroutines, mb(after.rssKB), after.goroutines)
	fmt.Printf("database: %.1f KB before the day, %.1f KB after (of which the write-ahead log %.1f KB)\n",
		float64(dbBefore)/1024, float64(dbSize(db))/1024, float64(fileSize(db+"-wal"))/1024)
	fmt.Printf("process: before the day %s; after %s\n", before.heapSummary(), after.heapSummary())
	detail := g.refusalDetail(start)
	for _, p := range []string{"slack", "discord"} {
		fmt.Printf("%s: 429s by what was refused, seconds after the bursts began: %s\n", p, strings.Join(detail[p], "; "))
	}
	lines, info := logLines(logPath)
	fmt.Printf("log: %d lines, %d at INFO or above, for %d questions\n", lines, info, len(asked))

	grew := after.goroutines < 0 || after.goroutines > before.goroutines+goroutineMargin
	ok := res.answered == len(asked) && res.duplicated == 0 && !r.Failed() && cardsOK && ballotErr == nil && g.remindersOnce() && !grew
	for _, v := range dc.Violations() {
		log.Printf("Discord rule broken: %s", v)
		ok = false
	}
	if !ok {
		fmt.Printf("FAIL: %d of %d answered, %d answered twice, cards exact %v, ballots %v, reminders once %v, goroutines %d → %d, fake complaints: %v\n",
			res.answered, len(asked), res.duplicated, cardsOK, ballotErr, g.remindersOnce(), before.goroutines, after.goroutines, r.Failed())
		log.Printf("unionhall's log is kept at %s", keepLog(logPath))
	}
	return ok, nil
}

// goroutineMargin is how many more goroutines than before the day the
// idle process may have after it (pooled connections, timers).
const goroutineMargin = 10

// schedule lays out the day's questions in the order they are asked.
func schedule(d day) []question {
	var plan []question
	for _, platform := range []string{"slack", "discord"} {
		burstCh, others := channels(platform, d.channels)
		for i := range d.burst {
			at := time.Duration(i) * d.burstWindow / time.Duration(d.burst)
			plan = append(plan, question{platform: platform, channel: burstCh, member: i, burst: true, at: time.Time{}.Add(at)})
		}
		for i := range d.extra {
			at := time.Duration(i) * d.extraWindow / time.Duration(max(d.extra, 1))
			plan = append(plan, question{platform: platform, channel: others[i%len(others)], member: d.burst + i, at: time.Time{}.Add(at)})
		}
	}
	slices.SortStableFunc(plan, func(a, b question) int { return a.at.Compare(b.at) })
	return plan
}

// channels names a platform's burst channel and n others.
func channels(platform string, n int) (string, []string) {
	var others []string
	if platform == "slack" {
		for i := range n {
			others = append(others, fmt.Sprintf("CQ%02d", i))
		}
		return "CBURST", others
	}
	for i := range n {
		others = append(others, fmt.Sprintf("8300000000000000%02d", i))
	}
	return "830000000000000099", others
}

// slackUser and discordMember name member i on each platform.
func slackUser(i int) string { return fmt.Sprintf("UM%05d", i) }

func discordMember(i int) discordtest.Member {
	return discordtest.Member{ID: fmt.Sprintf("74000000000%07d", i), Name: fmt.Sprintf("member%d", i), Roles: []string{discordtest.MemberRoleID}}
}

// ask sends the plan's questions at their times, counted from start, and
// returns them with their keys and the times they were sent.
func ask(g *game, plan []question, start time.Time) []question {
	out := make([]question, 0, len(plan))
	for i, q := range plan {
		if wait := time.Until(start.Add(q.at.Sub(time.Time{}))); wait > 0 {
			time.Sleep(wait)
		}
		text := questions[i%len(questions)]
		q.at = time.Now()
		g.send(func() {
			switch q.platform {
			case "slack":
				q.key = fmt.Sprintf("1800000000.%06d", i)
				g.sl.SendEvent(fmt.Sprintf("Ev%06d", i), slacktest.Mention(slackUser(q.member), q.channel, "<@"+slacktest.BotUserID+"> "+text, q.key, ""))
			case "discord":
				q.key = g.dc.ChannelMessage(discordMember(q.member), q.channel, "<@"+discordtest.BotID+"> "+text, discordtest.BotID)
			}
		})
		out = append(out, q)
	}
	return out
}

// results is what the fakes show of the answers.
type results struct {
	answered   int
	duplicated int
	private    map[string]int             // platform → answers sent privately
	delay      map[string][]time.Duration // platform → question-to-answer times
	burstDelay map[string][]time.Duration // the same, in the burst channel
	slowest    map[string][]slow          // platform → its slowest answers, slowest first
}

// slow is one slowly answered question: when it was asked (after the
// first question), how long its answer took, and where it went.
type slow struct {
	asked, took time.Duration
	private     bool
	channel     string
}

// slowestKept is how many of each platform's slowest answers are printed.
const slowestKept = 5

// answer is the first sign of an answer to one question.
type answer struct {
	at      time.Time
	private bool
	texts   map[string]int
}

// collect reads the answers from the fakes.
func collect(sl *slacktest.Server, dc *discordtest.Server, asked []question) results {
	byKey := map[string]*answer{}
	note := func(key string, at time.Time, private bool, text string) {
		a := byKey[key]
		if a == nil {
			a = &answer{at: at, private: private, texts: map[string]int{}}
			byKey[key] = a
		}
		if at.Before(a.at) {
			a.at = at
		}
		a.texts[text]++
	}
	slackKey := map[string]string{}   // member → question ts
	discordKey := map[string]string{} // DM channel → question ID
	for _, q := range asked {
		switch q.platform {
		case "slack":
			slackKey[slackUser(q.member)] = q.key
		case "discord":
			if ch := dc.DMChannel(discordMember(q.member).ID); ch != "" {
				discordKey[ch] = q.key
			}
		}
	}
	for _, c := range sl.Posts() {
		switch ch := c.Form.Get("channel"); {
		case c.Err != "":
		case c.Form.Get("thread_ts") != "":
			note("slack/"+c.Form.Get("thread_ts"), c.At, false, c.Text())
		case strings.HasPrefix(ch, "D"): // the fake's direct message channels are "D" + the user
			if key, ok := slackKey[strings.TrimPrefix(ch, "D")]; ok {
				note("slack/"+key, c.At, true, c.Text())
			}
		}
	}
	for _, c := range sl.Ephemerals() {
		if key, ok := slackKey[c.Form.Get("user")]; ok && c.Err == "" {
			note("slack/"+key, c.At, true, c.Text())
		}
	}
	for _, q := range asked {
		if q.platform != "discord" {
			continue
		}
		for _, m := range dc.ChannelMessages(q.channel) {
			if m.ReplyTo == q.key {
				note("discord/"+q.key, m.CreatedAt, false, m.Content)
			}
		}
	}
	for ch, key := range discordKey {
		for _, m := range dc.ChannelMessages(ch) {
			note("discord/"+key, m.CreatedAt, true, m.Content)
		}
	}
	res := results{private: map[string]int{}, delay: map[string][]time.Duration{}, burstDelay: map[string][]time.Duration{}, slowest: map[string][]slow{}}
	var first time.Time
	for _, q := range asked {
		if first.IsZero() || q.at.Before(first) {
			first = q.at
		}
	}
	for _, q := range asked {
		a := byKey[q.platform+"/"+q.key]
		if a == nil {
			continue
		}
		res.answered++
		for _, n := range a.texts {
			if n > 1 {
				res.duplicated++
				break
			}
		}
		if a.private {
			res.private[q.platform]++
		}
		d := a.at.Sub(q.at)
		res.delay[q.platform] = append(res.delay[q.platform], d)
		if q.burst {
			res.burstDelay[q.platform] = append(res.burstDelay[q.platform], d)
		}
		res.slowest[q.platform] = append(res.slowest[q.platform], slow{asked: q.at.Sub(first), took: d, private: a.private, channel: q.channel})
	}
	for p, ss := range res.slowest {
		slices.SortFunc(ss, func(a, b slow) int { return cmp.Compare(b.took, a.took) })
		res.slowest[p] = ss[:min(len(ss), slowestKept)]
	}
	return res
}

// report prints the figures per platform.
func report(d day, asked []question, res results, refused map[string]int) {
	total := map[string]int{}
	for _, q := range asked {
		total[q.platform]++
	}
	for _, p := range []string{"slack", "discord"} {
		fmt.Printf("%s: %d questions, %d answered (%d privately); question to answer %s; in the burst channel (%d within %v) %s; 429s during the bursts: %d\n",
			p, total[p], len(res.delay[p]), res.private[p], quantiles(res.delay[p]), d.burst, d.burstWindow, quantiles(res.burstDelay[p]), refused[p])
		var ss []string
		for _, s := range res.slowest[p] {
			where := "in the channel"
			if s.private {
				where = "privately"
			}
			ss = append(ss, fmt.Sprintf("asked at %.1fs in %s, answered %s after %v", s.asked.Seconds(), s.channel, where, s.took.Round(time.Millisecond)))
		}
		fmt.Printf("%s: slowest answers: %s\n", p, strings.Join(ss, "; "))
	}
}

// quantiles formats p50, p99 and max of ds.
func quantiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "(none)"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(int(q*float64(len(s))), len(s)-1)].Round(time.Millisecond) }
	return fmt.Sprintf("p50 %v p99 %v max %v", at(0.50), at(0.99), s[len(s)-1].Round(time.Millisecond))
}

// waitFor polls cond until it holds, the process exits, or timeout passes.
func waitFor(what string, timeout time.Duration, exited <-chan error, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v waiting for %s", timeout.Round(time.Second), what)
		}
		select {
		case err := <-exited:
			return fmt.Errorf("unionhall exited (%v) while waiting for %s", err, what)
		case <-tick.C:
		}
	}
	return nil
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// dbSize is the database's size with its write-ahead log.
func dbSize(path string) int64 { return fileSize(path) + fileSize(path+"-wal") }

// fileSize is the size of the file at path, 0 if there is none.
func fileSize(path string) int64 {
	if fi, err := os.Stat(path); err == nil {
		return fi.Size()
	}
	return 0
}

// logLines counts the lines of the process's log, and those at INFO or
// above.
func logLines(path string) (all, info int) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		all++
		if l := sc.Text(); !strings.Contains(l, "level=DEBUG") {
			info++
		}
	}
	return all, info
}

// keepLog copies the process's log out of the day's directory.
func keepLog(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(unreadable)"
	}
	kept := filepath.Join(os.TempDir(), "ratificationday-"+strconv.FormatInt(time.Now().Unix(), 10)+".log")
	os.WriteFile(kept, data, 0o600)
	return kept
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// procStatus is what /proc/PID/status says of memory and threads.
type procStatus struct {
	rss, hwm int64 // kB
	threads  int
}

// sampler samples a process's /proc status and keeps the peaks.
type sampler struct {
	pid  int
	mu   sync.Mutex
	high procStatus
}

func newSampler(pid int) *sampler { return &sampler{pid: pid} }

func (s *sampler) sample() procStatus {
	var st procStatus
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
	if err != nil {
		return st
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, ":")
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			st.rss = n
		case "VmHWM":
			st.hwm = n
		case "Threads":
			st.threads = int(n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.high.rss, s.high.hwm, s.high.threads = max(s.high.rss, st.rss), max(s.high.hwm, st.hwm), max(s.high.threads, st.threads)
	return st
}

func (s *sampler) peak() procStatus {
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.high
}
