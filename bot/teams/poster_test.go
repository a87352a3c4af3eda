package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/digest"
	"github.com/outcomebot/outcomebot/store/record"
)

// restarted builds a second adapter on the same store, as after a restart
// or on another replica: it knows conversations only from Redis.
func (e *env) restarted() *Adapter {
	e.t.Helper()
	a, err := newAdapter(Config{
		AppID: testAppID, AppPassword: "s3cret", TenantID: testTenant,
		OpenIDMetadataURL: e.oidc.metadataURL(), TokenURL: e.conn.tokenURL(),
	}, e.core, e.store, nil, options{sleep: noWait})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func TestProactivePostAfterRestart(t *testing.T) {
	e := newEnv(t)
	e.setup()
	p := e.restarted().Poster()
	ctx := context.Background()

	ref, err := p.Post(ctx, commands.Destination{Workspace: testTenant, Channel: itConv},
		commands.Response{Text: "Reminder for " + commands.Mention(itLead.aad) + ": E-1 waits."})
	if err != nil {
		t.Fatal(err)
	}
	calls := e.conn.take()
	if len(calls) != 1 || calls[0].Method != http.MethodPost || calls[0].Conversation != itConv || calls[0].ActivityID != "" {
		t.Fatalf("calls %+v; want one send to %s", calls, itConv)
	}
	if ref.Channel != itConv || ref.ID == "" {
		t.Errorf("ref %+v", ref)
	}
	body := calls[0].text()
	if !strings.Contains(body, `"text":"Reminder for <at>Ivan IT</at>: E-1 waits."`) || !strings.Contains(body, `"id":"29:it"`) {
		t.Errorf("mention not rendered from the stored user: %s", body)
	}

	// A thread reply goes into the channel thread.
	if _, err := p.Post(ctx, commands.Destination{Workspace: testTenant, Channel: itConv, Thread: ref.ID}, commands.Response{Text: "detail"}); err != nil {
		t.Fatal(err)
	}
	if calls := e.conn.take(); len(calls) != 1 || calls[0].Conversation != itConv+";messageid="+ref.ID {
		t.Fatalf("thread reply calls %+v", calls)
	}

	// Update replaces the message in place.
	if err := p.Update(ctx, ref, testTenant, commands.Response{Title: "E-1", Text: "done"}); err != nil {
		t.Fatal(err)
	}
	if calls := e.conn.take(); len(calls) != 1 || calls[0].Method != http.MethodPut || calls[0].ActivityID != ref.ID {
		t.Fatalf("update calls %+v", calls)
	}
}

func TestPostToUnknownConversation(t *testing.T) {
	e := newEnv(t)
	_, err := e.adapter.Poster().Post(context.Background(), commands.Destination{Workspace: testTenant, Channel: "19:never@thread.tacv2"}, commands.Response{Text: "x"})
	if !errors.Is(err, ErrNoConversation) {
		t.Fatalf("err = %v, want ErrNoConversation", err)
	}
	if len(e.conn.take()) != 0 {
		t.Fatal("posted somewhere anyway")
	}
}

func TestLargeResponseContinuesInThread(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.conn.take()
	resp := commands.Response{Title: "Weekly digest", Text: "Numbers"}
	for i := range 80 {
		resp.Sections = append(resp.Sections, commands.Section{Title: fmt.Sprintf("outcome %d", i), Text: strings.Repeat("detail ", 100)})
	}
	ref, err := e.adapter.Poster().Post(context.Background(), commands.Destination{Workspace: testTenant, Channel: itConv}, resp)
	if err != nil {
		t.Fatal(err)
	}
	calls := e.conn.take()
	if len(calls) < 2 {
		t.Fatalf("%d messages, want the digest split", len(calls))
	}
	if calls[0].Conversation != itConv {
		t.Errorf("first card went to %s", calls[0].Conversation)
	}
	for _, c := range calls[1:] {
		if c.Conversation != itConv+";messageid="+ref.ID {
			t.Errorf("continuation went to %s, want the first card's thread", c.Conversation)
		}
		if n := len(marshalJSON(c.Body)); n > maxMessageBytes {
			t.Errorf("message of %d bytes", n)
		}
	}
}

func TestDigestPostedWithThread(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.do(e.command(opsConv, "channel", maria, "tag INC0012345 pos"))
	e.do(e.command(opsConv, "channel", maria, "escalate INC0012345 tills down"))
	e.do(e.command(itConv, "channel", admin, "digest subscribe"))
	ctx := context.Background()
	err := e.bot.Cadence.SendDigest(ctx, e.restarted().Poster(), testTenant, itConv, time.Now(), digest.Input{Manual: true}, "test")
	if err != nil {
		t.Fatal(err)
	}
	calls := e.conn.take()
	if len(calls) < 2 {
		t.Fatalf("digest: %d messages, want the lead and its detail", len(calls))
	}
	lead := calls[0]
	if lead.Conversation != itConv || lead.Method != http.MethodPost {
		t.Fatalf("lead went to %s", lead.Conversation)
	}
	for _, c := range calls[1:] {
		if !strings.HasPrefix(c.Conversation, itConv+";messageid=") {
			t.Errorf("detail went to %s, want the lead's thread", c.Conversation)
		}
	}
	if !strings.Contains(e.conn.calls0(calls), "E-1") {
		t.Errorf("digest does not mention E-1")
	}
}

func TestThrottledPostIsRetried(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.conn.take()
	var n atomic.Int64
	e.conn.fail = func(r *http.Request, _ int) (int, http.Header, bool) {
		if n.Add(1) == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, true
		}
		return 0, nil, false
	}
	if _, err := e.adapter.Poster().Post(context.Background(), commands.Destination{Workspace: testTenant, Channel: itConv}, commands.Response{Text: "x"}); err != nil {
		t.Fatalf("post after one 429: %v", err)
	}
	if calls := e.conn.take(); len(calls) != 2 {
		t.Fatalf("%d calls, want the 429 and the retry", len(calls))
	}
}

// TestRemovedBotIsPermanentAndForgotten: a post the connector refuses
// because the bot was removed fails at once, as a permanent error (the
// scheduler then stops retrying and tells the subscriber); uninstalling the
// app from a team forgets every channel of that team, and removing the bot
// from a group chat forgets that chat, so nothing more is posted there.
func TestRemovedBotIsPermanentAndForgotten(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.do(e.activity("conversationUpdate", itConv, "channel", admin, ""))
	e.do(e.activity("conversationUpdate", opsConv, "channel", admin, ""))
	e.do(e.command(dmConv, "personal", admin, "outcome whoami"))
	const groupConv = "19:group@thread.v2"
	e.do(e.command(groupConv, "groupChat", admin, "outcome whoami"))

	e.conn.failCode = "BotNotInConversationRoster"
	e.conn.fail = func(r *http.Request, n int) (int, http.Header, bool) { return http.StatusForbidden, nil, true }
	_, err := e.adapter.Poster().Post(ctx, commands.Destination{Workspace: testTenant, Channel: itConv}, commands.Response{Text: "digest"})
	if !commands.IsUndeliverable(err) {
		t.Fatalf("post refused with BotNotInConversationRoster: %v; want a permanent (undeliverable) error", err)
	}
	if calls := e.conn.take(); len(calls) != 1 {
		t.Errorf("a permanent refusal was tried %d times, want 1", len(calls))
	}
	e.conn.failCode = "Throttled"
	e.conn.fail = func(r *http.Request, n int) (int, http.Header, bool) { return http.StatusForbidden, nil, n == 0 }
	if _, err := e.adapter.Poster().Post(ctx, commands.Destination{Workspace: testTenant, Channel: itConv}, commands.Response{Text: "x"}); commands.IsUndeliverable(err) {
		t.Errorf("a 403 without a removal code counted as permanent: %v", err)
	}
	e.conn.fail = nil
	e.conn.take()

	remove := e.activity("installationUpdate", itConv, "channel", admin, "")
	remove["action"] = "remove"
	e.do(remove)
	for _, conv := range []string{itConv, opsConv} {
		if _, err := e.store.GetTeamsConversation(ctx, testTenant, conv); !errors.Is(err, record.ErrNotFound) {
			t.Errorf("%s after the app was uninstalled from its team: %v, want ErrNotFound", conv, err)
		}
	}
	if _, err := e.store.GetTeamsConversation(ctx, testTenant, dmConv); err != nil {
		t.Errorf("the personal chat was forgotten too: %v", err)
	}
	if _, err := e.adapter.Poster().Post(ctx, commands.Destination{Workspace: testTenant, Channel: opsConv}, commands.Response{Text: "x"}); !errors.Is(err, ErrNoConversation) {
		t.Errorf("post to a forgotten channel: %v, want ErrNoConversation", err)
	}

	left := e.activity("conversationUpdate", groupConv, "groupChat", admin, "")
	left["membersRemoved"] = []any{map[string]any{"id": botID, "name": "outcomebot"}}
	e.do(left)
	if _, err := e.store.GetTeamsConversation(ctx, testTenant, groupConv); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("group chat after the bot was removed: %v, want ErrNotFound", err)
	}
	if calls := e.conn.take(); len(calls) != 0 {
		t.Errorf("removal activities caused connector calls: %+v", calls)
	}
}

// refuseChannel makes the connector refuse every post to conv as it does
// when the bot was removed there (a permanent error).
func (e *env) refuseChannel(conv string) {
	e.conn.failCode = "BotNotInConversationRoster"
	e.conn.fail = func(r *http.Request, _ int) (int, http.Header, bool) {
		return http.StatusForbidden, nil, strings.HasPrefix(r.PathValue("conv"), conv)
	}
}

// noticeIn returns the call that posted the digest failure notice, if any.
func noticeIn(calls []call) (call, bool) {
	for _, c := range calls {
		if c.Body != nil && strings.Contains(c.text(), "could not be posted") {
			return c, true
		}
	}
	return call{}, false
}

// TestDigestFailureNoticeReachesPersonalChat: the admin who subscribed a
// channel whose digest fails for good is told in their personal chat with
// the bot (the core messages the subscriber through PostDirect).
func TestDigestFailureNoticeReachesPersonalChat(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.do(e.command(dmConv, "personal", admin, "outcome whoami")) // the bot learns the admin's personal chat
	e.do(e.command(itConv, "channel", admin, "digest subscribe"))
	e.refuseChannel(itConv)

	err := e.bot.Cadence.SendDigest(ctx, e.restarted().Poster(), testTenant, itConv, time.Now(), digest.Input{}, "test")
	if err == nil {
		t.Fatal("digest to a channel that refuses the bot succeeded")
	}
	calls := e.conn.take()
	notice, ok := noticeIn(calls)
	if !ok {
		t.Fatalf("no failure notice among %d calls: %+v", len(calls), calls)
	}
	if notice.Conversation != dmConv || notice.Method != http.MethodPost {
		t.Errorf("notice went to %s %q, want the admin's personal chat %s", notice.Method, notice.Conversation, dmConv)
	}
	for _, c := range calls {
		if c.Conversation == "" {
			t.Errorf("a conversation was created although the personal chat is known: %s", c.text())
		}
	}
}

// TestDigestFailureNoticeCreatesPersonalChat: when the bot has never had a
// personal chat with the subscriber, it creates one with the Bot Connector
// (bot, the member's 29: id, tenant) at the tenant's service URL, posts the
// notice there and remembers the chat.
func TestDigestFailureNoticeCreatesPersonalChat(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.do(e.command(itConv, "channel", admin, "digest subscribe"))
	e.refuseChannel(itConv)

	if err := e.bot.Cadence.SendDigest(ctx, e.restarted().Poster(), testTenant, itConv, time.Now(), digest.Input{}, "test"); err == nil {
		t.Fatal("digest to a channel that refuses the bot succeeded")
	}
	calls := e.conn.take()
	var create *call
	for i := range calls {
		if calls[i].Conversation == "" && calls[i].Method == http.MethodPost {
			create = &calls[i]
		}
	}
	if create == nil {
		t.Fatalf("no conversation created: %+v", calls)
	}
	body := create.text()
	for _, want := range []string{`"members":[{"id":"29:admin"`, `"tenantId":"` + testTenant + `"`, `"bot":{"id":"` + botID + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("create-conversation body lacks %s: %s", want, body)
		}
	}
	notice, ok := noticeIn(calls)
	if !ok || notice.Conversation != "a:chat-29:admin" {
		t.Fatalf("notice %+v (found %v), want it in the created chat a:chat-29:admin", notice, ok)
	}
	conv, err := e.store.GetTeamsPersonalChat(ctx, testTenant, admin.aad)
	if err != nil || conv.ID != "a:chat-29:admin" || conv.ServiceURL != e.conn.serviceURL() || conv.Type != "personal" {
		t.Fatalf("created chat not remembered: %+v, %v", conv, err)
	}

	// A later direct message reuses it.
	if _, err := e.adapter.Poster().(commands.DirectPoster).PostDirect(ctx, testTenant, admin.aad, commands.Response{Text: "again"}); err != nil {
		t.Fatal(err)
	}
	if calls := e.conn.take(); len(calls) != 1 || calls[0].Conversation != "a:chat-29:admin" {
		t.Fatalf("second message: %+v; want one send to the remembered chat", calls)
	}
}

// TestPostDirectWithoutAnyConversation: with nothing stored for the tenant
// there is no service URL to create a chat at.
func TestPostDirectWithoutAnyConversation(t *testing.T) {
	e := newEnv(t)
	_, err := e.adapter.Poster().(commands.DirectPoster).PostDirect(context.Background(), testTenant, admin.aad, commands.Response{Text: "x"})
	if !errors.Is(err, ErrNoConversation) {
		t.Fatalf("err = %v, want ErrNoConversation", err)
	}
	if calls := e.conn.take(); len(calls) != 0 {
		t.Fatalf("calls %+v", calls)
	}
}
