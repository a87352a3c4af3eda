package intake

import (
	"encoding/json"
	"fmt"
	"strings"

	intakecore "github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/store/record"
)

// This file reads Jira: an issue webhook (jira:issue_created,
// jira:issue_updated) or a bare issue as Jira Automation sends it.

// jiraIssue is the part of a Jira issue webhook that is read.
type jiraIssue struct {
	Key    string     `json:"key"`
	Self   string     `json:"self"`
	Fields jiraFields `json:"fields"`
}

// jiraFields are the issue fields that are read.
type jiraFields struct {
	Summary string   `json:"summary"`
	Created string   `json:"created"`
	Labels  []string `json:"labels"`
	Status  struct {
		Name           string `json:"name"`
		StatusCategory struct {
			Key string `json:"key"`
		} `json:"statusCategory"`
	} `json:"status"`
	Reporter *jiraUser `json:"reporter"`
	Creator  *jiraUser `json:"creator"`
}

// jiraUser is a Jira user as webhooks carry it.
type jiraUser struct {
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
}

// name is the user's display name, else their email address.
func (u *jiraUser) name() string {
	if u == nil {
		return ""
	}
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.EmailAddress
}

// jiraEvents are the Jira webhook events that carry an issue to bring in.
var jiraEvents = map[string]bool{"jira:issue_created": true, "jira:issue_updated": true}

// outcomeLabel starts a Jira label that tags the issue: outcome:<key>.
const outcomeLabel = "outcome:"

// jiraItem reads a Jira issue webhook (or an issue without an event, an
// upsert, as Jira Automation sends it): key, summary, status (its category
// "done" closes), reporter, created, the browse URL derived from the
// issue's REST self link, and a label outcome:<key> that tags it.
func jiraItem(el element) intakecore.Item {
	it := intakecore.Item{Source: record.SourceJira}
	if el.Issue == nil || el.Issue.Key == "" {
		it.Reject = "a Jira webhook without issue.key"
		return it
	}
	is := el.Issue
	it.Ref = is.Key
	// No webhookEvent: Jira Automation's "Send web request" with "Issue
	// data (Jira format)" ({"issue": …}) or the older JSM automation
	// webhook ({"timestamp": …, "issue": …}); either is an issue that was
	// created or changed.
	if el.WebhookEvent != "" && !jiraEvents[el.WebhookEvent] {
		it.Reject = fmt.Sprintf("Jira event %q is not handled: send jira:issue_created and jira:issue_updated", el.WebhookEvent)
		return it
	}
	it.Title, it.Opened = is.Fields.Summary, is.Fields.Created
	it.Requester = is.Fields.Reporter.name()
	if it.Requester == "" {
		it.Requester = is.Fields.Creator.name()
	}
	switch cat := is.Fields.Status.StatusCategory.Key; {
	case cat == "done":
		it.Status = "closed"
	case cat != "":
		it.Status = "open"
	default:
		it.Status = is.Fields.Status.Name
	}
	it.URL = jiraBrowseURL(is.Self, is.Key)
	var keys []string
	for _, l := range is.Fields.Labels {
		if k, ok := cutPrefixFold(l, outcomeLabel); ok && k != "" {
			keys = append(keys, k)
		}
	}
	switch len(keys) {
	case 0:
	case 1:
		it.Outcome = keys[0]
	default:
		it.Reject = "the issue has more than one outcome: label: " + strings.Join(keys, ", ")
	}
	return it
}

// bareJiraItem reads a bare issue, as Jira Automation sends "Issue data
// (Jira format)": an issue that was created or changed.
func bareJiraItem(el element) intakecore.Item {
	is := &jiraIssue{Key: el.Key, Self: el.Self}
	if err := json.Unmarshal(el.Fields, &is.Fields); err != nil {
		return intakecore.Item{Source: record.SourceJira, Ref: el.Key, Reject: "the issue's fields are not readable: " + err.Error()}
	}
	return jiraItem(element{WebhookEvent: "jira:issue_updated", Issue: is})
}

// jiraBrowseURL turns an issue's REST self link
// (https://acme.atlassian.net/rest/api/2/issue/10002) into its page
// (https://acme.atlassian.net/browse/OPS-7).
func jiraBrowseURL(self, key string) string {
	i := strings.Index(self, "/rest/")
	if i <= 0 || !(strings.HasPrefix(self, "https://") || strings.HasPrefix(self, "http://")) {
		return ""
	}
	return self[:i] + "/browse/" + key
}

// cutPrefixFold is strings.CutPrefix ignoring case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
