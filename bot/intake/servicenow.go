package intake

import (
	"strconv"
	"strings"

	intakecore "github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/store/record"
)

// This file reads ServiceNow records, as an outbound REST message or the
// Table API sends them.

// serviceNowItem reads a ServiceNow record as an outbound REST message or
// the Table API sends it: number, short_description, state (a number read
// with the record's table, or a word), active, opened_at (the stored value
// is UTC), caller (caller_id, requested_for or opened_by as display names)
// and an optional outcome (or u_outcome) key.
func serviceNowItem(el element) intakecore.Item {
	it := intakecore.Item{
		Source:  record.SourceServiceNow,
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
