package intake_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkIntake1000 posts calls of 1,000 items over loopback HTTP to a
// real Redis and reports the latency percentiles of a whole call (decode,
// checks, one pipelined round trip, answer). Each call overlaps the one
// before by half, so it creates 500 requests and updates 500; one in five
// items is tagged. Run with e.g. -benchtime=100x.
func BenchmarkIntake1000(b *testing.B) {
	s := newServer(b)
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		body := benchBody(i)
		req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokenT1)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// benchBody is call i's 1,000 items.
func benchBody(i int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for j := range 1000 {
		if j > 0 {
			b.WriteByte(',')
		}
		n := i*500 + j
		outcome := ""
		if n%5 == 0 {
			outcome = "pos"
		}
		fmt.Fprintf(&b, `{"ref":"INC%07d","title":"Till %d declines cards (call %d)","requester":"Requester %d","opened_at":"2026-11-17T09:%02d:00Z","status":"%s","url":"https://acme.service-now.com/nav_to.do?uri=incident.do?sysparm_query=number=INC%07d","outcome":"%s"}`,
			n, n, i, n%300, n%60, []string{"New", "In Progress", "Resolved"}[n%3], n, outcome)
	}
	b.WriteByte(']')
	return b.Bytes()
}
