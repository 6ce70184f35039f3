package discordtest

import (
	"github.com/bwmarrin/discordgo"
)

// checkSelectLocked records how select menu b breaks Discord's rules: it
// must be alone in its row, with a unique custom ID of at most 100
// characters, 1 to 25 options of at most 100 characters each, and a
// placeholder of at most 150.
func (s *Server) checkSelectLocked(b Button, inRow int, seen map[string]bool, bad func(string, ...any)) {
	switch {
	case inRow != 1:
		bad("a select menu shares its row with %d other components", inRow-1)
	case b.CustomID == "" || seen[b.CustomID] || textLen(b.CustomID) > 100:
		bad("bad select menu custom_id %q", b.CustomID)
	case len(b.Options) == 0 || len(b.Options) > 25:
		bad("select menu %q with %d options", b.CustomID, len(b.Options))
	case textLen(b.Placeholder) > 150:
		bad("select menu placeholder of %d", textLen(b.Placeholder))
	}
	for _, o := range b.Options {
		if textLen(o.Label) > 100 || o.Label == "" || o.Value == "" {
			bad("bad select menu option %+v", o)
		}
	}
	seen[b.CustomID] = true
}

// updateClickedLocked applies an update-message response (type 7) to the
// message whose component was used.
func (s *Server) updateClickedLocked(in *Interaction, o outgoing) {
	if in.Type != discordgo.InteractionMessageComponent {
		s.violateLocked("message update answering interaction %s, which is not a component's", in.ID)
		return
	}
	s.checkLocked(o, "message update", false)
	in.OriginalID = in.ClickedID
	if m := s.messages[in.ClickedID]; m != nil {
		editLocked(m, o)
	}
}

// Select has who choose values in the select menu with customID on
// message messageID, and returns the interaction's ID.
func (s *Server) Select(who Member, messageID, customID string, values ...string) string {
	s.t.Helper()
	return s.ClickAll(messageID, Click{Who: who, CustomID: customID, Values: append([]string{}, values...)})[0]
}
