package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// A modal's private_metadata comes back from Slack in view_submission and
// block_suggestion payloads exactly as we sent it, but nothing stops a
// client from changing it: it is user input. We keep in it only what the
// form needs and cannot take from the payload itself (the channel the form
// was opened in, the hidden fields such as the message's link), and seal it
// with an HMAC over the workspace, the user and the form: a changed value,
// or a form opened by someone else or in another workspace, is refused.

// modalState is what a modal carries in private_metadata.
type modalState struct {
	Form    string            `json:"f"`
	Team    string            `json:"t"`
	User    string            `json:"u"`
	Channel string            `json:"c,omitempty"`
	Hidden  map[string]string `json:"h,omitempty"`
}

// maxPrivateMetadata is Slack's limit on a view's private_metadata.
const maxPrivateMetadata = 3000

// errModalState is a private_metadata that is not ours, changed, or for
// someone else.
var errModalState = errors.New("modal state: changed or not for this user")

// modalSealer seals and opens modal state with its key.
type modalSealer struct{ key []byte }

// newModalSealer derives the sealing key from the app's secret (the signing
// secret, or the app token in Socket Mode).
func newModalSealer(secret string) modalSealer {
	m := hmac.New(sha256.New, []byte("outcomebot modal state v1"))
	m.Write([]byte(secret))
	return modalSealer{key: m.Sum(nil)}
}

func (s modalSealer) mac(body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(body)
	return m.Sum(nil)
}

// seal encodes st as "body.mac", both base64url.
func (s modalSealer) seal(st modalState) (string, error) {
	body, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	out := base64.RawURLEncoding.EncodeToString(body) + "." + base64.RawURLEncoding.EncodeToString(s.mac(body))
	if len(out) > maxPrivateMetadata {
		return "", errors.New("modal state too large")
	}
	return out, nil
}

// open checks a sealed state and that it belongs to team and user (taken
// from the payload, never from the state). Its Form is then ours too.
func (s modalSealer) open(raw, team, user string) (modalState, error) {
	b64, sig, ok := strings.Cut(raw, ".")
	if !ok {
		return modalState{}, errModalState
	}
	body, err1 := base64.RawURLEncoding.DecodeString(b64)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(body)) {
		return modalState{}, errModalState
	}
	var st modalState
	if err := json.Unmarshal(body, &st); err != nil || st.Form == "" || st.Team != team || st.User != user {
		return modalState{}, errModalState
	}
	return st, nil
}
