package faq

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// maxQueryTokens bounds the work done for one question: words past it are
// ignored (a question that long is not answered by its tail).
const maxQueryTokens = 48

// maxPhraseWords is the longest lexicon phrase, in words.
const maxPhraseWords = 3

// tokenize lower-cases text and splits it into words. It drops chat
// mentions ("<@U123>", "<!everyone>", "@here"), keeps numbers whole
// ("6,500" → "6500", "1.6"), turns "%" into "percent" and a "$" not
// before a number into "money", removes apostrophes
// ("what's" → "whats") and keeps hyphenated words together ("re-vote"),
// which indexStems (for the knowledge base) and addWord (for questions)
// then split. Canonical forms (see canonical) are applied, so "yrs"
// becomes "years" and "frozen" becomes "freeze". At most max tokens are
// returned. A word that repeats the one before it is kept once.
func tokenize(text string, max int) []string {
	var out []string
	var cur []byte
	// add appends a word unless it repeats the word before it: "$$$",
	// "pls pls" or "pension pension pension" ask no more than once.
	add := func(w string) {
		if len(out) == 0 || out[len(out)-1] != w {
			out = append(out, w)
		}
	}
	emit := func() {
		w := strings.Trim(string(cur), "-.")
		cur = cur[:0]
		if w == "" {
			return
		}
		if n := ordinalNumber(w); n != "" {
			w = n
		}
		if repl, ok := canonical[w]; ok {
			for _, r := range strings.Fields(repl) {
				add(r)
			}
			return
		}
		add(w)
	}
	skipWord := false // inside an @mention
	for i := 0; i < len(text) && len(out) < max; {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '<':
			// Platform markup such as <@U123>, <#C1|general>, <!here>
			// or <https://...|label> carries no question words.
			if end := strings.IndexByte(text[i:], '>'); end > 0 && end < 200 {
				emit()
				i += end + 1
				continue
			}
			emit()
		case r == '@' && len(cur) == 0:
			skipWord = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !skipWord {
				cur = utf8.AppendRune(cur, unicode.ToLower(r))
			}
		case r == '\'' || r == '’' || r == '‘':
			// "what's" → "whats"; a quote around a word is dropped too.
		case (r == '.' || r == ',') && len(cur) > 0 && isDigit(cur[len(cur)-1]) && i+1 < len(text) && isDigit(text[i+1]):
			if r == '.' && !skipWord {
				cur = append(cur, '.')
			}
		case r == '-' && len(cur) > 0 && i+1 < len(text) && isAlnumByte(text[i+1]):
			if !skipWord {
				cur = append(cur, '-')
			}
		case r == '%':
			emit()
			skipWord = false
			add("percent")
		case r == '$' && (i+1 >= len(text) || !isDigit(text[i+1])):
			// "$" alone stands for money ("how much $ do we lose");
			// before a number it is the number's unit, and dropped.
			emit()
			skipWord = false
			add("money")
		default:
			emit()
			skipWord = false
		}
		i += size
	}
	emit()
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// ordinalNumber returns "15" for "15th" (and "1st", "2nd", "3rd"), or "".
func ordinalNumber(w string) string {
	if len(w) < 3 || !isDigit(w[0]) {
		return ""
	}
	switch w[len(w)-2:] {
	case "st", "nd", "rd", "th":
		if isNumeric(w[:len(w)-2]) {
			return w[:len(w)-2]
		}
	}
	return ""
}

func isDigit(b byte) bool         { return b >= '0' && b <= '9' }
func isAlnumByte(b byte) bool     { return isDigit(b) || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func hasDigit(s string) bool      { return strings.IndexFunc(s, unicode.IsDigit) >= 0 }
func isNumeric(s string) bool     { return strings.Trim(s, "0123456789.") == "" }
func joinHyphens(s string) string { return strings.ReplaceAll(s, "-", "") }

// stem reduces a word to its English stem with the Snowball stemmer.
// Numbers and words with digits are kept as they are.
func stem(word string) string {
	if hasDigit(word) {
		return word
	}
	return english.Stem(word, false)
}

// isStopword reports whether a word carries little meaning of its own in a
// question. Stop words are still indexed and scored (their rarity decides
// their weight), but they do not count when judging how much of a question
// the knowledge base covers.
func isStopword(w string) bool {
	_, ok := stopwords[w]
	return ok
}

var stopwords = setOf(`a about after again all also am an and any anyone anything are as at
	be been being but by can could did do does doing done for from get gets getting go goes going
	got had has have having he her here hers him his how i if in into is it its just know like
	me mean mine more most much my need no not now of on one or our ours out over please pls
	really say she should so some something still such tell than thank thanks that the their
	them then there these they thing things this those to too u under up us very want was we
	were what whats when whens where which while who whos why will with would yes yet you your
	many happen happens happened happening let lets
	hi hello hey ok okay im ive id ill whether etc get anyway actually exactly kind sort`)

func setOf(words string) map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(words) {
		m[w] = struct{}{}
	}
	return m
}

// canonical maps chat shorthand, irregular forms the stemmer does not
// reduce, and number words to one form, on both the knowledge base side
// and the question side. These are general English; a union's own words
// belong in its lexicon.yaml.
// A short form of a word with an irregular form ("ppl": "people") maps
// to the one form ("person"), as the word written out does.
var canonical = func() map[string]string {
	m := maps.Clone(irregularForms)
	for short, long := range shorthand {
		if one, ok := irregularForms[long]; ok {
			long = one
		}
		m[short] = long
	}
	return m
}()

// shorthand maps the chat shorthand and spoken forms members type on a
// phone to the words they stand for. Shortened writes evaluation
// questions with it the other way round.
var shorthand = map[string]string{
	"yrs": "years", "yr": "year", "ppl": "people", "ur": "your", "r": "are",
	"pls": "please", "plz": "please", "thx": "thanks", "b4": "before",
	"abt": "about", "govt": "government", "gov": "governor", "info": "information",
	"bc": "because", "cuz": "because", "wanna": "want to", "gonna": "going to",
	"gotta": "got to", "dont": "do not", "doesnt": "does not", "didnt": "did not",
	"cant": "can not", "cannot": "can not", "wont": "will not", "isnt": "is not",
	"arent": "are not", "wasnt": "was not", "werent": "were not", "aint": "is not",
	"hows": "how is", "whos": "who is", "whens": "when is", "whats": "what is",
	"wheres": "where is", "whys": "why is", "theres": "there is", "thats": "that is",
	"im": "i am", "ive": "i have", "youre": "you are", "w": "with", "wrt": "about",
	"pct": "percent", "perc": "percent", "bn": "billion", "mil": "million", "k": "thousand",
	"vs": "versus", "mgmt": "management", "admin": "administration", "approx": "about",
	"tmrw": "tomorrow", "2morrow": "tomorrow", "nite": "night", "thru": "through",
	"aug": "august", "jul": "july", "jun": "june", "sept": "september", "sep": "september",
	"u": "you", "yall": "you all", "rn": "right now", "tho": "though", "coz": "because",
	"cos": "because", "bcuz": "because", "becuz": "because", "bcz": "because",
	"wat": "what", "wut": "what", "wht": "what", "hw": "how", "whn": "when", "wen": "when",
	"bout": "about", "prolly": "probably", "kinda": "kind of", "sorta": "sort of",
	"dunno": "do not know", "idk": "i do not know", "lemme": "let me", "gimme": "give me",
	"hafta": "have to", "til": "until", "till": "until", "shud": "should", "wud": "would",
	"cud": "could", "shouldnt": "should not", "wouldnt": "would not", "couldnt": "could not",
	"hasnt": "has not", "havent": "have not", "hadnt": "had not", "wk": "week", "wks": "weeks",
	"mo": "month", "mos": "months", "mnth": "month", "hr": "hour", "hrs": "hours",
	"dept": "department", "ins": "insurance", "prez": "president", "pres": "president",
	"nxt": "next", "rly": "really", "tmr": "tomorrow", "2day": "today", "2nite": "tonight",
	"ne1": "anyone", "sum1": "someone", "fam": "family", "hubby": "husband",
}

// irregularForms maps irregular forms the stemmer does not reduce, and
// number words, to one form.
var irregularForms = map[string]string{
	"frozen": "freeze", "froze": "freeze", "paid": "pay", "laid": "lay", "lain": "lay",
	"went": "go", "gone": "go", "left": "leave", "rose": "rise", "risen": "rise",
	"spent": "spend", "took": "take", "taken": "take", "gave": "give", "given": "give",
	"sent": "send", "told": "tell", "said": "say", "held": "hold", "kept": "keep",
	"lost": "lose", "won": "win", "bought": "buy", "thought": "think", "brought": "bring",
	"ran": "run", "wrote": "write", "written": "write", "began": "begin", "begun": "begin",
	"chose": "choose", "chosen": "choose", "fell": "fall", "fallen": "fall",
	"older": "old", "oldest": "old", "bigger": "big", "biggest": "big", "larger": "large",
	"largest": "large", "longer": "long", "longest": "long", "higher": "high", "highest": "high",
	"better": "good", "best": "good", "worse": "bad", "worst": "bad", "less": "few",
	"men": "man", "women": "woman", "people": "person", "children": "child",
	"met": "meet", "struck": "strike", "stood": "stand", "understood": "understand",
	"saw": "see", "seen": "see", "knew": "know", "known": "know", "grew": "grow", "grown": "grow",
	// number words
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
	"seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	"fifteen": "15", "twenty": "20", "first": "1", "second": "2", "third": "3",
	"fourth": "4", "fifth": "5",
}

// isCommon reports whether a word is an everyday English word that is
// not a stop word but says little about which topic a question is on
// ("next", "way", "coming"). Such words count half when judging how much
// of a question the knowledge base covers, so that one everyday word the
// knowledge base happens not to use does not sink a good answer, while an
// unknown subject word ("parking", "weather") still does.
func isCommon(w string) bool {
	_, ok := common[w]
	return ok
}

var common = setOf(`able across actually ago ahead almost alone along already always among
	another anybody anymore anyway around away back bad become before behind being believe
	below besides big bit both bring call came certain chance change changed changes changing
	clear close come comes coming could day days different done down during each early easy
	either else end enough even ever every everybody everyone everything exactly far feel few
	find fine first follow following full further give given gives giving goes good great
	guess happen hard heard help hear hurt idea important instead item keep kept last late
	later least leave left less let life likely little look looked looking looks lot lots
	made main make makes making matter maybe means might mind moment month months move much
	must near nearly never new next nice nothing number often old once only open other others
	otherwise own part past per perhaps place point possible pretty probably put quite rather
	real reason right same saw see seem seems set several shall short show side since small
	soon start started stay stop sure take taken takes taking talk thanks thing things think
	though three through time times today together told total toward true try trying turn
	two until upon use used using usually want wants way ways well went whole whose within
	without wonder work works world worry year years yet`)

// isSmallTalk reports whether a word is one of greeting, thanking or
// acknowledging: a message made only of such words ("hi", "thanks",
// "ok", "yes", "test") asks nothing.
func isSmallTalk(w string) bool {
	_, ok := smallTalk[w]
	return ok
}

var smallTalk = setOf(`hi hello hey hiya howdy yo greetings morning afternoon evening night good
	thanks thank thx ty tysm cheers appreciate appreciated great awesome cool nice perfect
	ok okay k kk yes yeah yep yup no nope nah sure fine alright right got it understood
	you u bye goodbye later lol haha test testing ping there all everyone folks please`)

// fillers are the interjections and sign-offs members put around a
// question in chat ("ugh", "lol", "ngl", "tia"), which name no subject
// in any question. Stop words such as "hi" and "thanks" are not among
// them: they are weighed as stop words already, and tell a greeting or
// thanks apart from a question.
var fillers = setOf(`lol lmao lmfao rofl haha hahaha hehe ugh ughh omg omfg smh ngl tbh imo
	imho fr btw fyi lmk tia ttyl brb um umm uh uhh hmm hmmm oops welp meh yikes jeez geez gosh
	sheesh whew phew sorry asap anyways`)

// dropFillers returns toks without the chat fillers; toks itself when
// it has none.
func dropFillers(toks []string) []string {
	if !slices.ContainsFunc(toks, isFiller) {
		return toks
	}
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !isFiller(t) {
			out = append(out, t)
		}
	}
	return out
}

// isFiller reports whether a word is one of the chat fillers.
func isFiller(w string) bool {
	_, ok := fillers[w]
	return ok
}

// isThanks reports whether a word thanks someone.
func isThanks(w string) bool {
	switch w {
	case "thanks", "thank", "thx", "ty", "tysm", "cheers", "appreciate", "appreciated":
		return true
	}
	return false
}

// isBotWord reports whether a word refers to the bot itself ("you",
// "help"): in a message to the bot such a word is a subject, the one the
// knowledge base's entry on using the bot answers, even though it is a
// stop word or an everyday word elsewhere.
func isBotWord(w string) bool {
	switch w {
	case "you", "your", "yourself", "u", "bot", "help":
		return true
	}
	return false
}

// questionWords ask something: a clause with one is a question, not the
// small talk around one.
var questionWords = setOf("why what whats how hows when whens where wheres who whos which")

// isQuestionWord reports whether w asks something (see questionWords).
func isQuestionWord(w string) bool {
	_, ok := questionWords[w]
	return ok
}
