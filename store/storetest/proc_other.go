//go:build !linux

package storetest

import "os/exec"

// setParentDeath is a no-op where the OS has no parent-death signal.
func setParentDeath(cmd *exec.Cmd) {}
