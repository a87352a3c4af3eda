package slack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/outcomebot/outcomebot/store/record"
)

// blocksOf decodes the blocks form field of a chat.* call.
func blocksOf(t *testing.T, c apiCall) []map[string]any {
	t.Helper()
	var bs []map[string]any
	if s := c.Form.Get("blocks"); s != "" {
		if err := json.Unmarshal([]byte(s), &bs); err != nil {
			t.Fatalf("blocks: %v", err)
		}
	}
	return bs
}

// buttonsOf lists the action_id=value of every button in blocks.
func buttonsOf(bs []map[string]any) []string {
	var out []string
	for _, b := range bs {
		els, _ := b["elements"].([]any)
		for _, e := range els {
			if m, ok := e.(map[string]any); ok && m["type"] == "button" {
				out = append(out, m["action_id"].(string)+"="+m["value"].(string))
			}
		}
	}
	return out
}

// textOf is a call's fallback text and every string in its blocks.
func textOf(c apiCall) string {
	var ss []string
	collectStrings([]byte(c.Form.Get("blocks")), &ss)
	return c.Form.Get("text") + "\n" + strings.Join(ss, "\n")
}

func postsIn(calls []apiCall, channel string) []apiCall {
	var out []apiCall
	for _, c := range calls {
		if c.Form.Get("channel") == channel {
			out = append(out, c)
		}
	}
	return out
}

func TestEscalationFlow(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	if rb := h.mustCommand("UREQ", "CSTORE", "/tag", "INC0012345 pos"); !strings.Contains(rb.Text, "INC0012345") {
		t.Fatalf("tag: %q", rb.Text)
	}

	// A signed /escalate: announced in CSTORE, the card goes to CIT with both buttons.
	rb := h.mustCommand("UREQ", "CSTORE", "/escalate", "INC0012345 card readers down <!channel> <@U0VICTIM>")
	if rb.ResponseType != typeEphemeral || !strings.Contains(rb.Text, "E-1") {
		t.Fatalf("escalate reply: %+v", rb)
	}
	h.wait()
	posts := h.slack.Calls("chat.postMessage")
	announce, cards := postsIn(posts, "CSTORE"), postsIn(posts, "CIT")
	if len(announce) != 1 || len(cards) != 1 {
		t.Fatalf("posts: %d in CSTORE, %d in CIT; want 1 and 1", len(announce), len(cards))
	}
	card := cards[0]
	if card.Form.Get("token") != "xoxb-test" {
		t.Errorf("card posted with token %q", card.Form.Get("token"))
	}
	if got := buttonsOf(blocksOf(t, card)); strings.Join(got, ",") != "ack=E-1,resolve=E-1,form:note=E-1,form:assign=E-1" {
		t.Fatalf("card buttons = %v", got)
	}
	if !strings.Contains(card.Form.Get("text"), "<@UIT>") {
		t.Errorf("card does not mention the IT owner: %q", card.Form.Get("text"))
	}
	for _, c := range []apiCall{card, announce[0]} {
		all := textOf(c)
		if strings.Contains(all, "<!channel>") || strings.Contains(all, "<@U0VICTIM>") {
			t.Errorf("user text can notify: %s", all)
		}
		if !strings.Contains(all, "card readers down @channel @U0VICTIM") {
			t.Errorf("the reason's mentions are not shown as plain text: %s", all)
		}
		if c.Form.Get("link_names") != "" || c.Form.Get("parse") == "full" {
			t.Errorf("link_names/parse set: %v", c.Form)
		}
	}
	e, err := h.st.GetEscalation(t.Context(), "T1", 1)
	if err != nil || e.CardID != card.TS || e.AnnounceID != announce[0].TS {
		t.Fatalf("tracked refs: %+v, %v; want card %s, announcement %s", e, err, card.TS, announce[0].TS)
	}

	// A member clicks Acknowledge: refused to them alone; nothing changes.
	if status := h.click("T1", "UREQ", "CIT", card.TS, "ack", "E-1"); status != http.StatusOK {
		t.Fatalf("click: HTTP %d", status)
	}
	h.wait()
	if n := len(h.slack.Calls("chat.update")); n != 0 {
		t.Fatalf("member click updated the card (%d updates)", n)
	}
	eph := h.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "UREQ" || eph[0].Form.Get("channel") != "CIT" {
		t.Fatalf("refusal: %+v", eph)
	}
	if !strings.Contains(eph[0].Form.Get("text"), "it-lead") {
		t.Errorf("refusal does not name the role: %q", eph[0].Form.Get("text"))
	}
	if e, _ := h.st.GetEscalation(t.Context(), "T1", 1); e.State != record.StateOpen {
		t.Fatalf("state after member click = %s", e.State)
	}

	// The it-lead clicks Acknowledge: the card is updated in place and the
	// requester is told in the announcement's thread.
	if status := h.click("T1", "UIT", "CIT", card.TS, "ack", "E-1"); status != http.StatusOK {
		t.Fatalf("click: HTTP %d", status)
	}
	h.wait()
	ups := h.slack.Calls("chat.update")
	if len(ups) != 1 || ups[0].Form.Get("channel") != "CIT" || ups[0].Form.Get("ts") != card.TS {
		t.Fatalf("chat.update: %+v", ups)
	}
	upd := textOf(ups[0])
	if !strings.Contains(upd, "Acknowledged by <@UIT>") || !strings.Contains(upd, "waited") {
		t.Errorf("updated card: %s", upd)
	}
	if got := buttonsOf(blocksOf(t, ups[0])); strings.Join(got, ",") != "resolve=E-1,form:note=E-1,form:assign=E-1" {
		t.Errorf("buttons after ack = %v", got)
	}
	notices := postsIn(h.slack.Calls("chat.postMessage"), "CSTORE")
	if len(notices) != 2 || notices[1].Form.Get("thread_ts") != announce[0].TS {
		t.Fatalf("requester notice: %+v", notices)
	}
	if !strings.Contains(notices[1].Form.Get("text"), "<@UREQ>") || !strings.Contains(notices[1].Form.Get("text"), "acknowledged") {
		t.Errorf("notice text: %q", notices[1].Form.Get("text"))
	}
	if e, _ := h.st.GetEscalation(t.Context(), "T1", 1); e.State != record.StateAcknowledged || e.AckBy != "UIT" {
		t.Fatalf("after ack: %+v", e)
	}
}

func TestNotInChannelIsExplainedToTheCaller(t *testing.T) {
	h := newHarness(t, nil)
	h.slack.mu.Lock()
	h.slack.notIn["CPRIV"] = true
	h.slack.mu.Unlock()
	h.setupOutcome("CPRIV")
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC1 pos")
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC1 broken")
	h.wait()
	hooks := h.slack.Calls("response_url")
	var found bool
	for _, c := range hooks {
		text, _ := c.JSON["text"].(string)
		if strings.Contains(text, "I could not post in <#CPRIV>") && strings.Contains(text, "/invite @outcomebot") {
			found = true
			if c.JSON["response_type"] != typeEphemeral {
				t.Errorf("failure notice response_type = %v", c.JSON["response_type"])
			}
		}
	}
	if !found {
		t.Fatalf("no not_in_channel explanation; response_url got %+v", hooks)
	}
}

func TestRateLimitedPostIsRetriedAfterRetryAfter(t *testing.T) {
	h := newHarness(t, nil)
	h.setupOutcome("CIT")
	h.mustCommand("UREQ", "CSTORE", "/tag", "INC1 pos")
	h.slack.RateLimitNext(1)
	h.mustCommand("UREQ", "CSTORE", "/escalate", "INC1 broken")
	h.wait()
	limited := h.slack.Calls("chat.postMessage:429")
	posts := h.slack.Calls("chat.postMessage")
	if len(limited) != 1 || len(posts) != 2 {
		t.Fatalf("429s %d, posts %d; want 1 and 2", len(limited), len(posts))
	}
	retried := postsIn(posts, limited[0].Form.Get("channel"))
	if len(retried) != 1 {
		t.Fatalf("rate-limited post not retried: %+v", posts)
	}
	if wait := retried[0].At.Sub(limited[0].At); wait < 900*1e6 {
		t.Fatalf("retried after %v, before Retry-After (1s)", wait)
	}
}
