package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	intakecore "github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/store/record"
)

// This file reads the three payload shapes into intake items. A body is
// one object or a list of objects (or a ServiceNow {"result"|"records":
// …} wrapper); each object is read by what it holds:
//
//	webhookEvent / issue   a Jira issue webhook; an issue without
//	                       webhookEvent is Jira Automation's web request
//	                       ({"issue": …}) or a JSM automation webhook
//	                       ({"timestamp": …, "issue": …}): an upsert
//	key and fields         a bare Jira issue
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
func decodeItems(body []byte) ([]intakecore.Item, error) {
	raws, err := splitBody(body)
	if err != nil {
		return nil, err
	}
	if len(raws) > MaxItems {
		return nil, errTooMany(len(raws))
	}
	items := make([]intakecore.Item, len(raws))
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
			return nil, fmt.Errorf("the body is not a JSON list of requests: %w", err)
		}
		return list, nil
	case '{':
		var wrapper struct {
			Result  json.RawMessage `json:"result"`
			Records json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal(body, &wrapper); err != nil {
			return nil, fmt.Errorf("the body is not a JSON object: %w", err)
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
func decodeElement(raw json.RawMessage) intakecore.Item {
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' {
		return intakecore.Item{Source: record.SourceAPI, Reject: "not a request object: each item must be a JSON object"}
	}
	var el element
	if err := json.Unmarshal(raw, &el); err != nil {
		reason := "not a request object: " + err.Error()
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			reason = fmt.Sprintf("field %q has the wrong type (want text)", ute.Field)
		}
		return intakecore.Item{Source: record.SourceAPI, Reject: reason}
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
	return intakecore.Item{Source: record.SourceAPI, Reject: "no ref (or ServiceNow number, or Jira issue) in the object"}
}

// ownItem reads outcomebot's own JSON.
func ownItem(el element) intakecore.Item {
	return intakecore.Item{
		Ref: el.Ref.text(), Title: el.Title.text(), Requester: el.Requester.text(),
		Opened: el.OpenedAt.text(), Status: el.Status.text(), URL: el.URL.text(),
		Outcome: el.Outcome.text(), Source: record.SourceAPI,
	}
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
