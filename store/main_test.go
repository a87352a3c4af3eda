package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// t0 is the tests' reference time.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

const ws = "T1"

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestServerKind: in CI the store is tested against a real Redis, never
// the miniredis fallback (which hides cluster and TTL bugs).
func TestServerKind(t *testing.T) {
	t.Logf("testing against %s at %s", storetest.Kind(), storetest.Addr())
	if os.Getenv("CI") == "true" && storetest.Kind() == "miniredis" {
		t.Fatal("CI=true but the tests run on miniredis: install redis-server")
	}
}
