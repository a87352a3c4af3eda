package slack

import (
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store/record"
)

// App Home tab limits: 100 blocks per view; the tab lists at most this many
// of each kind and says how many more there are.
const (
	maxHomeItems = 40
)

// homeView is the App Home tab of user: their open escalations and the
// outcomes they own (as business or IT owner). It is a pure function of its
// arguments; every text is escaped like a message.
func homeView(user string, escs []record.Escalation, owned []record.Outcome, now time.Time) slack.HomeTabViewRequest {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plainObj("outcomebot")),
		sectionText(mrkdwn("IT work tied to business outcomes. Your open escalations and the outcomes you own, as of " +
			now.UTC().Format("2006-01-02 15:04") + " UTC.")).block,
		slack.NewDividerBlock(),
		sectionText("*Your open escalations*").block,
	}
	if len(escs) == 0 {
		blocks = append(blocks, sectionText(mrkdwn("None. Raise one with "+commands.Code("/escalate <ticket> <reason>")+".")).block)
	}
	for i, e := range escs {
		if i == maxHomeItems {
			blocks = append(blocks, contextText(fmt.Sprintf("…and %d more: %s", len(escs)-i, "/escalate list mine")))
			break
		}
		blocks = append(blocks, sectionText(firstChunk(escalationLine(e, now), maxSectionText)).block)
	}
	blocks = append(blocks, slack.NewDividerBlock(), sectionText("*Outcomes you own*").block)
	if len(owned) == 0 {
		blocks = append(blocks, sectionText(mrkdwn("None.")).block)
	}
	for i, o := range owned {
		if i == maxHomeItems {
			blocks = append(blocks, contextText(fmt.Sprintf("…and %d more: %s", len(owned)-i, "/outcome list")))
			break
		}
		blocks = append(blocks, sectionText(firstChunk(outcomeLine(o, user), maxSectionText)).block)
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// escalationLine describes one escalation in marked-up text.
func escalationLine(e record.Escalation, now time.Time) string {
	s := commands.Bold("E-"+strconv.FormatInt(e.N, 10)) + " " + commands.Code(e.Ref)
	if e.Outcome != "" {
		s += " → " + commands.Code(e.Outcome)
	}
	s += " · " + e.State
	if !e.RaisedAt.IsZero() {
		s += ", raised " + age(now.Sub(e.RaisedAt)) + " ago"
	}
	if e.AckBy != "" {
		s += ", acknowledged by " + commands.Mention(e.AckBy)
	}
	if e.Reason != "" {
		s += "\n" + e.Reason
	}
	return s
}

// outcomeLine describes one outcome the user owns.
func outcomeLine(o record.Outcome, user string) string {
	role := "business owner"
	if o.ITOwner == user {
		role = "IT owner"
		if o.Owner == user {
			role = "business and IT owner"
		}
	}
	s := commands.Code(o.Key) + " " + commands.Bold(o.Title) + " · " + role
	if o.KPI != "" {
		s += "\nKPI: " + o.KPI
	}
	if o.Status == record.OutcomeArchived {
		s += " (archived)"
	}
	return s
}

// age formats a duration as "3d 4h", "2h 5m" or "7m".
func age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Truncate(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	default:
		return fmt.Sprintf("%dm", mins)
	}
}

func contextText(t string) slack.Block {
	return slack.NewContextBlock("", mrkdwnObj(mrkdwn(t)))
}

// publishRequest is the views.publish request for user.
func publishRequest(user string, view slack.HomeTabViewRequest) slack.PublishViewContextRequest {
	return slack.PublishViewContextRequest{UserID: user, View: view}
}
