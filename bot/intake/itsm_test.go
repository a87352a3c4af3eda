package intake_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/bot/intake"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestServiceNowCloseOverHTTPResolvesTheEscalation: a ServiceNow update
// over the intake endpoint that closes a ticket (numeric state 6,
// Resolved) resolves its escalation, says so in the answer and tells the
// raiser; the same update sent again changes and tells nothing.
func TestServiceNowCloseOverHTTPResolvesTheEscalation(t *testing.T) {
	st := storetest.New(t)
	b := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}}, commandstest.NewClock(now), nil)
	run := func(user, channel, line string) string {
		name, rest := commands.SplitCommand(commandstest.Inbound(line))
		return commandstest.Text(b.Core.Handle(context.Background(), commands.Request{Workspace: "T1", User: user, Channel: channel, Command: name, Text: rest}))
	}
	run("UADMIN", "CGEN", `/outcome add pos "Point of sale" it-channel=<#CIT|it>`)
	if got := run("UREQ", "CSTORE", "/escalate INC0010023 outcome=pos handhelds offline"); !strings.Contains(got, "E-1") {
		t.Fatal(got)
	}
	var told []commands.Outgoing
	b.Intake.Announce(b.Escalations, func(_ context.Context, ws string, outs []commands.Outgoing) error {
		told = append(told, outs...)
		return nil
	}, nil)
	h := intake.New(b.Intake, map[string]string{"T1": tokenT1}, nil)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s := &server{t: t, url: srv.URL + intake.Path, st: st, h: h}

	body := []byte(`{"number":"INC0010023","sys_class_name":"incident","short_description":"Handhelds offline","state":"6","active":"true"}`)
	r := s.intake(tokenT1, body)
	if len(r.Items) != 1 || r.Items[0].Escalation != "E-1" || r.Items[0].EscalationChange != "resolved" {
		t.Fatalf("answer = %+v", r.Items)
	}
	e, err := st.GetEscalation(context.Background(), "T1", 1)
	if err != nil || e.State != record.StateResolved || e.ResolvedBy != "itsm:servicenow" || e.ResolveNote != "closed in ServiceNow" {
		t.Fatalf("E-1 = %+v, %v", e, err)
	}
	var raiser string
	for _, o := range told {
		if o.To.Channel == "CSTORE" {
			raiser += commandstest.Text(o.Message)
		}
	}
	if !strings.Contains(raiser, "was resolved by ServiceNow") {
		t.Errorf("raiser not told: %+v", told)
	}
	told = nil
	if r := s.intake(tokenT1, body); r.Unchanged != 1 || r.Items[0].Escalation != "" || len(told) > 0 {
		t.Errorf("the same update again: %+v, %d messages", r.Items, len(told))
	}
}
