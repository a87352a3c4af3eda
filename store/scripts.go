package store

import (
	"context"
	"embed"

	"github.com/redis/go-redis/v9"
)

// The Lua scripts live in lua/*.lua. Each starts with lua/common.lua, which
// defines audit(): every script that changes state appends its audit entry
// itself, so the change and its record are one atomic step.
//
// Conventions shared by every state-changing script:
//
//	KEYS[1] the workspace's audit stream
//	ARGV[1] audit stream MAXLEN (approximate)
//	ARGV[2] actor (who)
//	ARGV[3] time of the change, unix ms
//
// Keys a script derives itself (an escalation hash from INCR, the previous
// outcome's set) are built from a key prefix passed in ARGV; they carry the
// same hash tag, so they live in the same cluster slot.

//go:embed lua/*.lua
var luaFiles embed.FS

var (
	scriptOutcomePut   = loadScript("outcome_put.lua")
	scriptTag          = loadScript("tag.lua")
	scriptEscalate     = loadScript("escalate.lua")
	scriptAck          = loadScript("ack.lua")
	scriptResolve      = loadScript("resolve.lua")
	scriptRemind       = loadScript("remind.lua")
	scriptSetMessage   = loadScript("set_message.lua")
	scriptRole         = loadScript("role.lua")
	scriptSubscription = loadScript("subscription.lua")
)

// loadScript joins lua/common.lua and lua/<name>. The files are embedded at
// build time, so a missing one is a build mistake caught by every test.
func loadScript(name string) *redis.Script {
	common, err := luaFiles.ReadFile("lua/common.lua")
	if err != nil {
		panic("store: " + err.Error())
	}
	body, err := luaFiles.ReadFile("lua/" + name)
	if err != nil {
		panic("store: " + err.Error())
	}
	return redis.NewScript(string(common) + "\n" + string(body))
}

// call is one script invocation: what to run, on which keys, with what.
type call struct {
	script *redis.Script
	keys   []string
	args   []any
}

// auditArgs starts a call's ARGV with the shared audit arguments.
func (s *Store) auditArgs(actor string, at string, more ...any) []any {
	return append([]any{s.auditMax, actor, at}, more...)
}

// run executes c in one round trip. When register is set, ws is added to
// the global workspace set in the same pipeline (the set lives in another
// slot, so it cannot be touched from the script). If the server does not
// know the script yet (NOSCRIPT), the pipeline is sent again with EVAL; the
// SADD is idempotent, and a NOSCRIPT reply means the script did not run.
func (s *Store) run(ctx context.Context, ws string, register bool, c call) (any, error) {
	v, err := s.runPipeline(ctx, ws, register, c, false)
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		v, err = s.runPipeline(ctx, ws, register, c, true)
	}
	return v, err
}

func (s *Store) runPipeline(ctx context.Context, ws string, register bool, c call, eval bool) (any, error) {
	pipe := s.rdb.Pipeline()
	var cmd *redis.Cmd
	if eval {
		cmd = c.script.Eval(ctx, pipe, c.keys, c.args...)
	} else {
		cmd = c.script.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	if register {
		pipe.SAdd(ctx, s.workspacesKey(), ws)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		if cmd.Err() != nil {
			return nil, cmd.Err()
		}
		return nil, err
	}
	return cmd.Val(), nil
}
