package teams

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// Identities used throughout the tests.
const (
	testAppID  = "00000000-0000-0000-0000-00000000a991"
	testTenant = "tenant-1"
	botID      = "28:" + testAppID
	itConv     = "19:it@thread.tacv2"
	opsConv    = "19:ops@thread.tacv2"
	dmConv     = "a:1personal-admin"
)

var (
	keyOnce      sync.Once
	testKeys     map[string]*rsa.PrivateKey // kid → key
	testKeysErr  error
	testKeyNames = []string{"kid-1", "kid-2", "kid-3"}
)

// keys returns RSA keys shared by every test (generating them is slow).
func keys(t testing.TB) map[string]*rsa.PrivateKey {
	keyOnce.Do(func() {
		testKeys = map[string]*rsa.PrivateKey{}
		for _, kid := range testKeyNames {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				testKeysErr = err
				return
			}
			testKeys[kid] = k
		}
	})
	if testKeysErr != nil {
		t.Fatal(testKeysErr)
	}
	return testKeys
}

// oidcServer serves OpenID metadata and a JWKS of chosen keys.
type oidcServer struct {
	*httptest.Server
	mu           sync.Mutex
	kids         []string // published keys
	endorsements []string
	fetches      atomic.Int64 // JWKS fetches
	down         atomic.Bool  // answer 503 to every request
}

func newOIDCServer(t testing.TB, kids ...string) *oidcServer {
	s := &oidcServer{kids: kids, endorsements: []string{"msteams", "webchat"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"issuer":"https://api.botframework.com","jwks_uri":"%s/v1/.well-known/keys","id_token_signing_alg_values_supported":["RS256"]}`, s.URL)
	})
	mux.HandleFunc("GET /v1/.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		var ks []map[string]any
		for _, kid := range s.kids {
			pub := keys(t)[kid].PublicKey
			ks = append(ks, map[string]any{
				"kty": "RSA", "use": "sig", "kid": kid,
				"n":            base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
				"e":            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
				"endorsements": s.endorsements,
			})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": ks})
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *oidcServer) metadataURL() string { return s.URL + "/v1/.well-known/openidconfiguration" }

func (s *oidcServer) publish(kids ...string) {
	s.mu.Lock()
	s.kids = kids
	s.mu.Unlock()
}

// tokenSpec describes a test token; the zero value plus defaults is valid.
type tokenSpec struct {
	kid        string
	signWith   string // kid of the key that signs; default kid
	iss, aud   string
	serviceURL *string // nil: the activity's
	exp, nbf   time.Time
	extra      map[string]any
}

// sign makes a Bot Connector-style token for an activity posted to serviceURL.
func sign(t testing.TB, spec tokenSpec, serviceURL string) string {
	t.Helper()
	if spec.kid == "" {
		spec.kid = "kid-1"
	}
	if spec.signWith == "" {
		spec.signWith = spec.kid
	}
	if spec.iss == "" {
		spec.iss = "https://api.botframework.com"
	}
	if spec.aud == "" {
		spec.aud = testAppID
	}
	now := time.Now()
	if spec.exp.IsZero() {
		spec.exp = now.Add(time.Hour)
	}
	if spec.nbf.IsZero() {
		spec.nbf = now.Add(-time.Minute)
	}
	claims := map[string]any{"iss": spec.iss, "aud": spec.aud, "exp": spec.exp.Unix(), "nbf": spec.nbf.Unix(), "iat": spec.nbf.Unix()}
	if spec.serviceURL == nil {
		claims["serviceurl"] = serviceURL
	} else if *spec.serviceURL != "<absent>" {
		claims["serviceurl"] = *spec.serviceURL
	}
	for k, v := range spec.extra {
		claims[k] = v
	}
	return signClaims(t, jwa.RS256(), keys(t)[spec.signWith], spec.kid, claims)
}

// signClaims signs any claims (well-formed or not) as a compact JWS with
// the given algorithm and key, naming kid in the header when set.
func signClaims(t testing.TB, alg jwa.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "JWT")
	if kid != "" {
		_ = hdr.Set(jws.KeyIDKey, kid)
	}
	tok, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// call is one request the fake connector received.
type call struct {
	Method       string
	Conversation string // unescaped
	ActivityID   string // "" for a send to the conversation
	Body         map[string]any
}

// text returns the call's body as JSON, "<" and ">" unescaped.
func (c call) text() string { return string(marshalJSON(c.Body)) }

// fakeConnector is a Bot Connector and token endpoint on loopback. It
// records every call and answers like the real service.
type fakeConnector struct {
	*httptest.Server
	t          testing.TB
	mu         sync.Mutex
	calls      []call
	tokenCalls atomic.Int64
	nextID     atomic.Int64
	members    map[string]map[string]any // member id (29: or aad) → account
	// fail, when set, answers a connector call instead of the default.
	fail func(r *http.Request, n int) (status int, header http.Header, ok bool)
	// failCode is the error code a failed call's body carries ("Throttled"
	// when empty).
	failCode string
	// tokenStatus, when not 0, is the token endpoint's answer.
	tokenStatus atomic.Int64
}

const fakeAccessToken = "fake-access-token"

func newFakeConnector(t testing.TB) *fakeConnector {
	f := &fakeConnector{t: t, members: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("POST /v3/conversations/{conv}/activities", f.activity)
	mux.HandleFunc("POST /v3/conversations/{conv}/activities/{id}", f.activity)
	mux.HandleFunc("PUT /v3/conversations/{conv}/activities/{id}", f.activity)
	mux.HandleFunc("GET /v3/conversations/{conv}/members/{member}", f.member)
	mux.HandleFunc("POST /v3/conversations", f.createConversation)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeConnector) serviceURL() string { return f.URL + "/amer/" }
func (f *fakeConnector) tokenURL() string   { return f.URL + "/token" }

func (f *fakeConnector) token(w http.ResponseWriter, r *http.Request) {
	f.tokenCalls.Add(1)
	w.Header().Set("Content-Type", "application/json; charset=utf-8") // as Microsoft's endpoint answers
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" ||
		r.PostForm.Get("client_id") != testAppID || r.PostForm.Get("client_secret") != "s3cret" ||
		r.PostForm.Get("scope") != "https://api.botframework.com/.default" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`)
		return
	}
	if s := f.tokenStatus.Load(); s != 0 {
		w.WriteHeader(int(s))
		fmt.Fprint(w, `{"error":"temporarily_unavailable"}`)
		return
	}
	fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":%q}`, fakeAccessToken)
}

func (f *fakeConnector) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+fakeAccessToken {
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	return true
}

func (f *fakeConnector) activity(w http.ResponseWriter, r *http.Request) {
	// The service URL is a prefix: routes are mounted under /amer/ by StripPrefix.
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	n := len(f.calls)
	f.mu.Unlock()
	if f.fail != nil {
		if status, h, ok := f.fail(r, n); ok {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			code := f.failCode
			if code == "" {
				code = "Throttled"
			}
			fmt.Fprintf(w, `{"error":{"code":%q,"message":"refused"}}`, code)
			f.record(r, nil)
			return
		}
	}
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.record(r, body)
	id := r.PathValue("id")
	if r.Method == http.MethodPost {
		id = fmt.Sprintf("%d", 1000+f.nextID.Add(1))
	}
	fmt.Fprintf(w, `{"id":%q}`, id)
}

func (f *fakeConnector) record(r *http.Request, body map[string]any) {
	c := call{Method: r.Method, Conversation: r.PathValue("conv"), Body: body}
	if r.Method != http.MethodGet {
		c.ActivityID = r.PathValue("id")
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

func (f *fakeConnector) member(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	m, ok := f.members[r.PathValue("member")]
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"code":"MemberNotFoundInConversation","message":"not found"}}`)
		return
	}
	_ = json.NewEncoder(w).Encode(m)
}

// createConversation creates a 1:1 chat ("a:chat-<member id>"), as the
// real connector does for a bot and one member of a tenant; the call is
// recorded with Conversation "" and its body.
func (f *fakeConnector) createConversation(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	var body struct {
		Bot         map[string]any   `json:"bot"`
		Members     []map[string]any `json:"members"`
		TenantID    string           `json:"tenantId"`
		ChannelData map[string]any   `json:"channelData"`
	}
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil || len(body.Members) != 1 || body.TenantID == "" || body.Bot["id"] == nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"code":"BadArgument","message":"bot, one member and tenantId are required"}}`)
		return
	}
	var all map[string]any
	_ = json.Unmarshal(raw, &all)
	f.record(r, all)
	fmt.Fprintf(w, `{"id":%q}`, "a:chat-"+fmt.Sprint(body.Members[0]["id"]))
}

func (f *fakeConnector) addMember(id, aad, name string) {
	m := map[string]any{"id": id, "aadObjectId": aad, "name": name}
	f.mu.Lock()
	f.members[id], f.members[aad] = m, m
	f.mu.Unlock()
}

// take returns and forgets the calls recorded so far.
func (f *fakeConnector) take() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// env is an adapter wired to a real core and Redis, a local OpenID server
// and a fake connector.
type env struct {
	t       testing.TB
	adapter *Adapter
	core    *commands.Core
	bot     commandstest.Bot
	store   *store.Store
	oidc    *oidcServer
	conn    *fakeConnector
	srv     *httptest.Server
	nextID  atomic.Int64
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvAdmins(t, "aad-admin")
}

// newEnvAdmins is newEnv with OUTCOMEBOT_ADMINS set to admins.
func newEnvAdmins(t testing.TB, admins ...string) *env {
	t.Helper()
	e := &env{t: t, oidc: newOIDCServer(t, "kid-1"), conn: newFakeConnector(t)}
	// The connector's routes live under the service URL's path.
	inner := e.conn.Config.Handler
	outer := http.NewServeMux()
	outer.Handle("/amer/", http.StripPrefix("/amer", inner))
	outer.Handle("/token", inner)
	e.conn.Config.Handler = outer

	e.store = storetest.New(t)
	e.bot = commandstest.NewBot(e.store, commands.Config{Admins: admins}, nil, nil)
	e.core = e.bot.Core
	a, err := newAdapter(Config{
		AppID: testAppID, AppPassword: "s3cret", TenantID: testTenant,
		OpenIDMetadataURL: e.oidc.metadataURL(), TokenURL: e.conn.tokenURL(),
	}, e.core, e.store, nil, options{sleep: noWait})
	if err != nil {
		t.Fatal(err)
	}
	e.adapter = a
	mux := http.NewServeMux()
	a.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Close(ctx)
	})
	return e
}

// user is a Teams user in the tests.
type user struct{ id, aad, name string }

var (
	admin  = user{"29:admin", "aad-admin", "Ada Admin"}
	itLead = user{"29:it", "aad-it", "Ivan IT"}
	maria  = user{"29:maria", "aad-maria", "Maria Lopez"}
)

// activity builds an inbound activity.
func (e *env) activity(typ, conv, convType string, from user, text string) map[string]any {
	id := fmt.Sprintf("%d", 100+e.nextID.Add(1))
	fullConv := conv
	if convType == "channel" && !strings.Contains(conv, ";messageid=") {
		fullConv = conv + ";messageid=" + id
	}
	a := map[string]any{
		"type": typ, "id": id, "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"localTimestamp": "2026-11-02T10:00:00.123+01:00",
		"serviceUrl":     e.conn.serviceURL(), "channelId": "msteams",
		"from":         map[string]any{"id": from.id, "name": from.name, "aadObjectId": from.aad},
		"conversation": map[string]any{"id": fullConv, "conversationType": convType, "tenantId": testTenant, "isGroup": convType != "personal"},
		"recipient":    map[string]any{"id": botID, "name": "outcomebot"},
		"text":         text,
		"channelData":  map[string]any{"tenant": map[string]any{"id": testTenant}},
	}
	if convType == "channel" {
		a["channelData"].(map[string]any)["channel"] = map[string]any{"id": conv, "name": channelName(conv)}
		a["channelData"].(map[string]any)["team"] = map[string]any{"id": "19:team@thread.tacv2"}
	}
	return a
}

func channelName(conv string) string {
	switch conv {
	case itConv:
		return "IT Ops"
	case opsConv:
		return "Store Ops"
	}
	return ""
}

// command is a message that @mentions the bot (in channels) followed by
// line; mentions of users are given as extra entities.
func (e *env) command(conv, convType string, from user, line string, mentioned ...user) map[string]any {
	text := line
	ents := []any{}
	if convType != "personal" {
		text = "<at>outcomebot</at> " + line
		ents = append(ents, map[string]any{"type": "mention", "text": "<at>outcomebot</at>",
			"mentioned": map[string]any{"id": botID, "name": "outcomebot"}})
	}
	for _, u := range mentioned {
		ents = append(ents, map[string]any{"type": "mention", "text": "<at>" + u.name + "</at>",
			"mentioned": map[string]any{"id": u.id, "name": u.name}})
	}
	a := e.activity("message", conv, convType, from, text+"\n")
	a["entities"] = ents
	return a
}

// submit is a press of a card button: a message activity with a value.
func (e *env) submit(conv string, cardID string, from user, action, value string) map[string]any {
	a := e.activity("message", conv+";messageid="+cardID, "channel", from, "")
	a["replyToId"] = cardID
	a["value"] = map[string]any{"action": action, "value": value}
	return a
}

// post sends an activity with a valid token, or the given one, and waits
// for the turns it started.
func (e *env) post(act map[string]any, spec *tokenSpec) *http.Response {
	e.t.Helper()
	resp, _ := e.roundTrip(act, spec)
	e.adapter.turns.Wait()
	return resp
}

// roundTrip sends an activity with a token made from spec (none when nil)
// and returns the answer and its body, without waiting for the turns.
func (e *env) roundTrip(act map[string]any, spec *tokenSpec) (*http.Response, []byte) {
	e.t.Helper()
	body, _ := json.Marshal(act)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/messages", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if spec != nil {
		req.Header.Set("Authorization", "Bearer "+sign(e.t, *spec, act["serviceUrl"].(string)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

// do posts a valid activity and fails unless it is answered 200.
func (e *env) do(act map[string]any) []call {
	e.t.Helper()
	if resp := e.post(act, &tokenSpec{}); resp.StatusCode != http.StatusOK {
		e.t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	return e.conn.take()
}

// setup defines the outcome pos with the IT lead and the IT channel, as an
// admin would in chat.
func (e *env) setup() {
	e.t.Helper()
	e.conn.addMember(itLead.id, itLead.aad, itLead.name)
	e.do(e.command(itConv, "channel", admin, `outcome add pos "Point of sale" it=<at>Ivan IT</at> it-channel=here`, itLead))
	e.do(e.command(itConv, "channel", admin, `outcome grant <at>Ivan IT</at> it-lead`, itLead))
	o, err := e.store.GetOutcome(context.Background(), testTenant, "pos")
	if err != nil || o.ITOwner != itLead.aad || o.ITChannel != itConv {
		e.t.Fatalf("setup: outcome = %+v, %v; want it owner %s in %s", o, err, itLead.aad, itConv)
	}
}

// calls0 joins the bodies of calls, for substring checks.
func (f *fakeConnector) calls0(calls []call) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.text())
	}
	return b.String()
}
