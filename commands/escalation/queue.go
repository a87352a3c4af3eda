package escalation

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

const usageList = "/escalate list [assigned|raised|open|overdue|all] [outcome=<key>] [page=2]"

// ActionListMore is the "More" button of a long /escalate list: its value
// is the list's arguments with the next page.
const ActionListMore = "escalation_list"

// Queue limits: a page of the list, and the most escalations one list reads.
const (
	queuePage = 25
	queueRead = 1000
)

// listModes are the lists /escalate list shows; "mine" is the old name of
// "raised".
var listModes = []string{"assigned", "raised", "open", "overdue", "all"}

// escalationList shows a queue: assigned (open escalations on the outcomes
// the caller owns in IT; every open one for leads and admins who own none;
// the default for IT owners and leads), raised (by the caller or joined;
// the default for others), open, overdue or all, optionally one outcome's.
// It is sorted overdue first (most overdue first), then oldest first; each
// line says when it is due or how overdue it is; long lists page.
func (c *Escalations) escalationList(ctx context.Context, req commands.Request, args commands.Args) (commands.Response, error) {
	if err := commands.OnlyOptions(args, usageList, "outcome", "page"); err != nil {
		return commands.Response{}, err
	}
	page, err := pageOf(args)
	if err != nil {
		return commands.Response{}, err
	}
	mode, err := modeOf(args)
	if err != nil {
		return commands.Response{}, err
	}
	key := ""
	if t, ok := args.Option("outcome"); ok {
		key = strings.ToLower(t.Text)
	}
	items, q, err := c.queueItems(ctx, req, mode, key)
	if err != nil {
		return commands.Response{}, err
	}
	return q.page(items, page), nil
}

// queueItems reads a queue (mode "" is the caller's default), sorted: in
// at most three Redis round trips (the outcomes, the open escalations and,
// only when it decides, the caller's roles).
func (c *Escalations) queueItems(ctx context.Context, req commands.Request, mode, key string) ([]record.Escalation, *queue, error) {
	var (
		outcomes []record.Outcome
		open     []record.Escalation // read with the outcomes, when the store can
		err      error
	)
	qs, both := c.store.(queueStore)
	both = both && mode != "raised" && mode != "all"
	if both {
		outcomes, open, err = qs.OutcomesAndOpen(ctx, req.Workspace, queueRead)
	} else {
		outcomes, err = c.store.ListOutcomes(ctx, req.Workspace)
	}
	if err != nil {
		return nil, nil, err
	}
	byKey := map[string]record.Outcome{}
	owned := 0
	for _, o := range outcomes {
		byKey[o.Key] = o
		if o.ITOwner == req.User {
			owned++
		}
	}
	q := &queue{c: c, now: req.Time, outcomes: byKey, key: key, may: &mayAct{c: c, ctx: ctx, req: req}}
	if mode == "" {
		mode = "raised"
		if owned > 0 || q.may.isLead() {
			mode = "assigned"
		}
	}
	q.mode = mode
	if key != "" {
		if _, known := byKey[key]; !known {
			return nil, nil, c.core.UnknownOutcome(ctx, req.Workspace, key)
		}
	}
	f := record.EscalationFilter{Limit: queueRead, OpenOnly: mode != "all" && mode != "raised"}
	if mode == "raised" {
		f.RaisedBy = req.User
	}
	es := open
	if !both || !f.OpenOnly {
		if es, err = c.store.ListEscalations(ctx, req.Workspace, f); err != nil {
			return nil, nil, err
		}
	}
	var items []record.Escalation
	for _, e := range es {
		if key != "" && e.Outcome != key {
			continue
		}
		if mode == "overdue" && !q.overdue(e) {
			continue
		}
		items = append(items, e)
	}
	if mode == "assigned" {
		// Mine: assigned to me, or on an outcome I own in IT that nobody
		// was given. Leads and admins with none see every open one.
		var mine []record.Escalation
		for _, e := range items {
			if responsible(e, byKey[e.Outcome]) == req.User {
				mine = append(mine, e)
			}
		}
		if len(mine) > 0 || owned > 0 || !q.may.isLead() {
			items = mine
		}
	}
	q.sort(items)
	return items, q, nil
}

// queueStore is an optional Store capability: the outcomes and the open
// escalations read together (in two round trips instead of four).
type queueStore interface {
	OutcomesAndOpen(ctx context.Context, ws string, limit int) ([]record.Outcome, []record.Escalation, error)
}

// modeOf reads the list's mode ("" when not given: the caller's default).
func modeOf(args commands.Args) (string, error) {
	w, ok := args.Word(0)
	if !ok {
		return "", nil
	}
	mode := strings.ToLower(w.Text)
	if mode == "mine" {
		mode = "raised"
	}
	if !slices.Contains(listModes, mode) || len(args.Words) > 1 {
		return "", commands.Userf("Usage: %s — `%s` is not one of %s.", commands.Code(usageList), commands.Clip(w.Text, 20), strings.Join(listModes, ", "))
	}
	return mode, nil
}

// pageOf reads page=<n> (default 1).
func pageOf(args commands.Args) (int, error) {
	t, ok := args.Option("page")
	if !ok {
		return 1, nil
	}
	n, err := strconv.Atoi(t.Text)
	if err != nil || n < 1 || n > queueRead/queuePage {
		return 0, commands.Userf("`page=%s` is not a page number: use page=2, page=3, …", commands.Clip(t.Text, 10))
	}
	return n, nil
}

// queue lays out one list.
type queue struct {
	c         *Escalations
	now       time.Time
	outcomes  map[string]record.Outcome
	mode, key string
	may       *mayAct // who may act on which entry (its buttons)
}

// due is when e's acknowledgement is due (its SLA after it was raised,
// counted in its outcome's business hours).
func (q *queue) due(e record.Escalation) time.Time {
	o := q.outcomes[e.Outcome]
	return q.c.core.HoursFor(o).Add(e.ClockFrom(), commands.EscalationSLA(o, q.c.cfg.AckSLA))
}

// overdue reports whether e waits for acknowledgement past its SLA.
func (q *queue) overdue(e record.Escalation) bool {
	return e.State == record.StateOpen && q.now.After(q.due(e))
}

// sort orders overdue first (most overdue first), then the oldest first.
// Each due time is worked out once (business hours make it costly), not
// at every comparison.
func (q *queue) sort(es []record.Escalation) {
	due := make(map[int64]time.Time, len(es))
	for _, e := range es {
		if e.State == record.StateOpen {
			due[e.N] = q.due(e)
		}
	}
	overdue := func(e record.Escalation) bool { d, ok := due[e.N]; return ok && q.now.After(d) }
	slices.SortStableFunc(es, func(a, b record.Escalation) int {
		oa, ob := overdue(a), overdue(b)
		switch {
		case oa && !ob:
			return -1
		case ob && !oa:
			return 1
		case oa && ob:
			return due[a.N].Compare(due[b.N])
		}
		if c := a.RaisedAt.Compare(b.RaisedAt); c != 0 {
			return c
		}
		return int(a.N - b.N)
	})
}

// page renders page n of es.
func (q *queue) page(es []record.Escalation, n int) commands.Response {
	mode, key := q.mode, q.key
	what := map[string]string{"assigned": "assigned to you", "raised": "raised by you", "open": "open", "overdue": "overdue", "all": "all"}[mode]
	if key != "" {
		what += " · " + key
	}
	if len(es) == 0 {
		return commands.Response{Text: fmt.Sprintf("No escalations (%s).", what)}
	}
	from := (n - 1) * queuePage
	if from >= len(es) {
		return commands.Response{Text: fmt.Sprintf("There are %d escalations (%s): page %d is past the end.", len(es), what, n)}
	}
	to := min(from+queuePage, len(es))
	resp := commands.Response{Title: fmt.Sprintf("Escalations (%s) · %d–%d of %d", what, from+1, to, len(es))}
	for _, e := range es[from:to] {
		s := commands.Section{Text: q.line(e)}
		if q.may.on(e, q.outcomes[e.Outcome]) {
			s.Buttons = entryButtons(e)
		}
		resp.Sections = append(resp.Sections, s)
	}
	if to < len(es) {
		next := mode + " page=" + strconv.Itoa(n+1)
		if key != "" {
			next += " outcome=" + key
		}
		resp.Context = "More: " + commands.Code("/escalate list "+next)
		resp.Buttons = []commands.Button{{Label: "More", Action: ActionListMore, Value: next}}
	}
	return resp
}

// line is one escalation of a list: what, where it stands, and when it is
// due or how overdue it is.
func (q *queue) line(e record.Escalation) string {
	var when string
	switch {
	case e.State == record.StateResolved:
		when = "resolved"
	case e.State == record.StateAcknowledged:
		when = "acknowledged by " + commands.Mention(e.AckBy)
	case q.overdue(e):
		when = commands.Bold("overdue by " + commands.DurationText(q.c.core.HoursFor(q.outcomes[e.Outcome]).Between(q.due(e), q.now)))
	default:
		when = "due in " + commands.DurationText(q.due(e).Sub(q.now))
	}
	return fmt.Sprintf("%s %s → %s · %s · raised by %s %s ago: %s", commands.Bold(commands.EscID(e.N)), q.c.core.TicketText(e.Ref), commands.Code(e.Outcome),
		when, commands.Mention(e.RaisedBy), commands.DurationText(q.now.Sub(e.RaisedAt)), commands.Clip(e.Reason, 120))
}

// leadOrAdmin reports whether req's caller holds a role (it-lead or
// admin): with nothing of their own, their queue is every open escalation.
func (c *Escalations) leadOrAdmin(ctx context.Context, req commands.Request) bool {
	if c.core.IsConfiguredAdmin(req.User) {
		return true
	}
	roles, err := c.core.RolesOf(ctx, req.Workspace, req.User)
	return err == nil && len(roles) > 0
}
