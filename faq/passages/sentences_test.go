package passages

import (
	"reflect"
	"testing"
)

func TestSentences(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Notice is given. It is in writing.", []string{"Notice is given.", "It is in writing."}},
		{"See Sec. 12.3 of the Agreement. It applies.", []string{"See Sec. 12.3 of the Agreement.", "It applies."}},
		{"Under Article 4, No. 4 applies. Then more.", []string{"Under Article 4, No. 4 applies.", "Then more."}},
		{"Shifts start at 8 a.m. Monday to Friday.", []string{"Shifts start at 8 a.m. Monday to Friday."}},
		{"The rate is 12.50 an hour. Overtime is extra.", []string{"The rate is 12.50 an hour.", "Overtime is extra."}},
		{"Some leave, e.g. Bereavement, is paid. Other leave is not.", []string{"Some leave, e.g. Bereavement, is paid.", "Other leave is not."}},
		{"Signed by J. Smith for the Union. Witnessed.", []string{"Signed by J. Smith for the Union.", "Witnessed."}},
		{"1. The Employer shall post it. Employees may apply.", []string{"1. The Employer shall post it.", "Employees may apply."}},
		{"Is it paid? Yes! It is.", []string{"Is it paid?", "Yes!", "It is."}},
		{"He said \"stop.\" Then he left.", []string{"He said \"stop.\"", "Then he left."}},
		{"First paragraph without a stop\n\nSecond paragraph.", []string{"First paragraph without a stop", "Second paragraph."}},
		{"Lines wrapped\nin the middle. Of a sentence.", []string{"Lines wrapped\nin the middle.", "Of a sentence."}},
		{"  ", nil},
	} {
		if got := Sentences(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
