package intake

import (
	"fmt"
	"strings"
)

// MinTokenLen is the shortest token ParseTokens accepts: a token is a
// password an ITSM sends on every call, so it must not be guessable.
const MinTokenLen = 24

// ParseTokens reads OUTCOMEBOT_INTAKE_TOKENS: workspace=token pairs
// separated by commas, semicolons or newlines, e.g.
//
//	T0123ABCD=3f9c…,0a1b2c3d-tenant-guid=9e77…
//
// Each workspace appears once, each token is at least MinTokenLen
// characters and belongs to one workspace only (a token names its
// workspace). An empty spec gives an empty map: the intake then refuses
// every call. The error names the bad entry by position, never its token.
func ParseTokens(spec string) (map[string]string, error) {
	out := map[string]string{}
	owner := map[string]string{}
	n := 0
	for entry := range strings.FieldsFuncSeq(spec, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		n++
		ws, tok, ok := strings.Cut(entry, "=")
		ws, tok = strings.TrimSpace(ws), strings.TrimSpace(tok)
		switch {
		case !ok || ws == "" || tok == "":
			return nil, fmt.Errorf("intake tokens entry %d: want workspace=token", n)
		case strings.ContainsAny(ws, "{} "):
			return nil, fmt.Errorf("intake tokens entry %d: workspace %q is not a workspace id", n, ws)
		case len(tok) < MinTokenLen:
			return nil, fmt.Errorf("intake tokens entry %d (%s): the token is %d characters; use at least %d random ones (openssl rand -hex 24)", n, ws, len(tok), MinTokenLen)
		case out[ws] != "":
			return nil, fmt.Errorf("intake tokens entry %d: workspace %s has a token already", n, ws)
		case owner[tok] != "":
			return nil, fmt.Errorf("intake tokens entry %d (%s): the same token as workspace %s; each workspace needs its own", n, ws, owner[tok])
		}
		out[ws], owner[tok] = tok, ws
	}
	return out, nil
}
