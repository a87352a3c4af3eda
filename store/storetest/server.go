package storetest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/outcomebot/outcomebot/store"
)

// lookRedisServer finds redis-server on PATH.
func lookRedisServer() (string, error) { return exec.LookPath("redis-server") }

// startRedisServer runs a private, non-persistent redis-server on a free
// loopback port and waits until it answers PING. If the server exits first
// (another process took the port meanwhile) it tries another port.
func startRedisServer(bin string) (string, func(), error) {
	return startRedisServerArgs(bin)
}

// startRedisServerArgs is startRedisServer with extra server arguments.
func startRedisServerArgs(bin string, extra ...string) (string, func(), error) {
	var err error
	for range 3 {
		var addr string
		var stop func()
		if addr, stop, err = tryRedisServer(bin, extra); err == nil {
			return addr, stop, nil
		}
	}
	return "", nil, err
}

func tryRedisServer(bin string, extra []string) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, fmt.Errorf("find a free port: %w", err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no"}, extra...)
	cmd := exec.Command(bin, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	setParentDeath(cmd)
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	if err := waitPing(addr, exited, 10*time.Second); err != nil {
		stop()
		return "", nil, fmt.Errorf("redis-server on %s: %w\n%s", addr, err, out.String())
	}
	return addr, stop, nil
}

// syncBuffer is a bytes.Buffer safe for the writer goroutines of exec.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startMiniredis starts the in-process fallback.
func startMiniredis() (string, func(), error) {
	m, stop, err := store.StartEmbedded()
	if err != nil {
		return "", nil, fmt.Errorf("start miniredis: %w", err)
	}
	return m.Addr(), stop, nil
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitPing polls addr with a raw PING until it answers +PONG, failing if
// the server exits first.
func waitPing(addr string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-exited:
			return errors.New("exited before answering PING")
		default:
		}
		err := ping(addr)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no PONG after %v: %w", limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("unexpected reply %q", line)
	}
	return nil
}
