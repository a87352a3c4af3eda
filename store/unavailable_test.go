package store_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentAddr returns a loopback address that accepts connections and never
// answers.
func silentAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return l.Addr().String()
}

// storeOps calls one of each kind of store operation.
var storeOps = map[string]func(context.Context, *store.Store) error{
	"create outcome": func(ctx context.Context, s *store.Store) error {
		return s.CreateOutcome(ctx, ws, record.Outcome{Key: "pos"})
	},
	"get outcome":   func(ctx context.Context, s *store.Store) error { _, err := s.GetOutcome(ctx, ws, "pos"); return err },
	"list outcomes": func(ctx context.Context, s *store.Store) error { _, err := s.ListOutcomes(ctx, ws); return err },
	"tag": func(ctx context.Context, s *store.Store) error {
		_, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0)
		return err
	},
	"get request": func(ctx context.Context, s *store.Store) error { _, err := s.GetRequest(ctx, ws, "INC1"); return err },
	"escalate": func(ctx context.Context, s *store.Store) error {
		_, err := s.Escalate(ctx, ws, record.Escalation{Ref: "INC1"})
		return err
	},
	"ack E-1": func(ctx context.Context, s *store.Store) error {
		_, _, err := storetest.Ack(ctx, s, ws, 1, "U1", "", t0)
		return err
	},
	"list escalations": func(ctx context.Context, s *store.Store) error {
		_, err := s.ListEscalations(ctx, ws, record.EscalationFilter{})
		return err
	},
	"grant": func(ctx context.Context, s *store.Store) error {
		_, err := s.Grant(ctx, ws, "U1", record.RoleAdmin, "U0", t0)
		return err
	},
	"get subscription": func(ctx context.Context, s *store.Store) error {
		_, err := s.GetSubscription(ctx, ws, "C1")
		return err
	},
	"list workspaces": func(ctx context.Context, s *store.Store) error { _, err := s.Workspaces(ctx); return err },
	"read digest data": func(ctx context.Context, s *store.Store) error {
		_, err := s.DigestData(ctx, ws, t0, t0.Add(time.Hour))
		return err
	},
	"read audit": func(ctx context.Context, s *store.Store) error { _, err := s.Audit(ctx, ws, 10); return err },
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opt  redis.Options
		ctx  time.Duration // 0: no deadline
	}{
		{"refused", redis.Options{Addr: closedAddr(t), DialTimeout: 100 * time.Millisecond, DialerRetries: 1, MaxRetries: -1}, 0},
		{"read timeout", redis.Options{Addr: silentAddr(t), ReadTimeout: 50 * time.Millisecond, MaxRetries: -1}, 0},
		{"context deadline", redis.Options{Addr: silentAddr(t), ContextTimeoutEnabled: true, MaxRetries: -1}, 50 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			opt := c.opt
			opt.WriteTimeout = 50 * time.Millisecond
			rdb := redis.NewClient(&opt)
			t.Cleanup(func() { rdb.Close() })
			s := store.New(rdb, store.Options{})
			for name, op := range storeOps {
				ctx := context.Background()
				if c.ctx > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, c.ctx)
					defer cancel()
				}
				err := op(ctx, s)
				if !errors.Is(err, record.ErrUnavailable) {
					t.Errorf("%s: err = %v, want ErrUnavailable", name, err)
				} else if !strings.HasPrefix(err.Error(), name) {
					t.Errorf("%s: error %q does not name the operation", name, err)
				}
			}
		})
	}
}

func TestNotFoundIsNotUnavailable(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	_, err := s.GetSubscription(ctx, ws, "C404") // redis.Nil inside
	if !errors.Is(err, record.ErrNotFound) || errors.Is(err, record.ErrUnavailable) {
		t.Errorf("err = %v, want ErrNotFound and not ErrUnavailable", err)
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	t.Run("embedded", func(t *testing.T) {
		s, closeFn, err := store.Open(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		defer closeFn()
		if !s.Embedded() {
			t.Error("Embedded() = false for url \"\"")
		}
		if err := s.CreateOutcome(ctx, ws, record.Outcome{Key: "pos"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Tag(ctx, ws, "INC1", "pos", "U1", "", t0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("url", func(t *testing.T) {
		if storetest.Kind() == "REDIS_URL" {
			t.Skip("server URL may need credentials")
		}
		s, closeFn, err := store.Open(ctx, "redis://"+storetest.Addr()+"/0")
		if err != nil {
			t.Fatal(err)
		}
		defer closeFn()
		if s.Embedded() || s.Ping(ctx) != nil {
			t.Errorf("Embedded() = %v, Ping = %v", s.Embedded(), s.Ping(ctx))
		}
	})
	t.Run("down", func(t *testing.T) {
		_, _, err := store.Open(ctx, "redis://"+closedAddr(t)+"/0?dial_timeout=100ms&max_retries=-1")
		if !errors.Is(err, record.ErrUnavailable) {
			t.Errorf("err = %v, want ErrUnavailable", err)
		}
	})
	t.Run("bad url", func(t *testing.T) {
		_, _, err := store.Open(ctx, "http://nope")
		if err == nil || errors.Is(err, record.ErrUnavailable) {
			t.Errorf("err = %v, want a parse error", err)
		}
	})
}
