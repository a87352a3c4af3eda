package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Slack's request signing: "v0=" + hex(HMAC-SHA256(signing secret,
// "v0:" + timestamp + ":" + raw body)), with the timestamp no more than
// five minutes from now in either direction.
const (
	headerSignature = "X-Slack-Signature"
	headerTimestamp = "X-Slack-Request-Timestamp"
	signatureMaxAge = 5 * time.Minute
	signaturePrefix = "v0="
)

// Verification errors. Each makes the handler answer 401 and change nothing.
var (
	errMissingSignature = errors.New("missing signature headers")
	errBadTimestamp     = errors.New("timestamp outside the 5-minute window")
	errBadSignature     = errors.New("signature mismatch")
)

// sign returns the v0 signature of body sent at ts, as Slack computes it.
func sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	writeBase(m, ts, body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// writeBase writes Slack's base string "v0:<ts>:<body>" to m.
func writeBase(m hash.Hash, ts string, body []byte) {
	_, _ = io.WriteString(m, "v0:")
	_, _ = io.WriteString(m, ts)
	_, _ = io.WriteString(m, ":")
	_, _ = m.Write(body)
}

// verifier checks request signatures. It keeps a pool of keyed HMACs so a
// check allocates nothing.
type verifier struct {
	now      func() time.Time
	macs     sync.Pool
	disabled bool // no secret: every request is refused
}

func newVerifier(secret string, now func() time.Time) *verifier {
	key := []byte(secret)
	v := &verifier{now: now, disabled: secret == ""}
	v.macs.New = func() any { return hmac.New(sha256.New, key) }
	return v
}

// verify checks the signature headers h against body. It compares in
// constant time and rejects timestamps more than five minutes from now.
func (v *verifier) verify(h http.Header, body []byte) error {
	sig, ts := first(h[headerSignature]), first(h[headerTimestamp])
	if sig == "" || ts == "" || v.disabled {
		return errMissingSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadTimestamp
	}
	if d := v.now().Sub(time.Unix(sec, 0)); d > signatureMaxAge || d < -signatureMaxAge {
		return errBadTimestamp
	}
	var want [sha256.Size]byte
	if len(sig) != len(signaturePrefix)+hex.EncodedLen(sha256.Size) || sig[:len(signaturePrefix)] != signaturePrefix {
		return errBadSignature
	}
	if _, err := hex.Decode(want[:], []byte(sig[len(signaturePrefix):])); err != nil {
		return errBadSignature
	}
	m := v.macs.Get().(hash.Hash)
	m.Reset()
	writeBase(m, ts, body)
	var got [sha256.Size]byte
	m.Sum(got[:0])
	v.macs.Put(m)
	if !hmac.Equal(got[:], want[:]) {
		return errBadSignature
	}
	return nil
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// bodyPool recycles request body buffers; parsed values are always copied
// out of them before a buffer goes back.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// readBody reads at most limit bytes of r's body into a pooled buffer. It
// answers 413 itself (and returns ok=false) when the body is larger, and 400
// when it cannot be read. The caller must call release(buf) when done.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (buf *[]byte, ok bool) {
	if r.ContentLength > limit {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	buf = bodyPool.Get().(*[]byte)
	b := (*buf)[:0]
	body := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*buf = b
			release(buf)
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			} else {
				http.Error(w, "cannot read request body", http.StatusBadRequest)
			}
			return nil, false
		}
	}
	*buf = b
	return buf, true
}

// release returns a body buffer to the pool, unless it grew large.
func release(buf *[]byte) {
	if cap(*buf) > 256<<10 {
		return
	}
	*buf = (*buf)[:0]
	bodyPool.Put(buf)
}

// readVerified reads and verifies a request's body, answering 413 or 401
// itself when it must. Nothing is parsed before the signature is checked.
func (a *Adapter) readVerified(w http.ResponseWriter, r *http.Request) (*[]byte, bool) {
	buf, ok := readBody(w, r, a.cfg.MaxBody)
	if !ok {
		return nil, false
	}
	if err := a.verifier.verify(r.Header, *buf); err != nil {
		release(buf)
		a.log.LogAttrs(r.Context(), slog.LevelDebug, "slack request refused",
			slog.String("path", r.URL.Path), slog.String("reason", err.Error()))
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return nil, false
	}
	return buf, true
}
