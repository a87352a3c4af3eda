package slack

import "log/slog"

// Log attributes used across the adapter. Tokens, secrets and request
// bodies are never logged.

func attrWS(ws string) slog.Attr     { return slog.String("workspace", ws) }
func attrChannel(c string) slog.Attr { return slog.String("channel", c) }
func attrUser(u string) slog.Attr    { return slog.String("user", u) }
func attrErr(err error) slog.Attr    { return slog.String("err", err.Error()) }
func attrCommand(c string) slog.Attr { return slog.String("command", c) }
