package slack

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// readManifest decodes manifests/slack/manifest.yaml into slack-go's model,
// refusing any key the model does not know (a typo would be ignored by Slack).
func readManifest(t *testing.T) slack.Manifest {
	t.Helper()
	b, err := os.ReadFile("../../manifests/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var m slack.Manifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m
}

func TestManifestCommandsMatchTheRouter(t *testing.T) {
	m := readManifest(t)
	var got, want []string
	for _, c := range m.Features.SlashCommands {
		got = append(got, c.Command)
		if c.Description == "" || c.UsageHint == "" || !c.ShouldEscape {
			t.Errorf("%s: needs a description, a usage hint and should_escape: true", c.Command)
		}
		if !strings.HasSuffix(c.Url, "/slack/commands") || len(c.Command) > 32 {
			t.Errorf("%s: url %q", c.Command, c.Url)
		}
	}
	core := commandstest.NewBot(nil, commands.Config{}, nil, nil).Core
	for _, d := range core.Commands() {
		want = append(want, "/"+d.Name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("manifest commands %v, router commands %v", got, want)
	}
}

// TestManifestShortcuts: the manifest declares exactly the shortcuts the
// adapter handles, each opening a form the core has.
func TestManifestShortcuts(t *testing.T) {
	m := readManifest(t)
	core := commandstest.NewBot(nil, commands.Config{}, nil, nil).Core
	seen := map[string]bool{}
	for _, s := range m.Features.Shortcuts {
		id, ok := shortcutForms[s.CallbackID]
		if !ok {
			t.Errorf("shortcut %q is not handled", s.CallbackID)
			continue
		}
		seen[s.CallbackID] = true
		if !slices.Contains(core.Forms(), id) {
			t.Errorf("shortcut %q opens form %q, which the core does not have", s.CallbackID, id)
		}
		if s.Name == "" || len(s.Description) > 150 || s.Description == "" {
			t.Errorf("shortcut %q: name and a description of ≤150 characters", s.CallbackID)
		}
	}
	for id := range shortcutForms {
		if !seen[id] {
			t.Errorf("the adapter handles shortcut %q, which the manifest lacks", id)
		}
	}
	if len(m.Features.Shortcuts) != 2 || m.Features.Shortcuts[0].Type != "global" || m.Features.Shortcuts[1].Type != "message" {
		t.Errorf("want one global and one message shortcut: %+v", m.Features.Shortcuts)
	}
	if !slices.Contains(core.Forms(), formEscalate) {
		t.Errorf("/escalate opens form %q, which the core does not have", formEscalate)
	}
}

func TestManifestSettings(t *testing.T) {
	m := readManifest(t)
	if !m.Features.AppHome.HomeTabEnabled {
		t.Error("App Home tab not enabled")
	}
	if !m.Features.AppHome.MessagesTabEnabled {
		t.Error("the Messages tab is off: the bot's direct messages would not show")
	}
	if s := m.Settings.Interactivity; !s.IsEnabled || !strings.HasSuffix(s.RequestUrl, "/slack/interactions") ||
		!strings.HasSuffix(s.MessageMenuOptionsUrl, "/slack/interactions") {
		t.Errorf("interactivity (and the options load URL) %+v", s)
	}
	ev := m.Settings.EventSubscriptions
	if !strings.HasSuffix(ev.RequestUrl, "/slack/events") {
		t.Errorf("event request URL %q", ev.RequestUrl)
	}
	events := slices.Clone(ev.BotEvents)
	slices.Sort(events)
	if !slices.Equal(events, []string{"app_home_opened", "app_uninstalled", "tokens_revoked"}) {
		t.Errorf("bot events %v", events)
	}
	// Only the scopes the code uses; the install asks for the same ones.
	if got := strings.Join(m.OAuthConfig.Scopes.Bot, ","); got != botScopes {
		t.Errorf("bot scopes %q, the install asks for %q", got, botScopes)
	}
	if len(m.OAuthConfig.Scopes.User) != 0 {
		t.Errorf("user scopes %v", m.OAuthConfig.Scopes.User)
	}
	if len(m.OAuthConfig.RedirectUrls) != 1 || !strings.HasSuffix(m.OAuthConfig.RedirectUrls[0], "/slack/oauth/callback") {
		t.Errorf("redirect URLs %v", m.OAuthConfig.RedirectUrls)
	}
	if m.Settings.TokenRotationEnabled {
		t.Error("token rotation is on, but the adapter does not refresh tokens")
	}
	if len(m.Display.Name) > 35 {
		t.Errorf("name %q longer than 35", m.Display.Name)
	}
}
