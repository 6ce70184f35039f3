package bot

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

func texts(ts []Token) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Text)
	}
	return out
}

func TestTokenize(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`"Ratify?" "Yes" "No" --anonymous`, []string{"Ratify?", "Yes", "No", "--anonymous"}},
		{`“Curly quotes?” “Oui, d’accord” ‘x’`, []string{"Curly quotes?", "Oui, d’accord", "‘x’"}},
		{`"say \"hi\"" b`, []string{`say "hi"`, "b"}},
		{"  spaced\tout  ", []string{"spaced", "out"}},
		{`"" empty`, []string{"", "empty"}},
		{`don't split on apostrophes`, []string{"don't", "split", "on", "apostrophes"}},
		{`"Ünïcödé ✊" 日本語`, []string{"Ünïcödé ✊", "日本語"}},
	}
	for _, c := range cases {
		got, err := Tokenize(c.in)
		if err != nil {
			t.Fatalf("Tokenize(%q): %v", c.in, err)
		}
		if !reflect.DeepEqual(texts(got), c.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, texts(got), c.want)
		}
	}
}

func TestTokenizeUnclosedQuote(t *testing.T) {
	_, err := Tokenize(`"Ratify?" "Yes`)
	if ErrorCode(err) != EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
}

func TestParseFlags(t *testing.T) {
	spec := FlagSpec{"anonymous": false, "closes": true, "max": true}
	toks, _ := Tokenize(`"Q?" "A" "B" --closes in 2h —anonymous --max=2`)
	pos, flags, err := ParseFlags(toks, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(texts(pos), []string{"Q?", "A", "B"}) {
		t.Errorf("positional = %q", texts(pos))
	}
	want := Flags{"closes": "in 2h", "anonymous": "", "max": "2"}
	if !reflect.DeepEqual(flags, want) {
		t.Errorf("flags = %v, want %v", flags, want)
	}
	for _, bad := range []string{`--nope`, `--closes`, `--anonymous=yes`, `--max 1 --max 2`} {
		toks, _ := Tokenize(bad)
		if _, _, err := ParseFlags(toks, spec); ErrorCode(err) != EINVALID {
			t.Errorf("ParseFlags(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

// TestParseFlagsQuotedValues: a value flag takes one quoted token when no
// unquoted word follows it, and the --flag="..." form loses its quotes.
func TestParseFlagsQuotedValues(t *testing.T) {
	spec := FlagSpec{"anonymous": false, "closes": true, "rule": true}
	cases := []struct {
		in    string
		pos   []string
		flags Flags
	}{
		{`"Q?" "A" "B" --closes "in 3s"`, []string{"Q?", "A", "B"}, Flags{"closes": "in 3s"}},
		{`"Q?" "A" "B" --closes “Aug 31 5pm” --anonymous`, []string{"Q?", "A", "B"}, Flags{"closes": "Aug 31 5pm", "anonymous": ""}},
		// Exactly one quoted token: what follows is positional.
		{`--closes "in 3s" "Q?" "A"`, []string{"Q?", "A"}, Flags{"closes": "in 3s"}},
		// Unquoted words taken: a quoted token after them is positional.
		{`"Q?" "A" --closes in 2h "B"`, []string{"Q?", "A", "B"}, Flags{"closes": "in 2h"}},
		{`"Q?" --closes in 2h "A" "B"`, []string{"Q?", "A", "B"}, Flags{"closes": "in 2h"}},
		{`"Q?" "A" --closes="in 2h" "B"`, []string{"Q?", "A", "B"}, Flags{"closes": "in 2h"}},
		{`--closes=“in 2h” --rule="Say \"one\" Vote"`, []string{}, Flags{"closes": "in 2h", "rule": `Say "one" Vote`}},
		{`--CLOSES=In2H`, []string{}, Flags{"closes": "In2H"}},
		// Not exactly one quoted value: kept as written.
		{`--rule="a"b`, []string{}, Flags{"rule": `"a"b`}},
		{`--rule=a"b c"`, []string{"c\""}, Flags{"rule": `a"b`}},
	}
	for _, c := range cases {
		toks, err := Tokenize(c.in)
		if err != nil {
			t.Errorf("Tokenize(%q): %v", c.in, err)
			continue
		}
		pos, flags, err := ParseFlags(toks, spec)
		if err != nil {
			t.Errorf("ParseFlags(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(texts(pos), c.pos) || !reflect.DeepEqual(flags, c.flags) {
			t.Errorf("ParseFlags(%q) = %q %v, want %q %v", c.in, texts(pos), flags, c.pos, c.flags)
		}
	}
	for _, bad := range []string{`--closes ""`, `--closes="  "`, `--closes="`, `--closes --anonymous "x"`} {
		toks, err := Tokenize(bad)
		if err == nil {
			_, _, err = ParseFlags(toks, spec)
		}
		if ErrorCode(err) != EINVALID {
			t.Errorf("%q: err = %v, want EINVALID", bad, err)
		}
	}
}

func TestUnquote(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{`"quoted text"`, "quoted text", true},
		{`"say \"hi\" \\ there"`, `say "hi" \ there`, true},
		{`“curly”`, "curly", true},
		{`""`, "", true},
		{`plain`, "", false},
		{`"a" b`, "", false},
		{`"unclosed`, "", false},
		{`"a\"`, "", false},
		{``, "", false},
	}
	for _, c := range cases {
		got, ok := Unquote(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("Unquote(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	name, rest, ok := SplitCommand("  /Poll   results 3 ")
	if !ok || name != "poll" || rest != "results 3" {
		t.Fatalf("got %q %q %v", name, rest, ok)
	}
	if _, rest, ok := SplitCommand("what is the deadline?"); ok || rest != "what is the deadline?" {
		t.Fatalf("free text parsed as command")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`/poll "Would you vote yes on the clarified agreement?" "Yes" "No" --anonymous --closes in 2h --rule coalition`,
		`/vote 1 yes`, `/faq is the retirment age going up`, `/remind add 0 9 * * MON vote status`,
		`/deadline add "Ratification" 2026-08-31 17:00 --lead 7d,1d,2h`, `“curly” “quotes`, `--max=3 "\"`, "/\xff",
		`/poll "Q?" "Yes" "No" --closes "in 3s"`, `/poll "Q?" "A" --closes in 2h "B"`,
		`/poll "Q?" "A" "B" --closes="in 2h" --rule=“coalition”`, `--closes="unclosed`, `--max="a\"b" c`,
	} {
		f.Add(s)
	}
	spec := FlagSpec{"anonymous": false, "hidden": false, "closes": true, "max": true, "rule": true, "lead": true}
	f.Fuzz(func(t *testing.T, s string) {
		SplitCommand(s)
		toks, err := Tokenize(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("Tokenize error with code %q", ErrorCode(err))
			}
			return
		}
		for _, tok := range toks {
			if utf8.ValidString(s) && !utf8.ValidString(tok.Text) {
				t.Fatalf("valid input produced invalid token %q", tok.Text)
			}
		}
		if _, _, err := ParseFlags(toks, spec); err != nil && ErrorCode(err) != EINVALID {
			t.Fatalf("ParseFlags error with code %q", ErrorCode(err))
		}
	})
}
