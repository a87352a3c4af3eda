package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// subscriptionJSON is a subscription as stored in the workspace's
// subscriptions hash, under its channel.
type subscriptionJSON struct {
	Outcomes []string `json:"outcomes,omitempty"`
	TZ       string   `json:"tz,omitempty"`
	By       string   `json:"by,omitempty"`
	At       int64    `json:"at,omitempty"`
}

// ChangeSubscription subscribes a channel to the digest, or changes the
// subscription it has: only what ch names (zone, outcomes) changes, and a
// subscribed channel keeps its subscriber and time subscribed. Nothing is
// written (or audited) when the subscription already is as asked. One
// atomic round trip.
func (s *Store) ChangeSubscription(ctx context.Context, ws string, ch record.SubscriptionChange) (record.SubscriptionChanged, error) {
	op := "change subscription " + ch.Channel
	if err := checkWorkspace(ws); err != nil {
		return record.SubscriptionChanged{}, fmt.Errorf("%s: %w", op, err)
	}
	if ch.Channel == "" {
		return record.SubscriptionChanged{}, fmt.Errorf("%s: empty channel", op)
	}
	outcomes := ch.Outcomes
	if outcomes == nil {
		outcomes = []string{}
	}
	list, err := json.Marshal(outcomes)
	if err != nil {
		return record.SubscriptionChanged{}, fmt.Errorf("%s: %w", op, err)
	}
	set := "0"
	if ch.SetOutcomes {
		set = "1"
	}
	k := s.keys(ws)
	v, err := s.run(ctx, ws, true, call{
		script: scriptSubscription,
		keys:   []string{k.audit(), k.subscriptions(), k.subscriptionLastChange()},
		args:   s.auditArgs(ch.By, msArg(ch.At), "change", ch.Channel, ch.TZ, ch.DefaultTZ, set, string(list)),
	})
	if err != nil {
		return record.SubscriptionChanged{}, wrap(op, err)
	}
	reply, _ := v.([]any)
	if len(reply) != 4 {
		return record.SubscriptionChanged{}, fmt.Errorf("%s: unexpected reply %v", op, v)
	}
	created, _ := reply[0].(int64)
	changed, _ := reply[1].(int64)
	before, _ := reply[2].(string)
	after, _ := reply[3].(string)
	res := record.SubscriptionChanged{Created: created == 1, Changed: changed == 1, After: decodeSubscription(ch.Channel, after)}
	if before != "" {
		res.Before = decodeSubscription(ch.Channel, before)
	}
	return res, nil
}

// Unsubscribe removes a channel's subscription; false if it had none (then
// nothing is audited). One atomic round trip.
func (s *Store) Unsubscribe(ctx context.Context, ws, channel, actor string, at time.Time) (bool, error) {
	op := "unsubscribe " + channel
	if err := checkWorkspace(ws); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	return s.changeSubscription(ctx, op, ws, "unsubscribe", channel, actor, at, "")
}

func (s *Store) changeSubscription(ctx context.Context, op, ws, mode, channel, actor string, at time.Time, body string) (bool, error) {
	k := s.keys(ws)
	v, err := s.run(ctx, ws, mode == "subscribe", call{
		script: scriptSubscription,
		keys:   []string{k.audit(), k.subscriptions()},
		args:   s.auditArgs(actor, msArg(at), mode, channel, body),
	})
	if err != nil {
		return false, wrap(op, err)
	}
	return v == int64(1), nil
}

// GetSubscription reads a channel's subscription; ErrNotFound if none.
func (s *Store) GetSubscription(ctx context.Context, ws, channel string) (record.Subscription, error) {
	op := "get subscription " + channel
	if err := checkWorkspace(ws); err != nil {
		return record.Subscription{}, fmt.Errorf("%s: %w", op, err)
	}
	body, err := s.rdb.HGet(ctx, s.keys(ws).subscriptions(), channel).Result()
	if errors.Is(err, redis.Nil) {
		err = record.ErrNotFound
	}
	if err != nil {
		return record.Subscription{}, wrap(op, err)
	}
	return decodeSubscription(channel, body), nil
}

// ListSubscriptions lists the workspace's subscribed channels sorted by
// channel.
func (s *Store) ListSubscriptions(ctx context.Context, ws string) ([]record.Subscription, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	all, err := s.rdb.HGetAll(ctx, s.keys(ws).subscriptions()).Result()
	if err != nil {
		return nil, wrap("list subscriptions", err)
	}
	out := make([]record.Subscription, 0, len(all))
	for ch, body := range all {
		out = append(out, decodeSubscription(ch, body))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel < out[j].Channel })
	return out, nil
}

// decodeSubscription decodes a stored subscription; bad JSON gives a
// subscription to all outcomes with no zone rather than an error, so one
// damaged entry cannot stop every digest.
func decodeSubscription(channel, body string) record.Subscription {
	var j subscriptionJSON
	_ = json.Unmarshal([]byte(body), &j)
	sub := record.Subscription{Channel: channel, Outcomes: j.Outcomes, TZ: j.TZ, By: j.By}
	if j.At != 0 {
		sub.At = time.UnixMilli(j.At).UTC()
	}
	return sub
}
