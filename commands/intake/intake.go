package intake

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"

	"github.com/outcomebot/outcomebot/store/record"
)

// This file brings requests in from outside chat: an ITSM pushing to the
// intake API, or a spreadsheet imported from the command line. Both end in
// Core.Intake, which checks each item, writes the good ones in one
// pipelined round trip and says per item what happened.

// MaxIntakeItems is the most items one Intake call (and one intake API
// call) takes.
const MaxIntakeItems = 1000

// Limits on intake text: longer titles and requesters are cut, not refused.
const (
	maxIntakeTitle     = 300
	maxIntakeRequester = 120
	maxIntakeURL       = 2000
	// maxFuture is how far in the future an opened date may be (clock skew
	// and zone mistakes), beyond which it is refused.
	maxFuture = 24 * time.Hour
)

// Item is one request as its source describes it, before any check.
type Item struct {
	// Ref is the ticket reference as the source gives it (a number, key or
	// URL); it is normalised as /tag normalises it.
	Ref       string
	Title     string
	Requester string
	URL       string
	// Status is the source's status word ("In Progress", "Resolved",
	// "closed"…); "" keeps the request's status (open when new). See
	// ParseStatus.
	Status string
	// Opened is the source's opened date as text; "" when unknown. See
	// ParseIntakeTime.
	Opened string
	// Outcome is an outcome key to tag the request to, "none" to untag it,
	// "" to keep its outcome.
	Outcome string
	// Source names the sender: record.SourceAPI, record.SourceJira, record.SourceServiceNow,
	// record.SourceCSV. It is also the actor the audit and tag history name.
	Source string
	// Seen names the item for a duplicate's reason ("line 12"); used with
	// Options.Run.
	Seen string
	// Reject, when set, refuses the item with this reason without looking
	// further: the adapter found it unusable (an unhandled webhook event).
	Reject string
}

// Options apply to one Intake call.
type Options struct {
	// DryRun checks and reports without writing.
	DryRun bool
	// Run, when set, names an import run in which a reference may appear
	// once: a repeat is rejected naming the first item's Seen. End the run
	// with Core.EndImport.
	Run string
	// Loc is the zone of dates written without one; nil means the default
	// zone (OUTCOMEBOT_TZ).
	Loc *time.Location
	// At is the time of the change; zero means the clock's.
	At time.Time
	// Note goes into the tag history of the items that (re)tag, e.g.
	// "imported from requests.csv".
	Note string
}

// Intake results.
const (
	ResultCreated   = record.IntakeCreated
	ResultUpdated   = record.IntakeUpdated
	ResultUnchanged = record.IntakeUnchanged
	ResultRejected  = "rejected"
)

// ItemResult says what one item did.
type ItemResult struct {
	// Ref is the normalised reference ("" when the item had none usable).
	Ref string `json:"ref,omitempty"`
	// Result is ResultCreated, ResultUpdated, ResultUnchanged or
	// ResultRejected (in a dry run: what would happen).
	Result string `json:"result"`
	// Reason says why an item was rejected, in plain text.
	Reason string `json:"reason,omitempty"`
	// Outcome is the request's outcome after the item ("" for none).
	Outcome string `json:"outcome,omitempty"`
	// Tagged is set when the item (re)tagged or untagged the request.
	Tagged bool `json:"tagged,omitempty"`
	// Changed lists the fields the item changed.
	Changed []string `json:"changed,omitempty"`
	// Warning, on a stored item, says what of it was left out: an unknown
	// or archived outcome (the request was stored without it).
	Warning string `json:"warning,omitempty"`
	// Escalation is the ticket's escalation ("E-4") the item resolved (it
	// closed the ticket) or reopened (it reopened the ticket), as
	// EscalationChange says ("resolved" or "reopened"); "" for none.
	Escalation       string `json:"escalation,omitempty"`
	EscalationChange string `json:"escalation_change,omitempty"`
}

// Take checks each item and creates or updates the good ones' requests in
// workspace ws: one pipelined round trip for the whole call, one atomic,
// audited write per item. Each item is idempotent on its normalised
// reference: sending it again reports ResultUnchanged. An item naming an
// outcome tags the request exactly as /tag does (history, audit, open
// sets); a closed status closes the request and takes it out of its
// outcome's open set. An item naming an unknown or archived outcome is
// stored without it (a new request untagged, an existing one keeps its
// outcome) and its result carries a Warning: the work still counts, as
// drift. A bad item is rejected with its reason and never blocks the
// others. The error is for the whole call: too many items, or the store is
// unavailable (errors.Is record.ErrUnavailable; sending the call again is
// safe).
func (c *Intake) Take(ctx context.Context, ws string, items []Item, opts Options) ([]ItemResult, error) {
	if len(items) > MaxIntakeItems {
		return nil, fmt.Errorf("intake into %s: %d items, the limit is %d", ws, len(items), MaxIntakeItems)
	}
	at, loc := opts.At, opts.Loc
	if at.IsZero() {
		at = c.clock.Now()
	}
	if loc == nil {
		loc = c.cfg.DefaultTZ
	}
	results := make([]ItemResult, len(items))
	batch := make([]record.IntakeItem, 0, len(items))
	index := make([]int, 0, len(items))
	tags := false
	for i, it := range items {
		si, reason := prepareIntake(it, at, loc)
		if reason != "" {
			results[i] = ItemResult{Ref: si.Ref, Result: ResultRejected, Reason: reason}
			continue
		}
		tags = tags || si.Outcome != ""
		batch = append(batch, si)
		index = append(index, i)
	}
	if len(batch) == 0 {
		return results, nil
	}
	warnings := make([]string, len(batch))
	var active []string
	if tags {
		// One read of the outcomes for the call: an item whose outcome is
		// unknown or archived goes in without it, with a warning.
		all, err := c.store.ListOutcomes(ctx, ws)
		if err != nil {
			return nil, fmt.Errorf("intake into %s: %w", ws, err)
		}
		status := make(map[string]string, len(all))
		for _, o := range all {
			status[o.Key] = o.Status
			if o.Status != record.OutcomeArchived {
				active = append(active, o.Key)
			}
		}
		for j := range batch {
			if key := batch[j].Outcome; key != "" {
				if st, ok := status[key]; !ok {
					warnings[j] = outcomeWarning(key, record.ErrNotFound, active)
				} else if st == record.OutcomeArchived {
					warnings[j] = outcomeWarning(key, record.ErrArchived, active)
				}
				if warnings[j] != "" {
					batch[j].Outcome = ""
				}
			}
		}
	}
	sopts := record.IntakeOptions{At: at, DryRun: opts.DryRun, Run: opts.Run, Note: opts.Note, ReopenWindow: reopenWindow}
	res, err := c.store.Intake(ctx, ws, batch, sopts)
	if err != nil {
		return nil, fmt.Errorf("intake into %s: %w", ws, err)
	}
	// An outcome removed or archived since the read above: the store
	// refused those items and wrote nothing; they go again without it.
	var again []int
	for j, r := range res {
		if errors.Is(r.Err, record.ErrNotFound) || errors.Is(r.Err, record.ErrArchived) {
			warnings[j] = outcomeWarning(batch[j].Outcome, r.Err, active)
			batch[j].Outcome = ""
			again = append(again, j)
		}
	}
	if len(again) > 0 {
		retry := make([]record.IntakeItem, len(again))
		for k, j := range again {
			retry[k] = batch[j]
		}
		res2, err := c.store.Intake(ctx, ws, retry, sopts)
		if err != nil {
			return nil, fmt.Errorf("intake into %s: %w", ws, err)
		}
		for k, j := range again {
			res[j] = res2[k]
		}
	}
	for j, r := range res {
		results[index[j]] = intakeOutcome(batch[j], r)
		if results[index[j]].Result != ResultRejected {
			results[index[j]].Warning = warnings[j]
		}
	}
	c.announceChanges(ctx, ws, res, at)
	return results, nil
}

// EndImport forgets an import run's references (see Options.Run).
func (c *Intake) EndImport(ctx context.Context, ws, run string) error {
	return c.store.EndImportRun(ctx, ws, run)
}

// prepareIntake checks and normalises one item; a non-empty reason rejects it.
func prepareIntake(it Item, at time.Time, loc *time.Location) (record.IntakeItem, string) {
	if it.Reject != "" {
		return record.IntakeItem{Ref: refOrEmpty(it.Ref)}, it.Reject
	}
	if strings.TrimSpace(it.Ref) == "" {
		return record.IntakeItem{}, "no ticket reference"
	}
	ref, err := commands.NormalizeRef(commands.StripMarkers(it.Ref))
	if err != nil {
		return record.IntakeItem{}, reasonOf(err)
	}
	si := record.IntakeItem{
		Ref:       ref,
		Title:     commands.Clip(oneLine(it.Title), maxIntakeTitle),
		Requester: commands.Clip(oneLine(it.Requester), maxIntakeRequester),
		Source:    it.Source,
		Actor:     it.Source,
		Status:    ParseStatus(it.Status),
		Seen:      it.Seen,
	}
	si.EscalationNote = escalationNote(it, si.Status)
	if si.URL, err = intakeURL(it.URL); err != nil {
		return si, reasonOf(err)
	}
	if strings.TrimSpace(it.Opened) != "" {
		t, err := ParseIntakeTime(it.Opened, loc)
		if err != nil {
			return si, reasonOf(err)
		}
		if t.After(at.Add(maxFuture)) {
			return si, fmt.Sprintf("opened date %s is in the future", t.Format("2006-01-02 15:04 MST"))
		}
		si.Opened = t
	}
	switch key := strings.ToLower(strings.TrimSpace(it.Outcome)); {
	case key == "":
	case key == "none":
		si.Untag = true
	case !commands.ValidOutcomeKey(key):
		return si, fmt.Sprintf("%q is not an outcome key (2–32 lower-case letters, digits and dashes)", commands.Clip(it.Outcome, 40))
	default:
		si.Outcome = key
	}
	return si, ""
}

// refOrEmpty normalises ref, or gives "" when it is not one.
func refOrEmpty(ref string) string {
	r, err := commands.NormalizeRef(commands.StripMarkers(ref))
	if err != nil {
		return ""
	}
	return r
}

// intakeURL checks a ticket URL: empty, or http(s) with a host.
func intakeURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > maxIntakeURL {
		return "", commands.Userf("url is too long (%d characters; the limit is %d)", len(s), maxIntakeURL)
	}
	u, err := url.Parse(s)
	if err != nil || !commands.IsHTTPURL(s) || u.Host == "" || u.User != nil || strings.ContainsAny(s, " <>\"`") {
		return "", commands.Userf("url %q is not an http(s) link to the ticket", commands.Clip(s, 60))
	}
	return s, nil
}

// intakeOutcome turns the store's verdict on one item into its result.
func intakeOutcome(si record.IntakeItem, r record.IntakeResult) ItemResult {
	out := ItemResult{Ref: si.Ref}
	switch {
	case errors.Is(r.Err, record.ErrDuplicate):
		out.Result, out.Reason = ResultRejected, fmt.Sprintf("the same ticket as %s (each ticket may appear once)", r.FirstSeen)
	case r.Err != nil:
		out.Result, out.Reason = ResultRejected, "not recorded"
	default:
		out.Result, out.Outcome, out.Tagged, out.Changed = r.Verdict, r.Outcome, r.Tagged(), r.Changed
		if r.Escalation != 0 {
			out.Escalation, out.EscalationChange = commands.EscID(r.Escalation), r.EscalationChange
		}
	}
	return out
}

// outcomeWarning explains why an item's outcome was left out (err is
// record.ErrNotFound or record.ErrArchived), with a suggestion.
func outcomeWarning(key string, err error, active []string) string {
	const stored = "; the request was stored without it"
	if errors.Is(err, record.ErrArchived) {
		return fmt.Sprintf("outcome %q is archived%s: tag the work to an active outcome", key, stored)
	}
	if s := commands.Nearest(key, active); s != "" {
		return fmt.Sprintf("no outcome %q; did you mean %q? The request was stored without it", key, s)
	}
	if len(active) == 0 {
		return fmt.Sprintf("no outcome %q: this workspace has no outcomes yet%s", key, stored)
	}
	return fmt.Sprintf("no outcome %q (outcomes: %s)%s", key, strings.Join(firstN(active, 8), ", "), stored)
}

// reasonOf renders an error as a plain-text reason: a UserError's message,
// anything else as "invalid".
func reasonOf(err error) string {
	if ue, ok := commands.AsUserError(err); ok {
		return strings.ReplaceAll(commands.PlainText(ue.Msg), "`", `"`)
	}
	return "invalid: " + err.Error()
}

// oneLine strips markup runes and folds line breaks and tabs into spaces.
func oneLine(s string) string {
	s = commands.StripMarkers(s)
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return strings.TrimSpace(s)
}

// firstN returns at most n of ss, with "…" when cut.
func firstN(ss []string, n int) []string {
	if len(ss) <= n {
		return ss
	}
	return append(append([]string(nil), ss[:n]...), "…")
}
