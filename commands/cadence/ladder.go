package cadence

import (
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/escalation"
	"github.com/outcomebot/outcomebot/store/record"
)

// LadderStep is a rung of the escalation reminder ladder. Its value is what
// record.Escalation.Reminders records once the step has been sent.
type LadderStep int

// Ladder steps, in the order they are sent.
const (
	// StepNone means nothing is due.
	StepNone LadderStep = 0
	// StepRemind reminds the IT channel, mentioning the IT owner, once the
	// escalation has waited its SLA without acknowledgement.
	StepRemind LadderStep = 1
	// StepRaise raises the escalation to the outcome's leadership channel
	// once it has waited twice its SLA.
	StepRaise LadderStep = 2
)

// DueStep returns the ladder step to send now for e, or StepNone. A step is
// due once now >= RaisedAt+sla (StepRemind) or now >= RaisedAt+2*sla
// (StepRaise), comparing absolute instants, so daylight-saving changes do not
// stretch or shrink an SLA. Nothing is due for an escalation that is not open
// (acknowledged or resolved), when sla <= 0, or when e.Reminders already
// records the due step. Steps are sent in order: when both are due and none
// has been sent, DueStep returns StepRemind and the next tick the raise.
func DueStep(e record.Escalation, sla time.Duration, now time.Time) LadderStep {
	return DueStepIn(e, sla, nil, now)
}

// DueStepIn is DueStep with the SLA counted in business hours h (see
// commands.BusinessHours; nil runs round the clock): raised Friday 17:30
// with Mon-Fri 08:00-18:00 and a 4h SLA, the reminder is due Monday 11:30.
func DueStepIn(e record.Escalation, sla time.Duration, h *commands.BusinessHours, now time.Time) LadderStep {
	if e.State != record.StateOpen || !e.AckAt.IsZero() || !e.ResolvedAt.IsZero() || sla <= 0 || now.Before(e.SnoozedUntil) {
		return StepNone
	}
	from := e.ClockFrom()
	due := StepNone
	switch {
	case now.Before(h.Add(from, sla)):
	case now.Before(h.Add(from, 2*sla)):
		due = StepRemind
	default:
		due = StepRaise
	}
	if e.Reminders >= int(due) {
		return StepNone
	}
	if due == StepRaise && e.Reminders < int(StepRemind) {
		return StepRemind
	}
	return due
}

// LadderMessage renders the message for a ladder step on e at now. o should
// carry the effective SLA (set o.SLA = EscalationSLA(o, def)); a zero SLA is
// left out of the text. ticketURL may be nil or return "" for no link.
//
// StepRemind is for the outcome's IT channel: it mentions the IT owner and
// carries Acknowledge and Resolve buttons. StepRaise is for the outcome's
// leadership channel. StepNone yields the zero Response.
func LadderMessage(e record.Escalation, o record.Outcome, step LadderStep, now time.Time, ticketURL func(string) string) commands.Response {
	return LadderMessageIn(e, o, step, nil, now, ticketURL)
}

// LadderMessageIn is LadderMessage for an SLA counted in business hours h
// (nil: round the clock): the wait reads "4h business time (2d 18h
// wall-clock)".
func LadderMessageIn(e record.Escalation, o record.Outcome, step LadderStep, h *commands.BusinessHours, now time.Time, ticketURL func(string) string) commands.Response {
	switch step {
	case StepRemind:
		return reminderMessage(e, o, h, now, ticketURL)
	case StepRaise:
		return raiseMessage(e, o, h, now, ticketURL)
	default:
		return commands.Response{}
	}
}

// reminderMessage is the StepRemind message for the IT channel.
func reminderMessage(e record.Escalation, o record.Outcome, h *commands.BusinessHours, now time.Time, ticketURL func(string) string) commands.Response {
	name := commands.EscID(e.N)
	text := "Reminder: " + name + " (" + commands.TicketText(e.Ref, ticketURL) + " → " + commands.Code(e.Outcome) +
		") has waited " + commands.WaitedText(h, e.RaisedAt, now) + " without acknowledgement" + commands.SLAText(o.SLA, h) + ". "
	if who := orDefault(e.Assignee, o.ITOwner); who != "" {
		text += commands.Mention(who) + ", please acknowledge or resolve it."
	} else {
		text += "No IT owner is set for " + commands.Code(o.Key) + "; an admin can set one with " +
			commands.Code("/outcome set "+o.Key+" it=@user") + "."
	}
	return commands.Response{
		Visibility: commands.InChannel,
		Text:       text,
		Sections:   []commands.Section{ladderDetails(e, now)},
		Buttons: []commands.Button{
			{Label: "Acknowledge", Action: commands.ActionAck, Value: name, Style: commands.StylePrimary},
			{Label: "Resolve", Action: commands.ActionResolve, Value: name},
			{Label: "Snooze 1h", Action: escalation.ActionSnooze, Value: name + " 1h"},
			{Label: "Snooze 4h", Action: escalation.ActionSnooze, Value: name + " 4h"},
			{Label: "Until next morning", Action: escalation.ActionSnooze, Value: name + " morning"},
		},
	}
}

// raisedPrefix starts a raise; raisedNowhere replaces it when no
// leadership channel follows the outcome and the raise stays in the IT
// channel (see sendStep).
const raisedPrefix = "Raised to leadership: "

func raisedNowhere(key string) string {
	return "Due for leadership, but no leadership channel follows " + commands.Code(key) + ": "
}

// raiseMessage is the StepRaise message for the leadership channel.
func raiseMessage(e record.Escalation, o record.Outcome, h *commands.BusinessHours, now time.Time, ticketURL func(string) string) commands.Response {
	twice := "twice its SLA"
	if o.SLA > 0 {
		twice += " (" + commands.DurationText(o.SLA) + ")"
	}
	if h != nil {
		twice += " in business hours"
	}
	text := raisedPrefix + commands.EscID(e.N) + " (" + commands.TicketText(e.Ref, ticketURL) + " → " +
		commands.Code(e.Outcome) + ") unacknowledged for " + commands.WaitedText(h, e.RaisedAt, now) + ", " + twice +
		". IT owner: " + commands.MentionOr(o.ITOwner, "not set") + ". Raised by " + commands.MentionOr(e.RaisedBy, "unknown") + "."
	sec := ladderDetails(e, now)
	if o.Title != "" {
		sec.Fields = append([]commands.Field{{Label: "Outcome", Value: commands.Clip(o.Title, commands.MaxTitleRunes)}}, sec.Fields...)
	}
	return commands.Response{Visibility: commands.InChannel, Text: text, Sections: []commands.Section{sec}}
}

// ladderDetails is the section both ladder messages share: the reason, as
// plain text, and where and when the escalation was raised.
func ladderDetails(e record.Escalation, now time.Time) commands.Section {
	raised := commands.Time(e.RaisedAt, commands.TimeDateTime, now.Location())
	if e.RaisedIn != "" {
		raised += " in " + commands.ChannelLink(e.RaisedIn)
	}
	return commands.Section{
		Title: "Reason",
		Text:  commands.Clip(e.Reason, commands.MaxReasonRunes),
		Fields: []commands.Field{
			{Label: "Raised by", Value: commands.MentionOr(e.RaisedBy, "unknown")},
			{Label: "Raised", Value: raised},
		},
	}
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
