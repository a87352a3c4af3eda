package metrics

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/redis/go-redis/v9"
)

// RedisHook returns a go-redis hook that counts failed commands and dials
// in outcomebot_redis_errors_total. Add it with client.AddHook.
func (m *Metrics) RedisHook() redis.Hook { return redisHook{m: m} }

// redisHook counts Redis errors; it changes nothing it sees.
type redisHook struct{ m *Metrics }

func (h redisHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil && !errors.Is(err, context.Canceled) {
			h.m.redisErrors.WithLabelValues("dial").Inc()
		}
		return conn, err
	}
}

func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if !handshake(cmd) {
			h.count(err)
		}
		return err
	}
}

func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		failed := false
		for _, c := range cmds {
			if c.Err() != nil {
				failed = true
				if !handshake(c) {
					h.count(c.Err())
				}
			}
		}
		if !failed {
			h.count(err) // a pipeline that failed as a whole
		}
		return err
	}
}

// handshake reports whether cmd is one go-redis sends itself when it opens
// a connection (HELLO, CLIENT SETINFO, CLIENT MAINT_NOTIFICATIONS): servers
// older than the command answer an error that go-redis ignores, and so do
// we. The store never sends HELLO or CLIENT.
func handshake(cmd redis.Cmder) bool {
	name := strings.ToLower(cmd.Name())
	return name == "client" || name == "hello"
}

// count counts err by kind, unless it is no error at all.
func (h redisHook) count(err error) {
	if kind := errorKind(err); kind != "" {
		h.m.redisErrors.WithLabelValues(kind).Inc()
	}
}

// errorKind classifies a command's error: "" for none (nil, a missing key,
// NOSCRIPT, which the store answers by sending the script, or our own
// context being canceled), "timeout", "server" for an error reply, else
// "connection".
func errorKind(err error) string {
	var ne net.Error
	var re redis.Error
	switch {
	case err == nil, errors.Is(err, redis.Nil), errors.Is(err, context.Canceled),
		redis.HasErrorPrefix(err, "NOSCRIPT"):
		return ""
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &re):
		return "server"
	}
	return "connection"
}
