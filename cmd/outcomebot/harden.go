package main

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/outcomebot/outcomebot/bot/intake"
)

// Request limits on every route. The adapters cap their own bodies lower
// (Slack 64 KiB, Teams 256 KiB); maxRequestBody is the ceiling for every
// route without an entry in routeBodyCaps.
const (
	maxRequestBody = 1 << 20
	maxHeaderBytes = 64 << 10
)

// routeBodyCaps are the routes that may take more than maxRequestBody, by
// ServeMux pattern: the intake takes up to 1,000 items a call and answers
// its own 413 above intake.DefaultMaxBody, so its ceiling is a little above.
var routeBodyCaps = map[string]int64{
	"POST " + intake.Path: intake.DefaultMaxBody + 64<<10,
}

// bodyCap is the body limit of the route r will be served by.
func bodyCap(mux *http.ServeMux, r *http.Request) int64 {
	if _, pattern := mux.Handler(r); routeBodyCaps[pattern] > 0 {
		return routeBodyCaps[pattern]
	}
	return maxRequestBody
}

// harden wraps every route of mux: the request body is capped (bodyCap; a
// handler reading past the cap gets an error and should answer 413, and a
// body announced larger is refused at once), a panic is logged with its
// stack, counted and answered 500 while the server keeps serving, and each
// request is counted by route pattern and status.
func (s *server) harden(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		limit := bodyCap(mux, r)
		if r.ContentLength > limit {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			s.metrics.HTTPRequest("oversize", http.StatusRequestEntityTooLarge, time.Since(start))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // the sentinel is compared, as net/http does
					panic(v)
				}
				s.metrics.Panic()
				s.log.Error("http handler panicked", "method", r.Method, "route", routeOf(r),
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !rec.wrote {
					http.Error(rec, "internal server error", http.StatusInternalServerError)
				}
			}
			s.metrics.HTTPRequest(routeOf(r), rec.code(), time.Since(start))
		}()
		mux.ServeHTTP(rec, r)
	})
}

// routeOf names the request's route for metrics: the ServeMux pattern that
// matched it (set on r by the mux), so paths with ids never become labels.
func routeOf(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	return r.ResponseWriter.Write(b)
}

// Flush sends what was written so far (the Slack adapter flushes its
// answer before slow work goes on).
func (r *statusRecorder) Flush() {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// code is the status written, 200 when the handler wrote nothing.
func (r *statusRecorder) code() int {
	if !r.wrote {
		return http.StatusOK
	}
	return r.status
}
