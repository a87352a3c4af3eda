package commands

import (
	"context"
	"errors"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Request is one user action, as the core sees it: a command typed in chat or
// a button pressed on a card. Adapters fill it from their platform's payload.
type Request struct {
	// Workspace is the Slack team (or enterprise) id or the Teams tenant id.
	Workspace string
	// Channel is the conversation the request came from (Slack channel id,
	// Teams conversation id, or a shell channel name): always the
	// conversation itself, never a thread of it (adapters strip their
	// platform's thread addressing, such as Teams' ";messageid=").
	Channel string
	// User is the caller's stable id (Slack user id, Teams aadObjectId).
	User string
	// UserName is a display name, for logs and text only: never an identity.
	UserName string
	// Command is the command name with or without a leading slash
	// ("/tag", "tag").
	Command string
	// Text is everything after the command name, as typed.
	Text string
	// Action is set when the request is a button press instead of a command.
	Action *Action
	// Source is the message the request came from (the card a button is on,
	// or the announcement a command produced), if the platform says.
	Source MessageRef
	// Time is when the request arrived; zero means the core's clock.
	Time time.Time
	// Need is set by the router for an Atomic definition: the roles the
	// handler's store operation must check in the same atomic step as its
	// change (nil: the caller is a configured admin and needs no check).
	// Adapters leave it empty; the router overwrites it.
	Need []string
}

// Action is a press of a button (or a pick in a menu) on a message the bot posted.
type Action struct {
	// Name is the action id, e.g. ActionAck or ActionResolve.
	Name string
	// Value is the button's value, e.g. "E-7", or a picker's own Value.
	Value string
	// Choice is the Value of the option picked in a Picker; "" for a button.
	Choice string
}

// Action names carried by buttons and menus on the bot's messages.
const (
	ActionAck     = "ack"
	ActionResolve = "resolve"
	// ActionTriage is the outcome menu of a weekly triage message.
	ActionTriage = "triage"
)

// Visibility says who sees a reply.
type Visibility int

const (
	// Ephemeral replies are seen only by the caller (the default).
	Ephemeral Visibility = iota
	// InChannel replies are seen by everyone in the channel.
	InChannel
)

// Response is the neutral form of everything the bot says. Text fields hold
// markup built with the helpers in markup.go (Mention, ChannelLink, Link,
// Bold, Code); renderers turn it into Block Kit, Adaptive Cards or terminal
// text and escape everything that is not markup, so user-supplied text can
// never notify anyone.
type Response struct {
	Visibility Visibility
	// Title is an optional header line (plain text).
	Title string
	// Text is the main message; it is also the notification fallback.
	Text string
	// Sections follow the text, in order.
	Sections []Section
	// Buttons are shown at the end of the message.
	Buttons []Button
	// Context is a small footer line.
	Context string
	// Replace asks the adapter to replace the message the request came from
	// (a card whose button was pressed) instead of answering beside it.
	Replace bool
	// Thread holds follow-up messages that belong under this one: thread
	// replies on Slack, further messages on Teams (a digest's detail).
	Thread []Response
	// Outgoing are further messages to post elsewhere once the reply is
	// given: the escalation card in the IT channel, the requester's notice.
	Outgoing []Outgoing
	// Form, when set, asks the adapter to open this form for the caller
	// (Text is then what to show where no form can be opened).
	Form *Form `json:",omitempty"`
	// Actors, on a message with Buttons, are the users (core ids) expected
	// to act on it (an escalation card's assignee and IT owner). Platforms
	// that can show a message differently per reader may give them its
	// buttons first (Teams' card refresh); the buttons' permission checks
	// stay in the core, so nil only means nobody is singled out.
	Actors []string `json:",omitempty"`
}

// Section is a block of a message: an optional heading, text and
// label/value fields, and optionally a picker that acts on what the section
// shows (one message can so carry many items, each with its own menu).
type Section struct {
	Title  string
	Text   string
	Fields []Field
	Picker *Picker `json:",omitempty"` // omitted so sections without one encode as before
	// Charts are drawn after the text where the platform can (chart.go).
	Charts []Chart `json:",omitempty"`
	// Buttons act on what this section shows (a queue entry's Acknowledge,
	// Resolve, Snooze…): a row of its own under the section where the
	// platform has buttons, a line of text elsewhere. Omitted so sections
	// without any encode as before.
	Buttons []Button `json:",omitempty"`
}

// Picker is a menu of choices shown with a section: a Slack static_select,
// a Teams Input.ChoiceSet with a submit button. Picking an option sends an
// Action named Action whose Value is the picker's Value (like a button's)
// and whose Choice is the option's Value. Platforms without menus show the
// section's text only, which should then say how to act by command.
type Picker struct {
	Action      string
	Value       string // at most MaxPickerValue bytes
	Placeholder string // plain text
	Options     []Choice
}

// Choice is one option of a Picker.
type Choice struct {
	Label string // plain text, at most MaxChoiceLabel runes
	Value string // at most MaxPickerValue bytes
}

// Picker limits every platform can render (Slack: 100 options, 75-character
// labels, 150-character values; block ids of 255).
const (
	MaxPickerOptions = 100
	MaxChoiceLabel   = 75
	MaxPickerValue   = 150
)

// Field is one label/value pair in a section.
type Field struct {
	Label string
	Value string
}

// ButtonStyle colours a button.
type ButtonStyle int

const (
	// StyleDefault is a plain button.
	StyleDefault ButtonStyle = iota
	// StylePrimary is the highlighted, positive button.
	StylePrimary
	// StyleDanger is a destructive button.
	StyleDanger
)

// Button is a clickable action on a message.
type Button struct {
	Label  string
	Action string
	Value  string
	Style  ButtonStyle
	// Form, when set, names the form the button opens for whoever clicks
	// it (built with FormButton): a Slack modal, a Teams dialog, the
	// shell's form lines. Value is handed to the form's Open as
	// prefill[ButtonValue]; the form checks it like any input.
	Form string `json:",omitempty"`
}

// Outgoing is a message the core asks the adapter to post somewhere other
// than the reply to the caller.
type Outgoing struct {
	To      Destination
	Message Response
	// Track, when set, records where the message landed on an escalation so
	// later changes can update it (the card) or reply under it (the announcement).
	Track *Track
	// Person, when set, is the one person the message is for (the raiser's
	// notice): if To cannot take it (the bot is not in that channel, it is
	// archived, a DM between people), Deliver sends it to that person's
	// direct message with the bot instead, and that is no failure.
	Person string
}

// Track names the escalation message a posted Outgoing becomes.
type Track struct {
	Escalation int64
	Kind       string // TrackCard or TrackAnnouncement
}

// Track kinds.
const (
	TrackCard         = "card"
	TrackAnnouncement = "announce"
)

// Destination is where a message is posted.
type Destination struct {
	Workspace string
	Channel   string
	// Thread, when set, posts as a reply under that message (Slack thread
	// ts; Teams reply chain where supported).
	Thread string
	// Update, when set, replaces that message instead of posting a new one.
	Update string
}

// MessageRef names a posted message.
type MessageRef struct {
	Channel string
	ID      string // Slack ts, Teams activity id
}

// Poster posts and updates messages on one platform. Each adapter implements
// it; the core and the scheduler consume it.
type Poster interface {
	Post(ctx context.Context, to Destination, msg Response) (MessageRef, error)
	Update(ctx context.Context, ref MessageRef, workspace string, msg Response) error
}

// ErrUndeliverable marks a post the platform refused for good: the bot was
// removed from the channel, or the channel was archived or deleted. Posters
// wrap it (or the scheduler recognises their own errors). Such a
// digest is retried only every DueOptions.RetryMax, and its subscriber is
// told at once.
var ErrUndeliverable = errors.New("the platform refuses the bot's messages there")

// IsUndeliverable is the default DueOptions.Permanent: err wraps
// ErrUndeliverable, or an error with a Permanent() method that says so.
// Everything else (429s, 5xx, timeouts, unknown errors) is retried with
// backoff until the end of the week.
func IsUndeliverable(err error) bool {
	var p interface{ Permanent() bool }
	return errors.Is(err, ErrUndeliverable) || (errors.As(err, &p) && p.Permanent())
}

// DirectPoster is an optional Poster capability: a direct message from the
// bot to one user. The cadence uses it to tell a subscriber that their
// channel's digest is failing; without it the notice is posted with
// Destination.Channel set to the user id, which Slack's chat.postMessage
// delivers as a direct message from the bot.
type DirectPoster interface {
	PostDirect(ctx context.Context, workspace, user string, msg Response) (MessageRef, error)
}

// Clock tells the time. The system clock in production, a fake in tests and
// in the shell's simulated clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// EscalationSLA returns the acknowledgement SLA of escalations on o: the
// outcome's own SLA when it has one (> 0), otherwise def.
func EscalationSLA(o record.Outcome, def time.Duration) time.Duration {
	if o.SLA > 0 {
		return o.SLA
	}
	return def
}
