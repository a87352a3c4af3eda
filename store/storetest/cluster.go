package storetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/store"
)

// cluster is the one-node Redis Cluster started on first use by
// NewCluster and stopped when Main returns.
var cluster struct {
	once sync.Once
	addr string
	err  error
	stop func()
}

// NewCluster returns a Store, with a prefix unique to the test, on a
// ClusterClient talking to a one-node Redis Cluster that owns all 16,384
// slots. Redis in cluster mode refuses a MULTI, a multi-key command or a
// Lua script whose keys hash to different slots (CROSSSLOT), so tests on it
// catch a key missing its hash tag, which miniredis and a plain server
// accept. The test is skipped when redis-server is not on PATH.
func NewCluster(tb testing.TB) *store.Store {
	tb.Helper()
	cluster.once.Do(func() {
		bin, err := lookRedisServer()
		if err != nil {
			cluster.err = err
			return
		}
		cluster.addr, cluster.stop, cluster.err = startCluster(bin)
	})
	if cluster.err != nil {
		tb.Skipf("storetest: no Redis Cluster: %v", cluster.err)
	}
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{cluster.addr}})
	prefix := uniquePrefix(tb.Name())
	tb.Cleanup(func() {
		_ = rdb.ForEachMaster(context.Background(), func(ctx context.Context, c *redis.Client) error {
			deleteKeys(c, prefix)
			return nil
		})
		_ = rdb.Close()
	})
	return store.New(rdb, store.Options{Prefix: prefix})
}

// stopCluster stops the cluster node if NewCluster started one.
func stopCluster() {
	if cluster.stop != nil {
		cluster.stop()
	}
}

// startCluster runs redis-server in cluster mode in a temporary directory,
// gives it every slot and waits until the cluster state is ok.
func startCluster(bin string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "storetest-cluster-")
	if err != nil {
		return "", nil, err
	}
	bus, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	addr, stop, err := startRedisServerArgs(bin, "--cluster-enabled", "yes",
		"--cluster-port", strconv.Itoa(bus),
		"--cluster-config-file", dir+"/nodes.conf", "--dir", dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stopAll := func() { stop(); os.RemoveAll(dir) }
	if err := assignAllSlots(addr); err != nil {
		stopAll()
		return "", nil, fmt.Errorf("cluster on %s: %w", addr, err)
	}
	return addr, stopAll, nil
}

// assignAllSlots makes the node own slots 0-16383 and waits for
// cluster_state:ok.
func assignAllSlots(addr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		return err
	}
	for {
		info, err := c.ClusterInfo(ctx).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster state not ok: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
