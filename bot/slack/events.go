package slack

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// eventDedupTTL is how long an Events API event id is remembered. Slack
// retries for about 5 minutes; an hour leaves room for slow retries.
const eventDedupTTL = time.Hour

// eventEnvelope is the part of an Events API request the adapter reads.
type eventEnvelope struct {
	Type                string     `json:"type"`
	Challenge           string     `json:"challenge"`
	TeamID              string     `json:"team_id"`
	EnterpriseID        string     `json:"enterprise_id"`
	IsEnterpriseInstall bool       `json:"is_enterprise_install"`
	EventID             string     `json:"event_id"`
	EventTime           int64      `json:"event_time"` // unix seconds
	Event               innerEvent `json:"event"`
	// Authorizations names the installation the event is for; Slack puts
	// is_enterprise_install here, not at the top level.
	Authorizations []struct {
		EnterpriseID        string `json:"enterprise_id"`
		TeamID              string `json:"team_id"`
		IsEnterpriseInstall bool   `json:"is_enterprise_install"`
	} `json:"authorizations"`
}

// workspace is the workspace id the event belongs to: the enterprise for an
// org-wide install (read from authorizations[0], else the top level), else
// the team.
func (env eventEnvelope) workspace() string {
	team, enterprise, org := env.TeamID, env.EnterpriseID, env.IsEnterpriseInstall
	if len(env.Authorizations) > 0 {
		au := env.Authorizations[0]
		org = org || au.IsEnterpriseInstall
		if enterprise == "" {
			enterprise = au.EnterpriseID
		}
		if team == "" {
			team = au.TeamID
		}
	}
	return workspaceID(team, enterprise, org)
}

type innerEvent struct {
	Type   string `json:"type"`
	User   string `json:"user"`
	Tab    string `json:"tab"`
	Tokens struct {
		Bot []string `json:"bot"`
	} `json:"tokens"`
	at time.Time // the envelope's event_time; zero when absent
}

// serveEvent answers POST /slack/events: url_verification is echoed; a
// callback event is deduplicated on its event_id, acked at once and handled
// in the background.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request) {
	buf, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	var env eventEnvelope
	err := json.Unmarshal(*buf, &env)
	release(buf)
	if err != nil {
		http.Error(w, "invalid event payload", http.StatusBadRequest)
		return
	}
	if env.Type == "url_verification" {
		writeJSON(w, struct {
			Challenge string `json:"challenge"`
		}{env.Challenge})
		return
	}
	if err := a.acceptEvent(r.Context(), env); err != nil {
		// Without the dedup record the event could act twice: let Slack retry.
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// acceptEvent claims the event's id and, if this is its first delivery,
// starts handling it. An error means the claim could not be recorded.
func (a *Adapter) acceptEvent(ctx context.Context, env eventEnvelope) error {
	if env.Type != "event_callback" {
		return nil
	}
	ws := env.workspace()
	if ws == "" || env.EventID == "" {
		return nil
	}
	first, err := a.st.ClaimSlackEvent(ctx, ws, env.EventID, eventDedupTTL)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack event not claimed", attrWS(ws), attrErr(err))
		return err
	}
	if !first {
		a.log.LogAttrs(ctx, slog.LevelDebug, "slack event retry dropped", attrWS(ws), slog.String("event_id", env.EventID))
		return nil
	}
	ev := env.Event
	if env.EventTime > 0 {
		ev.at = time.Unix(env.EventTime, 0)
	}
	a.background(func(ctx context.Context) { a.handleEvent(ctx, ws, ev) })
	return nil
}

// handleEvent acts on one event, once.
func (a *Adapter) handleEvent(ctx context.Context, ws string, ev innerEvent) {
	switch ev.Type {
	case "app_uninstalled", "tokens_revoked":
	default:
		// Only a workspace with a token of its own (or the single-workspace
		// token's) is served.
		if _, err := a.workspaceToken(ctx, ws); errors.Is(err, ErrNotInstalled) {
			a.log.LogAttrs(ctx, slog.LevelInfo, "slack event from a workspace without a token dropped", attrWS(ws), slog.String("event", ev.Type))
			return
		} else if err != nil {
			a.log.LogAttrs(ctx, slog.LevelWarn, "slack event dropped: the workspace's token cannot be checked now", attrWS(ws), slog.String("event", ev.Type), attrErr(err))
			return
		}
	}
	switch ev.Type {
	case "app_home_opened":
		if ev.Tab == "home" || ev.Tab == "" {
			a.homes.opened(ws, ev.User)
			a.publishHome(ctx, ws, ev.User)
		}
	case "app_uninstalled":
		a.forgetWorkspace(ctx, ws, ev.Type, ev.at)
	case "tokens_revoked":
		if len(ev.Tokens.Bot) > 0 {
			a.forgetWorkspace(ctx, ws, ev.Type, ev.at)
		}
	}
}

// forgetWorkspace deletes the workspace's stored bot token.
func (a *Adapter) forgetWorkspace(ctx context.Context, ws, why string, at time.Time) {
	// A late delivery (Slack retries for an hour) must not delete the token
	// of an install made after the event.
	if in, err := a.st.SlackInstall(ctx, ws); err == nil && !at.IsZero() && in.InstalledAt.Truncate(time.Second).After(at) { // event_time has whole seconds
		a.log.LogAttrs(ctx, slog.LevelInfo, "slack token kept: installed again after the event", attrWS(ws), slog.String("event", why))
		return
	}
	removed, err := a.tokens.remove(ctx, ws)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelError, "slack token not deleted", attrWS(ws), slog.String("event", why), attrErr(err))
		return
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "slack workspace token deleted", attrWS(ws), slog.String("event", why), slog.Bool("had_token", removed))
}

// publishHome publishes the user's App Home tab: their open escalations and
// the outcomes they own.
func (a *Adapter) publishHome(ctx context.Context, ws, user string) {
	if user == "" {
		return
	}
	home, err := a.core.Home(ctx, ws, user, a.core.Clock().Now())
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack home not read", attrWS(ws), attrErr(err))
		return
	}
	api, err := a.poster.client(ctx, ws)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack home not published", attrWS(ws), attrErr(err))
		return
	}
	view := homeView(home)
	err = a.poster.retry(ctx, "publish home", true, func() error { // views.publish replaces the tab
		_, err := api.PublishViewContext(ctx, publishRequest(user, view))
		return err
	})
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "slack home not published", attrWS(ws), attrUser(user), attrErr(err))
	}
}
