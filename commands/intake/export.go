package intake

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// ExportColumns is the header of an export. The first columns are the ones
// ImportCSV reads, so an export imports back unchanged.
var ExportColumns = []string{
	"ref", "title", "outcome", "status", "requester", "opened", "url",
	"source", "first_seen", "updated", "tag_history", "escalations",
}

// ExportCSV writes every request of workspace ws as CSV for BI tools, in the
// order they were received: reference, title, outcome, status, requester,
// opened date, link, source, first seen and last updated (RFC 3339, UTC),
// the tag history ("2026-11-16T09:30:00Z none -> pos by U123: note", oldest
// first, joined by " | ") and the escalations ("E-7 acknowledged: raised
// … by U1; acknowledged … by U2 after 1h 12m"). Cells that a spreadsheet
// would run as a formula (starting with = + - @) are written with a leading
// apostrophe, which ImportCSV drops again. Requests are read in pages, so
// memory stays flat in their number (escalations are read whole first).
func (c *Intake) ExportCSV(ctx context.Context, ws string, w io.Writer) (int, error) {
	escs, err := c.store.EscalationsByRef(ctx, ws)
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", ws, err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return 0, fmt.Errorf("export %s: %w", ws, err)
	}
	n := 0
	row := make([]string, len(ExportColumns))
	err = c.store.EachRequest(ctx, ws, 500, func(rs []record.Request) error {
		for _, r := range rs {
			exportRow(row, r, escs[r.Ref])
			if err := cw.Write(row); err != nil {
				return err
			}
			n++
		}
		cw.Flush()
		return cw.Error()
	})
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		return n, fmt.Errorf("export %s after %d requests: %w", ws, n, err)
	}
	return n, nil
}

// exportRow fills row with one request, in ExportColumns order.
func exportRow(row []string, r record.Request, escs []record.Escalation) {
	vals := []string{
		r.Ref, r.Title, r.Outcome, r.Status, r.Requester, isoTime(r.Opened), r.URL,
		r.Source, isoTime(r.FirstSeen), isoTime(r.Updated), historyCell(r.History), escalationsCell(escs),
	}
	for i, v := range vals {
		row[i] = escapeFormula(v)
	}
}

// historyCell renders a tag history for one cell.
func historyCell(hs []record.TagChange) string {
	parts := make([]string, 0, len(hs))
	for _, h := range hs {
		p := isoTime(h.At) + " " + keyOrNone(h.From) + " -> " + keyOrNone(h.To) + " by " + h.By
		if h.Note != "" {
			p += ": " + h.Note
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " | ")
}

// escalationsCell renders a request's escalations for one cell.
func escalationsCell(es []record.Escalation) string {
	parts := make([]string, 0, len(es))
	for _, e := range es {
		p := commands.EscID(e.N) + " " + e.State + ": raised " + isoTime(e.RaisedAt) + " by " + e.RaisedBy
		if !e.AckAt.IsZero() {
			p += "; acknowledged " + isoTime(e.AckAt) + " by " + e.AckBy + " after " + commands.DurationText(e.AckAt.Sub(e.RaisedAt))
		}
		if !e.ResolvedAt.IsZero() {
			p += "; resolved " + isoTime(e.ResolvedAt) + " by " + e.ResolvedBy
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " | ")
}

// keyOrNone renders an outcome key, "none" for no outcome.
func keyOrNone(k string) string {
	if k == "" {
		return "none"
	}
	return k
}

// isoTime renders t as RFC 3339 in UTC, "" for the zero time.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// formulaStart are the first characters that make a spreadsheet run a cell.
const formulaStart = "=+-@\t\r"

// escapeFormula prefixes a cell a spreadsheet would run as a formula with
// an apostrophe (OWASP's advice for CSV injection). A cell that already
// starts with apostrophes before such a character gets one more, so that
// unescapeFormula, which drops one, gives back the text as it was: for every
// s, unescapeFormula(escapeFormula(s)) == s.
func escapeFormula(s string) string {
	if startsFormula(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// unescapeFormula undoes escapeFormula: it drops the first of the
// apostrophes before a formula character. Any other cell, an apostrophe
// typed before a word ('quoted') included, is kept as it is.
func unescapeFormula(s string) string {
	if strings.HasPrefix(s, "'") && startsFormula(strings.TrimLeft(s, "'")) {
		return s[1:]
	}
	return s
}

// startsFormula reports whether s starts with a character that makes a
// spreadsheet run the cell.
func startsFormula(s string) bool {
	return s != "" && strings.ContainsRune(formulaStart, rune(s[0]))
}
