package record

import (
	"time"
)

// TriageSettings is the workspace's triage configuration.
type TriageSettings struct {
	// Channel gets the whole workspace's triage; "" sends each outcome's IT
	// channel its own copy.
	Channel string
	By      string
	At      time.Time
}

// TriageMessage is one posted triage message: the requests it lists, in
// order, so a pick on it can redraw it with their current state.
type TriageMessage struct {
	Week     string    `json:"week"`    // ISO week, e.g. 2026-W47
	From     time.Time `json:"from"`    // the window the requests were received in
	To       time.Time `json:"to"`      //
	Channel  string    `json:"channel"` // where it was posted
	Part     int       `json:"part"`    // 1-based, of Parts
	Parts    int       `json:"parts"`
	Refs     []string  `json:"refs"`
	Overflow int       `json:"overflow,omitempty"` // untagged requests left out of the week's triage
}
