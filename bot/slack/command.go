package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// workingText answers a slash command whose result is not ready within
// CommandTimeout; the result follows through response_url.
const workingText = "Working on it…"

// serveCommand answers POST /slack/commands: verify, parse, run the command
// under a deadline, answer within Slack's 3 seconds.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	buf, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	cmd := parseSlashCommand(*buf)
	release(buf)
	a.answerCommand(r.Context(), cmd, func(b replyBody) {
		if b.empty() {
			w.WriteHeader(http.StatusOK) // nothing to show (a form opens instead)
			return
		}
		writeJSON(w, b)
	})
}

// answerCommand runs cmd and calls reply exactly once, before CommandTimeout
// has passed: with the result when it is ready, else with "Working on it…"
// from another goroutine (the result then goes to response_url), so reply
// must deliver its answer at once (writeJSON flushes). Work after the reply
// (thread detail, outgoing messages) runs in the background.
func (a *Adapter) answerCommand(ctx context.Context, cmd slack.SlashCommand, reply func(replyBody)) {
	ws := workspaceID(cmd.TeamID, cmd.EnterpriseID, cmd.IsEnterpriseInstall)
	if ws == "" || cmd.UserID == "" || cmd.Command == "" {
		reply(ephemeralText("This request is missing its team, user or command."))
		return
	}
	// The watchdog starts before anything touches Redis or Slack: whatever
	// stalls (the token lookup included), Slack is answered in time.
	// Handle runs on this goroutine (no new goroutine, no stack to grow on
	// the hot path); the watchdog answers "Working on it…" if it is slow. The
	// mutex makes sure exactly one of the two answers.
	var (
		mu       sync.Mutex
		answered bool
	)
	watchdog := time.AfterFunc(a.cfg.CommandTimeout, func() {
		mu.Lock()
		defer mu.Unlock()
		if !answered {
			answered = true
			reply(replyBody{ResponseType: typeEphemeral, Text: workingText})
		}
	})
	// finish claims the answer; late means the watchdog gave it already.
	finish := func() (late bool) {
		watchdog.Stop()
		mu.Lock()
		defer mu.Unlock()
		late, answered = answered, true
		return late
	}
	if _, err := a.workspaceToken(ctx, ws); err != nil {
		a.refuseCommand(ctx, ws, cmd, err, finish, reply)
		return
	}
	req := commands.Request{
		Workspace: ws,
		Channel:   cmd.ChannelID,
		User:      cmd.UserID,
		UserName:  cmd.UserName,
		Command:   cmd.Command,
		Text:      inboundText(cmd.Text),
	}
	resp := a.core.Handle(context.WithoutCancel(ctx), req)
	if resp.Form != nil && cmd.TriggerID != "" && !finish() {
		// A form: Slack gets an empty answer at once and the modal opens
		// with the command's trigger (good for three seconds).
		start := a.reserveBackground()
		reply(replyBody{})
		start(func(ctx context.Context) { a.openModal(ctx, req, cmd.TriggerID, resp) })
		return
	}
	// People named (not mentioned) get their display names before the
	// answer is claimed: a slow users.info is covered by the watchdog.
	resp = a.poster.names.resolve(context.WithoutCancel(ctx), ws, resp)
	if finish() {
		a.log.LogAttrs(ctx, slog.LevelInfo, "slack command slow: answered through response_url",
			attrWS(ws), attrChannel(cmd.ChannelID), attrCommand(cmd.Command))
		a.background(func(ctx context.Context) { a.followUp(ctx, ws, cmd, resp, Render(resp), 1) })
		return
	}
	msgs := Render(resp)
	body := replyBody{ResponseType: responseType(resp)}
	if len(msgs) > 0 {
		body, msgs = replyFor(resp, msgs[0]), msgs[1:]
	}
	if len(msgs) == 0 && len(resp.Outgoing) == 0 {
		reply(body)
		return
	}
	start := a.reserveBackground()
	reply(body)
	start(func(ctx context.Context) { a.followUp(ctx, ws, cmd, resp, msgs, 1) })
}

// followUp sends what did not fit in the reply through response_url, then
// delivers the Response's outgoing messages; a failed delivery is explained
// to the caller through response_url too.
func (a *Adapter) followUp(ctx context.Context, ws string, cmd slack.SlashCommand, resp commands.Response, msgs []Message, used int) {
	if len(msgs) > 0 && cmd.ResponseURL != "" {
		a.respondAll(ctx, cmd.ResponseURL, responseType(resp), msgs, used)
		used += len(msgs)
	}
	if len(resp.Outgoing) == 0 {
		return
	}
	if err := a.core.Deliver(ctx, a.poster, resp.Outgoing); err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack delivery failed", attrWS(ws), attrChannel(cmd.ChannelID),
			attrCommand(cmd.Command), attrErr(err))
		if cmd.ResponseURL != "" && used < maxResponseURLUses {
			fail := a.deliveryFailure(ctx, ws, err)
			if err := a.respond(ctx, cmd.ResponseURL, ephemeralText(fail.Text)); err != nil {
				a.log.LogAttrs(ctx, slog.LevelWarn, "slack response_url answer failed", attrWS(ws), attrErr(err))
			}
		}
	}
}

// refuseCommand answers a command whose workspace has no token, or whose
// token cannot be checked right now (Redis or auth.test failing): it is
// never run unchecked. The answer goes as the reply, or through
// response_url when the watchdog has answered already (finish says so).
func (a *Adapter) refuseCommand(ctx context.Context, ws string, cmd slack.SlashCommand, err error, finish func() bool, reply func(replyBody)) {
	body := ephemeralText(a.notInstalledText())
	if !errors.Is(err, ErrNotInstalled) {
		body = ephemeralText(a.lookupFailed(ctx, ws, err))
	}
	if !finish() {
		reply(body)
		return
	}
	if cmd.ResponseURL != "" {
		a.background(func(ctx context.Context) {
			if err := a.respond(ctx, cmd.ResponseURL, body); err != nil {
				a.log.LogAttrs(ctx, slog.LevelWarn, "slack response_url answer failed", attrWS(ws), attrErr(err))
			}
		})
	}
}

// workspaceToken is the workspace's bot token (or ErrNotInstalled), looked
// up within CommandTimeout + 2 s: with OAuth on it may need Redis and auth.test.
func (a *Adapter) workspaceToken(ctx context.Context, ws string) (string, error) {
	if a.tokens.sealer == nil {
		return a.tokens.token(ctx, ws)
	}
	// Longer than the watchdog, so a stalled lookup is first answered
	// "Working on it…" and its refusal then follows through response_url,
	// instead of racing the watchdog.
	ctx, cancel := context.WithTimeout(ctx, a.cfg.CommandTimeout+2*time.Second)
	defer cancel()
	return a.tokens.token(ctx, ws)
}
