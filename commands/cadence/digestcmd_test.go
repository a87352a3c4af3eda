package cadence_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
)

func TestDigestSubscribeAndStatus(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	r := e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe outcomes=pos tz=Europe/Berlin")
	e.Expect(r, "now gets the weekly outcome digest", "covering pos", "Next: Mon 23 Nov 09:00 CET")
	e.Expect(e.Run("T1", "UBIZ", "CLEAD", "/digest status"), "Europe/Berlin", "subscribed by @UADMIN")
	e.Expect(e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe outcomes=pso"), "did you mean pos")

	// Subscribing again changes only what is named; the subscriber and the
	// time subscribed stay, so this week's digest is still owed.
	e.Run("T1", "UADMIN", "CLEAD", `/outcome add infra "Infrastructure"`)
	e.Run("T1", "UADMIN", "CLEAD", "/outcome grant <@UADMIN2|a2> admin")
	e.Clock.Advance(24 * time.Hour)
	r = e.Run("T1", "UADMIN2", "CLEAD", "/digest subscribe outcomes=infra")
	e.Expect(r, "Digest subscription updated: outcomes pos → infra.", "covering infra", "Next: Mon 23 Nov 09:00 CET (Europe/Berlin)")
	e.Expect(e.Run("T1", "UADMIN2", "CLEAD", "/digest subscribe tz=America/New_York"), "time zone Europe/Berlin → America/New_York", "covering infra")
	e.Expect(e.Run("T1", "UADMIN2", "CLEAD", "/digest subscribe"), "already gets the weekly outcome digest, covering infra, in America/New_York; nothing changed")
	e.Expect(e.Run("T1", "UADMIN2", "CLEAD", "/digest subscribe outcomes=all tz=America/New_York"), "outcomes infra → all", "covering all outcomes")
	sub, err := e.St.GetSubscription(context.Background(), "T1", "CLEAD")
	if err != nil || sub.By != "UADMIN" || !sub.At.Equal(commandstest.Start) || sub.TZ != "America/New_York" || len(sub.Outcomes) != 0 {
		t.Errorf("subscription after changes = %+v, %v; want by UADMIN at %v, all outcomes, New York", sub, err, commandstest.Start)
	}
	e.Expect(e.Run("T1", "UBIZ", "CLEAD", "/digest status"), "subscribed by @UADMIN on 16 Nov 2026")
	r = e.Run("T1", "UBIZ", "CLEAD", "/digest")
	if r.Visibility != commands.Ephemeral {
		t.Errorf("preview is visible to the channel")
	}
	e.Expect(r, "Weekly outcome digest")

	// Area/City zones, however deep, and UTC are zones a channel may keep.
	e.Expect(e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe tz=America/Argentina/Buenos_Aires"), "time zone America/New_York → America/Argentina/Buenos_Aires")
	e.Expect(e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe tz=utc"), "time zone America/Argentina/Buenos_Aires → UTC")
}

// TestLadderNamesDefaultSLA: an outcome without its own SLA is reminded
// and raised on the default one, and the messages say which.
func TestLadderNamesDefaultSLA(t *testing.T) {
	e := newEnv(t) // default SLA 4h; the seeded outcome has none
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	p := &commandstest.Poster{}
	ctx := context.Background()
	for _, d := range []time.Duration{4*time.Hour + time.Minute, 8*time.Hour + 2*time.Minute} {
		if err := e.Cadence.RunDue(ctx, p, commandstest.Start.Add(d), "test"); err != nil {
			t.Fatal(err)
		}
	}
	var remind, raise string
	for _, post := range p.Posts() {
		txt := commands.PlainText(post.Message.Text)
		switch {
		case strings.HasPrefix(txt, "Reminder") && post.To.Channel == "CIT":
			remind = txt
		case strings.Contains(txt, "leadership") && post.To.Channel == "CLEAD":
			raise = txt
		}
	}
	if !strings.Contains(remind, "SLA 4h") {
		t.Errorf("reminder does not name the default SLA: %q", remind)
	}
	if !strings.Contains(raise, "4h") {
		t.Errorf("raise to leadership does not name the SLA: %q", raise)
	}
}

// TestReminderMarksTheCardOverdue: when the reminder goes, the card in the
// IT channel is updated in place to read overdue, with the time it was due.
func TestReminderMarksTheCardOverdue(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	p := &commandstest.Poster{}
	ctx := context.Background()
	if err := e.Core.Deliver(ctx, p, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	card := p.Posts()[1]
	if got := commandstest.Text(card.Message); !strings.Contains(got, "Acknowledge: by Mon 16 Nov 13:00 UTC (SLA 4h)") {
		t.Fatalf("new card:\n%s", got)
	}
	p.Reset()
	if err := e.Cadence.RunDue(ctx, p, commandstest.Start.Add(6*time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
	var updated string
	for _, post := range p.Posts() {
		if post.Update && post.To.Channel == card.Ref.Channel && post.To.Update == card.Ref.ID {
			updated = commandstest.Text(post.Message)
		}
	}
	if !strings.Contains(updated, "Acknowledge: Overdue by 2h (was due Mon 16 Nov 13:00 UTC)") {
		t.Fatalf("card not marked overdue after the reminder:\n%s\nposts: %+v", updated, p.Posts())
	}
}

// TestDigestWeekAcrossClockChange: the week before the autumn clock change
// has 169 hours; an escalation raised in its first hour counts in the
// comparison week of the next digest (it was missed when 336 hours were
// read instead of two calendar weeks).
func TestDigestWeekAcrossClockChange(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe tz=Europe/London")
	e.Clock.Set(time.Date(2026, 10, 19, 9, 30, 0, 0, london)) // the first hour of the week before
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down"), "E-1 raised")
	e.Clock.Set(time.Date(2026, 10, 19, 9, 50, 0, 0, london)) // closed within that hour: no longer open
	e.Expect(e.Run("T1", "UIT", "CIT", "/resolve E-1 rebooted"), "You resolved E-1")
	e.Clock.Set(time.Date(2026, 10, 28, 12, 0, 0, 0, london)) // some work this week, so it is no quiet digest
	e.Run("T1", "UBIZ", "CSTORE", "/tag INC0012346 pos")
	digest, err := e.Cadence.ChannelDigest(context.Background(), "T1", "CLEAD", time.Date(2026, 11, 2, 9, 0, 0, 0, london), digest.Input{})
	if err != nil {
		t.Fatal(err)
	}
	if got := commandstest.Text(digest); !strings.Contains(got, "Escalations raised 0 (▼1, better)") || !strings.Contains(got, "resolved 0 (▼1, worse)") {
		t.Errorf("the comparison week lost its first hour:\n%s", got)
	}
}

// TestLeadershipPostsStayCurrent: a raise to leadership is remembered, and
// acknowledging the escalation updates that post in place.
func TestLeadershipPostsStayCurrent(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe")
	ctx := context.Background()
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	p := &commandstest.Poster{}
	if err := e.Core.Deliver(ctx, p, r.Outgoing); err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{4*time.Hour + time.Minute, 8*time.Hour + 2*time.Minute} {
		if err := e.Cadence.RunDue(ctx, p, commandstest.Start.Add(d), "test"); err != nil {
			t.Fatal(err)
		}
	}
	var raise commands.MessageRef
	for _, post := range p.Posts() {
		if post.To.Channel == "CLEAD" && !post.Update {
			raise = post.Ref
		}
	}
	got, _ := e.St.GetEscalation(ctx, "T1", 1)
	if raise.ID == "" || len(got.RaisePosts) != 1 || got.RaisePosts[0].Channel != "CLEAD" || got.RaisePosts[0].ID != raise.ID {
		t.Fatalf("raise post %+v not recorded: %+v", raise, got.RaisePosts)
	}
	e.Clock.Set(commandstest.Start.Add(9 * time.Hour))
	ack := e.Run("T1", "UIT", "CIT", "/ack E-1 on it")
	for _, o := range ack.Outgoing {
		if o.To.Channel == "CLEAD" && o.To.Update == raise.ID {
			if txt := commandstest.Text(o.Message); !strings.Contains(txt, "Now: Acknowledged by @UIT") {
				t.Errorf("leadership update:\n%s", txt)
			}
			return
		}
	}
	t.Fatalf("acknowledging did not update the leadership post: %+v", ack.Outgoing)
}

// TestDigestPreviewOneOutcome: /digest preview outcome=<key> shows that
// outcome's digest, only to the caller; a bad key or option is refused
// with a hint and shows nothing.
func TestDigestPreviewOneOutcome(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CLEAD", `/outcome add infra "Infrastructure" it=<@UOPS|ops>`)
	e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe outcomes=infra")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	e.Clock.Advance(5 * time.Hour)

	r := e.Run("T1", "UBIZ", "CLEAD", "/digest preview outcome=POS")
	if r.Visibility != commands.Ephemeral {
		t.Errorf("one outcome's preview is visible to the channel")
	}
	e.Expect(r, "Outcome digest · pos ·", "(pos, IT owner UIT): unacknowledged for 5h, beyond its 4h SLA")
	all := commandstest.Text(r)
	for _, m := range r.Thread {
		all += commandstest.Text(m)
	}
	if !strings.Contains(all, "Point of sale (pos)") {
		t.Errorf("one outcome's preview lacks its section:\n%s", all)
	}
	if strings.Contains(all, "Infrastructure") || strings.Contains(all, "Drift") {
		t.Errorf("one outcome's preview shows other outcomes or drift:\n%s", all)
	}
	e.Expect(e.Run("T1", "UBIZ", "CLEAD", "/digest preview outcome=pso"), "No outcome", "did you mean", "pos")
	e.Expect(e.Run("T1", "UBIZ", "CLEAD", "/digest preview outcome="), "has no value")
	e.Expect(e.Run("T1", "UBIZ", "CLEAD", "/digest preview key=pos"), "Unknown option", "outcome=")
	e.Expect(e.Run("T1", "UBIZ", "CLEAD", "/digest preview pos"), "Usage", "/digest preview [outcome=<key>]")
}
