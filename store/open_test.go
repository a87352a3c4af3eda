package store_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/redisproc"
)

// TestConnBadSettings: contradictory settings fail before any I/O.
func TestConnBadSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		conn store.Conn
		want string
	}{
		{"sentinel and cluster", store.Conn{SentinelAddrs: []string{"a:1"}, SentinelMaster: "m", ClusterAddrs: []string{"b:1"}}, "not both"},
		{"sentinel without master", store.Conn{SentinelAddrs: []string{"a:1"}}, "master name"},
		{"master without sentinels", store.Conn{SentinelMaster: "m"}, "sentinel addresses"},
		{"address without port", store.Conn{ClusterAddrs: []string{"redis"}}, "host:port"},
		{"cluster with a database", store.Conn{URL: "redis://h:1/3", ClusterAddrs: []string{"a:1"}}, "database 0"},
		{"unix socket with cluster", store.Conn{URL: "unix:///tmp/r.sock", ClusterAddrs: []string{"a:1"}}, "unix://"},
		{"CA file without TLS", store.Conn{URL: "redis://h:1", TLSCAFile: "/nonexistent"}, "rediss://"},
		{"bad URL", store.Conn{URL: "http://nope"}, "REDIS_URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := store.Connect(ctxT(t), tc.conn)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Connect = %v; want an error about %q", err, tc.want)
			}
			if errors.Is(err, record.ErrUnavailable) {
				t.Errorf("a bad setting is reported as unavailable: %v", err)
			}
		})
	}
}

func TestConnMode(t *testing.T) {
	t.Parallel()
	for conn, want := range map[*store.Conn]string{
		{}:                                   "embedded",
		{URL: "redis://h:1"}:                 "standalone",
		{ClusterAddrs: []string{"a:1"}}:      "cluster",
		{SentinelAddrs: []string{"a:1"}}:     "sentinel",
		{URL: "rediss://u:p@h:1/2"}:          "standalone",
		{URL: "x", SentinelMaster: "master"}: "sentinel",
	} {
		if got := conn.Mode(); got != want {
			t.Errorf("%+v.Mode() = %s, want %s", *conn, got, want)
		}
	}
}

// TestConnectTLSWithACLUser: a rediss:// URL with an ACL user reaches a
// TLS-only Redis whose certificate comes from a private CA given as a file;
// without that CA the certificate is refused.
func TestConnectTLSWithACLUser(t *testing.T) {
	t.Parallel()
	files := writeTLSFiles(t)
	srv := redisproc.Start(t, redisproc.Options{TLS: &files})
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer admin.Close()
	if err := admin.Do(ctxT(t), "ACL", "SETUSER", "outcomebot", "on", ">s3cret-pw", "~*", "&*", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	url := "rediss://outcomebot:s3cret-pw@" + srv.TLSAddr + "/0"
	st, closeFn, err := store.Connect(ctxT(t), store.Conn{URL: url, TLSCAFile: files.CA})
	if err != nil {
		t.Fatalf("connect over TLS as an ACL user: %v", err)
	}
	defer closeFn()
	if err := st.CreateOutcome(ctxT(t), ws, record.Outcome{Key: "pos", Title: "POS", Status: record.OutcomeActive}); err != nil {
		t.Fatal(err)
	}
	if who := st.Client().Do(ctxT(t), "ACL", "WHOAMI").String(); !strings.Contains(who, "outcomebot") {
		t.Errorf("connected as %s", who)
	}
	if _, _, err := store.Connect(ctxT(t), store.Conn{URL: url + "?dial_timeout=2s&max_retries=-1"}); err == nil {
		t.Error("a certificate from an unknown CA was accepted")
	}
	bad := "rediss://outcomebot:wrong@" + srv.TLSAddr + "/0"
	if _, _, err := store.Connect(ctxT(t), store.Conn{URL: bad, TLSCAFile: files.CA}); err == nil {
		t.Error("a wrong password was accepted")
	}
}

// TestConnectSentinel: REDIS_SENTINEL_ADDRS and REDIS_SENTINEL_MASTER
// find the master through a real sentinel.
func TestConnectSentinel(t *testing.T) {
	t.Parallel()
	master := redisproc.Start(t, redisproc.Options{})
	port := strings.TrimPrefix(master.Addr, "127.0.0.1:")
	sentinel := redisproc.Start(t, redisproc.Options{Sentinel: true, Args: []string{
		"--sentinel", "monitor", "obmaster", "127.0.0.1", port, "1",
	}})
	st, closeFn, err := store.Connect(ctxT(t), store.Conn{SentinelAddrs: []string{sentinel.Addr}, SentinelMaster: "obmaster"})
	if err != nil {
		t.Fatalf("connect through sentinel: %v", err)
	}
	defer closeFn()
	if err := st.CreateOutcome(ctxT(t), ws, record.Outcome{Key: "pos", Title: "POS", Status: record.OutcomeActive}); err != nil {
		t.Fatal(err)
	}
	direct := redis.NewClient(&redis.Options{Addr: master.Addr})
	defer direct.Close()
	if n := direct.Exists(ctxT(t), "ob:{"+ws+"}:outcome:pos").Val(); n != 1 {
		t.Error("the outcome is not on the master the sentinel named")
	}
	if _, _, err := store.Connect(ctxT(t), store.Conn{SentinelAddrs: []string{sentinel.Addr}, SentinelMaster: "nosuch"}); err == nil {
		t.Error("an unknown master name connected")
	}
}

// writeTLSFiles makes a CA and a server certificate for 127.0.0.1.
func writeTLSFiles(t *testing.T) redisproc.TLSFiles {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "outcomebot test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "redis"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	f := redisproc.TLSFiles{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}
	for path, block := range map[string]*pem.Block{
		f.CA: {Type: "CERTIFICATE", Bytes: caDER}, f.Cert: {Type: "CERTIFICATE", Bytes: leafDER},
		f.Key: {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f
}
