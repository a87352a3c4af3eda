package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/store"
)

// inboundActivity is an activity as received from the Bot Connector: the
// schema's Activity, with the fields it cannot decode safely replaced.
// schema.Entity keeps only "type", losing the mention; time and value
// fields of unexpected shapes would fail the whole decode.
type inboundActivity struct {
	schema.Activity
	Entities       []inboundEntity `json:"entities,omitempty"`
	Value          json.RawMessage `json:"value,omitempty"`
	Timestamp      json.RawMessage `json:"timestamp,omitempty"`
	LocalTimestamp json.RawMessage `json:"localTimestamp,omitempty"`
	Expiration     json.RawMessage `json:"expiration,omitempty"`
}

// inboundEntity is an entity of an inbound activity; mentions carry
// Mentioned and Text ("<at>Name</at>").
type inboundEntity struct {
	Type      string                 `json:"type"`
	Text      string                 `json:"text,omitempty"`
	Mentioned *schema.ChannelAccount `json:"mentioned,omitempty"`
}

// decodeActivity parses a request body into an activity.
func decodeActivity(body []byte) (inboundActivity, error) {
	var a inboundActivity
	if err := json.Unmarshal(body, &a); err != nil {
		return a, fmt.Errorf("decode activity: %w", err)
	}
	if a.Type == "" || a.ServiceURL == "" || a.Conversation.ID == "" {
		return a, errors.New("decode activity: type, serviceUrl and conversation.id are required")
	}
	return a, nil
}

// tenant is the activity's tenant id: conversation.tenantId, else
// channelData.tenant.id.
func (a inboundActivity) tenant() string {
	if a.Conversation.TenantID != "" {
		return a.Conversation.TenantID
	}
	return nestedString(a.ChannelData, "tenant", "id")
}

// userID is the identity the core knows a Teams user by: the aad object
// id when present, else the Bot Framework id.
func userID(acc schema.ChannelAccount) string {
	if acc.AadObjectID != "" {
		return acc.AadObjectID
	}
	return acc.ID
}

// reference is the stored conversation reference of the activity: where
// it came from and which bot it was for (the recipient). It is read from
// the activity directly, as msbotbuilder-go's GetCoversationReference does:
// that helper's package imports the library's connector and JWT packages,
// which outcomebot does not use, with their own two JOSE libraries.
func (a inboundActivity) reference() store.TeamsConversation {
	name := nestedString(a.ChannelData, "channel", "name")
	if name == "" {
		name = a.Conversation.Name
	}
	return store.TeamsConversation{
		ID:         baseConversation(a.Conversation.ID),
		Name:       name,
		ServiceURL: a.ServiceURL,
		TenantID:   a.tenant(),
		Type:       a.Conversation.ConversationType,
		BotID:      a.Recipient.ID,
		BotName:    a.Recipient.Name,
		ChannelID:  a.ChannelID,
		TeamID:     nestedString(a.ChannelData, "team", "id"),
	}
}

// users are the people the activity names with their display names.
func (a inboundActivity) users() []store.TeamsUser {
	var out []store.TeamsUser
	add := func(acc schema.ChannelAccount) {
		if acc.Name == "" || strings.HasPrefix(acc.ID, "28:") { // nameless, or a bot
			return
		}
		out = append(out, store.TeamsUser{ID: acc.ID, AADObjectID: acc.AadObjectID, Name: acc.Name})
	}
	add(a.From)
	for _, m := range a.MembersAdded {
		add(m)
	}
	return out
}

// submit reads an Action.Submit payload ({"action":…,"value":…}) from the
// activity's value, if it carries one. A picker's button also sends
// "input", the id of its menu: that input's value (Teams merges every input
// of the card into the payload) is the Action's Choice, "" when nothing was
// picked; the core answers an empty Choice without changing anything.
func (a inboundActivity) submit() (*commands.Action, bool) {
	if len(a.Value) == 0 {
		return nil, false
	}
	var v map[string]any
	if json.Unmarshal(a.Value, &v) != nil {
		return nil, false
	}
	name, _ := v["action"].(string)
	if name == "" {
		return nil, false
	}
	act := &commands.Action{Name: commands.StripMarkers(name), Value: commands.StripMarkers(scalarString(v["value"]))}
	if input, _ := v["input"].(string); input != "" {
		act.Choice = strings.TrimSpace(commands.StripMarkers(scalarString(v[input])))
	}
	return act, true
}

// scalarString renders a JSON string, number or boolean as text; "" for
// anything else.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64, bool:
		return fmt.Sprint(x)
	}
	return ""
}

// botRemoved reports whether the activity says the bot is gone from its
// conversation: the app was uninstalled (installationUpdate "remove"), or
// the bot was removed from the team or chat (conversationUpdate naming it
// in membersRemoved).
func (a inboundActivity) botRemoved() bool {
	switch a.Type {
	case schema.InstallationUpdate:
		return a.Action == "remove"
	case schema.ConversationUpdate:
		for i := range a.MembersRemoved {
			if isBot(&a.MembersRemoved[i], a.Recipient) {
				return true
			}
		}
	}
	return false
}

// isBot reports whether acc is this bot: recipient ids may come with or
// without the "28:" prefix.
func isBot(acc *schema.ChannelAccount, recipient schema.ChannelAccount) bool {
	return acc != nil && acc.ID != "" &&
		strings.TrimPrefix(acc.ID, "28:") == strings.TrimPrefix(recipient.ID, "28:")
}

// mentionResolver gives the core's identity and a name for a mentioned account.
type mentionResolver func(ctx context.Context, acc schema.ChannelAccount) (id, name string)

// commandLine turns the message text into the line the core parses: the
// bot's own mention entity is removed, every other mention becomes the
// core's markup (commands.UserMention, or ChannelMention for a channel or
// team), and the rest of the text is decoded from Teams' HTML entities with
// markup runes removed and typed forms (an <at> no entity names included)
// neutralised, so a user can never type a mention
// the core would trust or a card would show.
func commandLine(ctx context.Context, a inboundActivity, resolve mentionResolver) string {
	type mention struct {
		text string
		acc  schema.ChannelAccount
		bot  bool
	}
	var ms []mention
	for _, e := range a.Entities {
		if !strings.EqualFold(e.Type, "mention") || e.Mentioned == nil || e.Text == "" {
			continue
		}
		ms = append(ms, mention{text: e.Text, acc: *e.Mentioned, bot: isBot(e.Mentioned, a.Recipient)})
	}
	// Teams lists one entity per occurrence, in order: each occurrence takes
	// the first unused entity whose text matches there (the longest, so
	// "<at>Ann Lee</at>" is not read as "<at>Ann</at>"), else any matching one.
	used := make([]bool, len(ms))
	match := func(rest string) int {
		best := -1
		for _, unusedOnly := range []bool{true, false} {
			for j, m := range ms {
				if (unusedOnly && used[j]) || !strings.HasPrefix(rest, m.text) {
					continue
				}
				if best < 0 || len(m.text) > len(ms[best].text) {
					best = j
				}
			}
			if best >= 0 {
				return best
			}
		}
		return -1
	}

	text := a.Text
	var b, plain strings.Builder
	flush := func() {
		b.WriteString(decodePlain(plain.String()))
		plain.Reset()
	}
	for i := 0; i < len(text); {
		j := -1
		if text[i] == '<' {
			j = match(text[i:])
		}
		if j < 0 {
			plain.WriteByte(text[i])
			i++
			continue
		}
		used[j] = true
		flush()
		if !ms[j].bot {
			b.WriteString(mentionToken(ctx, ms[j].acc, resolve))
		}
		i += len(ms[j].text)
	}
	flush()
	return strings.TrimSpace(b.String())
}

// mentionToken renders one resolved mention in the core's markup.
func mentionToken(ctx context.Context, acc schema.ChannelAccount, resolve mentionResolver) string {
	name := strings.ReplaceAll(acc.Name, "\n", " ")
	if strings.HasPrefix(acc.ID, "19:") { // a channel or team mention
		return commands.ChannelMention(baseConversation(acc.ID), name)
	}
	id, resolvedName := resolve(ctx, acc)
	if name == "" {
		name = resolvedName
	}
	return commands.UserMention(id, name)
}

// decodePlain decodes HTML entities and removes markup runes; typed forms
// are neutralised (neutraliseForms), so no card ever shows them as markup.
func decodePlain(s string) string {
	return commands.StripMarkers(neutraliseForms(html.UnescapeString(s)))
}

// neutraliseForms replaces each '<' followed by a character that could
// start a mention or link form with the full-width '＜', and non-breaking
// spaces with spaces. "<3" and "a < b" are left alone.
func neutraliseForms(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '<' && i+1 < len(s) {
			n := s[i+1]
			if n == '@' || n == '#' || n == '!' || n == '/' || ('a' <= n && n <= 'z') || ('A' <= n && n <= 'Z') {
				b.WriteString("＜")
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// nestedString reads m[k1][k2]... as a string, "" when absent or not a string.
func nestedString(m map[string]any, keys ...string) string {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[k]
	}
	s, _ := cur.(string)
	return s
}
