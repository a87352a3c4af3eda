package triage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/commands/triage"
)

// monday is the weekly slot after commandstest.Start (Mon 16 Nov 09:00 UTC): Mon 23 Nov.
var monday = commandstest.Start.AddDate(0, 0, 7)

// triageEnv seeds outcomes in two IT channels (two share one), an archived
// outcome, and requests: three untagged this week, one tagged, one old.
func triageEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.Seed("T1") // pos → CIT; INC0012345 tagged at commandstest.Start
	for _, line := range []string{
		`/outcome add infra "Stores stay online" it-channel=<#CINFRA|it-infra>`,
		`/outcome add payroll "Payroll on time" it-channel=<#CIT|it-pos>`,
		`/outcome add legacy "Legacy CRM retired" it-channel=<#COLD|old>`,
		`/outcome archive legacy`,
	} {
		e.Run("T1", "UADMIN", "CGEN", line)
	}
	e.Clock.Set(commandstest.Start.Add(24 * time.Hour))
	intakeItems(e, intake.Options{},
		intake.Item{Ref: "OPS-1", Title: "Label printer offline", Requester: "Maria Lopez", Source: "jira"},
		intake.Item{Ref: "INC0060001", Title: "VPN drops at night", Source: "servicenow", Status: "Resolved"},
		intake.Item{Ref: "RITM0060002", Title: "New laptop", Source: "csv", Opened: "2026-11-18"},
		intake.Item{Ref: "INC0060003", Title: "Tagged already", Source: "servicenow", Outcome: "infra"},
		intake.Item{Ref: "OLD-9", Title: "Last month", Source: "csv", Opened: "2026-10-20"},
	)
	return e
}

// pickerFor returns the picker value of ref's section.
func pickerFor(t *testing.T, r commands.Response, ref string) string {
	t.Helper()
	for _, s := range pickers(r) {
		if strings.HasSuffix(s.Picker.Value, " "+ref) {
			return s.Picker.Value
		}
	}
	t.Fatalf("no picker for %s in:\n%s", ref, commandstest.Text(r))
	return ""
}

// pickers lists the sections of a response that carry a picker.
func pickers(r commands.Response) []commands.Section {
	var out []commands.Section
	for _, s := range r.Sections {
		if s.Picker != nil {
			out = append(out, s)
		}
	}
	return out
}

func TestTriagePostsOncePerChannelAndWeek(t *testing.T) {
	e := triageEnv(t)
	ctx := context.Background()
	p := &commandstest.Poster{}
	if err := e.Triage.Run(ctx, p, monday.Add(-time.Hour), triage.Options{Holder: "a"}); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Posts()); n != 0 {
		t.Fatalf("posted %d messages before the week's slot", n)
	}
	if err := e.Triage.Run(ctx, p, monday, triage.Options{Holder: "a"}); err != nil {
		t.Fatal(err)
	}
	posts := p.Posts()
	if len(posts) != 2 || posts[0].To.Channel != "CINFRA" || posts[1].To.Channel != "CIT" {
		t.Fatalf("posts to %+v, want one each to CINFRA and CIT (not the archived outcome's COLD)", posts)
	}
	msg := posts[1].Message
	e.Expect(msg, "Untagged requests · 16–22 Nov 2026", "3 requests received that week are tied to no outcome",
		"OPS-1 · Label printer offline", "jira · requested by Maria Lopez · received Tue 17 Nov",
		"number=INC0060001) · VPN drops at night", "closed", "number=RITM0060002) · New laptop", "received Wed 18 Nov")
	if strings.Contains(commandstest.Text(msg), "INC0060003") || strings.Contains(commandstest.Text(msg), "OLD-9") || strings.Contains(commandstest.Text(msg), "INC0012345") {
		t.Errorf("triage lists tagged or old requests:\n%s", commandstest.Text(msg))
	}
	ps := pickers(msg)
	if len(ps) != 3 || ps[0].Picker.Action != commands.ActionTriage || !strings.HasSuffix(ps[0].Picker.Value, " INC0060001") {
		t.Fatalf("pickers %+v", ps) // received at the same instant: by reference
	}
	var keys []string
	for _, o := range ps[0].Picker.Options {
		keys = append(keys, o.Value)
	}
	if strings.Join(keys, ",") != "infra,payroll,pos" {
		t.Errorf("picker offers %v, want the active outcomes", keys)
	}

	// Another replica, or a later tick in the same week, posts nothing.
	p.Reset()
	for _, at := range []time.Time{monday, monday.Add(48 * time.Hour)} {
		if err := e.Triage.Run(ctx, p, at, triage.Options{Holder: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.Posts()); n != 0 {
		t.Errorf("the week's triage was posted %d more times", n)
	}
}

func TestTriageChannelSetting(t *testing.T) {
	e := triageEnv(t)
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome triage"), "goes to each outcome's IT channel: #CINFRA, #CIT")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome triage here"), "You need the admin role")
	r := e.Run("T1", "UADMIN", "CTRIAGE", "/outcome triage here")
	e.Expect(r, "now comes to #CTRIAGE")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome triage"), "goes to #CTRIAGE (set by @UADMIN)")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome triage #x y"), "Usage")
	p := &commandstest.Poster{}
	if err := e.Triage.Run(context.Background(), p, monday, triage.Options{Holder: "a", Cron: "0 8 * * MON"}); err != nil {
		t.Fatal(err)
	}
	if posts := p.Posts(); len(posts) != 1 || posts[0].To.Channel != "CTRIAGE" {
		t.Fatalf("posts %+v, want one to CTRIAGE", posts)
	}
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/outcome triage off"), "now goes to each outcome's IT channel")
}

func TestTriagePickTagsLikeTag(t *testing.T) {
	e := triageEnv(t)
	ctx := context.Background()
	p := &commandstest.Poster{}
	if err := e.Triage.Run(ctx, p, monday, triage.Options{Holder: "a"}); err != nil {
		t.Fatal(err)
	}
	post := p.Posts()[1]
	ops, inc, ritm := pickerFor(t, post.Message, "OPS-1"), pickerFor(t, post.Message, "INC0060001"), pickerFor(t, post.Message, "RITM0060002")
	pick := func(user string, value, choice string) commands.Response {
		return e.Core.Handle(ctx, commands.Request{Workspace: "T1", Channel: "CIT", User: user, Time: monday.Add(time.Hour),
			Action: &commands.Action{Name: commands.ActionTriage, Value: value, Choice: choice}, Source: post.Ref})
	}
	before := e.AuditLen("T1")
	r := pick("UBIZ", ops, "pos")
	if !r.Replace {
		t.Fatalf("a pick does not redraw the message: %s", commandstest.Text(r))
	}
	e.Expect(r, "✓ OPS-1 · Label printer offline", "→ pos", "1 of 3 tagged since", "@UBIZ tagged OPS-1 → pos")
	if got := pickers(r); len(got) != 2 || got[0].Picker.Value != inc || got[1].Picker.Value != ritm {
		t.Errorf("after the pick, pickers %+v", got)
	}
	if e.AuditLen("T1") != before+1 {
		t.Errorf("a pick wrote %d audit entries, want 1 (the tag)", e.AuditLen("T1")-before)
	}
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag OPS-1"), "— → pos by @UBIZ")

	// A pick on a request tagged since (from another channel's copy of
	// the list, or an old menu) does not silently re-tag it: that is for
	// /tag, knowingly. A forged value naming a request the message does not
	// list changes nothing either.
	n0 := e.AuditLen("T1")
	e.Expect(pick("UIT", ops, "infra"), "OPS-1 was tagged to pos since this list was posted", "/tag OPS-1 infra")
	e.Expect(pick("UIT", strings.Replace(ops, "OPS-1", "INC0012345", 1), "infra"), "That menu does not list INC0012345")
	if e.AuditLen("T1") != n0 {
		t.Errorf("refused picks changed state")
	}
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag OPS-1"), "— → pos by @UBIZ")

	// Refusals change nothing and say why.
	n := e.AuditLen("T1")
	e.Expect(pick("UBIZ", inc, "poss"), "No outcome poss; did you mean pos?")
	e.Expect(pick("UBIZ", inc, "legacy"), "archived")
	e.Expect(pick("UBIZ", inc, ""), "Pick an outcome")
	e.Expect(pick("UBIZ", "garbage", "pos"), "no longer supported")
	if e.AuditLen("T1") != n {
		t.Error("a refused pick wrote to the audit stream")
	}

	// A pick whose message expired still tags, and says so plainly.
	r = pick("UBIZ", "999 INC0060001", "payroll")
	if r.Replace {
		t.Error("a pick on an unknown message asked to replace it")
	}
	e.Expect(r, "INC0060001", "→ payroll")

	// Another workspace's pick never reaches T1's requests.
	other := e.Core.Handle(ctx, commands.Request{Workspace: "T2", Channel: "CIT", User: "UBIZ",
		Action: &commands.Action{Name: commands.ActionTriage, Value: ritm, Choice: "pos"}})
	if other.Replace {
		t.Errorf("T2 redrew T1's triage: %s", commandstest.Text(other))
	}
	req, _ := e.St.GetRequest(ctx, "T1", "RITM0060002")
	if req.Outcome != "" {
		t.Errorf("a T2 pick tagged T1's request: %+v", req)
	}
}

// TestTriageSplitsLargeWeeks: many untagged requests and many outcomes are
// split into messages inside platform limits, capped at 60 with a note.
func TestTriageSplitsLargeWeeks(t *testing.T) {
	e := newEnv(t)
	for i := range 40 {
		e.Run("T1", "UADMIN", "CGEN", fmt.Sprintf(`/outcome add outcome-%02d "Outcome number %d with a longish title" it-channel=<#CIT|it>`, i, i))
	}
	var items []intake.Item
	for i := range 75 {
		items = append(items, intake.Item{Ref: fmt.Sprintf("INC%07d", i), Title: strings.Repeat("long title ", 20), Source: "api"})
	}
	intakeItems(e, intake.Options{}, items...)
	p := &commandstest.Poster{}
	if err := e.Triage.Run(context.Background(), p, monday, triage.Options{Holder: "a"}); err != nil {
		t.Fatal(err)
	}
	posts := p.Posts()
	if len(posts) < 5 {
		t.Fatalf("%d messages, want the week split", len(posts))
	}
	listed := 0
	for i, post := range posts {
		if i > 0 && post.To.Thread != posts[0].Ref.ID {
			t.Errorf("message %d is not in the first one's thread", i)
		}
		m := post.Message
		if len(m.Sections) > 15 {
			t.Errorf("message %d has %d sections", i, len(m.Sections))
		}
		size := len(m.Title) + len(m.Text) + len(m.Context)
		for _, s := range m.Sections {
			size += len(s.Text)
			for _, o := range s.Picker.Options {
				size += len(o.Label) + len(o.Value) + 30
			}
		}
		if size > 20000 {
			t.Errorf("message %d is %d bytes with its menus", i, size)
		}
		listed += len(m.Sections)
		if want := fmt.Sprintf("(%d of %d)", i+1, len(posts)); !strings.Contains(m.Title, want) {
			t.Errorf("title %q lacks %q", m.Title, want)
		}
	}
	if listed != 60 {
		t.Errorf("%d requests listed, want 60", listed)
	}
	e.Expect(posts[len(posts)-1].Message, "15 more untagged requests are not listed")
}

// TestTriageRetriesUntilPosted: a failed post is retried on the next pass;
// a channel that refuses the bot for good is skipped for the week.
func TestTriageRetriesUntilPosted(t *testing.T) {
	e := triageEnv(t)
	ctx := context.Background()
	var fail error = errors.New("HTTP 503")
	p := &commandstest.Poster{Fail: func(to commands.Destination) error {
		if to.Channel == "CIT" {
			return fail
		}
		return nil
	}}
	if err := e.Triage.Run(ctx, p, monday, triage.Options{Holder: "a"}); err == nil {
		t.Fatal("a failed post reported no error")
	}
	fail = nil
	p.Reset()
	if err := e.Triage.Run(ctx, p, monday.Add(time.Minute), triage.Options{Holder: "a"}); err != nil {
		t.Fatal(err)
	}
	if posts := p.Posts(); len(posts) != 1 || posts[0].To.Channel != "CIT" {
		t.Fatalf("retry posted %+v, want CIT's triage only", posts)
	}

	e2 := triageEnv(t)
	p2 := &commandstest.Poster{Fail: func(to commands.Destination) error {
		return fmt.Errorf("channel_not_found: %w", commands.ErrUndeliverable)
	}}
	if err := e2.Triage.Run(ctx, p2, monday, triage.Options{Holder: "a"}); err != nil {
		t.Fatalf("an undeliverable channel is an error: %v", err)
	}
	p2.Fail = nil
	if err := e2.Triage.Run(ctx, p2, monday.Add(time.Minute), triage.Options{Holder: "a"}); err != nil || len(p2.Posts()) != 0 {
		t.Fatalf("an undeliverable week was retried: %v %+v", err, p2.Posts())
	}
}

// TestTriageLatePassListsTheSameWeek: a pass that catches up two hours
// late lists the requests received in the week before the slot, the first
// hours included, not the week before the pass.
func TestTriageLatePassListsTheSameWeek(t *testing.T) {
	e := triageEnv(t)
	e.Clock.Set(monday.AddDate(0, 0, -7).Add(30 * time.Minute))
	intakeItems(e, intake.Options{}, intake.Item{Ref: "OPS-7", Title: "Received early in the week", Source: "jira"})
	p := &commandstest.Poster{}
	if err := e.Triage.Run(context.Background(), p, monday.Add(2*time.Hour), triage.Options{Holder: "a"}); err != nil {
		t.Fatal(err)
	}
	for _, post := range p.Posts() {
		if post.To.Channel == "CIT" {
			pickerFor(t, post.Message, "OPS-7")
			return
		}
	}
	t.Fatalf("no triage in CIT: %+v", p.Posts())
}

// TestTriageHalfSentIsNotRepeated: when the first message of a split
// triage went out but a thread reply failed, the week counts as posted: the
// next pass does not post the whole triage again.
func TestTriageHalfSentIsNotRepeated(t *testing.T) {
	e := newEnv(t)
	e.Run("T1", "UADMIN", "CGEN", `/outcome add pos "Point of sale" it-channel=<#CIT|it>`)
	e.Clock.Set(commandstest.Start.Add(time.Hour)) // inside the week whichever pass lists it
	var items []intake.Item
	for i := range 75 {
		items = append(items, intake.Item{Ref: fmt.Sprintf("INC%07d", i), Title: strings.Repeat("long title ", 20), Source: "api"})
	}
	intakeItems(e, intake.Options{}, items...)
	p := &commandstest.Poster{Fail: func(to commands.Destination) error {
		if to.Thread != "" {
			return errors.New("HTTP 503")
		}
		return nil
	}}
	if err := e.Triage.Run(context.Background(), p, monday, triage.Options{Holder: "a"}); err == nil {
		t.Fatal("a thread that failed reported no error")
	}
	p.Fail = nil
	p.Reset()
	if err := e.Triage.Run(context.Background(), p, monday.Add(time.Minute), triage.Options{Holder: "a"}); err != nil {
		t.Fatal(err)
	}
	if posts := p.Posts(); len(posts) != 0 {
		t.Errorf("the half-sent triage was posted again: %d messages", len(posts))
	}
}

// intakeItems takes items in through the ITSM intake, failing on any error.
func intakeItems(e *env, opts intake.Options, items ...intake.Item) []intake.ItemResult {
	e.T.Helper()
	res, err := e.Intake.Take(context.Background(), "T1", items, opts)
	if err != nil {
		e.T.Fatal(err)
	}
	return res
}
