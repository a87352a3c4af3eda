// Package slack is outcomebot's Slack adapter and the only importer of
// slack-go in the project. It serves slash commands, interactivity (the
// Acknowledge and Resolve buttons on escalation cards) and the Events API
// over HTTP or Socket Mode, verifies every request's signature before
// parsing it, renders the core's neutral Responses as Block Kit within
// Slack's limits, and posts through a paced, retrying Poster. Tokens of
// workspaces installed through OAuth are kept encrypted in the store.
package slack
