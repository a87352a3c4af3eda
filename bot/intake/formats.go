package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
)

// This file reads the three payload shapes into intake items. A body is
// one object or a list of objects (or a ServiceNow {"result"|"records":
// …} wrapper); each object is read by what it holds:
//
//	webhookEvent / issue   a Jira issue webhook
//	key and fields         a Jira issue (Jira Automation's web request)
//	number                 a ServiceNow record (outbound REST message)
//	ref                    outcomebot's own JSON
//
// Any other object becomes a rejected item, so one bad object never stops
// the rest.

// errTooMany is a call with more than MaxItems items.
type errTooMany int

func (e errTooMany) Error() string {
	return fmt.Sprintf("%d items in one call; the limit is %d: split it", int(e), MaxItems)
}

// element holds every field the three shapes use; json matches names
// case-insensitively and ignores the rest.
type element struct {
	// outcomebot's own JSON
	Ref       flex `json:"ref"`
	Title     flex `json:"title"`
	Requester flex `json:"requester"`
	OpenedAt  flex `json:"opened_at"`
	Status    flex `json:"status"`
	URL       flex `json:"url"`
	Outcome   flex `json:"outcome"`
	// ServiceNow
	Number           flex `json:"number"`
	ShortDescription flex `json:"short_description"`
	State            flex `json:"state"`
	Caller           flex `json:"caller"`
	CallerID         flex `json:"caller_id"`
	RequestedFor     flex `json:"requested_for"`
	OpenedBy         flex `json:"opened_by"`
	Active           flex `json:"active"`
	SysClassName     flex `json:"sys_class_name"`
	UOutcome         flex `json:"u_outcome"`
	// Jira: a webhook (webhookEvent, issue) or a bare issue as Jira
	// Automation's "Send web request" sends it ("Issue data (Jira format)").
	WebhookEvent string          `json:"webhookEvent"`
	Issue        *jiraIssue      `json:"issue"`
	Key          string          `json:"key"`
	Self         string          `json:"self"`
	Fields       json.RawMessage `json:"fields"`
}

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

// flex is a field that may be a string, a number, a boolean, null, or
// ServiceNow's {"value": …, "display_value": …, "link": …}.
type flex struct {
	Value, Display string
}

// UnmarshalJSON reads any of flex's forms.
func (f *flex) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = flex{}
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flex{Value: s}
	case b[0] == '{':
		var o struct {
			Value   json.RawMessage `json:"value"`
			Display json.RawMessage `json:"display_value"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		var v, d flex
		_ = v.UnmarshalJSON(o.Value)
		_ = d.UnmarshalJSON(o.Display)
		*f = flex{Value: v.Value, Display: d.Value}
	case b[0] == '[':
		return fmt.Errorf("a list where a value belongs")
	default: // number or boolean, as written
		*f = flex{Value: string(b)}
	}
	return nil
}

// text is the display value when there is one, else the value.
func (f flex) text() string {
	if f.Display != "" {
		return f.Display
	}
	return f.Value
}

// decodeItems reads a body into intake items.
func decodeItems(body []byte) ([]commands.IntakeItem, error) {
	raws, err := splitBody(body)
	if err != nil {
		return nil, err
	}
	if len(raws) > MaxItems {
		return nil, errTooMany(len(raws))
	}
	items := make([]commands.IntakeItem, len(raws))
	for i, raw := range raws {
		items[i] = decodeElement(raw)
	}
	return items, nil
}

// splitBody returns the objects of a body: the list's, the wrapper's, or
// the one object.
func splitBody(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, fmt.Errorf("the body is empty: send a request object or a list of them")
	}
	switch body[0] {
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, fmt.Errorf("the body is not a JSON list of requests: %v", err)
		}
		return list, nil
	case '{':
		var wrapper struct {
			Result  json.RawMessage `json:"result"`
			Records json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal(body, &wrapper); err != nil {
			return nil, fmt.Errorf("the body is not a JSON object: %v", err)
		}
		for _, inner := range []json.RawMessage{wrapper.Result, wrapper.Records} {
			if inner = bytes.TrimSpace(inner); len(inner) > 0 && (inner[0] == '[' || inner[0] == '{') {
				return splitBody(inner)
			}
		}
		return []json.RawMessage{body}, nil
	}
	return nil, fmt.Errorf("the body is not JSON: send a request object or a list of them")
}

// decodeElement reads one object as whichever shape it is.
func decodeElement(raw json.RawMessage) commands.IntakeItem {
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' {
		return commands.IntakeItem{Source: commands.SourceAPI, Reject: "not a request object: each item must be a JSON object"}
	}
	var el element
	if err := json.Unmarshal(raw, &el); err != nil {
		reason := "not a request object: " + err.Error()
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			reason = fmt.Sprintf("field %q has the wrong type (want text)", ute.Field)
		}
		return commands.IntakeItem{Source: commands.SourceAPI, Reject: reason}
	}
	switch {
	case el.WebhookEvent != "" || el.Issue != nil:
		return jiraItem(el)
	case el.Key != "" && len(el.Fields) > 0 && el.Fields[0] == '{':
		return bareJiraItem(el)
	case el.Number.text() != "":
		return serviceNowItem(el)
	case el.Ref.text() != "":
		return ownItem(el)
	}
	return commands.IntakeItem{Source: commands.SourceAPI, Reject: "no ref (or ServiceNow number, or Jira issue) in the object"}
}

// ownItem reads outcomebot's own JSON.
func ownItem(el element) commands.IntakeItem {
	return commands.IntakeItem{
		Ref: el.Ref.text(), Title: el.Title.text(), Requester: el.Requester.text(),
		Opened: el.OpenedAt.text(), Status: el.Status.text(), URL: el.URL.text(),
		Outcome: el.Outcome.text(), Source: commands.SourceAPI,
	}
}

// jiraEvents are the Jira webhook events that carry an issue to bring in.
var jiraEvents = map[string]bool{"jira:issue_created": true, "jira:issue_updated": true}

// outcomeLabel starts a Jira label that tags the issue: outcome:<key>.
const outcomeLabel = "outcome:"

// jiraItem reads a Jira issue webhook: key, summary, status (its category
// "done" closes), reporter, created, the browse URL derived from the
// issue's REST self link, and a label outcome:<key> that tags it.
func jiraItem(el element) commands.IntakeItem {
	it := commands.IntakeItem{Source: commands.SourceJira}
	if el.Issue == nil || el.Issue.Key == "" {
		it.Reject = "a Jira webhook without issue.key"
		return it
	}
	is := el.Issue
	it.Ref = is.Key
	if !jiraEvents[el.WebhookEvent] {
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
func bareJiraItem(el element) commands.IntakeItem {
	is := &jiraIssue{Key: el.Key, Self: el.Self}
	if err := json.Unmarshal(el.Fields, &is.Fields); err != nil {
		return commands.IntakeItem{Source: commands.SourceJira, Ref: el.Key, Reject: "the issue's fields are not readable: " + err.Error()}
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

// serviceNowItem reads a ServiceNow record as an outbound REST message or
// the Table API sends it: number, short_description, state (a number read
// with the record's table, or a word), active, opened_at (the stored value
// is UTC), caller (caller_id, requested_for or opened_by as display names)
// and an optional outcome (or u_outcome) key.
func serviceNowItem(el element) commands.IntakeItem {
	it := commands.IntakeItem{
		Source:  commands.SourceServiceNow,
		Ref:     el.Number.text(),
		Title:   el.ShortDescription.text(),
		URL:     el.URL.text(),
		Outcome: firstText(el.Outcome, el.UOutcome),
		Opened:  serviceNowTime(el.OpenedAt),
	}
	it.Requester = firstText(el.Caller, el.CallerID, el.RequestedFor, el.OpenedBy)
	if looksLikeSysID(it.Requester) {
		it.Requester = "" // a sys_id without its display value names nobody
	}
	it.Status = serviceNowStatus(el, it.Ref)
	return it
}

// serviceNowStatus maps a record's state: active=false closes it; a display
// value is read as a word; a number is read with the record's table.
func serviceNowStatus(el element, number string) string {
	if a := strings.ToLower(el.Active.Value); a == "false" || a == "0" {
		return "closed"
	}
	if el.State.Display != "" {
		return el.State.Display
	}
	n, err := strconv.Atoi(strings.TrimSpace(el.State.Value))
	if err != nil {
		return el.State.Value // a word, or ""
	}
	if closedStates(strings.ToLower(el.SysClassName.Value), number)[n] {
		return "closed"
	}
	return "open"
}

// closedStates are the numeric states that end a record, per table: the
// defaults of incident, request/request item/catalog task, change and
// problem.
func closedStates(table, number string) map[int]bool {
	up := strings.ToUpper(number)
	switch {
	case table == "incident" || (table == "" && strings.HasPrefix(up, "INC")):
		return map[int]bool{6: true, 7: true, 8: true}
	case table == "change_request" || (table == "" && strings.HasPrefix(up, "CHG")):
		return map[int]bool{3: true, 4: true}
	case table == "problem" || (table == "" && strings.HasPrefix(up, "PRB")):
		return map[int]bool{4: true, 106: true, 107: true}
	default: // sc_request, sc_req_item, sc_task, task: REQ, RITM, SCTASK, TASK
		return map[int]bool{3: true, 4: true, 7: true}
	}
}

// serviceNowTime reads opened_at: a stored value ("2026-11-16 09:12:44")
// is UTC, so it is passed on with its zone; a display value alone is in
// the sender's zone, read in the bot's default zone.
func serviceNowTime(f flex) string {
	v := strings.TrimSpace(f.Value)
	if len(v) == len("2006-01-02 15:04:05") && v[10] == ' ' {
		return v[:10] + "T" + v[11:] + "Z"
	}
	if v == "" {
		return f.Display
	}
	return v
}

// looksLikeSysID reports whether s is a 32-hex-digit ServiceNow sys_id.
func looksLikeSysID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// firstText returns the first non-empty text of fs.
func firstText(fs ...flex) string {
	for _, f := range fs {
		if t := strings.TrimSpace(f.text()); t != "" {
			return t
		}
	}
	return ""
}

// cutPrefixFold is strings.CutPrefix ignoring case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
