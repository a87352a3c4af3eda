package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
)

// namesDigest is a leadership digest naming three people with Slack ids,
// one of whom users.info does not know.
func namesDigest() commands.Response {
	now := time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
	return digest.Build(digest.Input{Now: now, DefaultSLA: 4 * time.Hour, Data: record.DigestData{
		From: now.AddDate(0, 0, -14), To: now,
		Outcomes: []record.Outcome{{Key: "pos", Title: "POS", Owner: "U0MARIA", ITOwner: "U0RAJ", Status: record.OutcomeActive}},
		Escalations: []record.Escalation{{N: 1, Ref: "INC1", Outcome: "pos", RaisedBy: "U0GONE", RaisedAt: now.Add(-30 * time.Hour),
			State: record.StateAcknowledged, AckBy: "U0RAJ", AckAt: now.Add(-29 * time.Hour)}},
	}})
}

// postedText is everything chat.postMessage carried: text and blocks.
func postedText(f *fakeSlack) string {
	var b strings.Builder
	for _, c := range f.Calls("chat.postMessage") {
		b.WriteString(c.Form.Get("text") + "\n" + c.Form.Get("blocks") + "\n")
	}
	return b.String()
}

// TestDigestNamesPeopleWithoutMentions: a digest posted in Slack shows the
// people it names by display name (users.info, then the Redis cache) and
// never as a <@…> mention, so it notifies nobody; a user users.info cannot
// find shows as the id, and a failing users.info falls back to the cached
// name.
func TestDigestNamesPeopleWithoutMentions(t *testing.T) {
	h := newHarness(t, nil)
	h.slack.mu.Lock()
	h.slack.users["U0MARIA"], h.slack.users["U0RAJ"] = "Maria Lopez", "Raj <Dev> & Ops"
	h.slack.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	to := commands.Destination{Workspace: "T1", Channel: "CLEAD"}
	if _, err := h.a.Poster().Post(ctx, to, namesDigest()); err != nil {
		t.Fatal(err)
	}
	got := postedText(h.slack)
	if strings.Contains(got, "<@") {
		t.Errorf("the digest mentions someone:\n%s", got)
	}
	for _, want := range []string{"Maria Lopez", "Raj &lt;Dev&gt; &amp; Ops", "U0GONE"} {
		if !strings.Contains(got, want) {
			t.Errorf("the digest lacks %q:\n%s", want, got)
		}
	}
	if n := len(h.slack.Calls("users.info")); n != 3 {
		t.Errorf("users.info called %d times, want 3 (once per person)", n)
	}

	// Cached: a second post asks Slack only about the unknown user.
	before := len(h.slack.Calls("users.info"))
	if _, err := h.a.Poster().Post(ctx, to, namesDigest()); err != nil {
		t.Fatal(err)
	}
	if n := len(h.slack.Calls("users.info")) - before; n != 1 {
		t.Errorf("second post called users.info %d times, want 1 (the cached names reused)", n)
	}

	// A day later users.info is rate limited: the cached names still show.
	h.a.now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	h.slack.mu.Lock()
	h.slack.usersDown = true
	h.slack.mu.Unlock()
	h.slack.mu.Lock()
	h.slack.calls = nil
	h.slack.mu.Unlock()
	if _, err := h.a.Poster().Post(ctx, to, namesDigest()); err != nil {
		t.Fatal(err)
	}
	got = postedText(h.slack)
	if strings.Contains(got, "<@") || !strings.Contains(got, "Maria Lopez") {
		t.Errorf("with users.info failing, want the cached names and no mention:\n%s", got)
	}
	if len(h.slack.Calls("users.info")) == 0 {
		t.Error("stale names were not looked up again")
	}
}

// TestNameSpanNeverRendersAMention: without any lookup, a name span is
// plain text, never <@…>, on every rendering path.
func TestNameSpanNeverRendersAMention(t *testing.T) {
	resp := commands.Response{Title: "t", Text: "owner " + commands.Name("U0ABC"),
		Sections: []commands.Section{{Title: "s", Text: "by " + commands.NamedAs("U0DEF", "<@U0X> *Ann*")}}}
	js, err := json.Marshal(Render(resp))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(js); strings.Contains(s, "<@") || !strings.Contains(s, "U0ABC") || !strings.Contains(s, `\u0026lt;@U0X\u0026gt; *Ann*`) {
		t.Errorf("rendered: %s", s)
	}
}
