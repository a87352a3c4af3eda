// Package storetest runs tests against a real Redis server: the one in
// REDIS_URL, else a private redis-server started on a free loopback port,
// else (outside CI) an embedded miniredis. Each test gets a Store with its
// own key prefix, so parallel tests never see each other's keys.
//
// A test package calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
)

// server is the Redis every test of this process uses, set by Main.
var server struct {
	addr    string         // host:port
	options *redis.Options // from REDIS_URL, or a plain client on addr
	kind    string         // "REDIS_URL", "redis-server" or "miniredis"
}

// Main picks the Redis server, runs the tests and stops any server it
// started; its result is TestMain's exit code. With REDIS_URL set it uses
// that server. Otherwise it starts redis-server from PATH on a free
// loopback port. Without redis-server it fails when CI=true (CI must test
// on a real Redis) and otherwise falls back to miniredis, saying so.
func Main(m *testing.M) int {
	stop, err := startServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer stop()
	defer stopCluster()
	defer cleanupShared()
	return m.Run()
}

// startServer sets server and returns how to stop what it started.
func startServer() (func(), error) {
	if url := os.Getenv("REDIS_URL"); url != "" {
		opt, err := redis.ParseURL(url)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		server.addr, server.options, server.kind = opt.Addr, opt, "REDIS_URL"
		return func() {}, nil
	}
	if bin, err := lookRedisServer(); err == nil {
		addr, stop, err := startRedisServer(bin)
		if err != nil {
			return nil, err
		}
		server.addr, server.options, server.kind = addr, &redis.Options{Addr: addr}, "redis-server"
		return stop, nil
	}
	if os.Getenv("CI") == "true" {
		return nil, fmt.Errorf("no Redis: set REDIS_URL or put redis-server on PATH (CI=true requires a real Redis)")
	}
	addr, stop, err := startMiniredis()
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "storetest: no REDIS_URL and no redis-server on PATH; falling back to miniredis, which hides cluster (CROSSSLOT) and TTL bugs")
	server.addr, server.options, server.kind = addr, &redis.Options{Addr: addr}, "miniredis"
	return stop, nil
}

// Addr returns the host:port of the Redis the tests use ("" before Main).
func Addr() string { return server.addr }

// Kind names the server in use: "REDIS_URL", "redis-server" or "miniredis".
func Kind() string { return server.kind }

// Client returns a new client on the test server, closed when tb ends.
func Client(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	if server.options == nil {
		tb.Fatal("storetest: no server; call storetest.Main from TestMain")
	}
	opt := *server.options
	rdb := redis.NewClient(&opt)
	tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// New returns a Store on the test server with a key prefix unique to this
// test. Its keys are deleted when tb ends.
func New(tb testing.TB) *store.Store {
	tb.Helper()
	return NewWithOptions(tb, store.Options{})
}

// NewWithOptions is New with options; opts.Prefix is replaced by the
// test's unique prefix.
func NewWithOptions(tb testing.TB, opts store.Options) *store.Store {
	tb.Helper()
	rdb := Client(tb)
	opts.Prefix = uniquePrefix(tb.Name())
	tb.Cleanup(func() { deleteKeys(rdb, opts.Prefix) })
	return store.New(rdb, opts)
}

// NewShared returns a Store with a unique prefix that outlives tb: its keys
// are deleted when Main returns. It is for fixtures that several runs of a
// benchmark share (Go calls a benchmark function once per b.N tried); build
// a fresh Store on the same Prefix for each run to get a fresh client.
func NewShared(tb testing.TB, opts store.Options) *store.Store {
	tb.Helper()
	if server.options == nil {
		tb.Fatal("storetest: no server; call storetest.Main from TestMain")
	}
	opt := *server.options
	rdb := redis.NewClient(&opt)
	opts.Prefix = uniquePrefix(tb.Name())
	shared.Lock()
	shared.prefixes = append(shared.prefixes, opts.Prefix)
	shared.clients = append(shared.clients, rdb)
	shared.Unlock()
	return store.New(rdb, opts)
}

// shared tracks what NewShared made, for cleanupShared.
var shared struct {
	sync.Mutex
	prefixes []string
	clients  []*redis.Client
}

func cleanupShared() {
	shared.Lock()
	defer shared.Unlock()
	for i, rdb := range shared.clients {
		deleteKeys(rdb, shared.prefixes[i])
		_ = rdb.Close()
	}
}

var (
	prefixSeq atomic.Int64
	runID     = randomHex(4) // tells apart processes sharing one REDIS_URL
	unsafe    = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)
)

// uniquePrefix makes a key prefix from the test name with no glob or
// hash-tag characters.
func uniquePrefix(name string) string {
	name = unsafe.ReplaceAllString(name, "_")
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("t%s-%d-%s", runID, prefixSeq.Add(1), name)
}

// deleteKeys removes every key under prefix.
func deleteKeys(rdb redis.UniversalClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			rdb.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		rdb.Unlink(ctx, batch...)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Ack acknowledges escalation n as actor, with no role check: the store's
// Settle without roles, for tests that need an acknowledged escalation.
func Ack(ctx context.Context, st *store.Store, ws string, n int64, actor, note string, at time.Time) (record.Escalation, bool, error) {
	e, _, first, err := st.Settle(ctx, ws, record.Settlement{N: n, Actor: actor, Note: note, At: at})
	return e, first, err
}

// Resolve resolves escalation n as actor, with no role check.
func Resolve(ctx context.Context, st *store.Store, ws string, n int64, actor, note string, at time.Time) (record.Escalation, bool, error) {
	e, _, first, err := st.Settle(ctx, ws, record.Settlement{N: n, Resolve: true, Actor: actor, Note: note, At: at})
	return e, first, err
}

// ClaimDigest claims a channel's digest for a week, ignoring retry times:
// true when this holder may post.
func ClaimDigest(ctx context.Context, st *store.Store, ws, channel, week, holder string, lease time.Duration) (bool, error) {
	c, err := st.ClaimDigestAt(ctx, ws, channel, week, holder, lease, time.Time{})
	return c == record.DigestClaimed, err
}

// Subscribe subscribes sub.Channel to the digest with sub's zone and
// followed outcomes (none: all), as /digest subscribe does: true if the
// channel was not subscribed before.
func Subscribe(ctx context.Context, st *store.Store, ws string, sub record.Subscription) (bool, error) {
	ch, err := st.ChangeSubscription(ctx, ws, record.SubscriptionChange{Channel: sub.Channel, TZ: sub.TZ,
		SetOutcomes: true, Outcomes: sub.Outcomes, By: sub.By, At: sub.At})
	return ch.Created, err
}

// RoundTrips is a go-redis hook that counts what the client sends: one per
// command and one per pipeline (or MULTI/EXEC), however many commands it
// holds. Benchmarks and tests that bound round trips add it with AddHook.
type RoundTrips struct{ N atomic.Int64 }

// DialHook passes dials through.
func (h *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook counts one command.
func (h *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.N.Add(1); return next(ctx, cmd) }
}

// ProcessPipelineHook counts one pipeline.
func (h *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.N.Add(1); return next(ctx, cmds) }
}
