package faq

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// Members on a phone wrap a question in small talk ("ugh long night lol
// anyway ... thx") and write in shorthand ("r u sure abt the $"). The
// classifier learns from copies of its training texts wrapped that way
// (see withTypos), and the evaluation copies Wrapped and Shortened
// measure how well the matcher reads such messages. The two draw their small talk from
// different lists, so that a measurement is never of openers the
// classifier learnt.

// smallTalkLines are the openers and closers members put around a
// question; training uses the first, measurement the second.
type smallTalkLines struct {
	openers, closers []string
}

// trainingSmallTalk is what the classifier's hurried copies are wrapped
// in.
var trainingSmallTalk = smallTalkLines{
	openers: []string{
		"hey", "hi there", "hello", "ok so", "so", "quick question", "sorry to bother you",
		"hey quick one", "ugh long night lol anyway", "good morning", "hi sorry",
		"long day at work", "random question", "hey hope ur well", "ok dumb question but",
		"so confused rn", "real quick", "hi again", "question for u", "morning all",
		"hey bot", "on my break", "stressed out here", "hope this is the right place",
		"cant sleep", "hey there, sorry to pester",
	},
	closers: []string{
		"thx", "thanks", "thank you", "lol", "?? thanks in advance", "asap pls",
		"just wondering", "any help appreciated", "ty", "cheers", "idk",
		"sorry if dumb question", "thx a lot", "appreciate it", "need to know",
		"its been bugging me", "thanks!!", "pls help",
	},
}

// measuringSmallTalk is what Wrapped wraps evaluation questions in.
var measuringSmallTalk = smallTalkLines{
	openers: []string{
		"hiya", "hey guys", "hello, hope ok to ask", "ok weird question", "sorry to bug u",
		"ugh what a week", "omg", "hey so", "morning", "hi quick q", "on lunch rn",
		"just got off shift", "first time using this", "bit worried", "hey, sorry",
		"so um", "ok i have to ask", "evening", "hi, been wondering", "lol ok",
	},
	closers: []string{
		"thnx", "ty!", "thanks so much", "haha", "appreciate u", "cheers!",
		"please let me know", "asap", "tia", "sorry", "just curious", "lmk",
		"thanks again", "kinda stressing", "no rush",
	},
}

// lines returns every opener and closer.
func (lines smallTalkLines) lines() []string {
	return slices.Concat(lines.openers, lines.closers)
}

// wrap returns text with an opener, a closer or both from lines around
// it, as members write it: lower case, joined by a space, a comma or a
// full stop.
func (lines smallTalkLines) wrap(text string, rng *rand.Rand) string {
	open, shut := rng.Float64() < 0.75, rng.Float64() < 0.6
	if !open && !shut {
		open = true
	}
	sep := []string{" ", ", ", ". "}
	if open {
		text = lines.openers[rng.IntN(len(lines.openers))] + sep[rng.IntN(len(sep))] + text
	}
	if shut {
		text = strings.TrimRight(text, " ") + sep[rng.IntN(len(sep))] + lines.closers[rng.IntN(len(lines.closers))]
	}
	return text
}

// wrapSeed and shortSeed fix the small talk and shorthand Wrapped and
// Shortened add, so a measurement can be repeated.
const (
	wrapSeed  = 20110624
	shortSeed = 20110625
)

// Wrapped returns a copy of set with every question wrapped in small
// talk, the same each time: a measurement of how well the matcher finds
// the question in a run-on message, and that off-topic messages stay
// unanswered when wrapped.
func Wrapped(set []Labeled) []Labeled {
	return rewritten(set, wrapSeed, measuringSmallTalk.wrap)
}

// Shortened returns a copy of set with every question written in phone
// shorthand, the same each time: words the shorthand table reads back
// replaced by one of their short forms, apostrophes and question marks
// dropped, all in lower case.
func Shortened(set []Labeled) []Labeled {
	return rewritten(set, shortSeed, shorten)
}

// shortForms lists, for each word or pair of words the shorthand table
// reads back, the short forms that stand for it ("because": "bc",
// "cuz"), sorted so that drawing from them is repeatable.
var shortForms = func() map[string][]string {
	m := map[string][]string{}
	for short, long := range shorthand {
		m[long] = append(m[long], short)
	}
	for _, forms := range m {
		slices.Sort(forms)
	}
	return m
}()

// shortShare is the share of the words that have a short form that
// shorten replaces.
const shortShare = 0.8

// shorten writes text in phone shorthand (see Shortened).
func shorten(text string, rng *rand.Rand) string {
	text = strings.ToLower(text)
	text = strings.NewReplacer("'", "", "’", "", "?", "").Replace(text)
	words := strings.Fields(text)
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		core := strings.TrimRight(w, ",.!")
		tail := w[len(core):]
		if i+1 < len(words) {
			next := strings.TrimRight(words[i+1], ",.!")
			if forms, ok := shortForms[core+" "+next]; ok && rng.Float64() < shortShare {
				out = append(out, forms[rng.IntN(len(forms))]+words[i+1][len(next):])
				i++
				continue
			}
		}
		if forms, ok := shortForms[core]; ok && rng.Float64() < shortShare {
			w = forms[rng.IntN(len(forms))] + tail
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}
