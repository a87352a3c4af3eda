package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/schollz/progressbar/v3"
)

// This file is `outcomebot import` (a spreadsheet of requests in) and
// `outcomebot export` (every request out, as CSV for BI tools).

const importUsage = `Usage: outcomebot import --workspace <id> FILE.csv [--dry-run [--no-redis]]
                         [--<field>-column "Header"]…

Reads a CSV of requests (UTF-8, with or without BOM; comma, semicolon or tab
separated; quoted fields may hold commas and line breaks) into a workspace.
Columns are found by their header: ticket/ref/number, title/summary,
outcome, requester/caller, opened/created, status/state, url. Rows are
created or updated by ticket; an outcome tags the row's request as /tag
does ("none" untags, empty keeps). Each rejected row is listed with its line
and reason; the rest go in; a row naming an unknown or archived outcome goes
in untagged and is listed as a warning. --dry-run checks everything against
the bot's Redis and writes nothing. Import needs the bot's Redis (REDIS_URL,
or REDIS_SENTINEL_ADDRS / REDIS_CLUSTER_ADDRS), a dry run too; --dry-run
--no-redis checks the file alone on an empty in-memory store (every row new,
every outcome unknown).
`

const exportUsage = `Usage: outcomebot export --workspace <id> [--output FILE.csv]

Writes every request of a workspace as CSV: ref, title, outcome, status,
requester, opened, url, source, first_seen, updated, tag_history and
escalations. The file imports back unchanged.
`

// runImport runs `outcomebot import`; args are the words after "import".
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := importFlags(fs)
	ws, dry, noRedis, delim, columns := f.workspace, f.dryRun, f.noRedis, f.delimiter, f.columns
	cfg, files, err := parseToolFlags(fs, args, getenv)
	if err != nil {
		return fmt.Errorf("import: %w\n\n%s", err, importUsage)
	}
	if *ws == "" || len(files) != 1 {
		return usagef("import: need --workspace and one CSV file\n\n%s", importUsage)
	}
	if *noRedis && !*dry {
		return usagef("import: --no-redis only goes with --dry-run: an import must write into the bot's Redis\n\n%s", importUsage)
	}
	comma, err := delimiterFlag(*delim)
	if err != nil {
		return err
	}
	opts := intake.ImportOptions{DryRun: *dry, Comma: comma, Name: files[0], Columns: map[string]string{}}
	for f, v := range columns {
		if *v != "" {
			opts.Columns[f] = *v
		}
	}
	in, size, closeIn, err := openInput(files[0])
	if err != nil {
		return err
	}
	defer closeIn()
	core, closeStore, err := toolCore(ctx, "import", cfg, stderr, *noRedis)
	if err != nil {
		return err
	}
	defer closeStore()
	bar := newImportBar(stdout, size)
	if bar != nil {
		opts.Progress = func(n int64) { _ = bar.Set64(n) }
	}
	started := time.Now()
	sum, err := core.ImportCSV(ctx, *ws, in, opts)
	if bar != nil {
		_ = bar.Finish()
	}
	printImportSummary(stdout, files[0], *ws, sum, time.Since(started))
	if err != nil {
		return err
	}
	if sum.Rejected > 0 {
		return fmt.Errorf("%d of %d rows rejected (listed above); fix them and import the file again: rows already in are unchanged", sum.Rejected, sum.Rows)
	}
	return nil
}

// runExport runs `outcomebot export`; args are the words after "export".
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ws, output := exportFlags(fs)
	cfg, rest, err := parseToolFlags(fs, args, getenv)
	if err != nil {
		return fmt.Errorf("export: %w\n\n%s", err, exportUsage)
	}
	if *ws == "" || len(rest) != 0 {
		return usagef("export: need --workspace and nothing else\n\n%s", exportUsage)
	}
	core, closeStore, err := toolCore(ctx, "export", cfg, stderr, false)
	if err != nil {
		return err
	}
	defer closeStore()
	out, finish := stdout, func() error { return nil }
	if *output != "" {
		f, err := os.Create(*output)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		bw := bufio.NewWriterSize(f, 256<<10)
		out = bw
		finish = func() error { return errors.Join(bw.Flush(), f.Close()) }
	}
	n, err := core.ExportCSV(ctx, *ws, out)
	if err = errors.Join(err, finish()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "outcomebot: exported %d requests of %s\n", n, *ws)
	return nil
}

// importFlagValues are import's own flags, as parsed.
type importFlagValues struct {
	workspace, delimiter *string
	dryRun, noRedis      *bool
	columns              map[string]*string // by import field
}

// importFlags defines import's own flags on fs (runImport parses them; the
// help lists them).
func importFlags(fs *flag.FlagSet) importFlagValues {
	f := importFlagValues{
		workspace: fs.String("workspace", "", "workspace `id` (Slack team id, Teams tenant id)"),
		dryRun:    fs.Bool("dry-run", false, "check every row and report, write nothing"),
		noRedis:   fs.Bool("no-redis", false, "with --dry-run: check the file alone on an empty in-memory store, without the bot's Redis"),
		delimiter: fs.String("delimiter", "", `field separator: "," ";" or "tab" (default: detected from the header)`),
		columns:   map[string]*string{},
	}
	for _, name := range intake.ImportFields {
		f.columns[name] = fs.String(name+"-column", "", "the `header` of the "+name+" column")
	}
	return f
}

// exportFlags defines export's own flags on fs.
func exportFlags(fs *flag.FlagSet) (workspace, output *string) {
	return fs.String("workspace", "", "workspace `id` (Slack team id, Teams tenant id)"),
		fs.String("output", "", "write to this `file` instead of standard output")
}

// parseToolFlags parses a tool's own flags and every setting's flag (the
// environment gives the defaults, as for serve), letting FILE arguments
// stand between flags. It returns the configuration and the arguments.
func parseToolFlags(fs *flag.FlagSet, args []string, getenv func(string) string) (*config, []string, error) {
	ptrs := map[string]*string{}
	for _, s := range settings {
		v := getenv(s.env)
		if v == "" {
			v = s.def
		}
		ptrs[s.env] = fs.String(s.flag, v, s.help)
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, usageError{err}
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	c := &config{values: map[string]string{}}
	for env, p := range ptrs {
		c.values[env] = strings.TrimSpace(*p)
	}
	if err := c.buildCore(); err != nil {
		return nil, nil, err
	}
	return c, rest, nil
}

// toolCore opens the store and builds a core for import and export. They
// need the bot's Redis, a dry run too: an embedded one is empty (every
// outcome unknown, every row new) and vanishes with the process. Only
// embedded set (import --dry-run --no-redis) lets them run on one.
func toolCore(ctx context.Context, cmd string, cfg *config, stderr io.Writer, embedded bool) (*intake.Intake, func() error, error) {
	if redisConn(cfg).Mode() == "embedded" && !embedded {
		what := "import into, and a dry run would check against an empty store (to check the file alone: import --dry-run --no-redis)"
		if cmd == "export" {
			what = "export from"
		}
		return nil, nil, fmt.Errorf("%s: set REDIS_URL (or -redis-url, or REDIS_SENTINEL_ADDRS / REDIS_CLUSTER_ADDRS) to the bot's Redis: without it there is nothing to %s", cmd, what)
	}
	st, closer, err := openStore(ctx, cfg, stderr)
	if err != nil {
		return nil, nil, err
	}
	log := newLogger(stderr, cfg.get("OUTCOMEBOT_LOG_LEVEL"), true)
	cfg.warnSettings(log)
	return assemble(st, cfg.core, nil, log).intake, closer, nil
}

// openInput opens the CSV ("-" is standard input) and its size (0 unknown).
func openInput(name string) (io.Reader, int64, func(), error) {
	if name == "-" {
		return os.Stdin, 0, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("import: %w", err)
	}
	var size int64
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return f, size, func() { f.Close() }, nil
}

// delimiterFlag reads --delimiter.
func delimiterFlag(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case ",", "comma":
		return ',', nil
	case ";", "semicolon":
		return ';', nil
	case "tab", `\t`, "\t":
		return '\t', nil
	}
	return 0, fmt.Errorf("import: --delimiter %q: use \",\", \";\" or \"tab\"", s)
}

// newImportBar returns a progress bar on w when w is a terminal and the
// file's size is known; nil otherwise (pipes and logs get the summary only).
func newImportBar(w io.Writer, size int64) *progressbar.ProgressBar {
	if size <= 0 || !isTerminalWriter(w) {
		return nil
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// isTerminalWriter reports whether w is a terminal.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// printImportSummary writes what an import did, its columns and its
// rejected rows with their lines and reasons.
func printImportSummary(w io.Writer, name, ws string, s intake.ImportSummary, took time.Duration) {
	verb, after := "imported into", ""
	if s.DryRun {
		verb, after = "checked for", " (dry run: nothing was written)"
	}
	fmt.Fprintf(w, "%s: %d rows %s %s%s in %s: %d created, %d updated, %d unchanged, %d rejected; %d tagged",
		name, s.Rows, verb, ws, after, took.Round(time.Millisecond), s.Created, s.Updated, s.Unchanged, s.Rejected, s.Tagged)
	if s.Warned > 0 {
		fmt.Fprintf(w, "; %d with warnings", s.Warned)
	}
	fmt.Fprintln(w)
	if len(s.Columns) > 0 {
		fields := make([]string, 0, len(s.Columns))
		for f, h := range s.Columns {
			fields = append(fields, fmt.Sprintf("%s=%q", f, h))
		}
		sort.Strings(fields)
		fmt.Fprintf(w, "columns: %s\n", strings.Join(fields, ", "))
	}
	for _, p := range s.Problems {
		ref := p.Ref
		if ref == "" {
			ref = "-"
		}
		fmt.Fprintf(w, "  line %d %s: %s\n", p.Line, ref, p.Reason)
	}
	if more := s.Rejected - len(s.Problems); more > 0 {
		fmt.Fprintf(w, "  … and %d more rejected rows\n", more)
	}
	for _, p := range s.Warnings {
		fmt.Fprintf(w, "  line %d %s: warning: %s\n", p.Line, p.Ref, p.Reason)
	}
	if more := s.Warned - len(s.Warnings); more > 0 {
		fmt.Fprintf(w, "  … and %d more rows with warnings\n", more)
	}
	for _, p := range s.Escalations {
		fmt.Fprintf(w, "  line %d %s: %s by the ticket's status (not announced in chat: tell its raiser)\n", p.Line, p.Ref, p.Reason)
	}
}
