package shell

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
)

// This file is :pick, the shell's way to use a triage message's outcome
// menus: the poster remembers each menu it shows, and a pick sends the
// same Action a platform sends when someone picks an option.

// pickTarget is one triage menu as shown: the picker and the message
// holding it.
type pickTarget struct {
	ticket string
	picker commands.Picker
	source commands.MessageRef
}

// shown records the triage menus of msg, shown as message ref: they
// replace the menus ref showed before (a redrawn message drops the menus
// of the requests tagged since), and for each ticket the latest message
// shown wins.
func (p *poster) shown(ref commands.MessageRef, msg commands.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for t, pt := range p.picks {
		if pt.source == ref {
			delete(p.picks, t)
		}
	}
	for _, sec := range msg.Sections {
		if sec.Picker == nil || sec.Picker.Action != commands.ActionTriage {
			continue
		}
		// A triage picker's Value is "<message id> <ticket>".
		_, ticket, ok := strings.Cut(sec.Picker.Value, " ")
		if !ok || ticket == "" {
			continue
		}
		p.picks[strings.ToUpper(ticket)] = pickTarget{ticket: ticket, picker: *sec.Picker, source: ref}
	}
}

// menus returns the menus on show, by ticket.
func (p *poster) menus() []pickTarget {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]pickTarget, 0, len(p.picks))
	for _, pt := range p.picks {
		out = append(out, pt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ticket < out[j].ticket })
	return out
}

// menu returns the menu on show for ticket.
func (p *poster) menu(ticket string) (pickTarget, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pt, ok := p.picks[strings.ToUpper(ticket)]
	return pt, ok
}

const usagePick = "usage: :pick <ticket> <outcome-key> (:pick alone lists the menus)"

// pick is :pick: alone it lists the menus on show; with a ticket and an
// outcome key it picks that option in the ticket's menu, sending the core
// the Action a click on a chat platform sends.
func (s *Shell) pick(ctx context.Context, args []string) error {
	switch len(args) {
	case 0:
		return s.listMenus()
	case 2:
	default:
		return errors.New(usagePick)
	}
	pt, ok := s.poster.menu(args[0])
	if !ok {
		return fmt.Errorf("no triage message on show has a menu for %s (:pick lists them; /tag %s <outcome-key> tags it anyway)", args[0], args[0])
	}
	i := slices.IndexFunc(pt.picker.Options, func(c commands.Choice) bool { return strings.EqualFold(c.Value, args[1]) })
	if i < 0 {
		return fmt.Errorf("%s's menu has no %q: pick one of %s", pt.ticket, args[1], strings.Join(choiceValues(pt.picker.Options), ", "))
	}
	s.handle(ctx, commands.Request{
		Channel: pt.source.Channel,
		Action:  &commands.Action{Name: pt.picker.Action, Value: pt.picker.Value, Choice: pt.picker.Options[i].Value},
		Source:  pt.source,
	})
	return nil
}

// listMenus prints the menus on show, one ticket a line.
func (s *Shell) listMenus() error {
	menus := s.poster.menus()
	if len(menus) == 0 {
		return fmt.Errorf("no triage message on show has a menu; the weekly triage posts them (:tick when it is due)")
	}
	for _, pt := range menus {
		s.printf("%s in #%s [%s]: %s\n", pt.ticket, pt.source.Channel, pt.source.ID, strings.Join(choiceValues(pt.picker.Options), " | "))
	}
	return nil
}

// choiceValues lists the options' values.
func choiceValues(cs []commands.Choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Value
	}
	return out
}
