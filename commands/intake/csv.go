package intake

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// This file imports a spreadsheet of requests: CSV read as a stream, in
// batches of Core.Intake, so memory stays flat in the file's size.

// ImportFields are the columns an import reads, in the order the header
// aliases are tried.
var ImportFields = []string{"ref", "title", "outcome", "requester", "opened", "status", "url"}

// importAliases are the header names each field is found by, compared
// lower-cased with spaces, dashes, underscores, dots and '#' dropped.
var importAliases = map[string][]string{
	"ref":       {"ref", "ticket", "reference", "ticketref", "ticketnumber", "ticketno", "ticketid", "number", "key", "issuekey", "issue", "id", "incident", "request"},
	"title":     {"title", "summary", "shortdescription", "subject", "description", "name"},
	"outcome":   {"outcome", "outcomekey", "businessoutcome"},
	"requester": {"requester", "requestor", "requestedby", "requestedfor", "caller", "callerid", "reporter", "openedby", "customer", "user"},
	"opened":    {"opened", "openedat", "openedon", "dateopened", "created", "createdat", "createdon", "datecreated", "date", "submitted", "raised"},
	"status":    {"status", "state"},
	"url":       {"url", "link", "ticketurl", "href"},
}

// ImportOptions configure an import.
type ImportOptions struct {
	// Columns maps a field of ImportFields to the header name that holds it,
	// for headers the aliases do not know ("Ticket #", "Vorgang").
	Columns map[string]string
	// DryRun checks every row and reports what would happen, writing nothing.
	DryRun bool
	// Loc is the zone of dates without one; nil means the default zone.
	Loc *time.Location
	// Name is the file's name, for the tag history note.
	Name string
	// Comma is the field separator; 0 detects ',' ';' or tab from the header.
	Comma rune
	// BatchSize is how many rows go to the store at once (default 1000,
	// at most MaxIntakeItems).
	BatchSize int
	// MaxProblems bounds the rejected rows kept in the summary (default
	// 1000); the rest are only counted.
	MaxProblems int
	// Progress, when set, is told after each batch how many bytes of the
	// file were read.
	Progress func(read int64)
}

// ImportSummary says what an import did (or, in a dry run, would do).
type ImportSummary struct {
	DryRun                              bool
	Rows                                int // data rows read
	Created, Updated, Unchanged, Tagged int
	Rejected                            int
	Problems                            []ImportProblem // the first MaxProblems rejected rows
	// Warned counts the rows stored with a warning (an unknown or archived
	// outcome left out); Warnings holds the first MaxProblems of them.
	Warned   int
	Warnings []ImportProblem
	// Escalations lists the rows that resolved (closed ticket) or reopened
	// (reopened ticket) their ticket's escalation: Reason is "E-4 resolved".
	// An import posts nothing in chat, so the summary lists them for the
	// importer to tell the people waiting.
	Escalations []ImportProblem
	Columns     map[string]string
	Header      []string
}

// ImportProblem is one rejected row, or one row stored with a warning.
type ImportProblem struct {
	Line   int // 1-based line of the row's start in the file
	Ref    string
	Reason string
}

// ImportCSV imports requests into workspace ws from a CSV stream: UTF-8
// with or without a byte-order mark, quoted fields (commas and line breaks
// inside quotes), columns found by their header (ticket/ref, title,
// outcome, requester, opened, status, url; see ImportOptions.Columns).
// Each row is an intake item (source "csv"): created or updated by its
// reference, tagged when its outcome column names one ("none" untags, empty
// keeps). A row is rejected, with its line and reason, when its reference,
// date or url is bad or its reference repeats an earlier row's; the others
// go on. A row naming an unknown or archived outcome is stored without it
// and listed, with its line, among the warnings. Rows go to the store in pipelined batches. The error is
// for the whole import: no usable header, an unreadable file, or the store
// unavailable (the rows before were written; importing again is safe).
func (c *Intake) ImportCSV(ctx context.Context, ws string, r io.Reader, opts ImportOptions) (ImportSummary, error) {
	sum := ImportSummary{DryRun: opts.DryRun}
	batchSize := opts.BatchSize
	if batchSize <= 0 || batchSize > MaxIntakeItems {
		batchSize = MaxIntakeItems
	}
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 1000
	}
	counted := &countingReader{r: r}
	cr, err := newCSVReader(counted, opts.Comma)
	if err != nil {
		return sum, err
	}
	header, err := cr.Read()
	if err != nil {
		return sum, fmt.Errorf("import: read the header: %w", err)
	}
	sum.Header = slices.Clone(header) // the reader reuses its record
	cols, err := mapColumns(sum.Header, opts.Columns)
	if err != nil {
		return sum, err
	}
	sum.Columns = cols.names(sum.Header)
	run := newRunID()
	defer func() { _ = c.EndImport(context.WithoutCancel(ctx), ws, run) }()
	iopts := Options{DryRun: opts.DryRun, Run: run, Loc: opts.Loc, Note: importNote(opts.Name)}
	batch := make([]Item, 0, batchSize)
	lines := make([]int, 0, batchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := c.Take(ctx, ws, batch, iopts)
		if err != nil {
			return fmt.Errorf("import rows from line %d: %w", lines[0], err)
		}
		for i, r := range res {
			sum.count(r, lines[i], opts.MaxProblems)
		}
		batch, lines = batch[:0], lines[:0]
		if opts.Progress != nil {
			opts.Progress(counted.n)
		}
		return nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			sum.Rows++
			sum.reject(pe.StartLine, "", "unreadable CSV: "+pe.Err.Error(), opts.MaxProblems)
			continue
		}
		if err != nil {
			return sum, fmt.Errorf("import: read the file after %d rows: %w", sum.Rows, err)
		}
		line, _ := cr.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		sum.Rows++
		batch = append(batch, cols.item(rec, line))
		lines = append(lines, line)
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	return sum, flush()
}

// count adds one row's result to the summary.
func (s *ImportSummary) count(r ItemResult, line, maxProblems int) {
	switch r.Result {
	case ResultCreated:
		s.Created++
	case ResultUpdated:
		s.Updated++
	case ResultUnchanged:
		s.Unchanged++
	default:
		s.reject(line, r.Ref, r.Reason, maxProblems)
		return
	}
	if r.Tagged {
		s.Tagged++
	}
	if r.Escalation != "" && len(s.Escalations) < maxProblems {
		s.Escalations = append(s.Escalations, ImportProblem{Line: line, Ref: r.Ref, Reason: r.Escalation + " " + r.EscalationChange})
	}
	if r.Warning != "" {
		s.Warned++
		if len(s.Warnings) < maxProblems {
			s.Warnings = append(s.Warnings, ImportProblem{Line: line, Ref: r.Ref, Reason: r.Warning})
		}
	}
}

// reject counts a rejected row, keeping the first maxProblems.
func (s *ImportSummary) reject(line int, ref, reason string, maxProblems int) {
	s.Rejected++
	if len(s.Problems) < maxProblems {
		s.Problems = append(s.Problems, ImportProblem{Line: line, Ref: ref, Reason: reason})
	}
}

// importNote is the tag history note of an import.
func importNote(name string) string {
	if name == "" {
		return "imported from a spreadsheet"
	}
	return "imported from " + commands.Clip(name, 80)
}

// columns says which record index holds each field (-1: none).
type columns map[string]int

// mapColumns finds each field's column: an explicit name from override
// first, then the aliases. The reference column is required.
func mapColumns(header []string, override map[string]string) (columns, error) {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = headerKey(h)
	}
	cols := columns{}
	for _, f := range ImportFields {
		cols[f] = -1
	}
	for f, name := range override {
		if _, ok := cols[f]; !ok {
			return nil, fmt.Errorf("import: no field %q to map (fields: %s)", f, strings.Join(ImportFields, ", "))
		}
		i := slices.Index(norm, headerKey(name))
		if i < 0 {
			return nil, fmt.Errorf("import: no column %q for %s in the header (%s)", name, f, strings.Join(header, ", "))
		}
		cols[f] = i
	}
	for _, f := range ImportFields {
		if cols[f] >= 0 {
			continue
		}
		for _, alias := range importAliases[f] {
			if i := slices.Index(norm, alias); i >= 0 && !cols.taken(i) {
				cols[f] = i
				break
			}
		}
	}
	if cols["ref"] < 0 {
		return nil, fmt.Errorf("import: no ticket column in the header (%s): name one ticket, ref or number, or map it with --ref-column", strings.Join(header, ", "))
	}
	return cols, nil
}

// taken reports whether column i is already some field's.
func (c columns) taken(i int) bool {
	for _, j := range c {
		if j == i {
			return true
		}
	}
	return false
}

// names reports the header name each found field was read from.
func (c columns) names(header []string) map[string]string {
	out := make(map[string]string)
	for f, i := range c {
		if i >= 0 {
			out[f] = header[i]
		}
	}
	return out
}

// item builds one row's intake item.
func (c columns) item(rec []string, line int) Item {
	get := func(f string) string {
		if i := c[f]; i >= 0 && i < len(rec) {
			return unescapeFormula(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	it := Item{
		Ref: get("ref"), Title: get("title"), Outcome: get("outcome"), Requester: get("requester"),
		Opened: get("opened"), Status: get("status"), URL: get("url"),
		Source: record.SourceCSV, Seen: "line " + strconv.Itoa(line),
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			it.Reject = "not UTF-8 text: save the spreadsheet as \"CSV UTF-8\""
			break
		}
	}
	return it
}

// headerKey normalises a header name for matching.
func headerKey(h string) string {
	h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.', '#', '\t':
			return -1
		}
		return r
	}, strings.ToLower(h))
}

// blankRecord reports whether every field is empty (a spreadsheet's trailing rows).
func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// newCSVReader skips a UTF-8 byte-order mark and picks the separator:
// comma unless the header line has none and has semicolons (European
// spreadsheets) or tabs.
func newCSVReader(r io.Reader, comma rune) (*csv.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	if comma == 0 {
		head, err := br.Peek(br.Size())
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("import: read the header: %w", err)
		}
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			head = head[:i]
		}
		comma = ','
		switch {
		case bytes.IndexByte(head, ',') >= 0:
		case bytes.IndexByte(head, ';') >= 0:
			comma = ';'
		case bytes.IndexByte(head, '\t') >= 0:
			comma = '\t'
		}
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// newRunID returns a random id for an import run.
func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
