package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
	"github.com/outcomebot/outcomebot/store/storetest"
)

func slackCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSlackInstallRoundTrip(t *testing.T) {
	st, ctx := storetest.New(t), slackCtx(t)
	if _, err := st.SlackInstall(ctx, "T1"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("SlackInstall of a new workspace: err = %v, want ErrNotFound", err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	in := store.SlackInstall{Workspace: "T1", TeamName: "Acme", BotUserID: "UBOT", InstalledBy: "U1",
		InstalledAt: at, SealedToken: []byte{1, 0, 255, 'x'}}
	if err := st.SaveSlackInstall(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := st.SlackInstall(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.SealedToken, in.SealedToken) || got.TeamName != "Acme" || got.BotUserID != "UBOT" ||
		got.InstalledBy != "U1" || !got.InstalledAt.Equal(at) {
		t.Fatalf("SlackInstall = %+v, want %+v", got, in)
	}
	if _, err := st.SlackInstall(ctx, "T2"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("another workspace sees the install: err = %v", err)
	}
	for i, want := range []bool{true, false} {
		removed, err := st.DeleteSlackInstall(ctx, "T1")
		if err != nil || removed != want {
			t.Fatalf("delete #%d = %v, %v; want %v", i+1, removed, err, want)
		}
	}
	if _, err := st.SlackInstall(ctx, "T1"); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("after delete: err = %v, want ErrNotFound", err)
	}
}

func TestSlackInstallRejectsBadInput(t *testing.T) {
	st, ctx := storetest.New(t), slackCtx(t)
	for _, in := range []store.SlackInstall{
		{Workspace: "", SealedToken: []byte("x")},
		{Workspace: "T{1}", SealedToken: []byte("x")},
		{Workspace: "T1"},
	} {
		if err := st.SaveSlackInstall(ctx, in); err == nil {
			t.Errorf("SaveSlackInstall(%+v) succeeded", in)
		}
	}
}

func TestClaimSlackEventOnce(t *testing.T) {
	st, ctx := storetest.New(t), slackCtx(t)
	for i, want := range []bool{true, false, false} {
		first, err := st.ClaimSlackEvent(ctx, "T1", "Ev01", time.Minute)
		if err != nil || first != want {
			t.Fatalf("claim #%d = %v, %v; want %v", i+1, first, err, want)
		}
	}
	if first, err := st.ClaimSlackEvent(ctx, "T2", "Ev02", time.Minute); err != nil || !first {
		t.Fatalf("another event: %v, %v", first, err)
	}
	if _, err := st.ClaimSlackEvent(ctx, "T1", "", time.Minute); err == nil {
		t.Fatal("empty event id accepted")
	}
}

func TestSlackOAuthStateSingleUse(t *testing.T) {
	st, ctx := storetest.New(t), slackCtx(t)
	if err := st.PutSlackOAuthState(ctx, "s1", time.Minute); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		ok, err := st.TakeSlackOAuthState(ctx, "s1")
		if err != nil || ok != want {
			t.Fatalf("take #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	if ok, err := st.TakeSlackOAuthState(ctx, "never"); err != nil || ok {
		t.Fatalf("unknown state taken: %v, %v", ok, err)
	}
	if err := st.PutSlackOAuthState(ctx, "s2", 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if storetest.Kind() != "miniredis" {
		time.Sleep(120 * time.Millisecond)
		if ok, _ := st.TakeSlackOAuthState(ctx, "s2"); ok {
			t.Fatal("expired state taken")
		}
	}
}
