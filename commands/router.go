package commands

import (
	"context"
	"sort"
	"strings"
)

// Handler handles one request.
type Handler interface {
	Handle(ctx context.Context, req Request, args Args) (Response, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req Request, args Args) (Response, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, req Request, args Args) (Response, error) {
	return f(ctx, req, args)
}

// Definition describes one command or subcommand; the router and its help
// are built from these.
type Definition struct {
	Name    string
	Usage   string // e.g. "/tag <ticket> <outcome-key>|none [note…]"
	Summary string
	Example string
	// Role is the role the command needs ("" for anyone; admins always
	// pass). The router checks it, in the request's workspace, before the
	// handler runs, so a handler cannot forget it.
	Role string
	// RoleWhen, when set, limits Role to the forms it accepts (for example
	// /outcome triage needs admin only to change the setting, not to show it).
	RoleWhen func(Args) bool
	// Doing names what the role allows, for the refusal ("You need the admin
	// role to define outcomes"); empty uses Summary.
	Doing string
	// Atomic marks a command whose store operation checks the role itself,
	// in the same atomic step as the change (acknowledge, resolve): the
	// router does not read the caller's roles first, and hands the handler
	// the roles to check in Request.Need instead.
	Atomic  bool
	Handler Handler
	// FreeText, when > 0, is the number of leading words after which the
	// rest of the text is free text (a reason, a note), taken as typed.
	FreeText int
	// Subs are subcommands chosen by the first word; Handler, if set,
	// handles the command with no or an unknown-but-allowed first word.
	Subs []Definition
}

// Authorizer checks that req's caller holds role (admins always pass); its
// error says what is needed to do what, and who can grant it. need is nil
// when the caller needs no check at all (a configured admin), else the
// roles an atomic store operation must check.
type Authorizer interface {
	Authorize(ctx context.Context, req Request, role, doing string) error
	Need(req Request, role string) []string
}

// Router dispatches requests to definitions.
type Router struct {
	defs   []Definition
	byName map[string]int
	action map[string]*Definition
	authz  Authorizer
}

// NewRouter builds a router from definitions; authz checks each
// definition's Role.
func NewRouter(defs []Definition, authz Authorizer) *Router {
	r := &Router{byName: map[string]int{}, action: map[string]*Definition{}, authz: authz}
	r.Register(defs...)
	return r
}

// Register adds definitions: one with a new Name becomes a command, one
// whose Name is already a command adds its Subs to it (and its Handler, if
// the command had none). Leaf packages register their commands this way.
func (r *Router) Register(defs ...Definition) {
	for _, d := range defs {
		i, ok := r.byName[d.Name]
		if !ok {
			r.byName[d.Name] = len(r.defs)
			r.defs = append(r.defs, d)
			continue
		}
		have := &r.defs[i]
		// A "help" subcommand stays last.
		if n := len(have.Subs); n > 0 && have.Subs[n-1].Name == "help" {
			help := have.Subs[n-1]
			have.Subs = append(append(have.Subs[:n-1:n-1], d.Subs...), help)
		} else {
			have.Subs = append(have.Subs, d.Subs...)
		}
		if have.Handler == nil {
			have.Handler = d.Handler
		}
	}
}

// HandleAction registers the definition that handles a button action: its
// Name is the action name, its Role is checked as a command's.
func (r *Router) HandleAction(def Definition) { r.action[def.Name] = &def }

// Lookup returns the command called name.
func (r *Router) Lookup(name string) (*Definition, bool) {
	i, ok := r.byName[name]
	if !ok {
		return nil, false
	}
	return &r.defs[i], true
}

// Actions returns the registered button actions, sorted by name.
func (r *Router) Actions() []Definition {
	var out []Definition
	for _, d := range r.action {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// run checks def's role and runs its handler.
func (r *Router) run(ctx context.Context, req Request, def *Definition, args Args) (Response, error) {
	if def.Role != "" && (def.RoleWhen == nil || def.RoleWhen(args)) {
		doing := def.Doing
		if doing == "" {
			doing = def.Summary
		}
		if def.Atomic {
			req.Need = r.authz.Need(req, def.Role)
		} else if err := r.authz.Authorize(ctx, req, def.Role, doing); err != nil {
			return Response{}, err
		}
	}
	return def.Handler.Handle(ctx, req, args)
}

// Commands returns the top-level definitions, sorted by name.
func (r *Router) Commands() []Definition {
	out := append([]Definition(nil), r.defs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Dispatch parses and routes a request.
func (r *Router) Dispatch(ctx context.Context, req Request) (Response, error) {
	if req.Action != nil {
		def, ok := r.action[req.Action.Name]
		if !ok {
			return Response{}, Userf("That button is no longer supported. Use the command instead (try `/outcome help`).")
		}
		args, err := Parse(StripMarkers(req.Action.Value)) // echoed by the client: never markup
		if err != nil {
			return Response{}, err
		}
		return r.run(ctx, req, def, args)
	}
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(req.Command), "/"))
	def, ok := r.Lookup(name)
	if !ok {
		return Response{}, Userf("Unknown command `%s`. Commands: %s. Try `/outcome help`.", StripMarkers(req.Command), r.names())
	}
	args, err := ParseHead(req.Text, def.FreeText)
	if err != nil {
		return Response{}, err
	}
	return r.dispatchDef(ctx, req, def, args)
}

func (r *Router) names() string {
	var ns []string
	for _, d := range r.Commands() {
		ns = append(ns, "/"+d.Name)
	}
	return strings.Join(ns, ", ")
}

func (r *Router) dispatchDef(ctx context.Context, req Request, def *Definition, args Args) (Response, error) {
	first, hasFirst := args.Word(0)
	word := ""
	if hasFirst && first.Kind == TokenWord {
		word = strings.ToLower(first.Text)
	}
	for i := range def.Subs {
		sub := &def.Subs[i]
		if word != sub.Name {
			continue
		}
		rest := shiftArgs(args)
		if def.FreeText > 0 {
			// The parent read its text as free text after the first word;
			// the subcommand's own grammar reads what follows its name.
			var err error
			if rest, err = ParseHead(args.Raw[first.End:], sub.FreeText); err != nil {
				return Response{}, err
			}
		}
		if w, ok := rest.Word(0); ok && w.Kind == TokenWord && strings.EqualFold(w.Text, "help") && len(rest.Words) == 1 {
			return r.helpFor(def, sub), nil
		}
		return r.run(ctx, req, sub, rest)
	}
	if word == "help" {
		return r.Help(def), nil
	}
	if def.Handler != nil {
		return r.run(ctx, req, def, args)
	}
	if !hasFirst {
		return r.Help(def), nil
	}
	return Response{}, Userf("Unknown subcommand `%s` for /%s. %s", first.Text, def.Name, SubList(def))
}

// SubList suggests def's subcommands after an unknown one.
func SubList(def *Definition) string {
	var ns []string
	for _, s := range def.Subs {
		ns = append(ns, "`"+s.Name+"`")
	}
	return "Try one of: " + strings.Join(ns, ", ") + ", or `/" + def.Name + " help`."
}

// Help describes one command and its subcommands; with nil, every command.
func (r *Router) Help(def *Definition) Response {
	if def == nil {
		resp := Response{Title: "outcomebot commands", Text: "Tie IT work to business outcomes. Add `help` after any command for details."}
		for _, d := range r.Commands() {
			resp.Sections = append(resp.Sections, Section{Text: usageLines(&d)})
		}
		return resp
	}
	resp := Response{Title: "/" + def.Name, Text: def.Summary}
	resp.Sections = append(resp.Sections, Section{Text: usageLines(def)})
	if def.Example != "" {
		resp.Context = "Example: " + def.Example
	}
	return resp
}

func (r *Router) helpFor(parent, sub *Definition) Response {
	resp := Response{Title: "/" + parent.Name + " " + sub.Name, Text: sub.Summary, Sections: []Section{{Text: Code(sub.Usage)}}}
	if sub.Role != "" {
		resp.Sections = append(resp.Sections, Section{Text: "Needs the " + sub.Role + " role."})
	}
	if sub.Example != "" {
		resp.Context = "Example: " + sub.Example
	}
	return resp
}

func usageLines(d *Definition) string {
	var b strings.Builder
	if d.Usage != "" {
		b.WriteString(Code(d.Usage) + " — " + d.Summary + "\n")
	}
	for _, s := range d.Subs {
		b.WriteString(Code(s.Usage) + " — " + s.Summary + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// shiftArgs drops the first positional word (a subcommand name).
func shiftArgs(a Args) Args {
	if len(a.Words) > 0 {
		a.Words = a.Words[1:]
	}
	return a
}
