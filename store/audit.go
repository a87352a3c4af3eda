package store

import (
	"context"
	"fmt"

	"github.com/outcomebot/outcomebot/store/record"
)

// defaultAuditCount is how many entries Audit returns when count <= 0.
const defaultAuditCount = 100

// Audit returns the workspace's latest count audit entries (default 100),
// newest first. The stream is capped near Options.AuditMaxLen entries.
func (s *Store) Audit(ctx context.Context, ws string, count int64) ([]record.AuditEntry, error) {
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
	out := make([]record.AuditEntry, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, record.AuditEntry{
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
