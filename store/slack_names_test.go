package store_test

import (
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// TestSlackNamesCache: names are cached per workspace with the time they
// were fetched, read back in one call, and kept no longer than SlackNameKeep.
func TestSlackNamesCache(t *testing.T) {
	st, ctx := storetest.New(t), slackCtx(t)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	if err := st.SaveSlackNames(ctx, "T1", map[string]string{"U1": "Maria | Retail", "U2": "Raj"}, at); err != nil {
		t.Fatal(err)
	}
	got, err := st.SlackNames(ctx, "T1", []string{"U1", "U2", "U3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["U1"].Name != "Maria | Retail" || got["U2"].Name != "Raj" || !got["U1"].At.Equal(at) {
		t.Errorf("SlackNames = %+v", got)
	}
	if other, err := st.SlackNames(ctx, "T2", []string{"U1"}); err != nil || len(other) != 0 {
		t.Errorf("another workspace sees the names: %+v, %v", other, err)
	}
	if _, err := st.SlackNames(ctx, "T{1}", []string{"U1"}); err == nil {
		t.Error("a bad workspace id is accepted")
	}
	ttl := st.Client().TTL(ctx, st.Prefix()+":{T1}:slack:name:U1").Val()
	if ttl <= 0 || ttl > store.SlackNameKeep {
		t.Errorf("TTL = %v, want (0, %v]", ttl, store.SlackNameKeep)
	}
}
