package cadence_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// checkIns returns the check-in direct messages posted to user.
func checkIns(p *commandstest.Poster, user string) []commands.Response {
	var out []commands.Response
	for _, post := range p.Posts() {
		if post.To.Channel == user && strings.HasPrefix(post.Message.Title, "Weekly check-in") {
			out = append(out, post.Message)
		}
	}
	return out
}

// TestCheckInOncePerOwnerPerWeek: on the digest's day each business owner
// gets one direct message listing their active outcomes with Yes / Archive
// buttons, once per week however many replicas run the pass; a failed one
// is sent again once its claim's lease runs out.
func TestCheckInOncePerOwnerPerWeek(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos, owner UBIZ
	for _, line := range []string{
		`/outcome add infra "Infrastructure" owner=<@UBIZ|biz>`,
		`/outcome add hr "People systems" owner=<@UHR|hr>`,
		`/outcome add crm "Legacy CRM" owner=<@UBIZ|biz>`,
		`/outcome archive crm`,
		`/outcome add ops "Ops without owner"`,
	} {
		e.Run("T1", "UADMIN", "CGEN", line)
	}
	ctx := context.Background()
	p := &commandstest.Poster{}
	// Without a leadership channel there is no digest, and no check-in.
	if err := e.Cadence.RunDue(ctx, p, commandstest.Start.Add(time.Hour), "a"); err != nil {
		t.Fatal(err)
	}
	if n := len(checkIns(p, "UBIZ")); n != 0 {
		t.Fatalf("check-ins without a digest subscription: %d", n)
	}
	e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe")
	e.Run("T1", "UBIZ", "CGEN", "/outcome kpi pos 3.1%")

	// Two replicas: this one and another process on the same store.
	other := commandstest.NewBot(e.St, e.Core.Config(), e.Clock, nil)
	fail := true
	p.Fail = func(to commands.Destination) error {
		if to.Channel == "UHR" && fail {
			return errors.New("rate limited")
		}
		return nil
	}
	before := commandstest.Start.Add(7*24*time.Hour - time.Minute) // Mon 23 Nov 08:59
	if err := e.Cadence.RunDue(ctx, p, before, "a"); err != nil {
		t.Fatal(err)
	}
	if n := len(checkIns(p, "UBIZ")); n != 0 {
		t.Fatalf("check-ins before the digest's time: %d", n)
	}
	slot := before.Add(time.Minute)
	if err := e.Cadence.RunDue(ctx, p, slot, "a"); err == nil {
		t.Errorf("a failed check-in was not reported")
	}
	fail = false
	for i, c := range []func(context.Context, commands.Poster, time.Time, string) error{e.Cadence.RunDue, other.Cadence.RunDue, e.Cadence.RunDue} {
		if err := c(ctx, p, slot.Add(time.Duration(i+1)*time.Minute), "b"); err != nil {
			t.Fatal(err)
		}
	}
	biz := checkIns(p, "UBIZ")
	if len(biz) != 1 {
		t.Fatalf("UBIZ got %d check-ins, want 1", len(biz))
	}
	got := commandstest.Text(biz[0])
	for _, want := range []string{
		"You are the business owner of 2 outcomes. Record this week's value of each KPI with /outcome kpi <key> <value>",
		"Point of sale (pos)\nKPI: in-store conversion · latest 3.1% (16 Nov 2026)\nRecord this week's value: /outcome kpi pos <value>\nStill a priority? (never confirmed)",
		"Infrastructure (infra)\nKPI · no value recorded yet",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("check-in lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "crm") || strings.Contains(got, "People") {
		t.Errorf("check-in lists an archived outcome or another owner's:\n%s", got)
	}
	var labels []string
	for _, b := range biz[0].Buttons {
		labels = append(labels, b.Label+"="+b.Action+":"+b.Value)
	}
	if want := "Yes: infra=outcome-confirm:infra,Archive infra=outcome-archive:infra,Yes: pos=outcome-confirm:pos,Archive pos=outcome-archive:pos"; strings.Join(labels, ",") != want {
		t.Errorf("buttons = %s, want %s", strings.Join(labels, ","), want)
	}
	if n := len(checkIns(p, "UHR")); n != 0 {
		t.Fatalf("UHR's failed check-in was retried before its retry time: %d", n)
	}
	if err := e.Cadence.RunDue(ctx, p, slot.Add(11*time.Minute), "b"); err != nil {
		t.Fatal(err)
	}
	if n := len(checkIns(p, "UHR")); n != 1 {
		t.Fatalf("UHR got %d check-ins after the lease, want 1", n)
	}
	if err := other.Cadence.RunDue(ctx, p, slot.Add(3*24*time.Hour), "b"); err != nil {
		t.Fatal(err)
	}
	if n := len(checkIns(p, "UBIZ")); n != 1 {
		t.Fatalf("UBIZ got %d check-ins in one week, want 1", n)
	}
	// The next week: one more each; one the platform refuses for good is
	// not tried again that week.
	p.Fail = func(to commands.Destination) error {
		if to.Channel == "UHR" {
			return commands.ErrUndeliverable
		}
		return nil
	}
	if err := other.Cadence.RunDue(ctx, p, slot.Add(7*24*time.Hour+time.Minute), "b"); !errors.Is(err, commands.ErrUndeliverable) {
		t.Fatalf("an undeliverable check-in was not reported: %v", err)
	}
	p.Fail = nil
	if err := other.Cadence.RunDue(ctx, p, slot.Add(7*24*time.Hour+20*time.Minute), "b"); err != nil {
		t.Fatal(err)
	}
	if n := len(checkIns(p, "UHR")); n != 1 {
		t.Fatalf("an undeliverable check-in was retried: UHR got %d, want 1", n)
	}
	// The week after: one more each.
	if err := other.Cadence.RunDue(ctx, p, slot.Add(14*24*time.Hour), "b"); err != nil {
		t.Fatal(err)
	}
	if n, m := len(checkIns(p, "UBIZ")), len(checkIns(p, "UHR")); n != 3 || m != 2 {
		t.Fatalf("after three weeks: UBIZ %d, UHR %d check-ins; want 3 and 2", n, m)
	}
}

// TestCheckInYesClearsStaleAndArchiveArchives: an outcome unconfirmed for
// four weeks is flagged stale in the digest; its owner's Yes on the
// check-in clears the flag, Archive archives it. The digest shows the
// KPI's latest value and trend beside the outcome's IT work.
func TestCheckInYesClearsStaleAndArchiveArchives(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos, owner UBIZ, added Mon 16 Nov
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Infrastructure" owner=<@UBIZ|biz>`)
	e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe")
	for i, v := range []string{"3.1%", "3.3%", "3.2%", "3.6%"} {
		e.Run("T1", "UBIZ", "CGEN", "/outcome kpi pos "+v)
		if i < 3 {
			e.Clock.Advance(7 * 24 * time.Hour)
		}
	}
	e.Clock.Advance(7*24*time.Hour - time.Hour)    // Mon 14 Dec 08:00
	e.Run("T1", "UIT", "CGEN", "/tag INC0099 pos") // some IT work this week
	e.Run("T1", "UIT", "CGEN", "/tag INC0098 infra")
	e.Clock.Advance(time.Hour)
	preview := withThread(e.Run("T1", "UADMIN", "CLEAD", "/digest"))
	e.Expect(preview, "⚠ Stale — owner has not confirmed it is still a priority since 16 Nov 2026.",
		"KPI value: 3.6% (7 Dec 09:00) · 12-week trend ········▁▄▂█")

	p := &commandstest.Poster{}
	if err := e.Cadence.RunDue(context.Background(), p, e.Clock.Now(), "a"); err != nil {
		t.Fatal(err)
	}
	dm := checkIns(p, "UBIZ")
	if len(dm) != 1 {
		t.Fatalf("check-ins = %d, want 1", len(dm))
	}
	src := commands.MessageRef{Channel: "UBIZ", ID: "m1"}
	press := func(label string) commands.Response {
		for _, b := range dm[0].Buttons {
			if b.Label == label {
				return e.Click("T1", "UBIZ", b.Action, b.Value, src)
			}
		}
		t.Fatalf("no button %q", label)
		return commands.Response{}
	}
	e.Expect(press("Yes: pos"), "Thanks: pos is still a priority (confirmed 14 Dec 2026).")
	e.Expect(press("Archive infra"), "Outcome infra archived")
	e.Expect(press("Archive infra"), "Outcome infra is already archived; nothing changed.")
	e.Expect(press("Yes: infra"), "Outcome infra is archived, so it takes no KPI values or confirmations.")

	preview = withThread(e.Run("T1", "UADMIN", "CLEAD", "/digest"))
	if got := commandstest.Text(preview); strings.Contains(got, "Stale") {
		t.Errorf("the digest still flags stale after Yes / Archive:\n%s", got)
	}
	e.Expect(preview, "Infrastructure (infra, archived)")
	if o, _ := e.St.GetOutcome(context.Background(), "T1", "infra"); o.Status != "archived" {
		t.Errorf("infra after Archive = %q", o.Status)
	}
}

// withThread folds a digest's thread messages into its sections, so one
// Text shows the lead and the detail.
func withThread(r commands.Response) commands.Response {
	for _, m := range r.Thread {
		r.Sections = append(r.Sections, m.Sections...)
	}
	return r
}
