package store

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Open connects a Store with default Options. With url "" it starts an
// embedded, in-memory miniredis (Embedded reports true; nothing survives
// the process). Otherwise url is a redis:// or rediss:// URL (or unix://
// socket) as redis.ParseURL reads it, and Open checks that the server
// answers; an unreachable server gives an error matching ErrUnavailable.
// The returned func closes the client (and the embedded server).
func Open(ctx context.Context, url string) (*Store, func() error, error) {
	if url == "" {
		return openEmbedded()
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	rdb := clientFromOptions(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, nil, wrap("open store: ping "+opt.Addr, err)
	}
	return New(rdb, Options{}), rdb.Close, nil
}

// openEmbedded starts a miniredis and a Store on it.
func openEmbedded() (*Store, func() error, error) {
	m, err := miniredis.Run()
	if err != nil {
		return nil, nil, fmt.Errorf("open store: start embedded redis: %w", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	s := New(rdb, Options{})
	s.embedded = true
	closer := func() error {
		err := rdb.Close()
		m.Close()
		return err
	}
	return s, closer, nil
}

// clientFromOptions builds a client for one parsed URL. A unix socket needs
// a plain client; anything else goes through NewUniversalClient so Sentinel
// and Cluster options can be added later without touching callers.
func clientFromOptions(opt *redis.Options) redis.UniversalClient {
	if opt.Network == "unix" {
		return redis.NewClient(opt)
	}
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:           []string{opt.Addr},
		ClientName:      opt.ClientName,
		DB:              opt.DB,
		Protocol:        opt.Protocol,
		Username:        opt.Username,
		Password:        opt.Password,
		MaxRetries:      opt.MaxRetries,
		MinRetryBackoff: opt.MinRetryBackoff,
		MaxRetryBackoff: opt.MaxRetryBackoff,
		DialTimeout:     opt.DialTimeout,
		ReadTimeout:     opt.ReadTimeout,
		WriteTimeout:    opt.WriteTimeout,
		PoolSize:        opt.PoolSize,
		PoolTimeout:     opt.PoolTimeout,
		MinIdleConns:    opt.MinIdleConns,
		MaxIdleConns:    opt.MaxIdleConns,
		ConnMaxIdleTime: opt.ConnMaxIdleTime,
		ConnMaxLifetime: opt.ConnMaxLifetime,
		TLSConfig:       opt.TLSConfig,
	})
}
