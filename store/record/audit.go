package record

import (
	"time"
)

// AuditEntry is one change recorded in a workspace's audit stream.
type AuditEntry struct {
	ID     string // stream entry id, e.g. "1780000000000-0"
	Who    string // actor user id ("outcomebot" for the bot's own changes)
	What   string // "tag", "escalate", "ack", "resolve", "reminder", "outcome.create", …
	At     time.Time
	Detail string // a short human-readable description, e.g. "E-7" or "INC1 -> pos"
}
