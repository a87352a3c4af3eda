package record

import (
	"fmt"
	"time"
)

// DigestPost records a weekly digest posted to a channel.
type DigestPost struct {
	Week      string    `json:"week"` // ISO week in the channel's zone, e.g. 2026-W48
	At        time.Time `json:"at"`
	MessageID string    `json:"message_id"`
	Late      bool      `json:"late,omitempty"`
	Manual    bool      `json:"manual,omitempty"`
}

// DigestClaim is what ClaimDigestAt found.
type DigestClaim int

// Claim results.
const (
	// DigestClaimed means the caller holds the lease and must post, then
	// RecordDigest, FailDigest or ReleaseDigest.
	DigestClaimed DigestClaim = iota + 1
	// DigestAlreadyPosted means the week's digest is recorded: never post it again.
	DigestAlreadyPosted
	// DigestHeld means another holder's lease is running.
	DigestHeld
	// DigestBackingOff means an earlier attempt failed and its retry time
	// has not come.
	DigestBackingOff
)

// String names the claim result for logs.
func (c DigestClaim) String() string {
	switch c {
	case DigestClaimed:
		return "claimed"
	case DigestAlreadyPosted:
		return "posted"
	case DigestHeld:
		return "held"
	case DigestBackingOff:
		return "backing-off"
	}
	return fmt.Sprintf("DigestClaim(%d)", int(c))
}

// DigestFailure is a failed attempt as FailDigest recorded it.
type DigestFailure struct {
	// Attempts counts the week's failed attempts, this one included.
	Attempts int
	// RetryAt is the earliest time ClaimDigestAt lets anyone try again.
	RetryAt time.Time
}
