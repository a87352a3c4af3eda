package bot

import (
	"context"
	"fmt"

	"github.com/outcomebot/outcomebot/commands"
)

// PosterFor returns the Poster that reaches a workspace (the Slack poster
// for a Slack team, the Teams poster for a tenant), or nil when none does.
type PosterFor func(workspace string) commands.Poster

// OnePoster returns a PosterFor that answers p for every workspace: one
// platform, the shell, or tests.
func OnePoster(p commands.Poster) PosterFor {
	return func(string) commands.Poster { return p }
}

// routedPoster is one commands.Poster over the per-workspace posters. A
// workspace no poster reaches is undeliverable.
type routedPoster struct{ posters PosterFor }

var (
	_ commands.Poster       = routedPoster{}
	_ commands.DirectPoster = routedPoster{}
)

func (r routedPoster) poster(ws string) (commands.Poster, error) {
	var p commands.Poster
	if r.posters != nil {
		p = r.posters(ws)
	}
	if p == nil {
		return nil, fmt.Errorf("no chat platform reaches workspace %s: %w", ws, commands.ErrUndeliverable)
	}
	return p, nil
}

// Post posts through the workspace's poster.
func (r routedPoster) Post(ctx context.Context, to commands.Destination, msg commands.Response) (commands.MessageRef, error) {
	p, err := r.poster(to.Workspace)
	if err != nil {
		return commands.MessageRef{}, fmt.Errorf("post in %s: %w", to.Channel, err)
	}
	return p.Post(ctx, to, msg)
}

// Update updates through the workspace's poster.
func (r routedPoster) Update(ctx context.Context, ref commands.MessageRef, ws string, msg commands.Response) error {
	p, err := r.poster(ws)
	if err != nil {
		return fmt.Errorf("update %s in %s: %w", ref.ID, ref.Channel, err)
	}
	return p.Update(ctx, ref, ws, msg)
}

// PostDirect messages a user through the workspace's poster: its own
// PostDirect when it has one, else a post to the user id (a direct message
// from the bot on Slack).
func (r routedPoster) PostDirect(ctx context.Context, ws, user string, msg commands.Response) (commands.MessageRef, error) {
	p, err := r.poster(ws)
	if err != nil {
		return commands.MessageRef{}, fmt.Errorf("message %s: %w", user, err)
	}
	return commands.PostDirect(ctx, p, ws, user, msg)
}
