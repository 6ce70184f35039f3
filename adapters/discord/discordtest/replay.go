package discordtest

import (
	"encoding/json"

	"github.com/gorilla/websocket"
)

// ReplayInteraction writes again, byte for byte and with its sequence
// number, the INTERACTION_CREATE that carried interaction id, as a
// gateway that is not sure the bot received a dispatch may send it
// again. It reports whether the interaction was sent on the gateway and
// a session is live to receive it again.
func (s *Server) ReplayInteraction(id string) bool {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	var data []byte
	for _, f := range s.history {
		var fr struct {
			T string `json:"t"`
			D struct {
				ID string `json:"id"`
			} `json:"d"`
		}
		if json.Unmarshal(f.data, &fr) == nil && fr.T == "INTERACTION_CREATE" && fr.D.ID == id {
			data = f.data
		}
	}
	c := s.conn
	s.mu.Unlock()
	if data == nil || c == nil {
		return false
	}
	return c.WriteMessage(websocket.TextMessage, data) == nil
}
