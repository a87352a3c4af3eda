// Package redisproc runs real redis-server processes on loopback ports for
// tests that need more than storetest's shared server: a server with its
// own data directory that can be killed with SIGKILL and restarted
// (durability), a 3-master Redis Cluster (CROSSSLOT checks), a Sentinel,
// or TLS. Every process is stopped when the test ends.
//
// Without redis-server (or redis-cli, for a cluster) on PATH the test is
// skipped with a message saying what to install, except under CI=true,
// where that is a failure.
package redisproc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// errExited is a server that exited at start, most often because its port
// was taken meanwhile: Start tries another port.
var errExited = errors.New("exited at start")

// startTimeout bounds how long a server may take to answer PING.
const startTimeout = 20 * time.Second

// Server is one redis-server process on 127.0.0.1.
type Server struct {
	tb   testing.TB
	bin  string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
	// Port is the TCP port, Addr "127.0.0.1:<Port>" and Dir the data
	// directory; all three stay the same across Restart.
	Port int
	Addr string
	Dir  string
	// TLSAddr is where the server speaks TLS, when Options.TLS is set.
	TLSAddr string
}

// TLSFiles are PEM files for a TLS server.
type TLSFiles struct {
	Cert, Key, CA string
}

// Options configure Start.
type Options struct {
	// Dir is the data directory; default a new temporary directory.
	Dir string
	// Args are extra redis-server arguments, e.g. "--appendonly", "yes".
	Args []string
	// Sentinel starts the server in sentinel mode; Args must then hold the
	// "--sentinel monitor …" lines as arguments.
	Sentinel bool
	// TLS, when set, also serves TLS on TLSAddr with this certificate
	// (clients are not asked for one).
	TLS *TLSFiles
	// NeedBusPort also keeps Port+10000 free (the cluster bus).
	NeedBusPort bool
}

// Require returns the paths of the named binaries, or skips tb (fails it
// under CI=true) when one is missing.
func Require(tb testing.TB, names ...string) []string {
	tb.Helper()
	var paths []string
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			msg := fmt.Sprintf("%s not on PATH: install Debian's redis-server and redis-tools packages (.ci/run does)", n)
			if os.Getenv("CI") == "true" {
				tb.Fatal(msg + "; CI=true requires it")
			}
			tb.Skip(msg + "; skipping")
		}
		paths = append(paths, p)
	}
	return paths
}

// Start starts a redis-server (without persistence unless Args turn it on)
// and waits until it answers.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	bin := Require(tb, "redis-server")[0]
	if opts.Dir == "" {
		opts.Dir = tb.TempDir()
	}
	var lastErr error
	for range 5 { // a free port can be taken before we use it: try another
		port, err := freePort(opts.NeedBusPort)
		if err != nil {
			tb.Fatal(err)
		}
		s := &Server{tb: tb, bin: bin, Port: port, Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: opts.Dir}
		if opts.TLS != nil {
			tlsPort, err := freePort(false)
			if err != nil {
				tb.Fatal(err)
			}
			s.TLSAddr = "127.0.0.1:" + strconv.Itoa(tlsPort)
		}
		s.args = s.buildArgs(opts)
		lastErr = s.start()
		if lastErr == nil {
			tb.Cleanup(s.Stop)
			return s
		}
		if !errors.Is(lastErr, errExited) {
			break
		}
	}
	tb.Fatalf("start redis-server: %v", lastErr)
	return nil
}

// buildArgs is the command line: a config file first when sentinel.
func (s *Server) buildArgs(opts Options) []string {
	var args []string
	if opts.Sentinel {
		conf := filepath.Join(s.Dir, "sentinel.conf")
		if err := os.WriteFile(conf, nil, 0o600); err != nil {
			s.tb.Fatal(err)
		}
		args = append(args, conf, "--sentinel")
	}
	if opts.TLS != nil {
		_, tlsPort, _ := net.SplitHostPort(s.TLSAddr)
		args = append(args, "--tls-port", tlsPort, "--tls-cert-file", opts.TLS.Cert,
			"--tls-key-file", opts.TLS.Key, "--tls-ca-cert-file", opts.TLS.CA, "--tls-auth-clients", "no")
	}
	args = append(args, "--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1",
		"--dir", s.Dir, "--logfile", filepath.Join(s.Dir, "redis.log"), "--daemonize", "no")
	if !opts.Sentinel {
		args = append(args, "--save", "")
		if !hasArg(opts.Args, "--appendonly") {
			args = append(args, "--appendonly", "no")
		}
	}
	return append(args, opts.Args...)
}

// start runs the process and waits for it to answer PING.
func (s *Server) start() error {
	s.cmd = exec.Command(s.bin, s.args...)
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("redis-server on %s %w: %s", s.Addr, errExited, s.LogTail())
		default:
		}
		// PONG, or NOAUTH from a server with a password: either way it serves.
		if reply, err := s.command("PING"); err == nil && (strings.HasPrefix(reply, "+PONG") || strings.HasPrefix(reply, "-NOAUTH")) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("redis-server on %s did not answer PING within %s: %s", s.Addr, startTimeout, s.LogTail())
}

// Kill ends the server with SIGKILL, as a crash or the OOM killer would,
// and waits for it to be gone.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// Restart starts the server again on the same port, directory and
// arguments (after Kill), and waits until it answers.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Kill()
	if err := s.start(); err != nil {
		s.tb.Fatalf("restart redis-server: %v", err)
	}
}

// Stop kills the server if it still runs.
func (s *Server) Stop() { s.Kill() }

// LogTail returns the end of the server's log file.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "redis.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// command sends one inline command and returns the first line of the reply.
func (s *Server) command(args ...string) (string, error) {
	var line string
	err := s.roundTrip(strings.Join(args, " "), func(r *bufio.Reader) (err error) {
		line, err = r.ReadString('\n')
		return err
	})
	return line, err
}

// bulk sends one inline command whose reply is a bulk string, and returns it.
func (s *Server) bulk(cmd string) (string, error) {
	var out string
	err := s.roundTrip(cmd, func(r *bufio.Reader) error {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "$")))
		if !strings.HasPrefix(line, "$") || err != nil || n < 0 {
			return fmt.Errorf("%s: reply %q", cmd, line)
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		out = string(b)
		return err
	})
	return out, err
}

// roundTrip sends cmd inline on a new connection and lets read take the
// reply, all within a second.
func (s *Server) roundTrip(cmd string, read func(*bufio.Reader) error) error {
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := fmt.Fprintf(c, "%s\r\n", cmd); err != nil {
		return err
	}
	return read(bufio.NewReader(c))
}

// freePort finds a loopback port that is free now (and port+10000 too when
// bus is set).
func freePort(bus bool) (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !bus {
			return port, nil
		}
		if port+10000 > 65535 {
			continue
		}
		if b, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000)); err == nil {
			b.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free loopback port pair for a cluster node")
}

func hasArg(args []string, name string) bool {
	for _, a := range args {
		if a == name {
			return true
		}
	}
	return false
}
