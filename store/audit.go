package store

import (
	"context"
	"fmt"
	"time"
)

// defaultAuditCount is how many entries Audit returns when count <= 0.
const defaultAuditCount = 100

// AuditEntry is one change recorded in a workspace's audit stream.
type AuditEntry struct {
	ID     string // stream entry id, e.g. "1780000000000-0"
	Who    string // actor user id ("outcomebot" for the bot's own changes)
	What   string // "tag", "escalate", "ack", "resolve", "reminder", "outcome.create", …
	At     time.Time
	Detail string // a short human-readable description, e.g. "E-7" or "INC1 -> pos"
}

// Audit returns the workspace's latest count audit entries (default 100),
// newest first. The stream is capped near Options.AuditMaxLen entries.
func (s *Store) Audit(ctx context.Context, ws string, count int64) ([]AuditEntry, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	if count <= 0 {
		count = defaultAuditCount
	}
	msgs, err := s.rdb.XRevRangeN(ctx, s.keys(ws).audit(), "+", "-", count).Result()
	if err != nil {
		return nil, wrap("read audit", err)
	}
	out := make([]AuditEntry, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, AuditEntry{
			ID:     m.ID,
			Who:    str(m.Values["who"]),
			What:   str(m.Values["what"]),
			At:     fromMS(str(m.Values["at"])),
			Detail: str(m.Values["detail"]),
		})
	}
	return out, nil
}

// str returns v if it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}
