// Package teams is outcomebot's Microsoft Teams adapter and the only
// importer of msbotbuilder-go. It serves POST /api/messages for the Bot
// Connector, checks every inbound token with its own validator (validator.go),
// turns activities into neutral commands.Requests (inbound.go), renders the
// core's Responses as Teams messages and Adaptive Cards (render*.go), and
// posts replies and proactive messages through its own connector client
// (connector.go, token.go) with timeouts, retries and a per-conversation
// rate limit.
//
// msbotbuilder-go v0.2.5 supplies the Bot Framework schema and conversation
// reference helpers. Its adapter, validator and connector client are not used:
// they fetch metadata from a fixed URL, race on their caches, panic on
// missing claims and failed token requests, take no context, set no timeouts
// and return no activity ids (see bot/README.md).
package teams
