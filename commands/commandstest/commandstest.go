// Package commandstest holds fakes for tests of packages built on commands:
// a settable clock and a recording Poster.
package commandstest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// Clock is a fake clock that moves only when told.
type Clock = commands.ManualClock

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return commands.NewManualClock(t) }

// Post is one message a Poster recorded.
type Post struct {
	To      commands.Destination
	Ref     commands.MessageRef
	Message commands.Response
	Update  bool
}

// Poster records posts and updates; Fail, if set, decides per destination
// whether a post fails.
type Poster struct {
	mu    sync.Mutex
	n     int
	posts []Post
	Fail  func(to commands.Destination) error
}

var _ commands.Poster = (*Poster)(nil)

// Post records a post and returns a fresh message id.
func (p *Poster) Post(ctx context.Context, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Fail != nil {
		if err := p.Fail(to); err != nil {
			return commands.MessageRef{}, err
		}
	}
	p.n++
	ref := commands.MessageRef{Channel: to.Channel, ID: fmt.Sprintf("m%d", p.n)}
	p.posts = append(p.posts, Post{To: to, Ref: ref, Message: msg})
	return ref, nil
}

// Update records an update.
func (p *Poster) Update(ctx context.Context, ref commands.MessageRef, ws string, msg commands.Response) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, Post{To: commands.Destination{Workspace: ws, Channel: ref.Channel, Update: ref.ID}, Ref: ref, Message: msg, Update: true})
	return nil
}

// Posts returns what was recorded so far.
func (p *Poster) Posts() []Post {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Post(nil), p.posts...)
}

// Reset forgets what was recorded.
func (p *Poster) Reset() {
	p.mu.Lock()
	p.posts = nil
	p.mu.Unlock()
}

// TriageMessage is a triage message for renderer tests: two requests with
// pickers (the second's placeholder, and one outcome's label, are hostile:
// markup a renderer must show as text) and one tagged since.
func TriageMessage(hostile string) commands.Response {
	options := []commands.Choice{{Label: "pos — Point of sale", Value: "pos"}, {Label: "infra — " + hostile, Value: "infra"}}
	return commands.Response{
		Visibility: commands.InChannel,
		Title:      "Untagged requests · 16–22 Nov 2026",
		Text:       "2 requests received that week are tied to no outcome.",
		Sections: []commands.Section{
			{Text: commands.Code("OPS-1") + " · Label printer offline\njira · requested by Maria Lopez",
				Picker: &commands.Picker{Action: commands.ActionTriage, Value: "7 OPS-1", Placeholder: "Pick its outcome", Options: options}},
			{Text: "✓ " + commands.Code("INC0060001") + " · VPN drops\n→ " + commands.Code("pos")},
			{Text: commands.Code("RITM0060002") + " · New laptop",
				Picker: &commands.Picker{Action: commands.ActionTriage, Value: "7 RITM0060002", Placeholder: hostile, Options: options}},
		},
	}
}
