package retry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

var policy = Policy{Attempts: 5, Base: 500 * time.Millisecond, Max: 4 * time.Second, MaxAfter: time.Minute}

// failing returns a call that fails with the given errors in turn, then
// succeeds, recording when (in the bubble's time) each try happened.
func failing(errs ...error) (call func() error, tries *[]time.Duration) {
	start := time.Now()
	tries = new([]time.Duration)
	return func() error {
		*tries = append(*tries, time.Since(start))
		if n := len(*tries); n <= len(errs) {
			return errs[n-1]
		}
		return nil
	}, tries
}

type statusErr struct {
	code  int
	after time.Duration
}

func (e statusErr) Error() string { return fmt.Sprintf("status %d", e.code) }

func classify(err error) Verdict {
	var se statusErr
	if errors.As(err, &se) {
		return Status(se.code, se.after)
	}
	return Transport(err, false)
}

func TestRetryAfterIsHonouredExactly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		call, tries := failing(statusErr{429, 3 * time.Second}, statusErr{429, 7 * time.Second})
		if err := policy.Do(t.Context(), call, classify); err != nil {
			t.Fatal(err)
		}
		want := []time.Duration{0, 3 * time.Second, 10 * time.Second}
		if fmt.Sprint(*tries) != fmt.Sprint(want) {
			t.Fatalf("tries at %v, want %v", *tries, want)
		}
	})
}

func TestBackoffGrowsWithinBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := statusErr{code: 503}
		call, tries := failing(e, e, e, e, e, e)
		err := policy.Do(t.Context(), call, classify)
		var se statusErr
		if !errors.As(err, &se) || se.code != 503 {
			t.Fatalf("err %v, want the last 503", err)
		}
		if len(*tries) != policy.Attempts {
			t.Fatalf("%d tries, want %d", len(*tries), policy.Attempts)
		}
		// Waits: 500ms, 1s, 2s, 4s steps, each in its upper half.
		step := policy.Base
		for i := 1; i < len(*tries); i++ {
			wait := (*tries)[i] - (*tries)[i-1]
			if wait < step/2 || wait > step {
				t.Errorf("wait %d is %v, want within [%v, %v]", i, wait, step/2, step)
			}
			step = min(2*step, policy.Max)
		}
	})
}

func TestWhatIsNotRetried(t *testing.T) {
	dialErr := &url.Error{Op: "Post", URL: "https://x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	readErr := &url.Error{Op: "Post", URL: "https://x", Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
	cases := []struct {
		name       string
		err        error
		idempotent bool
		tries      int
	}{
		{"400", statusErr{code: 400}, false, 1},
		{"404", statusErr{code: 404}, false, 1},
		{"500", statusErr{code: 500}, false, 2},
		{"post that could not connect", dialErr, false, 2},
		{"post whose connection broke", readErr, false, 1},
		{"update whose connection broke", readErr, true, 2},
		{"our context cancelled", fmt.Errorf("x: %w", context.Canceled), true, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				call, tries := failing(c.err)
				cl := func(err error) Verdict {
					var se statusErr
					if errors.As(err, &se) {
						return Status(se.code, 0)
					}
					return Transport(err, c.idempotent)
				}
				_ = policy.Do(t.Context(), call, cl)
				if len(*tries) != c.tries {
					t.Fatalf("%d tries, want %d", len(*tries), c.tries)
				}
			})
		})
	}
}

func TestNoWaitPastTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		call, tries := failing(statusErr{429, 30 * time.Second})
		err := policy.Do(ctx, call, classify)
		var se statusErr
		if !errors.As(err, &se) || len(*tries) != 1 || time.Since(start) != 0 {
			t.Fatalf("err %v after %d tries and %v; want the 429 at once", err, len(*tries), time.Since(start))
		}

		// A context cancelled during a wait ends the call then.
		ctx, cancel = context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(2*time.Second, cancel)
		start = time.Now()
		e := statusErr{code: 502}
		call, _ = failing(e, e, e, e, e)
		err = policy.Do(ctx, call, classify)
		if !errors.Is(err, context.Canceled) || !errors.As(err, &se) || time.Since(start) != 2*time.Second {
			t.Fatalf("err %v after %v; want the 502 and the cancellation, at 2s", err, time.Since(start))
		}
	})
}

func TestRetryAfterBeyondTheLimitIsNotWaitedFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		call, tries := failing(statusErr{429, time.Hour})
		var retried int
		p := policy
		p.OnRetry = func(error, int, time.Duration) { retried++ }
		if err := p.Do(t.Context(), call, classify); err == nil || len(*tries) != 1 || retried != 0 {
			t.Fatalf("err %v after %d tries, %d retries", err, len(*tries), retried)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		" 120 ":                         2 * time.Minute,
		"-1":                            0,
		"soon":                          0,
		"Wed, 25 Nov 2026 09:00:30 GMT": 30 * time.Second,
		"Wed, 25 Nov 2026 08:00:00 GMT": 0,
	} {
		if got := ParseRetryAfter(h, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", h, got, want)
		}
	}
	if v := Status(http.StatusTooManyRequests, 0); !v.Retry || v.After != 0 {
		t.Errorf("429 without Retry-After: %+v, want the backoff", v)
	}
}
