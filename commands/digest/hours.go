package digest

import (
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Business hours in the digest: the time to acknowledge counts only the
// outcome's business hours, and the median says the wall-clock one too
// where it reads differently.

// hoursOf returns the business hours of outcome key (nil: round the clock).
func (d *digest) hoursOf(key string) *commands.BusinessHours {
	if d.in.Hours == nil {
		return nil
	}
	if od := d.byKey[key]; od != nil {
		return d.in.Hours(od.o)
	}
	return d.in.Hours(record.Outcome{Key: key})
}

// ackWaits keeps the wall-clock times to acknowledge beside the business
// ones, and whether any counted business hours.
type ackWaits struct {
	wall     []time.Duration
	business bool
}

// add records e's wait for acknowledgement and returns it in business time
// h (wall-clock for nil h).
func (a *ackWaits) add(h *commands.BusinessHours, e *record.Escalation) time.Duration {
	a.wall = append(a.wall, e.AckAt.Sub(e.RaisedAt))
	a.business = a.business || h != nil
	return h.Between(e.RaisedAt, e.AckAt)
}

// withWall turns text, which starts with the business-time median med, into
// "1h 10m business time (2d 3h wall-clock) …" when business hours counted
// and the wall-clock median reads differently; otherwise text is unchanged.
func (a ackWaits) withWall(text string, med time.Duration) string {
	wall, ok := medianDuration(append([]time.Duration(nil), a.wall...))
	head := commands.DurationText(med)
	if !a.business || !ok || !strings.HasPrefix(text, head) || commands.DurationText(wall) == head {
		return text
	}
	return head + " business time (" + commands.DurationText(wall) + " wall-clock)" + strings.TrimPrefix(text, head)
}
