package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// BenchmarkOutcomeKPIs reads two years of weekly KPI values (104 each, with
// a note) and confirmations of 200 outcomes, as the digest and the weekly
// check-in do: one round trip however long the history. It reports the
// Redis memory those values take.
func BenchmarkOutcomeKPIs(b *testing.B) {
	s, h := countedStore(b, storetest.New(b).Prefix())
	ctx := context.Background()
	keys := make([]string, 200)
	for i := range keys {
		keys[i] = fmt.Sprintf("outcome-%03d", i)
	}
	mustOutcomes(b, s, keys...)
	rdb := s.Client()
	base := s.Prefix() + ":{" + ws + "}:"
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			for w := range 104 {
				at := t0.AddDate(0, 0, 7*w)
				v, _ := json.Marshal(record.KPIValue{Value: 3 + float64(w)/100, Suffix: "%", At: at, By: "U0123456789", Note: "after the store rollout"})
				p.ZAdd(ctx, base+"kpi:"+k, redis.Z{Score: float64(at.UnixMilli()), Member: string(v)})
			}
			p.HSet(ctx, base+"kpimeta:"+k, "unit", "…%", "confirmed_at", t0.UnixMilli(), "confirmed_by", "U0123456789")
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, k := range keys {
		for _, key := range []string{base + "kpi:" + k, base + "kpimeta:" + k} {
			n, err := rdb.MemoryUsage(ctx, key).Result()
			if err != nil {
				b.Skipf("MEMORY USAGE: %v", err)
			}
			bytes += n
		}
	}
	h.N.Store(0)
	b.ResetTimer()
	for range b.N {
		got, err := s.OutcomeKPIs(ctx, ws, keys, t0.AddDate(0, 0, 7*104-7*12)) // a digest a week after the last value
		if err != nil || len(got) != 200 || len(got[keys[0]].Values) != 12 {
			b.Fatalf("read %d outcomes, %v", len(got), err)
		}
	}
	b.StopTimer()
	report(b, h)
	b.ReportMetric(float64(bytes)/(1<<20), "MiB-2y-200-outcomes")
}
