package cadence_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/store/record"
)

// ladderOpen returns an open escalation E-7 raised at raised.
func ladderOpen(raised time.Time, reminders int) record.Escalation {
	return record.Escalation{N: 7, Ref: "INC0012345", Outcome: "pos", Reason: "Tills reject gift cards",
		RaisedBy: "U_MARIA", RaisedIn: "C_STORES", RaisedAt: raised, State: record.StateOpen, Reminders: reminders}
}

func TestEscalationSLA(t *testing.T) {
	def := 4 * time.Hour
	if got := commands.EscalationSLA(record.Outcome{SLA: 90 * time.Minute}, def); got != 90*time.Minute {
		t.Errorf("own SLA: got %v, want 1h30m", got)
	}
	if got := commands.EscalationSLA(record.Outcome{}, def); got != def {
		t.Errorf("no SLA: got %v, want the default %v", got, def)
	}
}

func TestDueStep(t *testing.T) {
	raised := time.Date(2026, time.November, 19, 8, 0, 0, 0, time.UTC)
	sla := 4 * time.Hour
	acked := ladderOpen(raised, 0)
	acked.State, acked.AckBy, acked.AckAt = record.StateAcknowledged, "U_DEV", raised.Add(time.Hour)
	resolved := ladderOpen(raised, 1)
	resolved.State, resolved.ResolvedBy, resolved.ResolvedAt = record.StateResolved, "U_DEV", raised.Add(5*time.Hour)
	inconsistent := ladderOpen(raised, 0) // state not yet updated, but the ack time is recorded
	inconsistent.AckAt = raised.Add(time.Hour)
	tests := []struct {
		name    string
		e       record.Escalation
		sla     time.Duration
		elapsed time.Duration
		want    cadence.LadderStep
	}{
		{"before raised (clock skew)", ladderOpen(raised, 0), sla, -time.Minute, cadence.StepNone},
		{"within SLA", ladderOpen(raised, 0), sla, sla - time.Nanosecond, cadence.StepNone},
		{"exactly at SLA", ladderOpen(raised, 0), sla, sla, cadence.StepRemind},
		{"reminded, not yet twice", ladderOpen(raised, 1), sla, 2*sla - time.Second, cadence.StepNone},
		{"exactly twice, reminded", ladderOpen(raised, 1), sla, 2 * sla, cadence.StepRaise},
		{"twice, nothing sent: remind first", ladderOpen(raised, 0), sla, 3 * sla, cadence.StepRemind},
		{"raised already", ladderOpen(raised, 2), sla, 10 * sla, cadence.StepNone},
		{"acknowledged", acked, sla, 3 * sla, cadence.StepNone},
		{"resolved without ack", resolved, sla, 3 * sla, cadence.StepNone},
		{"ack time recorded", inconsistent, sla, 3 * sla, cadence.StepNone},
		{"no SLA", ladderOpen(raised, 0), 0, 100 * time.Hour, cadence.StepNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cadence.DueStep(tt.e, tt.sla, raised.Add(tt.elapsed)); got != tt.want {
				t.Errorf("DueStep after %v = %v, want %v", tt.elapsed, got, tt.want)
			}
		})
	}
}

// ladderTick is one step sent by ladderRun.
type ladderTick struct {
	At   time.Time
	Step cadence.LadderStep
}

// ladderRun plays the scheduler: a fake clock ticks every interval from
// start to end; each due step is "sent" and recorded on the escalation, as
// the store does, so it must never come back.
func ladderRun(e record.Escalation, sla time.Duration, start, end time.Time, every time.Duration) []ladderTick {
	var sent []ladderTick
	for now := start; !now.After(end); now = now.Add(every) {
		if step := cadence.DueStep(e, sla, now); step != cadence.StepNone {
			sent = append(sent, ladderTick{now, step})
			e.Reminders = int(step)
		}
	}
	return sent
}

func TestDueStepAcrossDaylightSaving(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                string
		raised              time.Time
		wantRemind, wantRai time.Time
	}{
		// Spring forward at 02:00 EST → 03:00 EDT: 00:30 + 4 real hours is 05:30 EDT, not 04:30.
		{"New York spring", time.Date(2026, time.March, 8, 0, 30, 0, 0, ny),
			time.Date(2026, time.March, 8, 5, 30, 0, 0, ny), time.Date(2026, time.March, 8, 9, 30, 0, 0, ny)},
		// Fall back at 03:00 CEST → 02:00 CET: 00:30 CEST + 4 real hours is 03:30 CET, not 04:30.
		{"Berlin autumn", time.Date(2026, time.October, 25, 0, 30, 0, 0, berlin),
			time.Date(2026, time.October, 25, 3, 30, 0, 0, berlin), time.Date(2026, time.October, 25, 7, 30, 0, 0, berlin)},
	}
	const sla = 4 * time.Hour
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if real := tt.wantRemind.Sub(tt.raised); real != sla {
				t.Fatalf("test setup: reminder is %v after raising, want %v", real, sla)
			}
			e := ladderOpen(tt.raised, 0)
			if got := cadence.DueStep(e, sla, tt.wantRemind.Add(-time.Minute)); got != cadence.StepNone {
				t.Errorf("a minute before the SLA: %v, want none", got)
			}
			got := ladderRun(e, sla, tt.raised, tt.raised.Add(24*time.Hour), time.Minute)
			want := []ladderTick{{tt.wantRemind, cadence.StepRemind}, {tt.wantRai, cadence.StepRaise}}
			if !slices.EqualFunc(got, want, func(a, b ladderTick) bool { return a.At.Equal(b.At) && a.Step == b.Step }) {
				t.Errorf("sent %v, want %v", got, want)
			}
		})
	}
}

func TestDueStepAfterDowntimeSendsInOrder(t *testing.T) {
	raised := time.Date(2026, time.November, 19, 8, 0, 0, 0, time.UTC)
	back := raised.Add(9 * time.Hour) // the bot was down through both steps
	got := ladderRun(ladderOpen(raised, 0), 4*time.Hour, back, back.Add(time.Hour), 30*time.Second)
	want := []ladderTick{{back, cadence.StepRemind}, {back.Add(30 * time.Second), cadence.StepRaise}}
	if !slices.Equal(got, want) {
		t.Errorf("sent %v, want remind then raise on the next tick: %v", got, want)
	}
}

func TestDueStepStopsOnAck(t *testing.T) {
	raised := time.Date(2026, time.November, 19, 8, 0, 0, 0, time.UTC)
	e := ladderOpen(raised, 1) // reminded
	e.State, e.AckBy, e.AckAt = record.StateAcknowledged, "U_DEV", raised.Add(5*time.Hour)
	if got := ladderRun(e, 4*time.Hour, raised, raised.Add(48*time.Hour), time.Minute); len(got) != 0 {
		t.Errorf("acknowledged escalation still sent %v", got)
	}
}

func TestLadderMessage(t *testing.T) {
	raised := time.Date(2026, time.November, 19, 8, 0, 0, 0, time.UTC)
	o := record.Outcome{Key: "pos", Title: "Omnichannel POS", ITOwner: "U_DEV", ITChannel: "C_IT", SLA: 4 * time.Hour}
	e := ladderOpen(raised, 0)
	e.Reason = "Tills reject gift cards <!channel> @here"

	remind := cadence.LadderMessage(e, o, cadence.StepRemind, raised.Add(4*time.Hour+3*time.Minute), nil)
	wantText := "Reminder: E-7 (INC0012345 → pos) has waited 4h 3m without acknowledgement (SLA 4h). @U_DEV, please acknowledge or resolve it."
	if got := commands.PlainText(remind.Text); got != wantText {
		t.Errorf("reminder text =\n%q\nwant\n%q", got, wantText)
	}
	if remind.Visibility != commands.InChannel {
		t.Errorf("reminder visibility = %v, want InChannel", remind.Visibility)
	}
	wantButtons := []commands.Button{
		{Label: "Acknowledge", Action: commands.ActionAck, Value: "E-7", Style: commands.StylePrimary},
		{Label: "Resolve", Action: commands.ActionResolve, Value: "E-7"},
		{Label: "Snooze 1h", Action: escalation.ActionSnooze, Value: "E-7 1h"},
		{Label: "Snooze 4h", Action: escalation.ActionSnooze, Value: "E-7 4h"},
		{Label: "Until next morning", Action: escalation.ActionSnooze, Value: "E-7 morning"},
	}
	if !slices.Equal(remind.Buttons, wantButtons) {
		t.Errorf("buttons = %+v, want %+v", remind.Buttons, wantButtons)
	}
	if len(remind.Sections) != 1 || remind.Sections[0].Text != e.Reason {
		t.Fatalf("want the reason as one section, got %+v", remind.Sections)
	}
	for _, sp := range commands.Spans(remind.Sections[0].Text) {
		if sp.Kind != commands.SpanText {
			t.Errorf("reason carries markup %+v; user text must stay plain", sp)
		}
	}

	link := func(ref string) string { return "https://acme.example/ticket/" + ref }
	raise := cadence.LadderMessage(e, o, cadence.StepRaise, raised.Add(8*time.Hour+10*time.Minute), link)
	wantText = "Raised to leadership: E-7 (INC0012345 (https://acme.example/ticket/INC0012345) → pos) unacknowledged for 8h 10m, twice its SLA (4h). IT owner: @U_DEV. Raised by @U_MARIA."
	if got := commands.PlainText(raise.Text); got != wantText {
		t.Errorf("raise text =\n%q\nwant\n%q", got, wantText)
	}
	if raise.Visibility != commands.InChannel || len(raise.Buttons) != 0 {
		t.Errorf("raise: visibility %v, buttons %v; want InChannel without buttons", raise.Visibility, raise.Buttons)
	}

	if none := cadence.LadderMessage(e, o, cadence.StepNone, raised, nil); none.Text != "" {
		t.Errorf("StepNone rendered %q, want nothing", none.Text)
	}
}

func TestLadderMessageWithoutITOwner(t *testing.T) {
	raised := time.Date(2026, time.November, 19, 8, 0, 0, 0, time.UTC)
	o := record.Outcome{Key: "pos", SLA: 4 * time.Hour}
	text := cadence.LadderMessage(ladderOpen(raised, 0), o, cadence.StepRemind, raised.Add(5*time.Hour), nil).Text
	if got := commands.PlainText(text); !strings.Contains(got, "No IT owner is set for pos") {
		t.Errorf("reminder without IT owner = %q, want it to say none is set", got)
	}
	for _, sp := range commands.Spans(text) {
		if sp.Kind == commands.SpanUser {
			t.Errorf("reminder without IT owner mentions %q", sp.Target)
		}
	}
}

// TestDueStepCountsFromReopening: a reopened escalation's ladder counts
// from when it was reopened, not from when it was first raised.
func TestDueStepCountsFromReopening(t *testing.T) {
	raised := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	reopened := raised.Add(72 * time.Hour)
	e := record.Escalation{N: 1, State: record.StateOpen, RaisedAt: raised, ReopenedAt: reopened}
	if got := cadence.DueStep(e, 4*time.Hour, reopened.Add(time.Hour)); got != cadence.StepNone {
		t.Errorf("an hour after reopening: step %v, want none", got)
	}
	if got := cadence.DueStep(e, 4*time.Hour, reopened.Add(5*time.Hour)); got != cadence.StepRemind {
		t.Errorf("5h after reopening: step %v, want a reminder", got)
	}
}
