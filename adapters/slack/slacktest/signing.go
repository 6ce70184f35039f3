package slacktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// Sign sets the headers Slack signs an HTTP-mode request with: the
// request timestamp at, and the v0 signature of body under secret. A test
// checks an app's verification by signing with the wrong secret or time,
// or by sending a body other than the one signed.
func Sign(h http.Header, body, secret string, at time.Time) {
	stamp := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + stamp + ":" + body))
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}
