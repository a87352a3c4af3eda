// Package intake is the HTTP endpoint ITSMs push requests to:
// POST /api/intake/requests, authenticated per workspace with a bearer
// token. It reads outcomebot's own JSON, Jira issue webhooks and
// ServiceNow outbound REST messages, and answers per item what was stored
// and what was rejected and why. The checks and the writes are the core's
// (commands.Core.Intake); this package is HTTP, authentication and the
// three payload shapes.
package intake

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	intakecore "github.com/outcomebot/outcomebot/commands/intake"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Path is where the handler listens.
const Path = "/api/intake/requests"

// DefaultMaxBody caps a request body: a full call of MaxItems compact items
// fits many times over, and so does a Jira webhook with its changelog.
const DefaultMaxBody = 8 << 20

// MaxItems is the most items one call may carry.
const MaxItems = intakecore.MaxIntakeItems

// intakeCore is what the handler needs of the core's intake.
type intakeCore interface {
	Take(ctx context.Context, ws string, items []intakecore.Item, opts intakecore.Options) ([]intakecore.ItemResult, error)
}

// Handler serves POST /api/intake/requests.
type Handler struct {
	core   intakeCore
	tokens []workspaceToken
	log    *slog.Logger
	// MaxBody caps the request body in bytes (default DefaultMaxBody).
	MaxBody int64
}

// workspaceToken is one workspace's token, kept as its SHA-256 so every
// comparison takes the same time whatever the lengths.
type workspaceToken struct {
	workspace string
	sum       [sha256.Size]byte
}

// New builds the handler on core with the workspace → token map (see
// ParseTokens); workspaces with an empty token are left out, so they can
// never be written. log may be nil.
func New(core *intakecore.Intake, tokens map[string]string, log *slog.Logger) *Handler {
	return newHandler(core, tokens, log)
}

func newHandler(core intakeCore, tokens map[string]string, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{core: core, log: log.With(slog.String("component", "intake")), MaxBody: DefaultMaxBody}
	for ws, tok := range tokens {
		if ws == "" || tok == "" {
			h.log.Warn("intake token skipped: empty workspace or token", slog.String("workspace", ws))
			continue
		}
		h.tokens = append(h.tokens, workspaceToken{workspace: ws, sum: sha256.Sum256([]byte(tok))})
	}
	return h
}

// Register adds the handler to mux at POST /api/intake/requests.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST "+Path, h)
}

// ServeHTTP authenticates the caller, reads the items and answers with a
// Response: 200 when the call was processed (even if some or all items
// were rejected: sending them again would not help), 401 without a valid
// token, 400 for a body that is not JSON of a known shape, 413 over the
// body cap or MaxItems, 415 for a non-JSON content type, 503 when the store
// is unavailable (nothing or part was written; sending again is safe).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ws, ok := h.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="outcomebot intake"`)
		h.fail(w, http.StatusUnauthorized, "a valid bearer token for a workspace is required (Authorization: Bearer <token>)")
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "intake refused: no valid token", slog.String("remote", r.RemoteAddr))
		return
	}
	log := h.log.With(slog.String("workspace", ws))
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		h.fail(w, http.StatusUnsupportedMediaType, "send application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes: send fewer items a call", h.MaxBody))
		return
	}
	if err != nil {
		h.fail(w, http.StatusBadRequest, "could not read the body")
		return
	}
	items, err := decodeItems(body)
	var tooMany errTooMany
	switch {
	case errors.As(err, &tooMany):
		h.fail(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	case err != nil:
		h.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	results, err := h.core.Take(r.Context(), ws, items, intakecore.Options{})
	if err != nil {
		h.storeFailure(w, r, log, err)
		return
	}
	resp := newResponse(ws, results)
	log.LogAttrs(r.Context(), slog.LevelInfo, "intake", slog.Int("items", len(items)), slog.Int("created", resp.Created),
		slog.Int("updated", resp.Updated), slog.Int("unchanged", resp.Unchanged), slog.Int("rejected", resp.Rejected),
		slog.Int("warnings", resp.Warnings), slog.Duration("took", time.Since(start)))
	writeJSON(w, http.StatusOK, resp)
}

// authenticate finds the workspace whose token the bearer token is. Every
// configured token is compared, in constant time, whether or not one
// matched earlier.
func (h *Handler) authenticate(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(tok))
	ws, found := "", 0
	for _, t := range h.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1 {
			ws, found = t.workspace, found+1
		}
	}
	return ws, found == 1
}

// storeFailure answers a failed write: 503 when the store is down, 500
// with a reference otherwise (the error is logged, never shown).
func (h *Handler) storeFailure(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(err, record.ErrUnavailable) {
		log.LogAttrs(r.Context(), slog.LevelWarn, "intake not recorded: store unavailable", slog.Any("err", err))
		w.Header().Set("Retry-After", "30")
		h.fail(w, http.StatusServiceUnavailable, "not recorded: the bot's database is unavailable; send the call again later")
		return
	}
	ref := commands.ErrorRef()
	log.LogAttrs(r.Context(), slog.LevelError, "intake failed", slog.String("ref", ref), slog.Any("err", err))
	h.fail(w, http.StatusInternalServerError, "something went wrong (ref "+ref+")")
}

// Response is the answer to a processed call.
type Response struct {
	Workspace string `json:"workspace"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Rejected  int    `json:"rejected"`
	// Warnings counts the stored items with a warning (an unknown or
	// archived outcome left out: the item's warning says which).
	Warnings int `json:"warnings"`
	// Items has one entry per item sent, in order.
	Items []ItemResult `json:"items"`
}

// ItemResult is what one item did; Index is its 0-based position in the call.
type ItemResult struct {
	Index int `json:"index"`
	intakecore.ItemResult
}

func newResponse(ws string, results []intakecore.ItemResult) Response {
	resp := Response{Workspace: ws, Items: make([]ItemResult, len(results))}
	for i, r := range results {
		resp.Items[i] = ItemResult{Index: i, ItemResult: r}
		switch r.Result {
		case intakecore.ResultCreated:
			resp.Created++
		case intakecore.ResultUpdated:
			resp.Updated++
		case intakecore.ResultUnchanged:
			resp.Unchanged++
		default:
			resp.Rejected++
		}
		if r.Warning != "" {
			resp.Warnings++
		}
	}
	return resp
}

// errorBody is the answer to a call that was not processed.
type errorBody struct {
	Error string `json:"error"`
}

func (h *Handler) fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// isJSON reports whether a Content-Type is JSON (application/json or +json).
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
