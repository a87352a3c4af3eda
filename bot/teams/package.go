package teams

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"time"

	teamsapp "github.com/outcomebot/outcomebot/manifests/teams"
)

// appIDPattern is a Microsoft App ID: a GUID.
var appIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// packageTime stamps the zip entries, so a package is the same bytes for
// the same app id.
var packageTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// WritePackage writes the Teams app package (the zip uploaded in Teams or
// the Developer Portal) for app id appID: manifest.json with the id filled
// in, color.png and outline.png, at the zip's root as Teams requires.
func WritePackage(w io.Writer, appID string) error {
	if !appIDPattern.MatchString(appID) {
		return fmt.Errorf("write teams package: app id %q is not a GUID (MICROSOFT_APP_ID from the Azure bot registration)", appID)
	}
	zw := zip.NewWriter(w)
	for _, name := range []string{"manifest.json", "color.png", "outline.png"} {
		b, err := teamsapp.Files.ReadFile(name)
		if err != nil {
			return fmt.Errorf("write teams package: %w", err)
		}
		if name == "manifest.json" {
			b = bytes.ReplaceAll(b, []byte(teamsapp.AppIDPlaceholder), []byte(appID))
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: packageTime})
		if err != nil {
			return fmt.Errorf("write teams package %s: %w", name, err)
		}
		if _, err := f.Write(b); err != nil {
			return fmt.Errorf("write teams package %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write teams package: %w", err)
	}
	return nil
}
