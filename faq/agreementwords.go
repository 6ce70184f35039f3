package faq

import (
	_ "embed"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed agreementwords.yaml
var agreementWordsYAML []byte

// agreementWords maps members' words to the words agreements use for the
// same things (see agreementwords.yaml). It is read once and never
// changed.
var agreementWords = func() map[string]string {
	m, err := parseAgreementWords(agreementWordsYAML)
	if err != nil {
		panic(err) // the file is part of the program; its test reads it
	}
	return m
}()

// parseAgreementWords reads the synonyms of agreementwords.yaml.
func parseAgreementWords(data []byte) (map[string]string, error) {
	var doc struct {
		Synonyms map[string]string `yaml:"synonyms"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("agreementwords.yaml: %w", err)
	}
	out := make(map[string]string, len(doc.Synonyms))
	for k, v := range doc.Synonyms {
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.ToLower(strings.TrimSpace(v))
		if k == "" || v == "" {
			return nil, fmt.Errorf("agreementwords.yaml: %q needs a word or phrase and what it means", k)
		}
		out[k] = v
	}
	return out, nil
}

// documentWords is the lexicon passages are searched with: the general
// words of agreements, and over them the union's own lexicon.
func documentWords(lexicon map[string]string) map[string]string {
	out := make(map[string]string, len(agreementWords)+len(lexicon))
	for k, v := range agreementWords {
		out[k] = v
	}
	for k, v := range lexicon {
		out[k] = v
	}
	return out
}
