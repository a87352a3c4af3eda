// Package teams holds the Microsoft Teams app package: manifest.json (with
// {{MICROSOFT_APP_ID}} placeholders), color.png (192×192) and outline.png
// (32×32, white on transparent; both drawn by gen_icons.go). bot/teams
// fills in the app id and zips them for `outcomebot teams-package`.
package teams

import "embed"

//go:generate go run gen_icons.go

// Files are the app package's files, by name.
//
//go:embed manifest.json color.png outline.png
var Files embed.FS

// AppIDPlaceholder is replaced by the bot's Microsoft App ID in manifest.json.
const AppIDPlaceholder = "{{MICROSOFT_APP_ID}}"
