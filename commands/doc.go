// Package commands is the platform-neutral core of outcomebot: the command
// grammar and its parser, the router and handlers, roles, the escalation
// ladder and the weekly digest builder. It speaks in neutral Request and
// Response values and never knows which chat platform it serves; adapters in
// bot/… translate to and from Slack and Teams.
package commands
