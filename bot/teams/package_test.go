package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
	"github.com/outcomebot/outcomebot/store/storetest"
)

// manifest is the part of the Teams manifest the tests check.
type manifest struct {
	Schema          string `json:"$schema"`
	ManifestVersion string `json:"manifestVersion"`
	Version         string `json:"version"`
	ID              string `json:"id"`
	Developer       struct {
		Name, WebsiteURL, PrivacyURL, TermsOfUseURL string
	} `json:"developer"`
	Name struct {
		Short string `json:"short"`
		Full  string `json:"full"`
	} `json:"name"`
	Description struct {
		Short string `json:"short"`
		Full  string `json:"full"`
	} `json:"description"`
	Icons struct {
		Color   string `json:"color"`
		Outline string `json:"outline"`
	} `json:"icons"`
	AccentColor string `json:"accentColor"`
	Bots        []struct {
		BotID        string   `json:"botId"`
		Scopes       []string `json:"scopes"`
		CommandLists []struct {
			Scopes   []string `json:"scopes"`
			Commands []struct {
				Title       string `json:"title"`
				Description string `json:"description"`
			} `json:"commands"`
		} `json:"commandLists"`
	} `json:"bots"`
	ComposeExtensions []struct {
		BotID    string `json:"botId"`
		Commands []struct {
			ID          string   `json:"id"`
			Type        string   `json:"type"`
			Title       string   `json:"title"`
			Description string   `json:"description"`
			Context     []string `json:"context"`
			FetchTask   bool     `json:"fetchTask"`
		} `json:"commands"`
	} `json:"composeExtensions"`
	ValidDomains []string `json:"validDomains"`
}

const packageAppID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

func readPackage(t *testing.T) (manifest, map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePackage(&buf, packageAppID); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var m manifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return m, files
}

func TestPackage(t *testing.T) {
	m, files := readPackage(t)
	if len(files) != 3 {
		t.Fatalf("package holds %d files, want manifest.json, color.png, outline.png", len(files))
	}
	if m.ID != packageAppID || len(m.Bots) != 1 || m.Bots[0].BotID != packageAppID {
		t.Errorf("app id not filled in: id %q bots %+v", m.ID, m.Bots)
	}
	if strings.Contains(string(files["manifest.json"]), "{{") {
		t.Error("a placeholder is left in manifest.json")
	}
	// v1.19 or later (v1.17 is outdated; there is no v1.18), with $schema
	// naming the same version. The command limits checked below are those
	// of v1.12–v1.20, which later versions only relax.
	minor, err := strconv.Atoi(strings.TrimPrefix(m.ManifestVersion, "1."))
	if !strings.HasPrefix(m.ManifestVersion, "1.") || err != nil || minor < 19 ||
		m.Schema != "https://developer.microsoft.com/json-schemas/teams/v"+m.ManifestVersion+"/MicrosoftTeams.schema.json" {
		t.Errorf("schema %q / manifestVersion %q: want a current (≥ 1.19) schema that matches", m.Schema, m.ManifestVersion)
	}
	if m.Name.Short == "" || utf8.RuneCountInString(m.Name.Short) > 30 || m.Name.Full == "" || utf8.RuneCountInString(m.Name.Full) > 100 {
		t.Errorf("name %+v outside the schema's limits", m.Name)
	}
	if utf8.RuneCountInString(m.Description.Short) > 80 || utf8.RuneCountInString(m.Description.Full) > 4000 {
		t.Errorf("description outside the schema's limits")
	}
	for _, s := range []string{"personal", "team", "groupChat"} {
		if !slices.Contains(m.Bots[0].Scopes, s) {
			t.Errorf("bot scopes %v lack %s", m.Bots[0].Scopes, s)
		}
	}
	if len(m.ValidDomains) == 0 {
		t.Error("validDomains is empty")
	}
	for name, size := range map[string]int{m.Icons.Color: 192, m.Icons.Outline: 32} {
		img, err := png.Decode(bytes.NewReader(files[name]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("%s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), size, size)
		}
	}
	// The outline icon must be white on transparent.
	img, _ := png.Decode(bytes.NewReader(files[m.Icons.Outline]))
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if a != 0 && (r != a || g != a || bl != a) {
				t.Fatalf("outline.png pixel (%d,%d) is not white or transparent", x, y)
			}
		}
	}
}

func TestPackageRefusesBadAppID(t *testing.T) {
	for _, id := range []string{"", "not-a-guid", `0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","x":"`} {
		if err := WritePackage(io.Discard, id); err == nil {
			t.Errorf("WritePackage(%q) succeeded", id)
		}
	}
}

// TestManifestCommandsMatchRouter holds the manifest's command list to the
// core's commands: every command is listed, nothing else but help.
func TestManifestCommandsMatchRouter(t *testing.T) {
	m, _ := readPackage(t)
	core := commandstest.NewBot(storetest.New(t), commands.Config{}, nil, nil).Core
	want := []string{"help"}
	for _, d := range core.Commands() {
		want = append(want, d.Name)
	}
	slices.Sort(want)
	if len(m.Bots[0].CommandLists) == 0 || len(m.Bots[0].CommandLists) > 3 {
		t.Fatalf("%d command lists, want 1 to 3", len(m.Bots[0].CommandLists))
	}
	for _, list := range m.Bots[0].CommandLists {
		var got []string
		for _, c := range list.Commands {
			got = append(got, c.Title)
			if c.Title == "" || utf8.RuneCountInString(c.Title) > 32 || c.Description == "" || utf8.RuneCountInString(c.Description) > 128 {
				t.Errorf("command %+v outside the schema's limits (title ≤ 32, description ≤ 128)", c)
			}
		}
		if len(got) > 10 {
			t.Errorf("scopes %v list %d commands; the schema allows 10", list.Scopes, len(got))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("scopes %v list commands %v, want the router's %v", list.Scopes, got, want)
		}
	}
}

// TestManifestMessageActionsMatchAdapter holds the manifest's message
// extension to the adapter: every action command is one the adapter
// handles (messageActions), opening a form the core has, on messages, in
// the compose box and the command box, with its dialog fetched from the
// bot; and every command the adapter handles is declared.
func TestManifestMessageActionsMatchAdapter(t *testing.T) {
	m, _ := readPackage(t)
	core := commandstest.NewBot(storetest.New(t), commands.Config{}, nil, nil).Core
	if len(m.ComposeExtensions) != 1 || m.ComposeExtensions[0].BotID != packageAppID {
		t.Fatalf("composeExtensions = %+v, want one for the bot %s", m.ComposeExtensions, packageAppID)
	}
	var ids []string
	for _, c := range m.ComposeExtensions[0].Commands {
		ids = append(ids, c.ID)
		form, ok := messageActions[c.ID]
		if !ok || !slices.Contains(core.Forms(), form) {
			t.Errorf("command %q: the adapter opens no known form for it", c.ID)
		}
		slices.Sort(c.Context)
		if c.Type != "action" || !c.FetchTask || !slices.Equal(c.Context, []string{"commandBox", "compose", "message"}) {
			t.Errorf("command %+v: want an action with fetchTask on messages, compose and commandBox", c)
		}
		if c.Title == "" || utf8.RuneCountInString(c.Title) > 32 || utf8.RuneCountInString(c.Description) > 128 || len(c.ID) > 64 {
			t.Errorf("command %+v outside the schema's limits (id ≤ 64, title ≤ 32, description ≤ 128)", c)
		}
	}
	var want []string
	for id := range messageActions {
		want = append(want, id)
	}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("manifest declares message actions %v, the adapter handles %v", ids, want)
	}
}
