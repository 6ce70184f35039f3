// Command ratificationday plays a ratification day against the real
// unionhall binary: it builds it, starts local Slack and Discord fakes
// that enforce the platforms' documented rate limits, runs "unionhall
// run" with both platforms configured, and plays the day: members mention
// the bot in bursts (the worst: hundreds in one channel within a minute,
// on each platform at once) while they vote on four polls, two on each
// platform; reminders fall due; each platform refuses a stretch of posts
// with 429s; connections are cut; and halfway through the second round
// of votes (repeated clicks, changes, redeliveries) the process is killed
// with SIGKILL and started again on the same database.
//
// It prints, per platform, the time from question to answer (p50, p99,
// max), how many answers went privately and the 429s the fakes answered;
// per poll, its tally and the time from the last vote to the card showing
// it; the reminders announced; for the process, its peak memory and
// threads (from /proc) and its idle memory and goroutines (from its
// /metrics) before and after the day; and the database's growth.
//
// It exits 1 when a question went unanswered or was answered twice, a
// card or the database does not hold the exact votes, a reminder was not
// announced exactly once on each platform, goroutines grew, or a fake saw
// the bot break the platform's rules. With -short (what .ci/run runs) the
// day is cut to one burst per platform, under two minutes.
//
// Time is not compressed: the fakes enforce the documented limits on the
// wall clock, so the figures are what members would see.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"time"
)

// day is the shape of one scripted day.
type day struct {
	burst       int           // questions in the burst channel, per platform
	burstWindow time.Duration // over which the burst is spread
	extra       int           // questions elsewhere, per platform
	channels    int           // channels the extra questions are spread over
	extraWindow time.Duration // over which the extra questions are spread
	settle      time.Duration // how long to wait for the last answers
	votes       int           // poll clicks in all, over four polls
	storm       int           // posts each platform refuses with 429s in the storm
	dropSlack   bool          // cut Slack's connection too, not only Discord's
	quiet       time.Duration // how long to wait, at the end, for duplicates to show
}

func main() {
	short := flag.Bool("short", false, "a short day: one burst per platform, under two minutes")
	flag.Parse()
	d := day{burst: 300, burstWindow: time.Minute, extra: 700, channels: 8, extraWindow: 4 * time.Minute, settle: 2 * time.Minute, votes: 5000, storm: 20, dropSlack: true, quiet: 5 * time.Second}
	if *short {
		d = day{burst: 150, burstWindow: 30 * time.Second, extra: 50, channels: 4, extraWindow: 30 * time.Second, settle: 45 * time.Second, votes: 400, storm: 10, quiet: 2 * time.Second}
	}
	log.SetFlags(log.Ltime)
	ok, err := play(d)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratificationday:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}
