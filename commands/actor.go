package commands

import "github.com/outcomebot/outcomebot/store/record"

// SourceName names where a request or a change came from, by its source
// (record.SourceServiceNow → "ServiceNow"); "" for an unknown one.
func SourceName(source string) string {
	if source == "chat" {
		return ""
	}
	return sourceNames[source]
}

// ActorText names who changed an escalation: a person as a mention, the
// ITSM that closed or reopened its ticket (record.ITSMActor) by its name
// ("ServiceNow"), never as a mention of a user called "itsm:jira".
func ActorText(by string) string {
	if src, ok := record.ITSMSource(by); ok {
		if name := SourceName(src); name != "" {
			return name
		}
		return "the ITSM"
	}
	return Mention(by)
}
