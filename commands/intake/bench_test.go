package intake_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/commands/intake"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// sheetReader generates a spreadsheet of n rows as it is read, so the file
// never sits in memory: a fifth of the rows tagged, quoted titles with commas.
type sheetReader struct {
	n, row int
	buf    []byte
}

func (r *sheetReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.row <= r.n {
		if r.row == 0 {
			r.buf = append(r.buf, "\ufeffTicket,Title,Outcome,Requester,Opened,Status\n"...)
		} else {
			outcome := ""
			if r.row%5 == 0 {
				outcome = fmt.Sprintf("outcome-%d", r.row%20)
			}
			r.buf = fmt.Appendf(r.buf, "INC%07d,\"Till %d, store %d: card reader declines\",%s,Requester %d,2026-11-%02d 09:%02d,%s\n",
				r.row, r.row, r.row%300, outcome, r.row%500, 9+r.row%7, r.row%60, []string{"New", "In Progress", "Closed"}[r.row%3])
		}
		r.row++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// peakHeap samples the heap in use until stop is called and returns the peak.
func peakHeap() (stop func() uint64) {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkImportCSV imports generated spreadsheets of 10,000 and 50,000
// rows into an empty workspace (run with -benchtime=1x). The peak heap is
// the same for both: the file is streamed and written in pipelined batches.
func BenchmarkImportCSV(b *testing.B) {
	for _, rows := range []int{10000, 50000} {
		b.Run(fmt.Sprint(rows), func(b *testing.B) {
			st := storetest.New(b)
			bot := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}}, nil, nil)
			core := bot.Core
			for i := range 20 {
				name, rest := commands.SplitCommand(fmt.Sprintf(`/outcome add outcome-%d "Outcome %d"`, i, i))
				core.Handle(context.Background(), commands.Request{Workspace: "T1", User: "UADMIN", Command: name, Text: rest})
			}
			runtime.GC()
			var elapsed time.Duration
			var peak uint64
			for b.Loop() { // with -benchtime=1x: new requests; more rounds re-import them (unchanged)
				stop := peakHeap()
				start := time.Now()
				sum, err := bot.Intake.ImportCSV(context.Background(), "T1", &sheetReader{n: rows}, intake.ImportOptions{})
				elapsed += time.Since(start)
				peak = max(peak, stop())
				if err != nil || sum.Rows != rows || sum.Rejected != 0 {
					b.Fatalf("import: %+v %v", sum, err)
				}
			}
			b.ReportMetric(float64(rows)/elapsed.Seconds()*float64(b.N), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
