package cadence_test

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// newEnvWithCron is newEnv with the digest on schedule spec.
func newEnvWithCron(t *testing.T, spec string) *env {
	t.Helper()
	st := storetest.New(t)
	clock := commandstest.NewClock(commandstest.Start)
	b := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}, DigestCron: spec}, clock, nil)
	return &env{T: t, Bot: b, St: st, Clock: clock}
}

var raisedCount = regexp.MustCompile(`Escalations raised (\d+)`)

// raisedIn returns the "Escalations raised" figure of a channel's digest as of asOf.
func raisedIn(t *testing.T, e *env, channel string, asOf time.Time) int {
	t.Helper()
	d, err := e.Cadence.ChannelDigest(context.Background(), "T1", channel, asOf, digest.Input{})
	if err != nil {
		t.Fatal(err)
	}
	text := commandstest.Text(d)
	m := raisedCount.FindStringSubmatch(text)
	if m == nil {
		// A count that was zero both weeks is left out of the digest.
		if strings.Contains(text, "No change this week") || !strings.Contains(text, "Escalations") {
			return 0
		}
		t.Fatalf("no escalation count in the digest as of %s:\n%s", asOf, text)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestDigestCountsEachEscalationOnceAcrossClockChanges: with the digest
// scheduled inside the spring gap or the autumn's repeated hour, an
// escalation raised next to the change is counted by exactly one digest.
// Counting the seven calendar days before each run left an hour out (the
// gap) or counted one twice (the repeated hour).
func TestDigestCountsEachEscalationOnceAcrossClockChanges(t *testing.T) {
	ny := zone(t, "America/New_York")
	cases := []struct {
		name   string
		spec   string
		raised []time.Time // when escalations are raised, UTC
		runs   []time.Time // consecutive runs, covering them
		want   []int       // escalations each digest after the first run counts
	}{
		{
			name: "02:30 Sunday, spring forward: the run in the gap is at 03:30",
			spec: "30 2 * * SUN",
			raised: []time.Time{
				time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC),  // 03:00 EST, the hour after the run before the gap
				time.Date(2026, 3, 8, 7, 15, 0, 0, time.UTC), // 03:15 EDT, between the jump and the run
			},
			runs: []time.Time{at(t, ny, "2026-02-22 02:30"), at(t, ny, "2026-03-01 02:30"), at(t, ny, "2026-03-08 03:30"), at(t, ny, "2026-03-15 02:30")},
			want: []int{0, 2, 0},
		},
		{
			name: "01:30 Sunday, fall back: the repeated 01:30 runs once",
			spec: "30 1 * * SUN",
			raised: []time.Time{
				time.Date(2026, 11, 1, 5, 45, 0, 0, time.UTC), // 01:45 EDT, after the run
				time.Date(2026, 11, 1, 6, 15, 0, 0, time.UTC), // 01:15 EST, the repeated hour
				time.Date(2026, 11, 8, 6, 15, 0, 0, time.UTC), // 01:15 EST, the week after
			},
			runs: []time.Time{at(t, ny, "2026-10-25 01:30"), time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), at(t, ny, "2026-11-08 01:30"), at(t, ny, "2026-11-15 01:30")},
			want: []int{0, 3, 0},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnvWithCron(t, c.spec)
			e.Clock.Set(c.runs[0].Add(-48 * time.Hour))
			e.Seed("T1")
			e.Run("T1", "UADMIN", "CLEAD", "/digest subscribe tz=America/New_York")
			for i, at := range c.raised {
				e.Clock.Set(at)
				e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC00200"+strconv.Itoa(i)+" outcome=pos tills down"), "E-"+strconv.Itoa(i+1)+" raised")
			}
			var got []int
			for _, run := range c.runs[1:] {
				got = append(got, raisedIn(t, e, "CLEAD", run))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("consecutive digests counted %v escalations raised, want %v: each of the %d once, in the window after the run before it",
					got, c.want, len(c.raised))
			}
		})
	}
}

// TestSameNumbersForEveryChannel: channels due at the same instant whose
// zones give the same window (London and Lisbon) post the same digest;
// where the zones give different windows (Abidjan keeps no summer time, so
// its week before London's autumn change is an hour shorter), each digest
// names its exact window, and the hour only London counts shows only there.
func TestSameNumbersForEveryChannel(t *testing.T) {
	e := newEnv(t)
	london := zone(t, "Europe/London")
	e.Clock.Set(at(t, london, "2026-10-12 12:00"))
	e.Seed("T1")
	for ch, tz := range map[string]string{"CLON": "Europe/London", "CLIS": "Europe/Lisbon", "CABJ": "Africa/Abidjan"} {
		e.Expect(e.Run("T1", "UADMIN", ch, "/digest subscribe tz="+tz), "weekly outcome digest")
	}
	e.Clock.Set(time.Date(2026, 10, 19, 8, 30, 0, 0, time.UTC)) // 09:30 in London and Lisbon, 08:30 in Abidjan
	e.Expect(e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down"), "raised")
	e.Clock.Set(time.Date(2026, 10, 21, 12, 0, 0, 0, time.UTC))
	e.Run("T1", "UIT", "CIT", "/ack E-1 on it")

	p := &commandstest.Poster{}
	due := time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC) // Monday 09:00 in all three zones
	if err := e.Cadence.RunDueWith(context.Background(), p, due, cadence.DueOptions{Holder: "h1"}); err != nil {
		t.Fatal(err)
	}
	leads := map[string]commands.Response{}
	for _, post := range p.Posts() {
		if post.To.Thread == "" {
			leads[post.To.Channel] = post.Message
		}
	}
	lon, lis, abj := leads["CLON"], leads["CLIS"], leads["CABJ"]
	if lon.Text == "" || lis.Text == "" || abj.Text == "" {
		t.Fatalf("not every channel got its digest: %v", p.Posts())
	}
	if lon.Title != lis.Title || lon.Text != lis.Text {
		t.Errorf("London and Lisbon, due at the same instant with the same window, differ:\n%s\n---\n%s", commandstest.Text(lon), commandstest.Text(lis))
	}
	for _, c := range []struct {
		name   string
		digest commands.Response
		window string
		raised string
	}{
		{"London", lon, "week of Mon 19 Oct 09:00 BST – Mon 26 Oct 09:00 GMT Europe/London, 169 hours", "Escalations raised 1"},
		{"Lisbon", lis, "week of Mon 19 Oct 09:00 WEST – Mon 26 Oct 09:00 WET Europe/Lisbon, 169 hours", "Escalations raised 1"},
		{"Abidjan", abj, "week of Mon 19 Oct 09:00 – Mon 26 Oct 09:00 Africa/Abidjan", "Escalations raised 0"},
	} {
		if got := commandstest.Text(c.digest); !strings.Contains(got, c.window) || !strings.Contains(got, c.raised) {
			t.Errorf("%s's digest does not say %q and %q:\n%s", c.name, c.window, c.raised, got)
		}
	}
}

// countingStore counts the digest data reads.
type countingStore struct {
	*store.Store
	mu    sync.Mutex
	reads []string
}

func (s *countingStore) DigestData(ctx context.Context, ws string, from, to time.Time) (record.DigestData, error) {
	s.mu.Lock()
	s.reads = append(s.reads, from.UTC().Format(time.RFC3339)+".."+to.UTC().Format(time.RFC3339))
	s.mu.Unlock()
	return s.Store.DigestData(ctx, ws, from, to)
}

// TestPassReadsOncePerWindow: in one due pass, channels whose digests read
// the same span share one read of the workspace's data (so they show the
// same numbers even if an escalation changes while the pass posts); a zone
// with another span gets its own.
func TestPassReadsOncePerWindow(t *testing.T) {
	st := &countingStore{Store: storetest.New(t)}
	core := commands.New(st, commands.Config{Admins: []string{"UADMIN"}}, commandstest.NewClock(commandstest.Start), slog.New(slog.DiscardHandler))
	cad := cadence.New(core, st, slog.New(slog.DiscardHandler))
	since := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for ch, tz := range map[string]string{"C1": "Europe/London", "C2": "Europe/London", "C3": "Europe/Lisbon", "C4": "Africa/Abidjan"} {
		if _, err := storetest.Subscribe(context.Background(), st.Store, "T1", record.Subscription{Channel: ch, TZ: tz, By: "UADMIN", At: since}); err != nil {
			t.Fatal(err)
		}
	}
	p := &commandstest.Poster{}
	if err := cad.RunDueWith(context.Background(), p, time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC), cadence.DueOptions{Holder: "h1", Workers: 4}); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Posts()); n < 4 {
		t.Fatalf("%d posts, want every channel's digest", n)
	}
	if len(st.reads) != 2 {
		t.Errorf("digest data read %d times (%v), want once for London and Lisbon's span and once for Abidjan's", len(st.reads), st.reads)
	}
}
