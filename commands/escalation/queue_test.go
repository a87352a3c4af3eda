package escalation_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/commandstest"
)

// TestQueue: an IT owner's list defaults to what they own, overdue first
// then oldest, each line with its due time or how overdue it is; long
// lists say "1–25 of 30" and page by page= or the More button; a business
// user's list defaults to what they raised.
func TestQueue(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos: IT owner UIT, SLA default 4h
	e.Run("T1", "UADMIN", "CGEN", `/outcome add infra "Stores online" it=<@UOWN|own> sla=1h`)
	for i := range 30 {
		e.Run("T1", "UADMIN", "CGEN", fmt.Sprintf("/tag INC%07d infra", i))
		e.Run("T1", "UBIZ", "CSTORE", fmt.Sprintf("/escalate INC%07d down %d", i, i))
		e.Clock.Advance(time.Minute)
	}
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills") // pos, not UOWN's
	e.Clock.Advance(90 * time.Minute)                           // the first infra ones are past their 1h SLA
	e.Run("T1", "UADMIN", "CGEN", "/tag INC0999999 infra")
	e.Run("T1", "USAM", "CHULL", "/escalate INC0999999 fresh one") // E-32, due in 1h

	r := e.Run("T1", "UOWN", "CINFRA", "/escalate list")
	e.Expect(r, "Escalations (assigned to you) · 1–25 of 31", "More: /escalate list assigned page=2")
	lines := strings.Split(commandstest.Text(r), "\n")
	var items []string
	for _, l := range lines {
		if strings.HasPrefix(l, "E-") {
			items = append(items, l)
		}
	}
	if len(items) != 25 || !strings.HasPrefix(items[0], "E-1 ") || !strings.Contains(items[0], "overdue by 1h") {
		t.Fatalf("first page: %d items, first %q", len(items), items[0])
	}
	if strings.Contains(commandstest.Text(r), "INC0012345") {
		t.Error("another IT owner's escalation is in the assigned list")
	}
	if len(r.Buttons) != 1 || r.Buttons[0].Action != "escalation_list" || r.Buttons[0].Value != "assigned page=2" {
		t.Fatalf("More button %+v", r.Buttons)
	}
	more := e.Click("T1", "UOWN", r.Buttons[0].Action, r.Buttons[0].Value, commands.MessageRef{Channel: "CINFRA"})
	e.Expect(more, "26–31 of 31", "E-32 INC0999999", "due in 1h")
	if len(more.Buttons) != 0 {
		t.Error("the last page offers More")
	}
	e.Expect(e.Run("T1", "UOWN", "CINFRA", "/escalate list page=2"), "26–31 of 31")
	e.Expect(e.Run("T1", "UOWN", "CINFRA", "/escalate list overdue outcome=infra"), "Escalations (overdue · infra) · 1–25 of 30")
	e.Expect(e.Run("T1", "USAM", "CHULL", "/escalate list"), "Escalations (raised by you) · 1–1 of 1", "E-32")
	e.Expect(e.Run("T1", "UOWN", "CINFRA", "/escalate list page=9"), "page 9 is past the end")
	e.Expect(e.Run("T1", "UOWN", "CINFRA", "/escalate list page=x"), "is not a page number")
}

// TestQueueAssignedIsYours: someone with no role, nothing owned and
// nothing assigned sees an empty 'assigned' list, not everyone's.
func TestQueueAssignedIsYours(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1")
	e.Run("T1", "UBIZ", "CSTORE", "/escalate INC0012345 tills down")
	e.Expect(e.Run("T1", "USAM", "CHULL", "/escalate list assigned"), "No escalations (assigned to you).")
	e.Expect(e.Run("T1", "UADMIN", "CGEN", "/escalate list assigned"), "E-1 INC0012345")
}
