package redisproc

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Cluster is a Redis Cluster of masters without replicas, on loopback.
type Cluster struct {
	Nodes []*Server
	// Addrs are the nodes' host:port, for REDIS_CLUSTER_ADDRS.
	Addrs []string
}

// StartCluster starts n cluster-enabled redis-servers, joins them with
// `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes` (which
// spreads the 16,384 slots over them), and waits until every node reports
// cluster_state:ok. It needs redis-server and redis-cli (Debian:
// redis-server and redis-tools).
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	cli := Require(tb, "redis-server", "redis-cli")[1]
	c := &Cluster{}
	for range n {
		s := Start(tb, Options{NeedBusPort: true, Args: []string{
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "5000",
		}})
		c.Nodes = append(c.Nodes, s)
		c.Addrs = append(c.Addrs, s.Addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range c.Nodes {
		for !s.clusterOK() {
			if time.Now().After(deadline) {
				tb.Fatalf("cluster node %s not ok after 30s: %s", s.Addr, s.LogTail())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}

// clusterOK reports whether the node says cluster_state:ok.
func (s *Server) clusterOK() bool {
	reply, err := s.bulk("CLUSTER INFO")
	return err == nil && strings.Contains(reply, "cluster_state:ok")
}
