package shell

import (
	"context"
	"fmt"
	"sync"

	"github.com/outcomebot/outcomebot/commands"
)

// poster prints what would be posted where, numbering messages m1, m2, …,
// and remembers the triage menus it showed, for :pick.
type poster struct {
	mu    sync.Mutex
	out   func(format string, args ...any)
	n     int
	picks map[string]pickTarget // by upper-case ticket: the latest menu shown for it
	// checkIns are the check-in buttons shown in direct messages (checkin.go).
	checkIns map[string]checkInButton
}

var _ commands.Poster = (*poster)(nil)

func (p *poster) Post(ctx context.Context, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
	p.mu.Lock()
	p.n++
	ref := commands.MessageRef{Channel: to.Channel, ID: fmt.Sprintf("m%d", p.n)}
	p.mu.Unlock()
	p.shown(ref, msg)
	where := "#" + to.Channel
	if to.Thread != "" {
		where += " (thread " + to.Thread + ")"
	}
	p.out("→ posted in %s [%s]:\n%s\n", where, ref.ID, indent(Render(msg), "  "))
	return ref, nil
}

func (p *poster) Update(ctx context.Context, ref commands.MessageRef, ws string, msg commands.Response) error {
	p.shown(ref, msg)
	p.out("→ updated %s in #%s:\n%s\n", ref.ID, ref.Channel, indent(Render(msg), "  "))
	return nil
}
