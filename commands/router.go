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
	// Role needed, "" for anyone. Checked by the handler against the target
	// workspace (some commands need it only for some forms).
	Role    string
	Handler Handler
	// FreeText, when > 0, is the number of leading words after which the
	// rest of the text is free text (a reason, a note), taken as typed.
	FreeText int
	// Subs are subcommands chosen by the first word; Handler, if set,
	// handles the command with no or an unknown-but-allowed first word.
	Subs []Definition
}

// Router dispatches requests to definitions.
type Router struct {
	defs   []Definition
	byName map[string]*Definition
	action map[string]Handler
}

// NewRouter builds a router from definitions.
func NewRouter(defs []Definition) *Router {
	r := &Router{defs: defs, byName: map[string]*Definition{}, action: map[string]Handler{}}
	for i := range r.defs {
		r.byName[r.defs[i].Name] = &r.defs[i]
	}
	return r
}

// HandleAction registers the handler for a button action name.
func (r *Router) HandleAction(name string, h Handler) { r.action[name] = h }

// Commands returns the top-level definitions, sorted by name.
func (r *Router) Commands() []Definition {
	out := append([]Definition(nil), r.defs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Dispatch parses and routes a request.
func (r *Router) Dispatch(ctx context.Context, req Request) (Response, error) {
	if req.Action != nil {
		h, ok := r.action[req.Action.Name]
		if !ok {
			return Response{}, Userf("That button is no longer supported. Use the command instead (try `/outcome help`).")
		}
		args, err := Parse(req.Action.Value)
		if err != nil {
			return Response{}, err
		}
		return h.Handle(ctx, req, args)
	}
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(req.Command), "/"))
	def, ok := r.byName[name]
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
		if w, ok := rest.Word(0); ok && w.Kind == TokenWord && strings.EqualFold(w.Text, "help") && len(rest.Words) == 1 {
			return r.helpFor(def, sub), nil
		}
		return sub.Handler.Handle(ctx, req, rest)
	}
	if word == "help" {
		return r.Help(def), nil
	}
	if def.Handler != nil {
		return def.Handler.Handle(ctx, req, args)
	}
	if !hasFirst {
		return r.Help(def), nil
	}
	return Response{}, Userf("Unknown subcommand `%s` for /%s. %s", first.Text, def.Name, subList(def))
}

func subList(def *Definition) string {
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
