package store

import (
	"errors"
	"strconv"
	"strings"
)

// Every key format of the store's records is in this file.
//
// Each workspace key is "<prefix>:{<ws>}:<name>" or "<prefix>:{<ws>}:<type>:<id>".
// The braces make the workspace a Redis Cluster hash tag, so one
// workspace's keys share a slot and a Lua script or MULTI may touch any of
// them. The only record key outside a workspace is "<prefix>:workspaces".
//
// Fixed names (outcomes, audit, idx:…) never start with a type segment
// (outcome:, req:, …), and an id is always the tail of its key, so no id
// (a ticket reference may hold ':' or a URL) can make one key collide with
// another.
//
// Segments owned by other files of this package, kept beside their
// operations: "digest:" (cadence.go), "trend:" (trends.go), "slack:" and the global
// "<prefix>:slackoauth:" (slack.go), "teams:" (teams.go), "pace:" (pace.go,
// short-lived rate-limit buckets), "kpi:", "kpimeta:" and "checkin:" (kpi.go), the fixed
// name "seen" (seen.go). A new key type
// must not start with any segment listed here or above.

// errBadWorkspace rejects a workspace id that would break the hash tag.
var errBadWorkspace = errors.New("invalid workspace id")

// checkWorkspace reports whether ws can be used inside a hash tag.
func checkWorkspace(ws string) error {
	if ws == "" || strings.ContainsAny(ws, "{}") {
		return errBadWorkspace
	}
	return nil
}

// keyspace builds the keys of one workspace.
type keyspace struct {
	base string // "<prefix>:{<ws>}:"
}

func (s *Store) workspacesKey() string { return s.prefix + ":workspaces" }

func (s *Store) keys(ws string) keyspace {
	return keyspace{base: s.prefix + ":{" + ws + "}:"}
}

// Outcomes.
func (k keyspace) outcomeIndex() string      { return k.base + "outcomes" } // zset, score 0, member key
func (k keyspace) outcome(key string) string { return k.base + "outcome:" + key }

// Requests and tagging.
func (k keyspace) request(ref string) string        { return k.base + "req:" + ref }     // hash
func (k keyspace) escalationByRef() string          { return k.base + "escbyref" }       // hash ref → latest escalation n
func (k keyspace) history(ref string) string        { return k.base + "reqhist:" + ref } // list of JSON TagChange
func (k keyspace) taggedPrefix() string             { return k.base + "tagged:" }
func (k keyspace) tagged(outcome string) string     { return k.taggedPrefix() + outcome } // set of open refs
func (k keyspace) tagIndex() string                 { return k.base + "idx:tags" }        // zset at → JSON event
func (k keyspace) newRequestIndex() string          { return k.base + "idx:new" }         // zset first seen → ref
func (k keyspace) escalationPrefix() string         { return k.base + "esc:" }
func (k keyspace) escalation(n int64) string        { return k.escalationPrefix() + strconv.FormatInt(n, 10) }
func (k keyspace) escalationSeq() string            { return k.base + "escseq" }           // counter
func (k keyspace) raisedIndex() string              { return k.base + "idx:esc:raised" }   // zset raised at → n
func (k keyspace) ackedIndex() string               { return k.base + "idx:esc:acked" }    // zset ack at → n
func (k keyspace) resolvedIndex() string            { return k.base + "idx:esc:resolved" } // zset resolved at → n
func (k keyspace) openIndex() string                { return k.base + "idx:esc:open" }     // zset raised at → n, not resolved
func (k keyspace) raisedByIndex(user string) string { return k.base + "escby:" + user }    // zset raised at → n

// Roles.
func (k keyspace) roleIndex() string            { return k.base + "roles" }        // set of roles with members
func (k keyspace) role(role string) string      { return k.base + "role:" + role } // set of users
func (k keyspace) userRoles(user string) string { return k.base + "userroles:" + user }

// Subscriptions and audit.
func (k keyspace) subscriptions() string          { return k.base + "subs" }     // hash channel → JSON
func (k keyspace) subscriptionLastChange() string { return k.base + "subslast" } // hash channel → JSON of its last change
func (k keyspace) audit() string                  { return k.base + "audit" }    // stream

// Intake, import and triage.
func (k keyspace) importSeen(run string) string { return k.base + "importseen:" + run } // hash ref → line, one import run
func (k keyspace) triageConfig() string         { return k.base + "triagecfg" }         // hash channel, by, at
func (k keyspace) triageSeq() string            { return k.base + "triageseq" }         // counter
func (k keyspace) triageMessagePrefix() string  { return k.base + "triagemsg:" }
func (k keyspace) triageMessage(id int64) string { // JSON TriageMessage
	return k.triageMessagePrefix() + strconv.FormatInt(id, 10)
}
func (k keyspace) triageClaim(week, channel string) string { // holder, PX lease
	return k.base + "triageclaim:" + week + ":" + channel
}
func (k keyspace) triagePosted(week, channel string) string { // set once the week's triage is posted
	return k.base + "triageposted:" + week + ":" + channel
}

// op names one state-changing call, so a call the client resends after a
// lost reply is applied once (string, short TTL).
func (k keyspace) op(id string) string { return k.base + "op:" + id }
