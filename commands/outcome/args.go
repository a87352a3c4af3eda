package outcome

import (
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Arguments of the outcome and role commands.
// reservedKeys are words the grammar gives a meaning where an outcome key
// may stand (`/tag X none`, `help`, `it-channel=here`, `/escalate list
// all|mine|open`), so no outcome may be called by them.
var reservedKeys = []string{"none", "help", "here", "all", "mine", "open"}

// checkOutcomeKey validates a new outcome key.
func checkOutcomeKey(key string) error {
	for _, r := range reservedKeys {
		if strings.EqualFold(key, r) {
			return commands.Userf("`%s` cannot be an outcome key: the words %s mean something else in commands. Pick another key, e.g. `%s-work`.",
				commands.Clip(key, 40), "`"+strings.Join(reservedKeys, "`, `")+"`", strings.ToLower(key))
		}
	}
	if commands.ValidOutcomeKey(key) {
		return nil
	}
	return commands.Userf("`%s` is not a valid outcome key: use 2–32 lower-case letters, digits and dashes, e.g. `pos-conversion`.", commands.Clip(key, 40))
}

// userArg reads a user from a mention token.
func userArg(t commands.Token, what string) (string, error) {
	if t.Kind == commands.TokenUser && t.ID != "" {
		return t.ID, nil
	}
	if t.Kind == commands.TokenUser {
		return "", commands.Userf("I could not tell who `%s` is for %s: pick them from the @mention list so the name becomes a mention.", commands.Clip(t.Text, 40), what)
	}
	return "", commands.Userf("%s must be a person: @mention them (got `%s`).", commands.UpperFirst(what), commands.Clip(t.Text, 40))
}

// parseSLA reads an SLA like 4h, 90m, 1d or 1d12h, between 1m and 30d.
func parseSLA(s string) (time.Duration, error) {
	bad := commands.Userf("`%s` is not a duration: write it like `4h`, `90m` or `1d`.", commands.Clip(s, 20))
	outOfRange := commands.Userf("An SLA must be between 1m and 30d (got `%s`): write it like `4h`, `90m` or `1d`.", commands.Clip(s, 20))
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
			// Digits only, but too many of them to be an SLA.
			if _, ok := slaUnit(rest[i:]); ok {
				return 0, outOfRange
			}
			return 0, bad
		}
		unit, ok := slaUnit(rest[i:])
		if !ok {
			return 0, bad
		}
		if unit < time.Minute {
			// Seconds are a duration, but below an SLA's resolution.
			return 0, outOfRange
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	if total < time.Minute || total > 30*24*time.Hour {
		return 0, outOfRange
	}
	return total, nil
}

// slaUnit reads the unit letter that starts rest: d, h, m or s (which
// parseSLA recognises only to say what range is allowed).
func slaUnit(rest string) (time.Duration, bool) {
	if rest == "" {
		return 0, false
	}
	switch rest[0] {
	case 'd':
		return 24 * time.Hour, true
	case 'h':
		return time.Hour, true
	case 'm':
		return time.Minute, true
	case 's':
		return time.Second, true
	}
	return 0, false
}

// validRole checks a role name.
func validRole(role string) (string, error) {
	r := strings.ToLower(role)
	if r == record.RoleAdmin || r == record.RoleITLead {
		return r, nil
	}
	return "", commands.Userf("There is no role `%s`. Roles are `admin` (defines outcomes, grants roles, subscribes channels) and `it-lead` (acknowledges and resolves escalations).", role)
}

// parseHours reads an outcome's hours=: business hours like
// "Mon-Fri 08:00-18:00 Europe/London", or 24x7 for round the clock whatever
// the default. It returns the canonical form to store.
func parseHours(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", commands.Userf("Give the business hours, like %s (quoted), or `hours=%s` for round the clock, or `hours=none` for the default.", commands.HoursForm, commands.RoundTheClock)
	}
	h, err := commands.ParseBusinessHours(s, nil)
	if err != nil {
		if ue, ok := commands.AsUserError(err); ok {
			return "", commands.Userf("%s Quote the whole value: %s.", ue.Msg, commands.Code(`hours="Mon-Fri 08:00-18:00 Europe/London"`))
		}
		return "", err
	}
	return h.String(), nil
}

// hoursText is what /outcome show says about o's business hours.
func (c *Outcomes) hoursText(o record.Outcome) string {
	if o.Hours != "" {
		return o.Hours
	}
	return c.cfg.BusinessHours.String() + " (default)"
}

// unquotedHours refuses hours= written without quotes, whose hours and
// zone then arrive as extra words after the command's own want words.
func unquotedHours(args commands.Args, want int) error {
	if _, ok := args.Options["hours"]; !ok || len(args.Words) <= want {
		return nil
	}
	return commands.Userf("Quote the business hours: %s.", commands.Code(`hours="Mon-Fri 08:00-18:00 Europe/London"`))
}
