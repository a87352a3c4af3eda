package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// repoRoot is the repository's root, seen from this package's directory.
const repoRoot = "../.."

// repoBlobURL is how the Teams manifest links to a document in the
// repository; the rest of such a URL is a path and an optional anchor.
const repoBlobURL = "https://github.com/outcomebot/outcomebot/blob/main/"

// TestDocLinksResolve checks every relative link in the repository's
// Markdown files: the file it names exists and, for a link into a
// Markdown file, so does the heading its #anchor names.
func TestDocLinksResolve(t *testing.T) {
	docs := markdownFiles(t)
	if len(docs) == 0 {
		t.Fatal("no Markdown files found")
	}
	for _, doc := range docs {
		b, err := os.ReadFile(filepath.Join(repoRoot, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range markdownLinks(string(b)) {
			if isExternal(target) {
				continue
			}
			if err := checkTarget(path.Dir(doc), doc, target); err != "" {
				t.Errorf("%s: link %q: %s", doc, target, err)
			}
		}
	}
}

// TestTeamsManifestLinksResolve checks the Teams manifest's privacy and
// terms links, which Teams shows on the app's page, name a heading of a
// document in this repository.
func TestTeamsManifestLinksResolve(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "manifests/teams/manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Developer struct {
			PrivacyURL    string `json:"privacyUrl"`
			TermsOfUseURL string `json:"termsOfUseUrl"`
		} `json:"developer"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for name, u := range map[string]string{"privacyUrl": m.Developer.PrivacyURL, "termsOfUseUrl": m.Developer.TermsOfUseURL} {
		rest, ok := strings.CutPrefix(u, repoBlobURL)
		if !ok || !strings.Contains(rest, "#") {
			t.Errorf("%s %q: want %s<path>#<heading>", name, u, repoBlobURL)
			continue
		}
		if err := checkTarget("", "", rest); err != "" {
			t.Errorf("%s %q: %s", name, u, err)
		}
	}
}

// docRef is a path to a Markdown document, with an optional anchor, as
// code comments name one ("see manifests/slack/README.md#rate-limits").
var docRef = regexp.MustCompile("(?:^|[\\s(`\"])((?:[\\w.-]+/)+[\\w.-]+\\.md)(#[\\w-]+)?")

// TestCodeCommentsNameExistingDocs checks that every document a Go file
// names by its path from the repository's root, with its anchor, exists.
func TestCodeCommentsNameExistingDocs(t *testing.T) {
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		for _, m := range docRef.FindAllStringSubmatch(string(b), -1) {
			if strings.HasPrefix(m[1], "../") || strings.HasPrefix(m[1], "./") {
				continue // relative to a file, read by a test of its own
			}
			if err := checkTarget("", "", m[1]+m[2]); err != "" {
				t.Errorf("%s names %s%s: %s", filepath.ToSlash(rel), m[1], m[2], err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHeadingAnchor pins the anchor rule the link checks use: GitHub's.
func TestHeadingAnchor(t *testing.T) {
	for _, tc := range []struct{ heading, want string }{
		{"Terms of use", "terms-of-use"},
		{"Spreadsheets: `outcomebot import` and `outcomebot export`", "spreadsheets-outcomebot-import-and-outcomebot-export"},
		{"For IT leads: acknowledge and resolve", "for-it-leads-acknowledge-and-resolve"},
		{"The 3-second acknowledgement and `response_url`", "the-3-second-acknowledgement-and-response_url"},
		{"One command's path: `/escalate` from HTTP to Redis and back", "one-commands-path-escalate-from-http-to-redis-and-back"},
	} {
		t.Run(tc.heading, func(t *testing.T) {
			if got := headingAnchor(tc.heading); got != tc.want {
				t.Errorf("headingAnchor(%q) = %q, want %q", tc.heading, got, tc.want)
			}
		})
	}
}

// markdownFiles lists the repository's Markdown files, slash-separated
// and relative to its root.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, err := filepath.Rel(repoRoot, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	linkPattern = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	codeSpan    = regexp.MustCompile("`[^`\n]*`")
)

// markdownLinks returns the targets of the inline links in doc, outside
// fenced code blocks and code spans.
func markdownLinks(doc string) []string {
	var out []string
	for _, line := range proseLines(doc) {
		line = codeSpan.ReplaceAllString(line, "")
		for _, m := range linkPattern.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// proseLines returns doc's lines outside fenced code blocks.
func proseLines(doc string) []string {
	var out []string
	fence := ""
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
		case strings.HasPrefix(trimmed, "```"):
			fence = "```"
		case strings.HasPrefix(trimmed, "~~~"):
			fence = "~~~"
		default:
			out = append(out, line)
		}
	}
	return out
}

func isExternal(target string) bool {
	return strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:")
}

// checkTarget resolves target (path#anchor, relative to dir; an empty
// path means the document self) and says what is wrong, or "".
func checkTarget(dir, self, target string) string {
	p, anchor, _ := strings.Cut(target, "#")
	file := self
	if p != "" {
		file = path.Clean(path.Join(dir, p))
	}
	if file == "" || strings.HasPrefix(file, "../") {
		return "points outside the repository"
	}
	info, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(file)))
	if err != nil {
		return "no such file " + file
	}
	if anchor == "" {
		return ""
	}
	if info.IsDir() || !strings.HasSuffix(file, ".md") {
		return "an anchor into " + file + ", which is not a Markdown file"
	}
	b, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(file)))
	if err != nil {
		return err.Error()
	}
	for _, a := range headingAnchors(string(b)) {
		if a == anchor {
			return ""
		}
	}
	return "no heading #" + anchor + " in " + file
}

// headingAnchors returns the anchors GitHub gives doc's headings, with
// -1, -2… after repeated ones.
func headingAnchors(doc string) []string {
	var out []string
	seen := map[string]int{}
	for _, line := range proseLines(doc) {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimLeft(line, "#")
		if len(line)-len(text) > 6 || (text != "" && text[0] != ' ') {
			continue
		}
		a := headingAnchor(strings.TrimRight(strings.TrimSpace(text), "# "))
		if n := seen[a]; n > 0 {
			out = append(out, a+"-"+strconv.Itoa(n))
		} else {
			out = append(out, a)
		}
		seen[a]++
	}
	return out
}

// headingAnchor is GitHub's anchor for a heading: lower case, letters,
// digits, '-' and '_' kept, spaces turned into '-', everything else dropped.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
