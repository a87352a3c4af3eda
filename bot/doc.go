// Package bot holds wiring shared by the platform adapters in its
// subpackages: slack, teams and shell.
package bot
