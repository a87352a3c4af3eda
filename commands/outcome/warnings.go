package outcome

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// Warnings after a change that succeeded but may leave escalations with
// nobody to act: an IT owner the bot has never seen (a wrong person would
// be pinged on every card, and the right one never), and a revoke that
// takes away the last role able to act on an outcome's open escalations.

// Both are read after the change was made, so a failed read only loses the
// warning: the reply never says "nothing changed" about a change that stands.

// newOwnerWarning warns, after /outcome add or set with it=@x, when the
// bot has never seen x in this workspace ("" otherwise). The change
// stands: the person may simply not have used the bot yet.
func (c *Outcomes) newOwnerWarning(ctx context.Context, req commands.Request, args commands.Args, o record.Outcome) string {
	t, ok := args.Options["it"]
	if !ok || isNone(t) || o.ITOwner == "" {
		return ""
	}
	if known, err := c.core.KnownUser(ctx, req.Workspace, o.ITOwner); err != nil || known {
		return ""
	}
	return fmt.Sprintf("\n%s has never used outcomebot here: check it is the right person. They are pinged on every escalation card of %s and may acknowledge and resolve them; ask them to try %s.",
		commands.Mention(o.ITOwner), commands.Code(o.Key), commands.Code("/outcome whoami"))
}

// strandedWarning warns, after revoking role from someone, when no it-lead
// or admin is left and some outcomes have open escalations that nobody
// else may act on: no IT owner on the outcome and no assignee on the
// escalation. It names those outcomes ("" when none).
func (c *Outcomes) strandedWarning(ctx context.Context, req commands.Request) string {
	if len(c.cfg.Admins) > 0 {
		return ""
	}
	members, err := c.store.RoleMembers(ctx, req.Workspace)
	if err != nil {
		return ""
	}
	if len(members[record.RoleITLead]) > 0 || len(members[record.RoleAdmin]) > 0 {
		return ""
	}
	outcomes, err := c.store.ListOutcomes(ctx, req.Workspace)
	if err != nil {
		return ""
	}
	owned := make(map[string]bool, len(outcomes))
	for _, o := range outcomes {
		owned[o.Key] = o.ITOwner != ""
	}
	open, err := c.store.ListEscalations(ctx, req.Workspace, record.EscalationFilter{OpenOnly: true, Limit: 10000})
	if err != nil {
		return ""
	}
	var stranded []string
	for _, e := range open {
		if e.State == record.StateResolved || e.Assignee != "" || owned[e.Outcome] {
			continue
		}
		if !slices.Contains(stranded, e.Outcome) {
			stranded = append(stranded, e.Outcome)
		}
	}
	if len(stranded) == 0 {
		return ""
	}
	slices.Sort(stranded)
	keys := make([]string, 0, len(stranded))
	for i, k := range stranded {
		if i == 10 {
			keys = append(keys, fmt.Sprintf("and %d more", len(stranded)-i))
			break
		}
		keys = append(keys, commands.Code(k))
	}
	return fmt.Sprintf("\nNobody is left who can act on the open escalations of %s: no it-lead or admin remains and those outcomes have no IT owner. Grant the role to someone (%s) or set an IT owner (%s).",
		strings.Join(keys, ", "), commands.Code("/outcome grant @user it-lead"), commands.Code("/outcome set "+stranded[0]+" it=@user"))
}
