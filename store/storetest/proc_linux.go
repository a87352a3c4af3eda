package storetest

import (
	"os/exec"
	"syscall"
)

// setParentDeath kills the redis-server if the test process dies first.
func setParentDeath(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
