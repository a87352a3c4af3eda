package slack

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Slack's published example (manifests/slack/README.md#request-signing).
const (
	vectorSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	vectorTS     = "1531420618"
	vectorBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	vectorSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestSignMatchesSlackExample(t *testing.T) {
	if got := sign(vectorSecret, vectorTS, []byte(vectorBody)); got != vectorSig {
		t.Fatalf("sign = %s, want %s", got, vectorSig)
	}
}

func TestVerifierAcceptsSlackExampleAtItsTime(t *testing.T) {
	at := time.Unix(1531420618, 0)
	v := newVerifier(vectorSecret, func() time.Time { return at.Add(30 * time.Second) })
	h := http.Header{headerSignature: {vectorSig}, headerTimestamp: {vectorTS}}
	if err := v.verify(h, []byte(vectorBody)); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

func TestVerifier(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	const secret = "s3cret"
	body := []byte("team_id=T1&text=hello")
	ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	cases := []struct {
		name    string
		headers http.Header
		body    []byte
		want    error
	}{
		{"fresh", http.Header{headerSignature: {sign(secret, ts(0), body)}, headerTimestamp: {ts(0)}}, body, nil},
		{"4m59s old", http.Header{headerSignature: {sign(secret, ts(-299*time.Second), body)}, headerTimestamp: {ts(-299 * time.Second)}}, body, nil},
		{"stale", http.Header{headerSignature: {sign(secret, ts(-6*time.Minute), body)}, headerTimestamp: {ts(-6 * time.Minute)}}, body, errBadTimestamp},
		{"future", http.Header{headerSignature: {sign(secret, ts(6*time.Minute), body)}, headerTimestamp: {ts(6 * time.Minute)}}, body, errBadTimestamp},
		{"wrong secret", http.Header{headerSignature: {sign("other", ts(0), body)}, headerTimestamp: {ts(0)}}, body, errBadSignature},
		{"body changed", http.Header{headerSignature: {sign(secret, ts(0), body)}, headerTimestamp: {ts(0)}}, []byte("team_id=T1&text=hellO"), errBadSignature},
		{"timestamp changed", http.Header{headerSignature: {sign(secret, ts(0), body)}, headerTimestamp: {ts(1 * time.Second)}}, body, errBadSignature},
		{"no signature", http.Header{headerTimestamp: {ts(0)}}, body, errMissingSignature},
		{"no timestamp", http.Header{headerSignature: {sign(secret, ts(0), body)}}, body, errMissingSignature},
		{"not a number", http.Header{headerSignature: {sign(secret, "abc", body)}, headerTimestamp: {"abc"}}, body, errBadTimestamp},
		{"v1 prefix", http.Header{headerSignature: {"v1=" + sign(secret, ts(0), body)[3:]}, headerTimestamp: {ts(0)}}, body, errBadSignature},
		{"short", http.Header{headerSignature: {"v0=abcd"}, headerTimestamp: {ts(0)}}, body, errBadSignature},
		{"not hex", http.Header{headerSignature: {"v0=" + string(make([]byte, 64))}, headerTimestamp: {ts(0)}}, body, errBadSignature},
	}
	v := newVerifier(secret, func() time.Time { return now })
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := v.verify(c.headers, c.body); !errors.Is(got, c.want) {
				t.Fatalf("verify = %v, want %v", got, c.want)
			}
		})
	}
}

func TestVerifierIsSafeForConcurrentUse(t *testing.T) {
	now := time.Now()
	v := newVerifier("k", func() time.Time { return now })
	ts := strconv.FormatInt(now.Unix(), 10)
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			body := []byte("n=" + strconv.Itoa(i))
			h := http.Header{headerSignature: {sign("k", ts, body)}, headerTimestamp: {ts}}
			var err error
			for range 200 {
				if err = v.verify(h, body); err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseSlashCommand(t *testing.T) {
	c := parseSlashCommand([]byte(vectorBody + "&enterprise_id=E1&is_enterprise_install=true&text=a+%3C%21channel%3E+b"))
	if c.TeamID != "T1DC2JH3J" || c.ChannelID != "G8PSS9T3V" || c.UserID != "U2CERLKJA" || c.Command != "/webhook-collect" {
		t.Fatalf("parsed %+v", c)
	}
	if c.ResponseURL != "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN" {
		t.Fatalf("response_url = %q", c.ResponseURL)
	}
	if c.Text != "a <!channel> b" {
		t.Fatalf("text = %q (the later text field wins)", c.Text)
	}
	if got := workspaceID(c.TeamID, c.EnterpriseID, c.IsEnterpriseInstall); got != "E1" {
		t.Fatalf("workspace = %q, want the enterprise", got)
	}
	if got := workspaceID("T1", "E1", false); got != "T1" {
		t.Fatalf("workspace = %q, want the team", got)
	}
}

func TestVerifierWithoutSecretRefusesEverything(t *testing.T) {
	now := time.Now()
	v := newVerifier("", func() time.Time { return now })
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{headerSignature: {sign("", ts, nil)}, headerTimestamp: {ts}}
	if err := v.verify(h, nil); err == nil {
		t.Fatal("a request signed with the empty secret was accepted")
	}
}
