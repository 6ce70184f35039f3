package store

import (
	"encoding/json"
	"fmt"

	"github.com/unionhall/unionhall/polls"
)

// EncodeEligibility returns how a poll's eligibility is stored: JSON, or
// nil when every member may vote (the column's value for polls opened
// before eligibility existed).
func EncodeEligibility(e polls.Eligibility) ([]byte, error) {
	if !e.Limited() {
		return nil, nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode eligibility: %w", err)
	}
	return b, nil
}

// DecodeEligibility reads a stored eligibility into p.
func DecodeEligibility(p *polls.Poll, stored []byte) error {
	if len(stored) == 0 {
		return nil
	}
	if err := json.Unmarshal(stored, &p.Eligible); err != nil {
		return fmt.Errorf("poll %d eligibility: %w", p.ID, err)
	}
	return nil
}
