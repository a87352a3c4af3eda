package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/bot/intake"
	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// now is the tests' clock: Friday of the fixtures' week.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// Tokens of the two workspaces the tests use.
const (
	tokenT1 = "t1-0123456789abcdef0123456789abcdef"
	tokenT2 = "t2-fedcba9876543210fedcba9876543210"
)

// server is an intake endpoint over loopback HTTP on a real Redis.
type server struct {
	t    testing.TB
	url  string
	core *commands.Core
	st   *store.Store
	h    *intake.Handler
}

func newServer(t testing.TB) *server {
	t.Helper()
	st := storetest.New(t)
	b := commandstest.NewBot(st, commands.Config{Admins: []string{"UADMIN"}}, commandstest.NewClock(now), nil)
	core := b.Core
	for _, ws := range []string{"T1", "T2"} {
		for _, line := range []string{`/outcome add pos "Point of sale" it-channel=<#CIT|it>`, `/outcome add infra "Stores online"`} {
			name, rest := commands.SplitCommand(commandstest.Inbound(line))
			core.Handle(context.Background(), commands.Request{Workspace: ws, User: "UADMIN", Channel: "CGEN", Command: name, Text: rest})
		}
	}
	h := intake.New(b.Intake, map[string]string{"T1": tokenT1, "T2": tokenT2}, nil)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &server{t: t, url: srv.URL + intake.Path, core: core, st: st, h: h}
}

// post sends body with the given Authorization header value ("" for none).
func (s *server) post(auth, contentType string, body []byte) (int, http.Header, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// intake posts body as T1 (or the token given) and decodes a 200 answer.
func (s *server) intake(token string, body []byte) intake.Response {
	s.t.Helper()
	code, _, b := s.post("Bearer "+token, "application/json", body)
	if code != http.StatusOK {
		s.t.Fatalf("status %d: %s", code, b)
	}
	var r intake.Response
	if err := json.Unmarshal(b, &r); err != nil {
		s.t.Fatalf("answer %s: %v", b, err)
	}
	return r
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (s *server) request(ws, ref string) record.Request {
	s.t.Helper()
	r, err := s.st.GetRequest(context.Background(), ws, ref)
	if err != nil {
		s.t.Fatalf("%s in %s: %v", ref, ws, err)
	}
	return r
}

func (s *server) openTagged(ws, outcome string) int {
	s.t.Helper()
	d, err := s.st.DigestData(context.Background(), ws, now, now.Add(time.Second))
	if err != nil {
		s.t.Fatal(err)
	}
	return d.OpenTagged[outcome]
}

func (s *server) auditLen(ws string) int {
	s.t.Helper()
	a, err := s.st.Audit(context.Background(), ws, 10000)
	if err != nil {
		s.t.Fatal(err)
	}
	return len(a)
}

func TestAuthentication(t *testing.T) {
	s := newServer(t)
	body := []byte(`{"ref":"INC0099001","title":"should not land"}`)
	before := s.auditLen("T1") + s.auditLen("T2")
	for name, auth := range map[string]string{
		"missing":        "",
		"wrong":          "Bearer t1-0123456789abcdef0123456789abcdeX",
		"prefix":         "Bearer " + tokenT1[:20],
		"basic":          "Basic " + tokenT1,
		"bearer only":    "Bearer",
		"other scheme":   "Token " + tokenT1,
		"token in value": tokenT1,
	} {
		t.Run(name, func(t *testing.T) {
			code, hdr, b := s.post(auth, "application/json", body)
			if code != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("status %d, WWW-Authenticate %q: %s", code, hdr.Get("WWW-Authenticate"), b)
			}
			if bytes.Contains(b, []byte(tokenT1)) {
				t.Error("the answer echoes the token")
			}
		})
	}
	if after := s.auditLen("T1") + s.auditLen("T2"); after != before {
		t.Errorf("refused calls wrote %d audit entries", after-before)
	}
	if r := s.intake(tokenT1, body); r.Workspace != "T1" || r.Created != 1 {
		t.Errorf("T1's token: %+v", r)
	}
	code, _, _ := s.post("bearer   "+tokenT1+"  ", "application/json; charset=utf-8", body)
	if code != http.StatusOK {
		t.Errorf("lower-case scheme and spaces: status %d", code)
	}
}

// TestTokenNeverWritesIntoAnotherWorkspace: each token writes only its own
// workspace, whatever the body says.
func TestTokenNeverWritesIntoAnotherWorkspace(t *testing.T) {
	s := newServer(t)
	body := []byte(`[{"ref":"OPS-1","title":"from T2","workspace":"T1","outcome":"pos"}]`)
	if r := s.intake(tokenT2, body); r.Workspace != "T2" || r.Created != 1 {
		t.Fatalf("T2: %+v", r)
	}
	if _, err := s.st.GetRequest(context.Background(), "T1", "OPS-1"); err == nil {
		t.Fatal("T2's token wrote into T1")
	}
	if s.request("T2", "OPS-1").Title != "from T2" || s.openTagged("T1", "pos") != 0 || s.openTagged("T2", "pos") != 1 {
		t.Error("T2's request is not where it belongs")
	}
}

func TestBadCalls(t *testing.T) {
	s := newServer(t)
	var many bytes.Buffer
	many.WriteString("[")
	for i := range intake.MaxItems + 1 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"ref":"INC%07d"}`, i)
	}
	many.WriteString("]")
	cases := []struct {
		name, contentType string
		body              []byte
		status            int
		msg               string
	}{
		{"too many items", "application/json", many.Bytes(), http.StatusRequestEntityTooLarge, "the limit is 1000"},
		{"not json", "application/json", []byte("ref=INC1"), http.StatusBadRequest, "not JSON"},
		{"broken json", "application/json", []byte(`[{"ref":"INC1"`), http.StatusBadRequest, "not a JSON list"},
		{"empty", "application/json", nil, http.StatusBadRequest, "empty"},
		{"xml", "text/xml", []byte("<ref>INC1</ref>"), http.StatusUnsupportedMediaType, "application/json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, b := s.post("Bearer "+tokenT1, c.contentType, c.body)
			if code != c.status || !strings.Contains(string(b), c.msg) {
				t.Errorf("status %d %s, want %d %q", code, b, c.status, c.msg)
			}
		})
	}
	s.h.MaxBody = 1 << 10
	code, _, b := s.post("Bearer "+tokenT1, "", bytes.Repeat([]byte(" "), 2<<10))
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("over the body cap: %d %s", code, b)
	}
	resp, err := http.Get(s.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if n := s.auditLen("T1"); n != 2 { // the two outcomes
		t.Errorf("bad calls wrote: %d audit entries", n)
	}
}

func TestStoreUnavailable(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	b := commandstest.NewBot(store.New(rdb, store.Options{}), commands.Config{}, commandstest.NewClock(now), nil)
	h := intake.New(b.Intake, map[string]string{"T1": tokenT1}, nil)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"ref":"INC1"}`))
	req.Header.Set("Authorization", "Bearer "+tokenT1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "not recorded") {
		t.Errorf("status %d %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestParseTokens(t *testing.T) {
	long := strings.Repeat("a", intake.MinTokenLen)
	got, err := intake.ParseTokens(" T1=" + long + "1 ; T2=" + long + "2\n\n")
	if err != nil || got["T1"] != long+"1" || got["T2"] != long+"2" || len(got) != 2 {
		t.Errorf("ParseTokens = %v, %v", got, err)
	}
	if got, err := intake.ParseTokens(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
	for spec, want := range map[string]string{
		"T1":                               "want workspace=token",
		"=" + long:                         "want workspace=token",
		"T1=short":                         "at least 24",
		"T1=" + long + ",T1=" + long + "x": "has a token already",
		"T1=" + long + ",T2=" + long:       "the same token as workspace T1",
		"{T1}=" + long:                     "not a workspace id",
	} {
		_, err := intake.ParseTokens(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTokens(%q) err = %v, want %q", spec, err, want)
		}
		if err != nil && strings.Contains(err.Error(), long) {
			t.Errorf("the error shows the token: %v", err)
		}
	}
}
