package slack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/store/record"
)

// TestAddNoteFromTheCard: the card's "Add note" button opens the note modal
// with the click's trigger_id; a good submission closes it, records the
// note, updates the card in place and tells the raiser; an empty note is
// refused on its field with nothing written; someone who may not act on
// the escalation gets no form but the refusal.
func TestAddNoteFromTheCard(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC0012345 pos")
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC0012345 card readers down")
	h.wait()
	card := postsIn(h.slack.Calls("chat.postMessage"), "CIT")[0]
	if got := strings.Join(buttonsOf(blocksOf(t, card)), ","); got != "ack=E-1,resolve=E-1,form:note=E-1,form:assign=E-1" {
		t.Fatalf("card buttons = %v", got)
	}
	if status := h.click("T1", "UIT", "CIT", card.TS, "form:note", "E-1"); status != http.StatusOK {
		t.Fatalf("click: HTTP %d", status)
	}
	view, trigger := h.lastView()
	in := inputs(view)
	note, _ := in["note"]["element"].(map[string]any)
	if trigger != "1.2.3" || note["multiline"] != true || note["max_length"] != float64(3000) || len(in) != 1 {
		t.Fatalf("views.open: trigger %q inputs %v", trigger, in)
	}

	// An empty note: the error on its field, nothing written.
	status, body := h.interaction(submission("T1", "UIT", view, map[string]string{"note": " "}))
	var got struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.Errors["note"] != "Write the note." {
		t.Fatalf("empty note: %d %s", status, body)
	}
	// Someone without the role gets no form: told alone, naming the grant.
	opened := len(h.slack.Calls("views.open"))
	h.click("T1", "UREQ", "CIT", card.TS, "form:note", "E-1")
	h.wait()
	eph := h.slack.Calls("chat.postEphemeral")
	if len(h.slack.Calls("views.open")) != opened || len(eph) == 0 || eph[len(eph)-1].Form.Get("user") != "UREQ" ||
		!strings.Contains(eph[len(eph)-1].Form.Get("text"), "/outcome grant @ureq it-lead") {
		t.Fatalf("no role: views.open %d→%d, ephemerals %+v", opened, len(h.slack.Calls("views.open")), eph)
	}
	if e, _ := h.st.GetEscalation(t.Context(), "T1", 1); e.Note != "" {
		t.Fatalf("a refused note was written: %+v", e)
	}

	status, body = h.interaction(submission("T1", "UIT", view, map[string]string{"note": "vendor on site at 2pm <!channel>"}))
	if status != http.StatusOK || body != "" {
		t.Fatalf("a good note closes the modal: %d %q", status, body)
	}
	h.wait()
	e, _ := h.st.GetEscalation(t.Context(), "T1", 1)
	if e.Note == "" || e.NoteBy != "UIT" || e.State != record.StateOpen {
		t.Fatalf("note not recorded: %+v", e)
	}
	ups := h.slack.Calls("chat.update")
	if len(ups) != 1 || ups[0].Form.Get("ts") != card.TS || !strings.Contains(textOf(ups[0]), "vendor on site at 2pm") {
		t.Fatalf("card not updated: %+v", ups)
	}
	if strings.Contains(textOf(ups[0]), "<!channel>") {
		t.Errorf("the note can notify: %s", textOf(ups[0]))
	}
	var told bool
	for _, p := range postsIn(h.slack.Calls("chat.postMessage"), "CSTORE") {
		told = told || strings.Contains(p.Form.Get("text"), "<@UREQ>") && strings.Contains(p.Form.Get("text"), "vendor on site")
	}
	if !told {
		t.Error("the raiser was not told of the note")
	}
}

// TestReassignFromTheCard: "Reassign" opens a modal with Slack's user
// picker and an optional outcome; the picked person gets it; a changed
// escalation id in private_metadata is refused with nothing written.
func TestReassignFromTheCard(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC0012345 pos")
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC0012345 card readers down")
	h.wait()
	card := postsIn(h.slack.Calls("chat.postMessage"), "CIT")[0]
	h.click("T1", "UIT", "CIT", card.TS, "form:assign", "E-1")
	view, _ := h.lastView()
	in := inputs(view)
	who, _ := in["assignee"]["element"].(map[string]any)
	outcome, _ := in["outcome"]["element"].(map[string]any)
	if who["type"] != "users_select" || outcome["type"] != "static_select" || in["outcome"]["optional"] != true {
		t.Fatalf("inputs %v", in)
	}

	// A forged escalation id in the sealed state is refused.
	meta := view["private_metadata"].(string)
	body, sig, _ := strings.Cut(meta, ".")
	raw, _ := decodeState(body)
	tampered := map[string]any{}
	for k, v := range view {
		tampered[k] = v
	}
	tampered["private_metadata"] = encodeState(strings.Replace(raw, `"E-1"`, `"E-2"`, 1)) + "." + sig
	if _, answer := h.interaction(userPick(submission("T1", "UIT", tampered, nil), "ULI")); !strings.Contains(answer, "not yours, so nothing was done") {
		t.Fatalf("tampered: %s", answer)
	}

	status, answer := h.interaction(userPick(submission("T1", "UIT", view, nil), "ULI"))
	if status != http.StatusOK || answer != "" {
		t.Fatalf("reassign: %d %q", status, answer)
	}
	h.wait()
	if e, _ := h.st.GetEscalation(t.Context(), "T1", 1); e.Assignee != "ULI" {
		t.Fatalf("assignee %q", e.Assignee)
	}
	var thread int
	for _, p := range postsIn(h.slack.Calls("chat.postMessage"), "CIT") {
		if p.Form.Get("thread_ts") == card.TS && strings.Contains(p.Form.Get("text"), "<@ULI>") {
			thread++
		}
	}
	if thread != 1 {
		t.Errorf("the new assignee should be told once in the card's thread, got %d", thread)
	}
}

// userPick sets a users_select pick in a view_submission payload.
func userPick(p map[string]any, user string) map[string]any {
	view := p["view"].(map[string]any)
	view["state"] = map[string]any{"values": map[string]any{"assignee": map[string]any{"assignee": map[string]any{"type": "users_select", "selected_user": user}}}}
	return p
}
