package commands_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/commands/outcome"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// permissionCase is one row of the permission matrix: a command line or a
// card button, who may run it, and how to tell it worked.
type permissionCase struct {
	line    string // a command line; or, with action set, the button's value
	action  string // commands.ActionAck or ActionResolve: a card button
	allowed []string
	// want is in the reply when it is allowed (%s: the caller's user id).
	want string
	// check, when set, verifies the change in the store (the audit must
	// grow too); unset means the command only reads (the audit must not).
	check func(e *env, user string) error
	// setup are command lines an admin runs first (in CIT), after the
	// common setup.
	setup []string
}

func (c permissionCase) name() string {
	if c.action != "" {
		return "button " + c.action + " " + c.line
	}
	return c.line
}

// TestPermissionMatrix runs every state-changing command and card button
// (and some read-only commands) as a member, an it-lead and an admin:
// refused ones say which role is needed and change nothing; allowed ones
// answer with their success text and make their change.
// permissionCases are the rows of the permission matrix: every command and
// button that needs a role (TestPermissionMatrixCoversTheRouter holds that)
// and some that do not.
func permissionCases() []permissionCase {
	ctx := context.Background()
	escState := func(want string) func(*env, string) error {
		return func(e *env, user string) error {
			esc, err := e.St.GetEscalation(ctx, "T1", 1)
			if err != nil || esc.State != want {
				return fmt.Errorf("E-1 = %+v, %v; want %s", esc, err, want)
			}
			return nil
		}
	}
	hasRole := func(user, role string, want bool) func(*env, string) error {
		return func(e *env, _ string) error {
			roles, err := e.St.UserRoles(ctx, "T1", user)
			if err != nil || slices.Contains(roles, role) != want {
				return fmt.Errorf("roles of %s = %v, %v; want %s: %v", user, roles, err, role, want)
			}
			return nil
		}
	}
	confirmedBy := func(e *env, user string) error {
		k, err := e.St.OutcomeKPIs(ctx, "T1", []string{"pos"}, time.Time{})
		if err != nil || k["pos"].ConfirmedBy != user {
			return fmt.Errorf("pos confirmation = %+v, %v", k["pos"], err)
		}
		return nil
	}
	everyone := []string{"member", "it-lead", "admin"}
	return []permissionCase{
		{line: `/outcome add infra "Infrastructure"`, allowed: []string{"admin"}, want: "Outcome infra added",
			check: func(e *env, _ string) error {
				_, err := e.St.GetOutcome(ctx, "T1", "infra")
				return err
			}},
		{line: `/outcome set pos kpi="basket size"`, allowed: []string{"admin"}, want: "Outcome pos updated (kpi)",
			check: func(e *env, _ string) error {
				if o, err := e.St.GetOutcome(ctx, "T1", "pos"); err != nil || o.KPI != "basket size" {
					return fmt.Errorf("pos = %+v, %v", o, err)
				}
				return nil
			}},
		{line: `/outcome set pos owner=none`, allowed: []string{"admin"}, want: "Outcome pos updated (owner cleared)",
			check: func(e *env, _ string) error {
				if o, err := e.St.GetOutcome(ctx, "T1", "pos"); err != nil || o.Owner != "" {
					return fmt.Errorf("pos = %+v, %v", o, err)
				}
				return nil
			}},
		{line: `/outcome archive pos`, allowed: []string{"admin"}, want: "Outcome pos archived",
			check: func(e *env, _ string) error {
				if o, err := e.St.GetOutcome(ctx, "T1", "pos"); err != nil || o.Status != record.OutcomeArchived {
					return fmt.Errorf("pos = %+v, %v", o, err)
				}
				return nil
			}},
		{line: `/outcome triage here`, allowed: []string{"admin"}, want: "now comes to #CIT",
			check: func(e *env, _ string) error {
				if ts, err := e.St.GetTriageSettings(ctx, "T1"); err != nil || ts.Channel != "CIT" {
					return fmt.Errorf("triage settings = %+v, %v", ts, err)
				}
				return nil
			}},
		{line: `/outcome restore pos`, setup: []string{"/outcome archive pos"}, allowed: []string{"admin"}, want: "Outcome pos restored",
			check: func(e *env, _ string) error {
				if o, err := e.St.GetOutcome(ctx, "T1", "pos"); err != nil || o.Status != record.OutcomeActive {
					return fmt.Errorf("pos = %+v, %v", o, err)
				}
				return nil
			}},
		{line: `/outcome grant <@UX|x> it-lead`, allowed: []string{"admin"}, want: "@UX now has the it-lead role", check: hasRole("UX", "it-lead", true)},
		{line: `/outcome revoke <@UIT|it> it-lead`, allowed: []string{"admin"}, want: "@UIT no longer has the it-lead role", check: hasRole("UIT", "it-lead", false)},
		{line: `/digest subscribe tz=Europe/Berlin`, allowed: []string{"admin"}, want: "Digest subscription updated: time zone UTC → Europe/Berlin",
			check: func(e *env, _ string) error {
				if sub, err := e.St.GetSubscription(ctx, "T1", "CIT"); err != nil || sub.TZ != "Europe/Berlin" {
					return fmt.Errorf("subscription = %+v, %v", sub, err)
				}
				return nil
			}},
		{line: `/digest unsubscribe`, allowed: []string{"admin"}, want: "This channel no longer gets the weekly outcome digest",
			check: func(e *env, _ string) error {
				if sub, err := e.St.GetSubscription(ctx, "T1", "CIT"); !errors.Is(err, record.ErrNotFound) {
					return fmt.Errorf("still subscribed: %+v, %v", sub, err)
				}
				return nil
			}},
		{line: `/ack E-1`, allowed: []string{"it-lead", "admin"}, want: "You acknowledged E-1", check: escState(record.StateAcknowledged)},
		{line: `/resolve E-1`, allowed: []string{"it-lead", "admin"}, want: "You resolved E-1", check: escState(record.StateResolved)},
		{line: `/escalate note E-1 vendor on site`, allowed: []string{"it-lead", "admin"}, want: "Note added to E-1",
			check: func(e *env, user string) error {
				if esc, err := e.St.GetEscalation(ctx, "T1", 1); err != nil || esc.Note != "vendor on site" || esc.NoteBy != user {
					return fmt.Errorf("E-1 = %+v, %v", esc, err)
				}
				return nil
			}},
		{line: `/escalate assign E-1 <@ULI|li>`, allowed: []string{"it-lead", "admin"}, want: "E-1 is now assigned to @ULI",
			check: func(e *env, user string) error {
				if esc, err := e.St.GetEscalation(ctx, "T1", 1); err != nil || esc.Assignee != "ULI" || esc.AssignedBy != user {
					return fmt.Errorf("E-1 = %+v, %v", esc, err)
				}
				return nil
			}},
		{line: `/escalate snooze E-1 4h`, allowed: []string{"it-lead", "admin"}, want: "E-1 snoozed until",
			check: func(e *env, _ string) error {
				if esc, err := e.St.GetEscalation(ctx, "T1", 1); err != nil || esc.SnoozedUntil.IsZero() {
					return fmt.Errorf("E-1 = %+v, %v", esc, err)
				}
				return nil
			}},
		{line: "E-1 1h", action: escalation.ActionSnooze, allowed: []string{"it-lead", "admin"}, want: "E-1 snoozed until",
			check: func(e *env, _ string) error {
				if esc, err := e.St.GetEscalation(ctx, "T1", 1); err != nil || esc.SnoozedUntil.IsZero() {
					return fmt.Errorf("E-1 = %+v, %v", esc, err)
				}
				return nil
			}},
		{line: `/outcome kpi pos 3.5%`, allowed: []string{"admin"}, want: "Recorded 3.5% for pos",
			check: func(e *env, user string) error {
				k, err := e.St.OutcomeKPIs(ctx, "T1", []string{"pos"}, time.Time{})
				if v, ok := k["pos"].Latest(); err != nil || !ok || v.Text() != "3.5%" || v.By != user {
					return fmt.Errorf("pos KPI = %+v, %v", k["pos"], err)
				}
				return nil
			}},
		{line: `/outcome confirm pos`, allowed: []string{"admin"}, want: "Thanks: pos is still a priority", check: confirmedBy},
		{line: "pos", action: outcome.ActionConfirm, allowed: []string{"admin"}, want: "Thanks: pos is still a priority", check: confirmedBy},
		{line: "pos", action: outcome.ActionArchive, allowed: []string{"admin"}, want: "Outcome pos archived",
			check: func(e *env, _ string) error {
				if o, err := e.St.GetOutcome(ctx, "T1", "pos"); err != nil || o.Status != record.OutcomeArchived {
					return fmt.Errorf("pos = %+v, %v", o, err)
				}
				return nil
			}},
		{line: "E-1", action: commands.ActionAck, allowed: []string{"it-lead", "admin"}, want: "Acknowledged by @%s", check: escState(record.StateAcknowledged)},
		{line: "E-1", action: commands.ActionResolve, allowed: []string{"it-lead", "admin"}, want: "Resolved by @%s", check: escState(record.StateResolved)},
		{line: "E-1", action: escalation.ActionEntryAck, allowed: []string{"it-lead", "admin"}, want: "You acknowledged E-1", check: escState(record.StateAcknowledged)},
		{line: "E-1", action: escalation.ActionEntryResolve, allowed: []string{"it-lead", "admin"}, want: "You resolved E-1", check: escState(record.StateResolved)},
		{line: `/tag OPS-99 pos`, allowed: everyone, want: "OPS-99 → pos",
			check: func(e *env, _ string) error {
				if r, err := e.St.GetRequest(ctx, "T1", "OPS-99"); err != nil || r.Outcome != "pos" {
					return fmt.Errorf("OPS-99 = %+v, %v", r, err)
				}
				return nil
			}},
		{line: `/escalate INC0012346 blocked`, setup: []string{"/tag INC0012346 pos"}, allowed: everyone, want: "E-2 raised",
			check: func(e *env, user string) error {
				if esc, err := e.St.GetEscalation(ctx, "T1", 2); err != nil || esc.RaisedBy != user {
					return fmt.Errorf("E-2 = %+v, %v", esc, err)
				}
				return nil
			}},
		{line: `/digest preview`, allowed: everyone, want: "Weekly outcome digest"},
		{line: `/outcome list`, allowed: everyone, want: "1 active, 0 archived"},
		{line: `/outcome whoami`, allowed: everyone, want: "You are @%s"},
	}
}

func TestPermissionMatrix(t *testing.T) {
	users := map[string]string{"member": "UMEMBER", "it-lead": "ULEAD", "admin": "UADMIN"}
	everyone := []string{"member", "it-lead", "admin"}
	cases := permissionCases()
	for _, c := range cases {
		for _, role := range everyone {
			t.Run(c.name()+"/"+role, func(t *testing.T) {
				e := newEnv(t)
				e.Seed("T1")
				for _, line := range append([]string{"/outcome grant <@ULEAD|lead> it-lead", "/escalate INC0012345 blocked", "/digest subscribe"}, c.setup...) {
					if r := e.Run("T1", "UADMIN", "CIT", line); strings.Contains(text(r), "Usage") {
						t.Fatalf("setup %q: %s", line, text(r))
					}
				}
				before := e.AuditLen("T1")
				user := users[role]
				var r commands.Response
				if c.action != "" {
					r = e.Click("T1", user, c.action, c.line, commands.MessageRef{Channel: "CIT", ID: "card-1"})
				} else {
					r = e.Run("T1", user, "CIT", c.line)
				}
				refused := strings.Contains(text(r), "You need the")
				allowed := slices.Contains(c.allowed, role)
				if refused == allowed {
					t.Fatalf("%s as %s: refused=%v, want allowed=%v:\n%s", c.name(), role, refused, allowed, text(r))
				}
				after := e.AuditLen("T1")
				switch {
				case refused:
					if after != before {
						t.Errorf("refused command changed state: audit %d → %d", before, after)
					}
					e.Expect(r, "UADMIN")
				case c.check != nil:
					if after <= before {
						t.Errorf("allowed command recorded nothing: audit %d → %d", before, after)
					}
					if err := c.check(e, user); err != nil {
						t.Errorf("allowed command did not change state: %v", err)
					}
					e.Expect(r, strings.ReplaceAll(c.want, "%s", user))
				default:
					if after != before {
						t.Errorf("read-only command changed state: audit %d → %d", before, after)
					}
					e.Expect(r, strings.ReplaceAll(c.want, "%s", user))
				}
			})
		}
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	e := newEnv(t)
	e.Seed("TA")
	e.Seed("TB")
	e.Run("TA", "UBIZ", "CSTORE", "/escalate INC0012345 blocked in A")
	e.Run("TB", "UADMIN", "CGEN", `/outcome set pos title="B's POS"`)
	e.Run("TB", "UADMIN", "CGEN", "/tag INC0012345 none")

	// A's request, outcome and E-1 are untouched by B's changes.
	e.Expect(e.Run("TA", "UBIZ", "CSTORE", "/tag INC0012345"), "→ pos · open")
	e.Expect(e.Run("TA", "UBIZ", "CSTORE", "/outcome show pos"), "Point of sale")
	e.Expect(e.Run("TB", "UBIZ", "CSTORE", "/tag INC0012345"), "no outcome")

	// B has no E-1; acknowledging it there fails and A's stays open.
	e.Expect(e.Run("TB", "UIT", "CIT", "/ack E-1"), "no escalation E-1 in this workspace")
	e.Expect(e.Run("TB", "UBIZ", "CSTORE", "/escalate list all"), "No escalations (all).")
	e.Expect(e.Run("TB", "UBIZ", "CSTORE", "/escalate list mine"), "No escalations (raised by you).")
	e.Expect(e.Run("TB", "UBIZ", "CSTORE", "/escalate list open"), "No escalations (open).")
	// The it-lead granted in A is a member in C.
	e.Expect(e.Run("TC", "UIT", "CIT", "/ack E-1"), "You need the it-lead or admin role")
	esc, err := e.St.GetEscalation(context.Background(), "TA", 1)
	if err != nil || esc.State != record.StateOpen {
		t.Fatalf("A's E-1 changed: %+v %v", esc, err)
	}
}

// TestBadInput: each bad command gets a clear answer and changes nothing.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UIT", "CIT", "/escalate INC0012345 blocked")
	e.Run("T1", "UIT", "CIT", "/resolve E-1")
	e.Run("T1", "UADMIN", "CIT", `/outcome add pos-conversion "POS conversion"`)
	cases := []struct{ line, want string }{
		{"/frobnicate", "Unknown command `frobnicate`"},
		{"/outcome fly", "Unknown subcommand `fly` for /outcome"},
		{"/outcome add", "Usage: /outcome add"},
		{"/tag", "Usage: /tag"},
		{"/escalate INC0012345", "Usage: /escalate"},
		{"/tag INC0012345 posx", "No outcome posx; did you mean pos?"},
		{"/tag foo<bar pos", "doesn't look like a ticket"},
		{"/tag INC1 pos " + strings.Repeat("x", 3001), "3000"},
		{`/digest subscribe tz=Europe/Berln`, "`Europe/Berln` is not a time zone"},
		{`/digest subscribe tz=EST`, "`EST` ignores daylight saving; use a city zone such as `America/New_York`"},
		{`/digest subscribe tz=pst`, "`pst` ignores daylight saving; use a city zone such as `America/Los_Angeles`"},
		{`/digest subscribe tz=CET`, "`CET` ignores daylight saving; use a city zone such as `Europe/Berlin`"},
		{`/digest subscribe tz=MST`, "use a city zone such as `America/Denver`"},
		{`/digest subscribe tz=EET`, "use a city zone such as `Europe/Athens`"},
		{`/digest subscribe tz=EST5EDT`, "use a city zone such as `America/New_York`"},
		{`/digest subscribe tz=Etc/GMT+5`, "`Etc/GMT+5` is not an Area/City zone"},
		{`/digest subscribe tz=Japan`, "`Japan` is not an Area/City zone"},
		{`/digest subscribe tz=Local`, "`Local` is not a time zone"},
		{`/outcome add pos "Again"`, "Outcome pos already exists"},
		{"/ack E-99", "There is no escalation E-99"},
		{"/ack E-1", "E-1 is already resolved"},
		{"/ack seven", "is not an escalation id"},
		{"/outcome grant <@UX|x> superuser", "There is no role `superuser`"},
		{`/outcome add Bad_Key "x"`, "is not a valid outcome key"},
		{`/outcome add ok "x" color=red`, "Unknown option `color=`"},
		{`/outcome add ok "x" sla=forever`, "is not a duration"},
		{`/outcome add ok "x" it=bob`, "must be a person"},
		{`/outcome add ok "unterminated`, "Unterminated quote"},
		{`/outcome add ok "unterminated it=<@UX|raj>`, "Unterminated quote in `\"unterminated it=@raj`"},
		{"/escalate INC0099999 nobody tagged this", "is not tagged to an outcome"},
		{"/escalate list sideways", "is not one of assigned, raised, open, overdue, all"},
		{"/tag INC0012399 posconv", "No outcome posconv; did you mean pos-conversion?"},
		{"/tag INC0012399 posconversion", "did you mean pos-conversion?"},
		{"/tag INC0012399 pos-conv", "did you mean pos-conversion?"},
		{"/tag <@UBOB|bob> pos", "`@bob` is a person, not a ticket reference"},
		{"/tag <#C1|foo> pos", "`#foo` is a channel, not a ticket reference"},
		{"/tag <!subteam^S1|it> pos", "`@it` is a user group, not a ticket reference"},
		{"/tag here pos", "`here` is a word meaning this channel, not a ticket reference"},
		{"/tag <@UBOB|bob>", "is a person, not a ticket reference"},
		{"/escalate <@UBOB|bob> blocked", "Which outcome is this blocking? Add outcome=<key>"},
		{"/escalate <#C1|foo> blocked", "Which outcome is this blocking?"},
		{`/outcome add none "x"`, "`none` cannot be an outcome key"},
		{`/outcome add help "x"`, "`help` cannot be an outcome key"},
		{`/outcome add here "x"`, "`here` cannot be an outcome key"},
		{`/outcome add all "x"`, "`all` cannot be an outcome key"},
		{`/outcome add mine "x"`, "`mine` cannot be an outcome key"},
		{`/outcome add open "x"`, "`open` cannot be an outcome key"},
		{"/digest bogus", "Unknown subcommand `bogus` for /digest. Try one of: `preview`, `subscribe`, `unsubscribe`, `status`"},
		{`/outcome add ok "x" sla=1s`, "An SLA must be between 1m and 30d (got `1s`)"},
		{`/outcome add ok "x" sla=1000000h`, "An SLA must be between 1m and 30d (got `1000000h`)"},
		{`/outcome add ok "x" sla=99999999999999999999d`, "An SLA must be between 1m and 30d"},
		{`/outcome set pos sla=31d`, "An SLA must be between 1m and 30d (got `31d`)"},
		{`/outcome set pos sla=4x`, "is not a duration"},
		{"/tag INC1 pos " + strings.Repeat("é", 3001), "The text is too long (3010 characters; the limit is 3000)"},
	}
	for _, c := range cases {
		t.Run(c.line[:min(len(c.line), 40)], func(t *testing.T) {
			before := e.AuditLen("T1")
			r := e.Run("T1", "UADMIN", "CIT", c.line)
			if !strings.Contains(text(r), c.want) {
				t.Errorf("%q:\n got %q\nwant %q", c.line, text(r), c.want)
			}
			if after := e.AuditLen("T1"); after != before {
				t.Errorf("bad input changed state: audit %d → %d", before, after)
			}
		})
	}
}

// TestTextLimitCountsCharacters: the 3,000 limit is in characters, so a
// note of 2,000 two-byte characters fits.
func TestTextLimitCountsCharacters(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	note := strings.Repeat("é", 2000)
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag INC0012345 pos "+note), "already tagged")
	r, err := e.St.GetRequest(context.Background(), "T1", "INC0012345")
	if err != nil || len(r.History) != 2 || r.History[1].Note != note {
		t.Fatalf("note not kept: %d entries, %v", len(r.History), err)
	}
}

func TestTagHistoryAndShow(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Infrastructure"`)
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag inc0012345 infra moved to infra"), "→ infra (re-tagged from pos)")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag INC0012345 none"), "untagged (was infra)")
	r := e.Run("T1", "UBIZ", "CGEN", "/tag INC0012345")
	e.Expect(r, "no outcome (drift)", "infra → untagged", "pos → infra by @UBIZ: moved to infra", "— → pos")
	// The ticket is shown as a link from the configured template.
	if !strings.Contains(r.Text, commands.Link("https://acme.service-now.com/nav_to.do?uri=task.do?sysparm_query=number=INC0012345", "INC0012345")) {
		t.Errorf("ticket not linked: %q", r.Text)
	}
}

func TestUserTextStaysText(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 \uE000u<!channel>\uE002 help")
	for _, o := range r.Outgoing {
		for _, sp := range commands.Spans(o.Message.Text) {
			if sp.Kind == commands.SpanUser && sp.Target != "UBIZ" && sp.Target != "UIT" {
				t.Errorf("user text became a mention of %q", sp.Target)
			}
		}
	}
}

func TestHelp(t *testing.T) {
	e := newEnv(t)
	r := e.Run("T1", "UBIZ", "CGEN", "/outcome help")
	for _, name := range []string{"/tag", "/escalate", "/ack", "/resolve", "/digest subscribe", "/outcome whoami"} {
		e.Expect(r, name)
	}
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag help"), "/tag <ticket>", "Example")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/outcome add help"), "Needs the admin role")
}

// TestFreeTextIsTakenAsTyped: reasons and notes may hold quotes, '=' and
// anything else; only the words before them are parsed.
func TestFreeTextIsTakenAsTyped(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	reason := `'til friday: price=0 on web, price=0 on till, "broken`
	r := e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 "+reason)
	e.Expect(r, "E-1 raised")
	esc, err := e.St.GetEscalation(context.Background(), "T1", 1)
	if err != nil || esc.Reason != reason {
		t.Fatalf("reason stored as %q (%v), want %q", esc.Reason, err, reason)
	}
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", `/tag INC0012345 pos note "with a=1 a=1`), "already tagged")
	e.Expect(e.Run("T1", "UIT", "CIT", `/ack E-1 'on it' x=`), "You acknowledged E-1")
}

// TestTagNoneRecordsDrift: "/tag <new ticket> none" records the request
// with no outcome, so it counts as drift, and says so; saying it again, or
// of a request that already has no outcome, changes nothing.
func TestTagNoneRecordsDrift(t *testing.T) {
	e := newEnv(t)
	e.Expect(e.Run("T1", "U1", "C1", "/tag OPS-2 none"), "OPS-2 has no outcome: it counts as drift", "/tag OPS-2 <outcome>")
	r, err := e.St.GetRequest(context.Background(), "T1", "OPS-2")
	if err != nil || r.Outcome != "" || len(r.History) != 0 {
		t.Fatalf("OPS-2 after /tag none: %+v, %v; want recorded, untagged, no history", r, err)
	}
	before := e.AuditLen("T1")
	e.Expect(e.Run("T1", "U1", "C1", "/tag OPS-2 none"), "has no outcome")
	if after := e.AuditLen("T1"); after != before {
		t.Errorf("untagging an untagged request changed state: audit %d → %d", before, after)
	}
	if r, _ := e.St.GetRequest(context.Background(), "T1", "OPS-2"); len(r.History) != 0 {
		t.Errorf("history grew: %+v", r.History)
	}
}

// TestBlankReasonAndNotes: a reason of nothing but quotes and spaces is
// refused and nothing is raised; a blank note on /tag, /ack or /resolve is
// no note (the command does its work and records none).
func TestBlankReasonAndNotes(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	ctx := context.Background()
	for _, reason := range []string{`"   "`, `''`, `“ ”`, `"" ''`} {
		t.Run("escalate "+reason, func(t *testing.T) {
			before := e.AuditLen("T1")
			e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 "+reason), "The reason is blank", "/escalate INC0012345 card payments failing")
			if after := e.AuditLen("T1"); after != before {
				t.Errorf("a blank reason changed state: audit %d → %d", before, after)
			}
			if esc, err := e.St.GetEscalation(ctx, "T1", 1); !errors.Is(err, record.ErrNotFound) {
				t.Errorf("a blank reason raised %+v, %v", esc, err)
			}
		})
	}

	e.Expect(e.Run("T1", "UBIZ", "CGEN", `/tag INC0012345 pos "   "`), "→ pos (already tagged")
	r, err := e.St.GetRequest(ctx, "T1", "INC0012345")
	if err != nil || len(r.History) != 2 || r.History[1].Note != "" {
		t.Fatalf("after a blank tag note: %+v, %v; want a second history entry with no note", r.History, err)
	}
	if got := text(e.Run("T1", "UBIZ", "CGEN", "/tag INC0012345")); strings.Contains(got, `"`) {
		t.Errorf("the history shows the blank note's quotes:\n%s", got)
	}

	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	ack := e.Run("T1", "UIT", "CIT", `/ack E-1 "  "`)
	e.Expect(ack, "You acknowledged E-1")
	res := e.Run("T1", "UIT", "CIT", `/resolve E-1 ''`)
	e.Expect(res, "You resolved E-1")
	for _, out := range append(ack.Outgoing, res.Outgoing...) {
		if strings.Contains(out.Message.Text, "Note:") {
			t.Errorf("the requester is shown a blank note: %q", commands.PlainText(out.Message.Text))
		}
	}
	esc, err := e.St.GetEscalation(ctx, "T1", 1)
	if err != nil || esc.AckNote != "" || esc.ResolveNote != "" {
		t.Errorf("E-1 notes ack %q resolve %q (%v); want none", esc.AckNote, esc.ResolveNote, err)
	}
}

// TestTagShowsIntakeTitle: /tag <ticket> on a request that came from an
// ITSM or a spreadsheet shows its title, status and where it came from.
func TestTagShowsIntakeTitle(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	if _, err := e.Intake.Take(context.Background(), "T1", []intake.Item{
		{Ref: "OPS-5", Title: "Tills in Leeds reject contactless", Outcome: "pos", Source: record.SourceJira},
		{Ref: "INC0040001", Title: "Printer jam, Hull", Status: "closed", Source: record.SourceCSV},
	}, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag OPS-5"), "Tills in Leeds reject contactless", "OPS-5 → pos · open · from Jira")
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag INC0040001"), "Printer jam, Hull", "no outcome (drift) · closed · from a spreadsheet")
	// A request known only from chat has no title and says so by omission.
	e.Expect(e.Run("T1", "UBIZ", "CGEN", "/tag INC0012345"), "→ pos · open · from chat")
}

// TestRepliesStartWithACapital: replies put together from pieces (a field
// name, an optional clause, a parser message) still start their sentences
// with a capital letter.
func TestRepliesStartWithACapital(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	cases := []struct{ line, want string }{
		{`/outcome add inf "Infra"`, "Outcome inf added: Infra. No IT channel yet: escalations stay"},
		{`/outcome add x3 "X" owner=bob`, "The business owner (`owner=`) must be a person"},
		{`/outcome add x3 "X" it=bob`, "The IT owner (`it=`) must be a person"},
		{`/outcome add x3 "X" it-channel=bob`, "The IT channel (`it-channel=`) must be a channel"},
		{`/outcome set pos it=<at>Nobody</at>`, "I could not tell who `Nobody` is for the IT owner (`it=`)"},
		{`/outcome grant bob it-lead`, "The user must be a person"},
		{`/tag "" pos`, "A ticket reference is missing"},
		{`/tag https://u:pw@acme.service-now.com/x pos`, "The ticket URL holds a user name or password"},
		{`/outcome add x3 "unterminated`, "Unterminated quote in"},
		{`/outcome add x3 "X" kpi=`, "Option `kpi=` has no value"},
		{`/outcome add x3 "X" kpi=a KPI=b`, "Option `kpi` is given twice"},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			r := e.Run("T1", "UADMIN", "CGEN", c.line)
			got := commands.PlainText(r.Text)
			if !strings.HasPrefix(got, c.want) {
				t.Errorf("%s:\n got %q\nwant it to start %q", c.line, got, c.want)
			}
			for _, s := range strings.Split(got, ". ")[1:] {
				if s != "" && unicode.IsLower([]rune(s)[0]) {
					t.Errorf("%s: a sentence starts in lower case: %q", c.line, got)
				}
			}
		})
	}
}

// TestPermissionMatrixCoversTheRouter walks the router's definitions (the
// root's and every leaf's, as registered) and fails for any command,
// subcommand or button that declares a role but has no row in the
// permission matrix, so a new command cannot skip the matrix.
func TestPermissionMatrixCoversTheRouter(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range permissionCases() {
		if c.action != "" {
			covered["button "+c.action] = true
			continue
		}
		words := strings.Fields(c.line)
		covered[words[0]] = true
		if len(words) > 1 {
			covered[words[0]+" "+words[1]] = true
		}
	}
	e := newEnv(t)
	var need []string
	for _, d := range e.Core.Commands() {
		if d.Role != "" {
			need = append(need, "/"+d.Name)
		}
		for _, sub := range d.Subs {
			if sub.Role != "" {
				need = append(need, "/"+d.Name+" "+sub.Name)
			}
		}
	}
	for _, a := range e.Core.Actions() {
		if a.Role != "" {
			need = append(need, "button "+a.Name)
		}
	}
	if len(need) < 10 {
		t.Fatalf("only %d role-carrying definitions found: %v", len(need), need)
	}
	for _, n := range need {
		if !covered[n] {
			t.Errorf("%s needs a role but has no row in the permission matrix", n)
		}
	}
}
