package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/bot/metrics"
)

// newTestServer is a server with metrics and JSON logs into buf, for
// handler tests.
func newTestServer(buf io.Writer) *server {
	return &server{log: slog.New(slog.NewJSONHandler(buf, nil)), metrics: metrics.New("test")}
}

// TestHardenRecoversPanics: a panicking handler is answered 500, logged
// with its stack and counted, and the server keeps serving; a handler that
// aborts on purpose (http.ErrAbortHandler) still aborts.
func TestHardenRecoversPanics(t *testing.T) {
	logs := &syncBuffer{}
	s := newTestServer(logs)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) { panic("kaboom") })
	mux.HandleFunc("GET /late", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		panic("after the header")
	})
	mux.HandleFunc("GET /abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fine") })
	mux.Handle("GET /metrics", s.metrics.Handler())
	srv := httptest.NewServer(s.harden(mux))
	defer srv.Close()
	get := func(path string) (int, string, error) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), nil
	}
	for range 3 {
		if code, body, err := get("/boom"); err != nil || code != http.StatusInternalServerError || !strings.Contains(body, "internal server error") {
			t.Fatalf("/boom = %d %q %v, want 500", code, body, err)
		}
		if code, body, err := get("/ok"); err != nil || code != http.StatusOK || body != "fine" {
			t.Fatalf("/ok after a panic = %d %q %v", code, body, err)
		}
	}
	if code, _, err := get("/late"); err != nil || code != http.StatusAccepted {
		t.Errorf("/late = %d %v: the status already sent must stand", code, err)
	}
	if _, _, err := get("/abort"); err == nil {
		t.Error("/abort answered: http.ErrAbortHandler must abort the response")
	}
	_, m, _ := get("/metrics")
	for _, want := range []string{
		`outcomebot_http_panics_total 4`,
		`outcomebot_http_requests_total{code="500",route="GET /boom"} 3`,
		`outcomebot_http_requests_total{code="200",route="GET /ok"} 3`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if l := logs.String(); !strings.Contains(l, `"msg":"http handler panicked"`) || !strings.Contains(l, "kaboom") || !strings.Contains(l, "goroutine") {
		t.Errorf("panic not logged with its stack: %.300s", l)
	}
}

// TestHardenCapsBodies: a body over the cap is refused with 413 whether
// the client announces its length or streams it.
func TestHardenCapsBodies(t *testing.T) {
	s := newTestServer(io.Discard)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /read", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		io.WriteString(w, "read")
	})
	srv := httptest.NewServer(s.harden(mux))
	defer srv.Close()
	post := func(body io.Reader, size int64) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/read", body)
		req.ContentLength = size
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	big := strings.Repeat("x", maxRequestBody+1)
	if code := post(strings.NewReader(big), int64(len(big))); code != http.StatusRequestEntityTooLarge {
		t.Errorf("announced oversize body = %d", code)
	}
	if code := post(io.MultiReader(strings.NewReader(big)), -1); code != http.StatusRequestEntityTooLarge {
		t.Errorf("streamed oversize body = %d", code)
	}
	if code := post(strings.NewReader("small"), 5); code != http.StatusOK {
		t.Errorf("small body = %d", code)
	}
}

// TestInflightWaitsForPosts: shutdown waits for a post in flight and for a
// quiet spell after it, but not past its context.
func TestInflightWaitsForPosts(t *testing.T) {
	f := &inflight{}
	f.begin()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := f.waitIdle(ctx, 10*time.Millisecond); err == nil {
		t.Fatal("idle while a post is in flight")
	}
	go func() { time.Sleep(50 * time.Millisecond); f.end() }()
	start := time.Now()
	if err := f.waitIdle(context.Background(), 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("idle after %v, before the post ended and the quiet spell passed", took)
	}
}
