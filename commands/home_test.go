package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// TestHome: a user's home view lists the escalations they raised that are
// still open and the outcomes they own, says "None." for an empty list, and
// caps a long one with the command that lists everything.
func TestHome(t *testing.T) {
	e := newEnv(t)
	e.Seed("T1") // pos: owner UBIZ, IT owner UIT; INC0012345 tagged
	e.Run("T1", "UBIZ", "CGEN", "/escalate INC0012345 tills frozen")
	e.Run("T1", "UBIZ", "CGEN", "/tag INC0012346 pos")
	e.Run("T1", "UBIZ", "CGEN", "/escalate INC0012346 printer down")
	e.Run("T1", "UIT", "CIT", "/resolve E-2 fixed")
	ctx := context.Background()

	biz, err := e.Core.Home(ctx, "T1", "UBIZ", start.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := text(biz)
	for _, want := range []string{"Open escalations you raised", "E-1 INC0012345 → pos · open, raised 3h ago", "tills frozen",
		"Outcomes you own", "pos Point of sale · business owner", "KPI: in-store conversion"} {
		if !strings.Contains(got, want) {
			t.Errorf("UBIZ's home lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "E-2") {
		t.Errorf("a resolved escalation is on the home view:\n%s", got)
	}

	it, err := e.Core.Home(ctx, "T1", "UIT", start)
	if err != nil {
		t.Fatal(err)
	}
	e.Expect(it, "Open escalations you raised\nNone. Raise one with /escalate <ticket> <reason>.", "pos Point of sale · IT owner")
	if strings.Contains(text(it), "T2") {
		t.Error("another workspace leaked")
	}

	for i := range 45 {
		e.Run("T1", "UADMIN", "CGEN", fmt.Sprintf(`/outcome add o-%02d "Outcome %d" owner=<@UMANY|m>`, i, i))
	}
	many, err := e.Core.Home(ctx, "T1", "UMANY", start)
	if err != nil {
		t.Fatal(err)
	}
	last := commands.MaxHomeItems - 1
	e.Expect(many, fmt.Sprintf("o-%02d Outcome %d", last, last), fmt.Sprintf("…and %d more: /outcome list", 45-commands.MaxHomeItems))
	if strings.Contains(text(many), fmt.Sprintf("o-%02d ", last+1)) {
		t.Errorf("the home view lists more than %d outcomes:\n%s", commands.MaxHomeItems, text(many))
	}
}
