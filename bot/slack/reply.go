package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// Response types of a reply to a slash command. The field is always set
// explicitly, never left to Slack's default.
const (
	typeEphemeral = "ephemeral"
	typeInChannel = "in_channel"
)

// replyBody is a message answered in the HTTP response, in a Socket Mode
// ack, or posted to a response_url.
type replyBody struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

// empty reports whether b says nothing: the answer is an empty 200.
func (b replyBody) empty() bool { return b.ResponseType == "" && b.Text == "" && b.Blocks == nil }

// replyFor is the body for message m of resp, the synchronous answer to a
// command. It carries no chart block: Slack's refusal of one there could
// not be answered by retrying without it, and the text says the same.
func replyFor(resp commands.Response, m Message) replyBody {
	m, _ = withoutCharts(m)
	return replyBody{ResponseType: responseType(resp), Text: m.Text, Blocks: m.Blocks}
}

func responseType(resp commands.Response) string {
	if resp.Visibility == commands.InChannel {
		return typeInChannel
	}
	return typeEphemeral
}

// ephemeralText is an ephemeral reply of one marked-up line.
func ephemeralText(text string) replyBody {
	return replyBody{ResponseType: typeEphemeral, Text: mrkdwn(text)}
}

// writeJSON answers 200 with body as JSON, with its length, and flushes:
// the answer reaches Slack even while the handler goroutine is still busy.
func writeJSON(w http.ResponseWriter, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, "cannot encode reply", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	_, _ = w.Write(b)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

var jsonContentType = []string{"application/json"}

// maxResponseURLUses is how many times Slack accepts a response_url.
const maxResponseURLUses = 5

// respond posts body to a response_url from a signed request.
func (a *Adapter) respond(ctx context.Context, responseURL string, body replyBody) error {
	if !a.allowedResponseURL(responseURL) {
		return fmt.Errorf("respond: response_url host not allowed")
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("respond: HTTP %d", resp.StatusCode)
	}
	return nil
}

// allowedResponseURL accepts Slack's hooks hosts over https, and the
// configured API host (a local test server).
func (a *Adapter) allowedResponseURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if api, err := url.Parse(a.cfg.APIURL); err == nil && u.Host == api.Host && u.Scheme == api.Scheme {
		return true
	}
	h := u.Hostname()
	return u.Scheme == "https" && (h == "hooks.slack.com" || strings.HasSuffix(h, ".slack.com") || strings.HasSuffix(h, ".slack-gov.com"))
}

// respondAll posts messages to a response_url within Slack's five uses:
// when there are more, the last one says how many were left out.
func (a *Adapter) respondAll(ctx context.Context, responseURL, typ string, msgs []Message, used int) {
	room := maxResponseURLUses - used
	for i, m := range msgs {
		if i == room-1 && len(msgs) > room {
			m = Message{Text: mrkdwn(fmt.Sprintf("(%d more messages left out: Slack allows %d answers to one command)", len(msgs)-i, maxResponseURLUses))}
		}
		if i >= room {
			return
		}
		err := a.respond(ctx, responseURL, replyBody{ResponseType: typ, Text: m.Text, Blocks: m.Blocks})
		if bare, ok := withoutCharts(m); ok && err != nil {
			// Slack may refuse the chart blocks: answer without them.
			a.log.LogAttrs(ctx, slog.LevelWarn, "slack response_url refused a message with charts: answered without", attrErr(err))
			err = a.respond(ctx, responseURL, replyBody{ResponseType: typ, Text: bare.Text, Blocks: bare.Blocks})
		}
		if err != nil {
			a.log.LogAttrs(ctx, slog.LevelWarn, "slack response_url answer failed", attrErr(err))
			return
		}
	}
}

// deliveryFailure is what the caller is told when an outgoing message (the
// escalation card, an announcement) could not be posted.
func (a *Adapter) deliveryFailure(ctx context.Context, ws string, err error) commands.Response {
	var (
		ce *ChannelError
		ae *ArchivedError
	)
	switch {
	case errors.As(err, &ae):
		return commands.Response{Text: "I could not post in " + commands.ChannelLink(ae.Channel) + ": it is archived. Pick another channel with " +
			commands.Code("/outcome set <key> it-channel=#channel") + " (escalations), or run " + commands.Code("/digest subscribe") +
			" in another channel (digests)."}
	case errors.As(err, &ce):
		return commands.Response{Text: "I could not post in " + commands.ChannelLink(ce.Channel) +
			": invite @outcomebot to that channel (" + commands.Code("/invite @outcomebot") + ") and try again."}
	case errors.Is(err, ErrNotInstalled):
		return commands.Response{Text: a.notInstalledText()}
	}
	ref := commands.ErrorRef()
	a.log.LogAttrs(ctx, slog.LevelError, "slack delivery failed", attrWS(ws), attrErr(err), slog.String("ref", ref))
	return commands.Response{Text: "I could not post a follow-up message (ref " + ref + "). Please try again, or tell your outcomebot admin."}
}

// lookupFailed logs a failed token lookup (Redis or auth.test failing) and
// returns what the user is told: nothing was done; try again.
func (a *Adapter) lookupFailed(ctx context.Context, ws string, err error) string {
	ref := commands.ErrorRef()
	a.log.LogAttrs(ctx, slog.LevelWarn, "slack token lookup failed: request refused", attrWS(ws), attrErr(err), slog.String("ref", ref))
	return "I could not check this workspace's installation just now, so nothing was done (ref " + ref + "). Please try again in a minute."
}

// notInstalledText tells a user of a workspace without a bot token what to do.
func (a *Adapter) notInstalledText() string {
	t := "outcomebot is not installed in this Slack workspace yet: ask a Slack admin to install it"
	if a.cfg.oauthEnabled() {
		if u, err := url.Parse(a.cfg.RedirectURL); err == nil {
			u.Path, u.RawQuery = "/slack/install", ""
			return t + " at " + commands.Link(u.String(), u.String()) + "."
		}
	}
	return t + "."
}
