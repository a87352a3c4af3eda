package intake_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	intakecore "github.com/outcomebot/outcomebot/commands/intake"

	"github.com/outcomebot/outcomebot/store/record"
)

// The payloads in testdata follow Jira's and ServiceNow's documented shapes:
// a Jira Cloud issue webhook (created, updated to Done, a comment event),
// the bare issue Jira Automation sends, a ServiceNow outbound REST message
// and Table API records with display values.

func TestJiraWebhook(t *testing.T) {
	s := newServer(t)
	r := s.intake(tokenT1, fixture(t, "jira_issue_created.json"))
	if r.Created != 1 || r.Items[0].Ref != "OPS-142" || !r.Items[0].Tagged || r.Items[0].Outcome != "pos" {
		t.Fatalf("created: %+v", r)
	}
	req := s.request("T1", "OPS-142")
	want := record.Request{Ref: "OPS-142", Title: "Leeds tills decline contactless cards", Outcome: "pos", Status: record.RequestOpen,
		Source: "jira", Requester: "Maria Lopez", URL: "https://acme-retail.atlassian.net/browse/OPS-142"}
	if req.Title != want.Title || req.Outcome != want.Outcome || req.Status != want.Status || req.Source != want.Source ||
		req.Requester != want.Requester || req.URL != want.URL {
		t.Errorf("request %+v\nwant %+v", req, want)
	}
	if opened := time.Date(2026, 11, 17, 9, 12, 44, 786e6, time.UTC); !req.Opened.Equal(opened) {
		t.Errorf("opened %v, want %v", req.Opened, opened)
	}
	if len(req.History) != 1 || req.History[0].By != "jira" || req.History[0].To != "pos" {
		t.Errorf("history %+v", req.History)
	}

	// Jira retries a delivery it thinks failed: nothing changes.
	n := s.auditLen("T1")
	if r := s.intake(tokenT1, fixture(t, "jira_issue_created.json")); r.Unchanged != 1 {
		t.Errorf("re-delivery: %+v", r)
	}
	if s.auditLen("T1") != n {
		t.Error("a re-delivery wrote to the audit stream")
	}

	// Done: closed and out of the outcome's open set, title updated, one record.
	if s.openTagged("T1", "pos") != 1 {
		t.Fatalf("open tagged before closing = %d", s.openTagged("T1", "pos"))
	}
	r = s.intake(tokenT1, fixture(t, "jira_issue_updated.json"))
	if r.Updated != 1 || strings.Join(r.Items[0].Changed, ",") != "title,status" {
		t.Errorf("updated: %+v", r)
	}
	req = s.request("T1", "OPS-142")
	if req.Status != record.RequestClosed || s.openTagged("T1", "pos") != 0 || len(req.History) != 1 {
		t.Errorf("after Done: %+v, open tagged %d", req, s.openTagged("T1", "pos"))
	}
	all, _ := s.st.RequestsReceived(context.Background(), "T1", now.AddDate(0, 0, -7), now)
	if len(all) != 1 {
		t.Errorf("%d requests after three deliveries, want 1", len(all))
	}

	// Other events are answered, and rejected with the reason.
	r = s.intake(tokenT1, fixture(t, "jira_comment_created.json"))
	if r.Rejected != 1 || !strings.Contains(r.Items[0].Reason, `"comment_created" is not handled`) {
		t.Errorf("comment event: %+v", r)
	}

	// Two outcome labels are refused rather than guessed.
	two := bytes.Replace(fixture(t, "jira_issue_created.json"), []byte(`"leeds", "outcome:pos"`), []byte(`"outcome:infra", "outcome:pos"`), 1)
	if r := s.intake(tokenT1, two); r.Rejected != 1 || !strings.Contains(r.Items[0].Reason, "more than one outcome") {
		t.Errorf("two labels: %+v", r)
	}
}

// TestJiraAutomationIssue: Jira Automation's "Send web request" with
// "Issue data (Jira format)" sends the bare issue.
func TestJiraAutomationIssue(t *testing.T) {
	s := newServer(t)
	r := s.intake(tokenT1, fixture(t, "jira_automation_issue.json"))
	if r.Created != 1 || r.Items[0].Ref != "OPS-150" || r.Items[0].Outcome != "infra" {
		t.Fatalf("bare issue: %+v", r)
	}
	req := s.request("T1", "OPS-150")
	if req.Status != record.RequestOpen || req.Title != "Self-checkout screens freeze at peak" || req.URL != "https://acme-retail.atlassian.net/browse/OPS-150" {
		t.Errorf("OPS-150 = %+v", req)
	}
	if s.openTagged("T1", "infra") != 1 {
		t.Error("OPS-150 is not open work of infra")
	}
}

func TestServiceNowOutboundREST(t *testing.T) {
	s := newServer(t)
	r := s.intake(tokenT1, fixture(t, "servicenow_rest_message.json"))
	if r.Created != 1 || r.Items[0].Ref != "INC0010023" || r.Items[0].Tagged {
		t.Fatalf("rest message: %+v", r)
	}
	req := s.request("T1", "INC0010023")
	if req.Source != "servicenow" || req.Requester != "Abel Tuter" || req.Status != record.RequestOpen ||
		req.Title != "Warehouse handhelds cannot reach the stock service" ||
		!req.Opened.Equal(time.Date(2026, 11, 17, 8, 5, 31, 0, time.UTC)) {
		t.Errorf("INC0010023 = %+v", req)
	}
	resolved := bytes.Replace(fixture(t, "servicenow_rest_message.json"), []byte(`"state": "2"`), []byte(`"state": "6"`), 1)
	if r := s.intake(tokenT1, resolved); r.Updated != 1 || s.request("T1", "INC0010023").Status != record.RequestClosed {
		t.Errorf("state 6 (Resolved): %+v", r)
	}

	r = s.intake(tokenT1, fixture(t, "servicenow_table_display.json"))
	if r.Created != 2 || r.Items[0].Ref != "RITM0010042" || r.Items[0].Outcome != "pos" || r.Items[1].Ref != "CHG0030001" {
		t.Fatalf("table records: %+v", r)
	}
	ritm := s.request("T1", "RITM0010042")
	if ritm.Status != record.RequestClosed || ritm.Requester != "Beth Anglin" || !ritm.Opened.Equal(time.Date(2026, 11, 17, 9, 15, 2, 0, time.UTC)) {
		t.Errorf("RITM = %+v", ritm)
	}
	if s.openTagged("T1", "pos") != 0 {
		t.Error("a closed RITM counts as open work of its outcome")
	}
	chg := s.request("T1", "CHG0030001")
	if chg.Status != record.RequestOpen || chg.Requester != "" {
		t.Errorf("CHG = %+v (state -1 is Implement; a bare sys_id names nobody)", chg)
	}
}

func TestMixedBatch(t *testing.T) {
	s := newServer(t)
	r := s.intake(tokenT1, fixture(t, "api_batch.json"))
	want := []struct{ ref, result, reason string }{
		{"INC0020001", intakecore.ResultCreated, ""},
		{"OPS-77", intakecore.ResultCreated, ""},
		{"", intakecore.ResultRejected, "is not a ticket reference"},
		{"OPS-78", intakecore.ResultCreated, ""}, // stored untagged, with a warning
		{"OPS-79", intakecore.ResultRejected, "is not a date"},
		{"", intakecore.ResultRejected, "no ref"},
		{"", intakecore.ResultRejected, "not a request object"},
		{"OPS-80", intakecore.ResultCreated, ""},
	}
	if len(r.Items) != len(want) || r.Created != 4 || r.Rejected != 4 || r.Warnings != 1 {
		t.Fatalf("answer %+v", r)
	}
	for i, w := range want {
		it := r.Items[i]
		if it.Index != i || it.Ref != w.ref || it.Result != w.result || !strings.Contains(it.Reason, w.reason) {
			t.Errorf("item %d = %+v, want %+v", i, it, w)
		}
	}
	if !r.Items[1].Tagged || s.request("T1", "OPS-77").Outcome != "pos" {
		t.Error("OPS-77 was not tagged")
	}
	if w := r.Items[3].Warning; !strings.Contains(w, `no outcome "poss"; did you mean "pos"?`) || !strings.Contains(w, "stored without it") {
		t.Errorf("OPS-78 warning %q", w)
	}
	if req := s.request("T1", "OPS-78"); req.Outcome != "" || req.Title != "Unknown outcome" {
		t.Errorf("OPS-78 = %+v, want it stored untagged", req)
	}
	if s.request("T1", "OPS-80").Status != record.RequestClosed {
		t.Error("OPS-80 (Resolved) is not closed")
	}
}

// TestJiraIssueWithoutEvent: the setup bot/intake/README.md recommends. Jira
// Automation's "Send web request" with "Issue data (Jira format)" sends
// {"issue": {…}} and the older JSM automation webhook {"timestamp": …,
// "issue": {…}}, neither with a webhookEvent: each is an upsert.
func TestJiraIssueWithoutEvent(t *testing.T) {
	s := newServer(t)
	r := s.intake(tokenT1, fixture(t, "jira_automation_jira_format.json"))
	if r.Created != 1 || r.Rejected != 0 || r.Items[0].Ref != "OPS-161" || !r.Items[0].Tagged || r.Items[0].Outcome != "pos" {
		t.Fatalf("Jira format issue: %+v", r)
	}
	req := s.request("T1", "OPS-161")
	if req.Title != "Handheld scanners drop Wi-Fi in the Leeds stockroom" || req.Status != record.RequestOpen ||
		req.Source != "jira" || req.Requester != "Raj Patel" || req.URL != "https://acme-retail.atlassian.net/browse/OPS-161" ||
		!req.Opened.Equal(time.Date(2026, 11, 17, 10, 41, 5, 112e6, time.UTC)) {
		t.Errorf("OPS-161 = %+v", req)
	}
	if s.openTagged("T1", "pos") != 1 {
		t.Error("OPS-161 is not open work of pos")
	}
	// The same rule fires again on an edit: nothing to change.
	if r := s.intake(tokenT1, fixture(t, "jira_automation_jira_format.json")); r.Unchanged != 1 {
		t.Errorf("re-delivery: %+v", r)
	}

	r = s.intake(tokenT1, fixture(t, "jsm_automation_webhook.json"))
	if r.Created != 1 || r.Rejected != 0 || r.Items[0].Ref != "OPS-162" || r.Items[0].Outcome != "pos" {
		t.Fatalf("JSM automation webhook: %+v", r)
	}
	if req := s.request("T1", "OPS-162"); req.Status != record.RequestClosed || req.Requester != "Beth Anglin" {
		t.Errorf("OPS-162 = %+v", req)
	}
}

// TestJiraUnknownOutcomeLabel: a mistyped label (outcome:typo) or one
// naming an archived outcome does not drop the issue: it is stored
// untagged, so it counts as drift, and the answer warns.
func TestJiraUnknownOutcomeLabel(t *testing.T) {
	s := newServer(t)
	typo := bytes.Replace(fixture(t, "jira_automation_jira_format.json"), []byte(`"outcome:pos"`), []byte(`"outcome:typo"`), 1)
	r := s.intake(tokenT1, typo)
	if r.Created != 1 || r.Rejected != 0 || r.Warnings != 1 || r.Items[0].Tagged || r.Items[0].Outcome != "" ||
		!strings.Contains(r.Items[0].Warning, `no outcome "typo"`) {
		t.Fatalf("typo label: %+v", r)
	}
	if req := s.request("T1", "OPS-161"); req.Outcome != "" || req.Title != "Handheld scanners drop Wi-Fi in the Leeds stockroom" {
		t.Errorf("OPS-161 = %+v, want it stored untagged", req)
	}
	if s.openTagged("T1", "pos") != 0 {
		t.Error("OPS-161 counts as work of pos")
	}
	// The label fixed: the next delivery tags it.
	if r := s.intake(tokenT1, fixture(t, "jira_automation_jira_format.json")); r.Updated != 1 || !r.Items[0].Tagged || r.Items[0].Warning != "" {
		t.Errorf("fixed label: %+v", r)
	}
}
