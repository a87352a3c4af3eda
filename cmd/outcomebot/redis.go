package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/store"
)

// redisConn turns the REDIS_* settings into a store.Conn.
func redisConn(cfg *config) store.Conn {
	return store.Conn{
		URL:              cfg.get("REDIS_URL"),
		SentinelAddrs:    splitList(cfg.get("REDIS_SENTINEL_ADDRS")),
		SentinelMaster:   cfg.get("REDIS_SENTINEL_MASTER"),
		SentinelPassword: cfg.get("REDIS_SENTINEL_PASSWORD"),
		ClusterAddrs:     splitList(cfg.get("REDIS_CLUSTER_ADDRS")),
		TLSCAFile:        cfg.get("REDIS_TLS_CA_FILE"),
	}
}

// redisTarget describes where c points, for logs: the mode and addresses,
// with any password in the URL replaced by "xxxxx".
func redisTarget(c store.Conn) string {
	switch c.Mode() {
	case "sentinel":
		return "sentinel " + c.SentinelMaster + " via " + strings.Join(c.SentinelAddrs, ",")
	case "cluster":
		return "cluster via " + strings.Join(c.ClusterAddrs, ",")
	case "embedded":
		return "embedded (in memory)"
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return "standalone (unparsable URL)"
	}
	return "standalone " + u.Redacted()
}

// splitList splits a comma-separated setting, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseRetention reads a retention like "400d" (days) or any Go duration
// ("9600h"); it must be at least a day.
func parseRetention(v string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(v)
	}
	if err != nil || d < 24*time.Hour {
		return 0, fmt.Errorf("OUTCOMEBOT_RETENTION=%q is not a duration of at least a day like 400d or 9600h", v)
	}
	return d, nil
}

// durationSetting reads a duration setting that must be 0 or more; an
// empty value is def, anything else unreadable is an error naming it.
func durationSetting(cfg *config, env string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(cfg.get(env))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q is not a duration like 20s or 1m30s", env, v)
	}
	return d, nil
}
