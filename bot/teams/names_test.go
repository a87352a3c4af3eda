package teams

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
)

// TestDigestNamesWithoutMentionEntities: a digest rendered for Teams shows
// the people it names by the names seen in their activities, as text, with
// no mention entity (so nobody is notified); a person the bot never saw
// shows as the id; the directory is asked about every named person.
func TestDigestNamesWithoutMentionEntities(t *testing.T) {
	now := time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
	resp := digest.Build(digest.Input{Now: now, DefaultSLA: 4 * time.Hour, Data: record.DigestData{
		From: now.AddDate(0, 0, -14), To: now,
		Outcomes: []record.Outcome{{Key: "pos", Title: "POS", Owner: "aad-maria", ITOwner: "aad-dev", Status: record.OutcomeActive}},
		Escalations: []record.Escalation{{N: 1, Ref: "INC1", Outcome: "pos", RaisedBy: "aad-gone", RaisedAt: now.Add(-30 * time.Hour),
			State: record.StateAcknowledged, AckBy: "aad-dev", AckAt: now.Add(-29 * time.Hour)}},
	}})
	users, _ := targets([]commands.Response{resp})
	slices.Sort(users)
	if want := []string{"aad-dev", "aad-gone", "aad-maria"}; !slices.Equal(users, want) {
		t.Errorf("directory looks up %q, want %q", users, want)
	}
	msgs := renderResponse(resp, testDir)
	for _, th := range resp.Thread {
		msgs = append(msgs, renderResponse(th, testDir)...)
	}
	js, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	got := string(js)
	for _, m := range msgs {
		if len(m.Entities) > 0 {
			t.Errorf("a digest message carries mention entities: %+v", m.Entities)
		}
	}
	if strings.Contains(got, "\\u003cat\\u003e") || strings.Contains(got, "<at>") {
		t.Errorf("the digest has an <at> mention:\n%s", got)
	}
	for _, want := range []string{"Dev Lead", "Business owner: Maria", "aad-gone"} {
		if !strings.Contains(got, want) {
			t.Errorf("the digest lacks %q:\n%s", want, got)
		}
	}
}
