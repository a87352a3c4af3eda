package shell

import (
	"context"
	"fmt"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/outcome"
)

// This file is the shell's direct messages and :checkin, its way to press
// the weekly check-in's buttons: the poster prints a direct message as
// such and remembers the check-in buttons it showed each user, and
// :checkin sends the Action a click on a chat platform sends.

var _ commands.DirectPoster = (*poster)(nil)

// checkInButton is one check-in button as shown: the button and the
// direct message holding it.
type checkInButton struct {
	button commands.Button
	source commands.MessageRef
}

// PostDirect prints a direct message from the bot to user.
func (p *poster) PostDirect(ctx context.Context, ws, user string, msg commands.Response) (commands.MessageRef, error) {
	p.mu.Lock()
	p.n++
	ref := commands.MessageRef{Channel: "@" + user, ID: fmt.Sprintf("m%d", p.n)}
	if p.checkIns == nil {
		p.checkIns = map[string]checkInButton{}
	}
	for _, b := range msg.Buttons {
		if b.Action == outcome.ActionConfirm || b.Action == outcome.ActionArchive {
			p.checkIns[checkInKey(user, b.Action, b.Value)] = checkInButton{button: b, source: ref}
		}
	}
	p.mu.Unlock()
	p.out("→ direct message to @%s [%s]:\n%s\n", user, ref.ID, indent(Render(msg), "  "))
	return ref, nil
}

func checkInKey(user, action, key string) string {
	return user + "\x00" + action + "\x00" + strings.ToLower(key)
}

// checkInButtonFor returns the button user was last shown for action on key.
func (p *poster) checkInButtonFor(user, action, key string) (checkInButton, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.checkIns[checkInKey(user, action, key)]
	return b, ok
}

const usageCheckIn = "usage: :checkin <outcome-key> yes|archive"

// checkIn is :checkin <key> yes|archive: it presses that button of the
// latest check-in the current user was sent, as a click would.
func (s *Shell) checkIn(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf(usageCheckIn)
	}
	action := map[string]string{"yes": outcome.ActionConfirm, "archive": outcome.ActionArchive}[strings.ToLower(args[1])]
	if action == "" {
		return fmt.Errorf(usageCheckIn)
	}
	b, ok := s.poster.checkInButtonFor(s.user, action, args[0])
	if !ok {
		return fmt.Errorf("@%s was sent no check-in with a button for %s (the weekly check-in goes out on the digest's day: :tick when it is due; /outcome confirm %s works anyway)", s.user, args[0], args[0])
	}
	s.handle(ctx, commands.Request{Channel: b.source.Channel, Action: &commands.Action{Name: b.button.Action, Value: b.button.Value}, Source: b.source})
	return nil
}
