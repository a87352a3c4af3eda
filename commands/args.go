package commands

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var outcomeKeyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// checkOutcomeKey validates a new outcome key.
func checkOutcomeKey(key string) error {
	if outcomeKeyRE.MatchString(key) {
		return nil
	}
	return Userf("`%s` is not a valid outcome key: use 2–32 lower-case letters, digits and dashes, e.g. `pos-conversion`.", clip(key, 40))
}

// userArg reads a user from a mention token.
func userArg(t Token, what string) (string, error) {
	if t.Kind == TokenUser && t.ID != "" {
		return t.ID, nil
	}
	if t.Kind == TokenUser {
		return "", Userf("I could not tell who `%s` is for %s: pick them from the @mention list so the name becomes a mention.", clip(t.Text, 40), what)
	}
	return "", Userf("%s must be a person: @mention them (got `%s`).", what, clip(t.Text, 40))
}

// channelArg reads a channel from a channel mention or `here`.
func channelArg(req Request, t Token, what string) (string, error) {
	switch {
	case t.Kind == TokenChannel && t.ID != "":
		return t.ID, nil
	case t.Kind == TokenHere:
		return req.Channel, nil
	}
	return "", Userf("%s must be a channel: #mention it or write `here` for this channel (got `%s`).", what, clip(t.Text, 40))
}

// parseSLA reads an SLA like 4h, 90m, 1d or 1d12h.
func parseSLA(s string) (time.Duration, error) {
	bad := Userf("`%s` is not a duration: write it like `4h`, `90m` or `1d`.", clip(s, 20))
	var total time.Duration
	rest := strings.ToLower(strings.TrimSpace(s))
	if rest == "" {
		return 0, bad
	}
	if d, ok := strings.CutSuffix(rest, "d"); ok {
		rest = d + "d"
	}
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return 0, bad
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 10000 {
			return 0, bad
		}
		unit, next := rest[i:i+1], rest[i+1:]
		switch unit {
		case "d":
			total += time.Duration(n) * 24 * time.Hour
		case "h":
			total += time.Duration(n) * time.Hour
		case "m":
			total += time.Duration(n) * time.Minute
		default:
			return 0, bad
		}
		rest = next
	}
	if total < time.Minute || total > 30*24*time.Hour {
		return 0, Userf("An SLA must be between 1m and 30d (got `%s`).", clip(s, 20))
	}
	return total, nil
}

// parseEscalationID reads E-7, e7, #7 or 7.
func parseEscalationID(s string) (int64, error) {
	t := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "#")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "E"), "-")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, Userf("`%s` is not an escalation id: use the number shown when it was raised, like `E-7`.", clip(s, 20))
	}
	return n, nil
}

// escID formats an escalation id.
func escID(n int64) string { return "E-" + strconv.FormatInt(n, 10) }

// clip shortens s for quoting in a message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// nearest returns the candidate closest to s by edit distance, if close enough.
func nearest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := editDistance(s, c)
		if strings.HasPrefix(c, s) || strings.HasPrefix(s, c) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= max(2, len(s)/3) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// onlyOptions rejects options outside allowed.
func onlyOptions(args Args, usage string, allowed ...string) error {
	for _, k := range args.Order {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			if len(allowed) == 0 {
				return Userf("`%s=` is not an option here. Usage: %s", k, Code(usage))
			}
			return Userf("Unknown option `%s=`: options are %s. Usage: %s", k, "`"+strings.Join(allowed, "=`, `")+"=`", Code(usage))
		}
	}
	return nil
}
