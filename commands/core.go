package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// Config is the core's configuration.
type Config struct {
	// Admins are user ids that are admins in every workspace.
	Admins []string
	// TicketLinks turn ticket references into links.
	TicketLinks TicketLinks
	// AckSLA is the default time to acknowledge an escalation.
	AckSLA time.Duration
	// DigestCron is the weekly digest schedule (5-field cron).
	DigestCron string
	// DefaultTZ is the time zone of newly subscribed leadership channels.
	DefaultTZ *time.Location
	// BusinessHours are the default hours the SLA clock counts in (see
	// HoursFor); nil runs it round the clock. Parse them with
	// ParseBusinessHours and Holidays.
	BusinessHours *BusinessHours
	// Holidays are closed all day in every business hours (the default
	// and each outcome's hours=).
	Holidays []time.Time
}

// Core is the platform-neutral bot: it routes requests to handlers and turns
// every outcome, good or bad, into a Response.
type Core struct {
	store  Store
	cfg    Config
	clock  Clock
	log    *slog.Logger
	router *Router
	admins map[string]bool
	obs    Observer // nil: nobody observes (see SetObserver)
	forms  map[string]*FormDefinition
	hours  hoursCache
	seen   seenCache
	watch  watchers // who is told when an escalation changes (watch.go)
}

// New builds the core on a store.
func New(st Store, cfg Config, clock Clock, log *slog.Logger) *Core {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.Default()
	}
	if cfg.AckSLA <= 0 {
		cfg.AckSLA = 4 * time.Hour
	}
	if cfg.DefaultTZ == nil {
		cfg.DefaultTZ = time.UTC
	}
	if cfg.DigestCron == "" {
		cfg.DigestCron = "0 9 * * MON"
	}
	c := &Core{store: st, cfg: cfg, clock: clock, log: log, admins: map[string]bool{}}
	for _, a := range cfg.Admins {
		c.admins[a] = true
	}
	c.router = c.newRouter()
	return c
}

// Config returns the core's configuration.
func (c *Core) Config() Config { return c.cfg }

// Clock returns the core's clock.
func (c *Core) Clock() Clock { return c.clock }

// Handle runs one request and always returns a Response: a UserError becomes
// its message, a store outage becomes "not recorded, try again", anything
// else is logged and answered with a short reference.
func (c *Core) Handle(ctx context.Context, req Request) Response {
	if req.Time.IsZero() {
		req.Time = c.clock.Now()
	}
	start := time.Now()
	c.markSeen(ctx, req)
	resp, err := c.router.Dispatch(ctx, req)
	c.observeCommand(req, err, time.Since(start))
	if err == nil {
		return resp
	}
	return c.errorResponse(req, err)
}

func (c *Core) errorResponse(req Request, err error) Response {
	if ue, ok := AsUserError(err); ok {
		// Some messages (the parser's, a ticket's) are also used mid-sentence,
		// so they start in lower case; a reply starts with a capital.
		return Response{Text: UpperFirst(ue.Msg)}
	}
	ref := ErrorRef()
	c.log.Error("command failed", "workspace", req.Workspace, "channel", req.Channel,
		"user", req.User, "command", req.Command, "ref", ref, "err", err)
	if errors.Is(err, record.ErrUnavailable) {
		return Response{Text: fmt.Sprintf("Not recorded: the bot's database is unavailable. Nothing was changed; try again in a minute (ref %s).", ref)}
	}
	return Response{Text: fmt.Sprintf("Something went wrong and nothing was changed (ref %s). Try again; if it keeps failing, give the ref to your admin.", ref)}
}

// Track records where an Outgoing message with a Track landed.
func (c *Core) Track(ctx context.Context, ws string, t Track, ref MessageRef) error {
	return c.store.SetEscalationMessage(ctx, ws, t.Escalation, t.Kind, ref.Channel, ref.ID)
}

// Deliver posts each outgoing message with p, recording tracked ones. It
// tries every message and returns the failures joined.
func (c *Core) Deliver(ctx context.Context, p Poster, outs []Outgoing) error {
	var errs []error
	for _, o := range outs {
		var ref MessageRef
		var err error
		if o.To.Update != "" {
			ref = MessageRef{Channel: o.To.Channel, ID: o.To.Update}
			err = p.Update(ctx, ref, o.To.Workspace, o.Message)
		} else {
			ref, err = p.Post(ctx, o.To, o.Message)
		}
		if err != nil && o.Person != "" && o.To.Update == "" {
			// The channel cannot take it: the one person it is for gets it
			// in their direct message with the bot instead.
			var derr error
			if ref, derr = c.postDirect(ctx, p, o, err); derr == nil {
				err = nil
			} else {
				err = errors.Join(err, fmt.Errorf("direct message to %s: %w", o.Person, derr))
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("post to %s: %w", o.To.Channel, err))
			continue
		}
		if o.Track != nil {
			if err := c.Track(ctx, o.To.Workspace, *o.Track, ref); err != nil {
				errs = append(errs, fmt.Errorf("record E-%d %s: %w", o.Track.Escalation, o.Track.Kind, err))
			}
		}
	}
	return errors.Join(errs...)
}

// postDirect sends o's message to o.Person's direct message with the bot,
// saying why it came there (posting to o.To failed with failed).
func (c *Core) postDirect(ctx context.Context, p Poster, o Outgoing, failed error) (MessageRef, error) {
	c.log.Warn("message for one person sent to their direct message", "workspace", o.To.Workspace,
		"channel", o.To.Channel, "user", o.Person, "err", failed)
	msg := o.Message
	msg.Visibility = InChannel
	where := "I could not post this in " + ChannelLink(o.To.Channel) + ", so it comes to you here."
	if msg.Context != "" {
		where = msg.Context + " · " + where
	}
	msg.Context = where
	return PostDirect(ctx, p, o.To.Workspace, o.Person, msg)
}

// PostDirect sends msg to user's direct message with the bot: with p's
// PostDirect when it has one, else as a post to the user id (which Slack's
// chat.postMessage delivers as a direct message).
func PostDirect(ctx context.Context, p Poster, ws, user string, msg Response) (MessageRef, error) {
	if dp, ok := p.(DirectPoster); ok {
		return dp.PostDirect(ctx, ws, user, msg)
	}
	return p.Post(ctx, Destination{Workspace: ws, Channel: user}, msg)
}

// PostThreaded posts msg and then its Thread responses as replies under it.
func PostThreaded(ctx context.Context, p Poster, to Destination, msg Response) (MessageRef, error) {
	thread := msg.Thread
	msg.Thread = nil
	ref, err := p.Post(ctx, to, msg)
	if err != nil {
		return ref, err
	}
	return ref, PostThread(ctx, p, to, ref, thread)
}

// PostThread posts parts as replies under ref (a thread on Slack, further
// messages on Teams).
func PostThread(ctx context.Context, p Poster, to Destination, ref MessageRef, parts []Response) error {
	for _, part := range parts {
		sub := to
		sub.Thread = ref.ID
		if _, err := p.Post(ctx, sub, part); err != nil {
			return fmt.Errorf("post digest detail: %w", err)
		}
	}
	return nil
}
