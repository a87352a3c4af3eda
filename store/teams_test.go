package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func teamsCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTeamsConversationRoundTrip(t *testing.T) {
	st, ctx := storetest.New(t), teamsCtx(t)
	if _, err := st.GetTeamsConversation(ctx, "tenant-1", "19:it@thread.tacv2"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("unknown conversation: err = %v, want ErrNotFound", err)
	}
	conv := store.TeamsConversation{
		ID: "19:it@thread.tacv2", Name: "IT Ops", ServiceURL: "https://smba.example/amer/", TenantID: "tenant-1",
		Type: "channel", BotID: "28:app", BotName: "outcomebot", ChannelID: "msteams", TeamID: "19:team@thread.tacv2",
		Updated: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
	}
	users := []store.TeamsUser{
		{ID: "29:maria", AADObjectID: "aad-maria", Name: "Maria Lopez"},
		{ID: "29:nameless"}, // skipped: no name to remember
	}
	if err := st.SaveTeamsActivity(ctx, "tenant-1", conv, users...); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetTeamsConversation(ctx, "tenant-1", conv.ID)
	if err != nil || got != conv {
		t.Fatalf("GetTeamsConversation = %+v, %v; want %+v", got, err, conv)
	}
	if _, err := st.GetTeamsConversation(ctx, "tenant-2", conv.ID); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("another tenant sees the conversation: err = %v", err)
	}
	for _, id := range []string{"29:maria", "aad-maria"} {
		u, err := st.GetTeamsUser(ctx, "tenant-1", id)
		if err != nil || u != users[0] {
			t.Fatalf("GetTeamsUser(%s) = %+v, %v; want %+v", id, u, err, users[0])
		}
	}
	if _, err := st.GetTeamsUser(ctx, "tenant-1", "29:nameless"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("nameless user stored: err = %v", err)
	}

	// A later activity from the same conversation refreshes the reference.
	conv.ServiceURL = "https://smba.example/emea/"
	if err := st.SaveTeamsActivity(ctx, "tenant-1", conv); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.GetTeamsConversation(ctx, "tenant-1", conv.ID); got.ServiceURL != conv.ServiceURL {
		t.Fatalf("service url not refreshed: %q", got.ServiceURL)
	}
}

func TestTeamsUserFromLookup(t *testing.T) {
	st, ctx := storetest.New(t), teamsCtx(t)
	u := store.TeamsUser{ID: "29:dev", AADObjectID: "aad-dev", Name: "Dev Lead"}
	if err := st.SaveTeamsUser(ctx, "tenant-1", u); err != nil {
		t.Fatal(err)
	}
	if got, err := st.GetTeamsUser(ctx, "tenant-1", "aad-dev"); err != nil || got != u {
		t.Fatalf("GetTeamsUser = %+v, %v", got, err)
	}
}

func TestTeamsRejectsBadInput(t *testing.T) {
	st, ctx := storetest.New(t), teamsCtx(t)
	conv := store.TeamsConversation{ID: "19:x", ServiceURL: "https://smba.example/"}
	for name, err := range map[string]error{
		"empty workspace":   st.SaveTeamsActivity(ctx, "", conv),
		"hash tag":          st.SaveTeamsActivity(ctx, "t{1}", conv),
		"no service url":    st.SaveTeamsActivity(ctx, "t1", store.TeamsConversation{ID: "19:x"}),
		"no conversation":   st.SaveTeamsActivity(ctx, "t1", store.TeamsConversation{ServiceURL: "https://smba.example/"}),
		"user in bad space": st.SaveTeamsUser(ctx, "t}", store.TeamsUser{ID: "29:a", Name: "A"}),
	} {
		if err == nil {
			t.Errorf("%s: saved, want an error", name)
		}
	}
}

// TestTeamsClusterSlots runs the Teams operations on a one-node Redis
// Cluster: the pipelined save must keep both hashes in the workspace's slot.
func TestTeamsClusterSlots(t *testing.T) {
	t.Parallel()
	st, ctx := storetest.NewCluster(t), teamsCtx(t)
	conv := store.TeamsConversation{ID: "19:x@thread.tacv2", ServiceURL: "https://smba.example/", TenantID: "tenant-1"}
	if err := st.SaveTeamsActivity(ctx, "tenant-1", conv, store.TeamsUser{ID: "29:a", AADObjectID: "aad-a", Name: "A"}); err != nil {
		t.Fatalf("save activity: %v", err)
	}
	if err := st.SaveTeamsUser(ctx, "tenant-1", store.TeamsUser{ID: "29:b", AADObjectID: "aad-b", Name: "B"}); err != nil {
		t.Fatalf("save user: %v", err)
	}
	if _, err := st.GetTeamsConversation(ctx, "tenant-1", conv.ID); err != nil {
		t.Fatalf("get conversation: %v", err)
	}
	if _, err := st.GetTeamsUser(ctx, "tenant-1", "aad-b"); err != nil {
		t.Fatalf("get user: %v", err)
	}
	dm := store.TeamsConversation{ID: "a:1a", ServiceURL: "https://smba.example/", TenantID: "tenant-1", Type: "personal"}
	if err := st.SaveTeamsActivity(ctx, "tenant-1", dm, store.TeamsUser{ID: "29:a", AADObjectID: "aad-a", Name: "A"}); err != nil {
		t.Fatalf("save personal chat: %v", err)
	}
	if _, err := st.GetTeamsPersonalChat(ctx, "tenant-1", "aad-a"); err != nil {
		t.Fatalf("get personal chat: %v", err)
	}
	if _, err := st.LatestTeamsConversation(ctx, "tenant-1"); err != nil {
		t.Fatalf("latest conversation: %v", err)
	}
}

// TestTeamsPersonalChat: an activity in a personal chat remembers that chat
// under the user's ids (named or not); a channel activity does not; a
// forgotten chat is not found; the latest reference names the tenant's
// service URL.
func TestTeamsPersonalChat(t *testing.T) {
	st, ctx := storetest.New(t), teamsCtx(t)
	if _, err := st.GetTeamsPersonalChat(ctx, "tenant-1", "aad-ada"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("no chat yet: err = %v, want ErrNotFound", err)
	}
	if _, err := st.LatestTeamsConversation(ctx, "tenant-1"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("no conversation yet: err = %v, want ErrNotFound", err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	channel := store.TeamsConversation{ID: "19:it@thread.tacv2", ServiceURL: "https://smba.example/old/", TenantID: "tenant-1",
		Type: "channel", BotID: "28:app", Updated: at}
	if err := st.SaveTeamsActivity(ctx, "tenant-1", channel, store.TeamsUser{ID: "29:bob", AADObjectID: "aad-bob", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetTeamsPersonalChat(ctx, "tenant-1", "aad-bob"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("a channel counted as a personal chat: err = %v", err)
	}
	dm := store.TeamsConversation{ID: "a:1ada", ServiceURL: "https://smba.example/new/", TenantID: "tenant-1",
		Type: "personal", BotID: "28:app", Updated: at.Add(time.Hour)}
	if err := st.SaveTeamsActivity(ctx, "tenant-1", dm, store.TeamsUser{ID: "29:ada", AADObjectID: "aad-ada"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"29:ada", "aad-ada"} {
		if got, err := st.GetTeamsPersonalChat(ctx, "tenant-1", id); err != nil || got != dm {
			t.Fatalf("GetTeamsPersonalChat(%s) = %+v, %v; want %+v", id, got, err, dm)
		}
	}
	if _, err := st.GetTeamsPersonalChat(ctx, "tenant-2", "aad-ada"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("another tenant sees the chat: err = %v", err)
	}
	if got, err := st.LatestTeamsConversation(ctx, "tenant-1"); err != nil || got != dm {
		t.Fatalf("LatestTeamsConversation = %+v, %v; want the personal chat, refreshed last", got, err)
	}
	if _, err := st.ForgetTeamsConversations(ctx, "tenant-1", "", dm.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetTeamsPersonalChat(ctx, "tenant-1", "aad-ada"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("forgotten chat: err = %v, want ErrNotFound", err)
	}
	if _, err := st.GetTeamsPersonalChat(ctx, "", "aad-ada"); err == nil {
		t.Fatal("empty workspace accepted")
	}
}

// TestForgetTeamsConversations: forgetting a team drops the named
// conversation and every other one of that team, and no other team's.
func TestForgetTeamsConversations(t *testing.T) {
	t.Parallel()
	s, ctx := storetest.New(t), ctxT(t)
	for _, c := range []store.TeamsConversation{
		{ID: "19:a", ServiceURL: "https://smba/", TeamID: "team-1"},
		{ID: "19:b", ServiceURL: "https://smba/", TeamID: "team-1"},
		{ID: "19:c", ServiceURL: "https://smba/", TeamID: "team-2"},
	} {
		if err := s.SaveTeamsActivity(ctx, ws, c); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.ForgetTeamsConversations(ctx, ws, "team-1", "19:a")
	if err != nil || n != 2 {
		t.Fatalf("forgot %d, %v; want 2", n, err)
	}
	for id, want := range map[string]bool{"19:a": false, "19:b": false, "19:c": true} {
		_, err := s.GetTeamsConversation(ctx, ws, id)
		if (err == nil) != want {
			t.Errorf("%s kept = %v, want %v", id, err == nil, want)
		}
	}
}
