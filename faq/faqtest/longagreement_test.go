package faqtest

import (
	"strings"
	"testing"
)

func TestLongAgreementRenumbersEachCopy(t *testing.T) {
	sample := "# ARTICLE 1 - RECOGNITION\n\n## Section 1.1 Unit\n\n1.1.1 The Employer recognises the Union.\n\n# ARTICLE 2 - DUES\n\n## Section 2.1 Deduction\n\nDues are deducted.\n"
	long := LongAgreement(sample, 3)
	for _, want := range []string{"# ARTICLE 1 -", "# ARTICLE 3 -", "# ARTICLE 6 -", "## Section 4.1 Deduction", "5.1.1 The Employer"} {
		if !strings.Contains(long, want) {
			t.Errorf("the long agreement has no %q:\n%s", want, long)
		}
	}
	if strings.Count(long, "# ARTICLE") != 6 {
		t.Errorf("%d articles, want 6", strings.Count(long, "# ARTICLE"))
	}
}
