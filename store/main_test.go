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

func TestServerKind(t *testing.T) {
	t.Logf("testing against %s at %s", storetest.Kind(), storetest.Addr())
}
