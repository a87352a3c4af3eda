package teams

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/outcomebot/outcomebot/commands"
)

func inbound(t *testing.T, text string, ents ...inboundEntity) inboundActivity {
	t.Helper()
	return inboundActivity{
		Activity: schema.Activity{Type: schema.Message, Text: text, Recipient: schema.ChannelAccount{ID: botID, Name: "outcomebot"}},
		Entities: ents,
	}
}

func mentionOf(id, name string) inboundEntity {
	return inboundEntity{Type: "mention", Text: "<at>" + name + "</at>", Mentioned: &schema.ChannelAccount{ID: id, Name: name}}
}

func TestCommandLine(t *testing.T) {
	resolve := func(_ context.Context, acc schema.ChannelAccount) (string, string) {
		return map[string]string{"29:maria": "aad-maria", "29:ann": "aad-ann"}[acc.ID], acc.Name
	}
	bot := mentionOf(botID, "outcomebot")
	cases := []struct {
		name string
		act  inboundActivity
		want string
	}{
		{"personal", inbound(t, "tag INC1 pos"), "tag INC1 pos"},
		{"bot mention stripped by id", inbound(t, "<at>outcomebot</at> tag INC1 pos\n", bot), "tag INC1 pos"},
		{"renamed bot", inbound(t, "<at>Outcome Helper</at>&nbsp;/ack E-7", mentionOf(testAppID, "Outcome Helper")), "/ack E-7"},
		{"a user named like the bot is kept",
			inbound(t, "<at>outcomebot</at> outcome grant <at>outcomebot</at> it-lead", bot, mentionOf("29:ann", "outcomebot")),
			"outcome grant " + commands.UserMention("aad-ann", "outcomebot") + " it-lead"},
		{"user mention rewritten",
			inbound(t, "<at>outcomebot</at> outcome grant <at>Maria Lopez</at> it-lead", bot, mentionOf("29:maria", "Maria Lopez")),
			"outcome grant " + commands.UserMention("aad-maria", "Maria Lopez") + " it-lead"},
		{"longest mention wins",
			inbound(t, "x <at>Ann</at> <at>Ann Lee</at>", mentionOf("29:ann", "Ann"), mentionOf("29:maria", "Ann Lee")),
			"x " + commands.UserMention("aad-ann", "Ann") + " " + commands.UserMention("aad-maria", "Ann Lee")},
		{"channel mention", inbound(t, "outcome set pos it-channel=<at>IT Ops</at>", mentionOf("19:it@thread.tacv2", "IT Ops")),
			"outcome set pos it-channel=" + commands.ChannelMention("19:it@thread.tacv2", "IT Ops")},
		{"typed forms neutralised",
			inbound(t, "escalate INC1 &lt;@aad-admin|boss&gt; <#C1> <!channel> <https://x|y> a <3 b < c &amp; d"),
			"escalate INC1 ＜@aad-admin|boss> ＜#C1> ＜!channel> ＜https://x|y> a <3 b < c & d"},
		{"typed at tag neutralised", inbound(t, "tag INC1 pos <at>Fake</at>"), "tag INC1 pos ＜at>Fake＜/at>"},
		{"markup runes stripped", inbound(t, "tag \uE000uX\uE001\uE002 pos"), "tag uX pos"},
		{"only the bot", inbound(t, "<at>outcomebot</at>", bot), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := commandLine(context.Background(), tc.act, resolve); got != tc.want {
				t.Errorf("commandLine = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParsedMentionIsTheUser(t *testing.T) {
	act := inbound(t, "<at>outcomebot</at> grant <at>Maria Lopez</at> it-lead", mentionOf(botID, "outcomebot"), mentionOf("29:maria", "Maria Lopez"))
	line := commandLine(context.Background(), act, func(context.Context, schema.ChannelAccount) (string, string) { return "aad-maria", "Maria Lopez" })
	_, rest := commands.SplitCommand(line)
	args, err := commands.Parse(rest)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := args.Word(0); w.Kind != commands.TokenUser || w.ID != "aad-maria" {
		t.Fatalf("core parsed %+v, want a user token with id aad-maria", w)
	}
}

func TestDecodeActivity(t *testing.T) {
	body := `{"type":"message","id":"1","serviceUrl":"https://smba/","channelId":"msteams",
		"timestamp":"not a time","localTimestamp":"2026-11-02T10:00:00.1234567+01:00",
		"from":{"id":"29:a","name":"A","aadObjectId":"aad-a"},
		"conversation":{"id":"19:c@thread.tacv2;messageid=9","conversationType":"channel"},
		"recipient":{"id":"28:app"},"replyToId":"9","value":{"action":"ack","value":"E-7"},
		"entities":[{"type":"clientInfo","locale":"en-GB"},{"type":"mention","text":"<at>x</at>","mentioned":{"id":"28:app"}}],
		"channelData":{"tenant":{"id":"t1"},"team":{"id":"19:team"},"channel":{"id":"19:c@thread.tacv2","name":"IT"}}}`
	a, err := decodeActivity([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if a.tenant() != "t1" || userID(a.From) != "aad-a" || len(a.Entities) != 2 || a.Entities[1].Mentioned.ID != "28:app" {
		t.Fatalf("decoded %+v", a)
	}
	ref := a.reference()
	if ref.ID != "19:c@thread.tacv2" || ref.Name != "IT" || ref.TeamID != "19:team" || ref.Type != "channel" || ref.TenantID != "t1" {
		t.Fatalf("reference %+v", ref)
	}
	act, ok := a.submit()
	if !ok || *act != (commands.Action{Name: "ack", Value: "E-7"}) {
		t.Fatalf("submit = %+v, %v", act, ok)
	}
	for _, bad := range []string{`{`, `{"type":"message"}`, `[]`} {
		if _, err := decodeActivity([]byte(bad)); err == nil {
			t.Errorf("decodeActivity(%s) succeeded", bad)
		}
	}
}

func TestSubmitValues(t *testing.T) {
	for raw, want := range map[string]*commands.Action{
		`{"action":"resolve","value":"E-2"}`: {Name: "resolve", Value: "E-2"},
		`{"action":"ack","value":7}`:         {Name: "ack", Value: "7"},
		`{"value":"E-2"}`:                    nil,
		`"text"`:                             nil,
		`{"action":{"x":1}}`:                 nil,
		// A picker's button names its menu; the other menus' values are ignored.
		`{"action":"triage","value":"7 OPS-1","input":"pick-1","pick-0":"infra","pick-1":" pos "}`:    {Name: "triage", Value: "7 OPS-1", Choice: "pos"},
		`{"action":"triage","value":"7 OPS-1","input":"pick-1","pick-0":"infra","pick-1":""}`:         {Name: "triage", Value: "7 OPS-1"},
		`{"action":"triage","value":"7 OPS-1","input":"pick-1","pick-0":"infra"}`:                     {Name: "triage", Value: "7 OPS-1"},
		`{"action":"triage","value":"7 OPS-1","input":"pick-0","pick-0":{"x":"pos"}}`:                 {Name: "triage", Value: "7 OPS-1"},
		"{\"action\":\"triage\",\"value\":\"7 OPS-1\",\"input\":\"pick-0\",\"pick-0\":\"p\ue000os\"}": {Name: "triage", Value: "7 OPS-1", Choice: "pos"},
	} {
		a := inboundActivity{Value: json.RawMessage(raw)}
		got, ok := a.submit()
		if (want == nil) == ok || (want != nil && *got != *want) {
			t.Errorf("submit(%s) = %+v, %v; want %+v", raw, got, ok, want)
		}
	}
}

func TestRequestFromActivity(t *testing.T) {
	e := newEnv(t)
	log := slog.New(slog.DiscardHandler)
	raw, _ := json.Marshal(e.submit(itConv, "1006", itLead, "ack", "E-3"))
	act, err := decodeActivity(raw)
	if err != nil {
		t.Fatal(err)
	}
	req, ok := e.adapter.request(context.Background(), act, log)
	if !ok || req.Workspace != testTenant || req.Channel != itConv || req.User != itLead.aad ||
		req.Action == nil || *req.Action != (commands.Action{Name: "ack", Value: "E-3"}) ||
		req.Source != (commands.MessageRef{Channel: itConv + ";messageid=1006", ID: "1006"}) {
		t.Fatalf("request = %+v (action %+v)", req, req.Action)
	}

	raw, _ = json.Marshal(e.command(opsConv, "channel", user{id: "29:guest", name: "Guest"}, "help tag"))
	act, _ = decodeActivity(raw)
	req, ok = e.adapter.request(context.Background(), act, log)
	if !ok || req.User != "29:guest" || req.Command != "tag" || req.Text != "help" {
		t.Fatalf("help tag → %+v; want user 29:guest (no aad id), command tag help", req)
	}
}
