package commands_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// recordingObserver keeps what the core reported.
type recordingObserver struct {
	mu       sync.Mutex
	commands []string
	events   []string
}

func (o *recordingObserver) CommandHandled(name, result string, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.commands = append(o.commands, name+" "+result)
}

func (o *recordingObserver) EscalationChanged(event string, waited time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, fmt.Sprintf("%s %s", event, waited))
}

// TestObserver checks that every handled request is reported once, with a
// bounded name and its result, and that only first raises, acks and
// resolves are reported as escalation events.
func TestObserver(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	obs := &recordingObserver{}
	e.Core.SetObserver(obs)

	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	e.Run("T1", "UBIZ", "CSTORE", "/ack E-1")         // member: refused
	e.Run("T1", "UBIZ", "CSTORE", "/nonsense$$ x")    // unknown command
	e.Run("T1", "UBIZ", "CSTORE", "/tag INC1 nosuch") // unknown outcome
	e.Clock.Advance(90 * time.Minute)
	e.Click("T1", "UIT", commands.ActionAck, "E-1", commands.MessageRef{})
	e.Click("T1", "UIT", commands.ActionAck, "E-1", commands.MessageRef{}) // second: not an event
	e.Click("T1", "UIT", "explode", "E-1", commands.MessageRef{})
	e.Run("T1", "UIT", "CIT", "/resolve E-1 fixed")

	want := []string{
		"escalate ok", "ack user_error", "unknown user_error", "tag user_error",
		"action:ack ok", "action:ack ok", "unknown user_error", "resolve ok",
	}
	if fmt.Sprint(obs.commands) != fmt.Sprint(want) {
		t.Errorf("commands reported:\n got %v\nwant %v", obs.commands, want)
	}
	wantEvents := []string{"raised 0s", "acknowledged 1h30m0s", "resolved 0s"}
	if fmt.Sprint(obs.events) != fmt.Sprint(wantEvents) {
		t.Errorf("escalation events:\n got %v\nwant %v", obs.events, wantEvents)
	}
}
