package store

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Conn says which Redis to use. The zero Conn starts an embedded,
// in-memory Redis.
//
// URL is a redis:// (plain) or rediss:// (TLS) URL, with an optional
// password or ACL user and password and a database number, e.g.
// rediss://outcomebot:secret@redis.example.com:6380/0, or a unix:// socket;
// its query may set go-redis options (dial_timeout, pool_size, …) as
// redis.ParseURL reads them. With SentinelAddrs or ClusterAddrs set, the
// URL still gives the credentials, TLS, database and options, but not the
// address: its host, if any, is only the name TLS certificates are checked
// against.
type Conn struct {
	URL string
	// SentinelAddrs (host:port of each sentinel) and SentinelMaster (the
	// monitored master's name) select Redis Sentinel; both or neither.
	SentinelAddrs  []string
	SentinelMaster string
	// SentinelPassword authenticates to the sentinels themselves, when they
	// have their own password.
	SentinelPassword string
	// ClusterAddrs (host:port of one or more cluster nodes) selects Redis
	// Cluster; a single address is enough (the client is told it is a
	// cluster).
	ClusterAddrs []string
	// TLSCAFile is a PEM file of CA certificates to trust for TLS instead of
	// the system's (a private CA). It needs a rediss:// URL.
	TLSCAFile string
	// Hooks are added to the client before the first command (metrics).
	Hooks []redis.Hook
}

// Mode names the kind of Redis c selects: "embedded", "standalone",
// "sentinel" or "cluster".
func (c Conn) Mode() string {
	switch {
	case len(c.SentinelAddrs) > 0 || c.SentinelMaster != "":
		return "sentinel"
	case len(c.ClusterAddrs) > 0:
		return "cluster"
	case c.URL == "":
		return "embedded"
	}
	return "standalone"
}

// Open connects a Store with default Options to the Redis at url (see
// Conn.URL); with url "" it starts an embedded, in-memory miniredis. It is
// Connect with only a URL.
func Open(ctx context.Context, url string) (*Store, func() error, error) {
	return Connect(ctx, Conn{URL: url})
}

// Connect connects a Store with default Options to the Redis c selects, and
// checks that it answers: an unreachable server gives an error matching
// ErrUnavailable, a bad setting another error. The embedded Redis (Embedded
// reports true) keeps nothing after the process exits. The returned func
// closes the client (and the embedded server).
func Connect(ctx context.Context, c Conn) (*Store, func() error, error) {
	if c.Mode() == "embedded" {
		return openEmbedded(c.Hooks)
	}
	rdb, err := c.client()
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	for _, h := range c.Hooks {
		rdb.AddHook(h)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, nil, wrap("open store: ping "+c.Mode()+" redis", err)
	}
	return New(rdb, Options{}), rdb.Close, nil
}

// StartEmbedded starts an embedded, in-memory miniredis on a loopback
// port whose key TTLs run in real time. miniredis expires keys only when
// told time has passed (FastForward); without that, leases, event ids and
// OAuth states would never expire. stop ends both.
func StartEmbedded() (m *miniredis.Miniredis, stop func(), err error) {
	m, err = miniredis.Run()
	if err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		const every = 50 * time.Millisecond
		t := time.NewTicker(every)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				m.FastForward(now.Sub(last))
				last = now
			}
		}
	})
	var once sync.Once
	return m, func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			m.Close()
		})
	}, nil
}

// openEmbedded starts a miniredis and a Store on it.
func openEmbedded(hooks []redis.Hook) (*Store, func() error, error) {
	m, stopEmbedded, err := StartEmbedded()
	if err != nil {
		return nil, nil, fmt.Errorf("open store: start embedded redis: %w", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	for _, h := range hooks {
		rdb.AddHook(h)
	}
	s := New(rdb, Options{})
	s.embedded = true
	closer := func() error {
		err := rdb.Close()
		stopEmbedded()
		return err
	}
	return s, closer, nil
}

// client builds the go-redis client c selects, without any network I/O.
func (c Conn) client() (redis.UniversalClient, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	opt := &redis.Options{}
	if c.URL != "" {
		var err error
		if opt, err = redis.ParseURL(c.URL); err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
	}
	if c.TLSCAFile != "" {
		if opt.TLSConfig == nil {
			return nil, errors.New("a TLS CA file needs a rediss:// URL")
		}
		pool, err := loadCAs(c.TLSCAFile)
		if err != nil {
			return nil, err
		}
		opt.TLSConfig.RootCAs = pool
	}
	mode := c.Mode()
	if mode == "standalone" {
		return redis.NewClient(opt), nil
	}
	if opt.Network == "unix" {
		return nil, fmt.Errorf("a unix:// REDIS_URL cannot be used with %s", mode)
	}
	if opt.TLSConfig != nil {
		// The nodes are dialled by their own addresses; the URL's host, if
		// it names one, is the certificate name to expect.
		opt.TLSConfig.ServerName = urlHost(c.URL)
	}
	u := universalOptions(opt)
	if mode == "sentinel" {
		u.Addrs, u.MasterName, u.SentinelPassword = c.SentinelAddrs, c.SentinelMaster, c.SentinelPassword
		return redis.NewUniversalClient(u), nil
	}
	if opt.DB != 0 {
		return nil, fmt.Errorf("redis cluster has only database 0, REDIS_URL asks for %d", opt.DB)
	}
	u.Addrs, u.IsClusterMode = c.ClusterAddrs, true
	return redis.NewUniversalClient(u), nil
}

// check refuses settings that contradict each other.
func (c Conn) check() error {
	sentinel := len(c.SentinelAddrs) > 0 || c.SentinelMaster != ""
	switch {
	case sentinel && len(c.ClusterAddrs) > 0:
		return errors.New("choose Redis Sentinel or Redis Cluster, not both")
	case sentinel && (len(c.SentinelAddrs) == 0 || c.SentinelMaster == ""):
		return errors.New("redis sentinel needs both the sentinel addresses and the master name")
	}
	for _, a := range append(append([]string(nil), c.SentinelAddrs...), c.ClusterAddrs...) {
		if !strings.Contains(a, ":") || strings.Contains(a, "/") {
			return fmt.Errorf("redis address %q is not host:port", a)
		}
	}
	return nil
}

// universalOptions carries a parsed URL's settings over to the options of
// a Sentinel or Cluster client.
func universalOptions(o *redis.Options) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		ClientName:      o.ClientName,
		DB:              o.DB,
		Protocol:        o.Protocol,
		Username:        o.Username,
		Password:        o.Password,
		MaxRetries:      o.MaxRetries,
		MinRetryBackoff: o.MinRetryBackoff,
		MaxRetryBackoff: o.MaxRetryBackoff,
		DialTimeout:     o.DialTimeout,
		ReadTimeout:     o.ReadTimeout,
		WriteTimeout:    o.WriteTimeout,
		PoolSize:        o.PoolSize,
		PoolTimeout:     o.PoolTimeout,
		MinIdleConns:    o.MinIdleConns,
		MaxIdleConns:    o.MaxIdleConns,
		ConnMaxIdleTime: o.ConnMaxIdleTime,
		ConnMaxLifetime: o.ConnMaxLifetime,
		TLSConfig:       o.TLSConfig,
	}
}

// urlHost is the host name written in a URL, "" when it names none.
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// loadCAs reads a PEM file of CA certificates.
func loadCAs(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read TLS CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("TLS CA file %s holds no PEM certificate", file)
	}
	return pool, nil
}
