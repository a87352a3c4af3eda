package slack

import (
	"bytes"
	"net/url"

	"github.com/slack-go/slack"
)

// eachFormValue calls fn with each key and raw (still escaped) value of an
// application/x-www-form-urlencoded body, without building a map.
func eachFormValue(body []byte, fn func(key, raw []byte)) {
	for len(body) > 0 {
		var pair []byte
		if i := bytes.IndexByte(body, '&'); i >= 0 {
			pair, body = body[:i], body[i+1:]
		} else {
			pair, body = body, nil
		}
		if len(pair) == 0 {
			continue
		}
		key, raw := pair, []byte(nil)
		if i := bytes.IndexByte(pair, '='); i >= 0 {
			key, raw = pair[:i], pair[i+1:]
		}
		fn(key, raw)
	}
}

// formString unescapes a form value into a new string (never aliasing the
// body buffer, which is reused). A malformed escape yields the raw text.
func formString(raw []byte) string {
	if bytes.IndexByte(raw, '%') < 0 && bytes.IndexByte(raw, '+') < 0 {
		return string(raw)
	}
	s, err := url.QueryUnescape(string(raw))
	if err != nil {
		return string(raw)
	}
	return s
}

// parseSlashCommand reads the fields of a slash command form body.
func parseSlashCommand(body []byte) slack.SlashCommand {
	var c slack.SlashCommand
	eachFormValue(body, func(key, raw []byte) {
		switch string(key) {
		case "team_id":
			c.TeamID = formString(raw)
		case "enterprise_id":
			c.EnterpriseID = formString(raw)
		case "is_enterprise_install":
			c.IsEnterpriseInstall = string(raw) == "true"
		case "channel_id":
			c.ChannelID = formString(raw)
		case "user_id":
			c.UserID = formString(raw)
		case "user_name":
			c.UserName = formString(raw)
		case "command":
			c.Command = formString(raw)
		case "text":
			c.Text = formString(raw)
		case "response_url":
			c.ResponseURL = formString(raw)
		case "trigger_id":
			c.TriggerID = formString(raw)
		case "api_app_id":
			c.APIAppID = formString(raw)
		}
	})
	return c
}

// formField returns the unescaped value of one field of a form body.
func formField(body []byte, name string) string {
	var v string
	eachFormValue(body, func(key, raw []byte) {
		if v == "" && string(key) == name {
			v = formString(raw)
		}
	})
	return v
}

// workspaceID names the workspace a request belongs to: the enterprise for
// an org-wide install, else the team.
func workspaceID(team, enterprise string, enterpriseInstall bool) string {
	if enterpriseInstall && enterprise != "" {
		return enterprise
	}
	return team
}
