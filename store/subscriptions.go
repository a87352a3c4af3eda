package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

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

// Subscribe subscribes (or re-subscribes, replacing outcomes and zone) a
// channel to the digest; true if the channel was new. sub.By and sub.At are
// the actor and time. One atomic round trip.
func (s *Store) Subscribe(ctx context.Context, ws string, sub Subscription) (bool, error) {
	op := "subscribe " + sub.Channel
	if err := checkWorkspace(ws); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	if sub.Channel == "" {
		return false, fmt.Errorf("%s: empty channel", op)
	}
	body, err := json.Marshal(subscriptionJSON{Outcomes: sub.Outcomes, TZ: sub.TZ, By: sub.By, At: ms(sub.At)})
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	return s.changeSubscription(ctx, op, ws, "subscribe", sub.Channel, sub.By, sub.At, string(body))
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
func (s *Store) GetSubscription(ctx context.Context, ws, channel string) (Subscription, error) {
	op := "get subscription " + channel
	if err := checkWorkspace(ws); err != nil {
		return Subscription{}, fmt.Errorf("%s: %w", op, err)
	}
	body, err := s.rdb.HGet(ctx, s.keys(ws).subscriptions(), channel).Result()
	if err == redis.Nil {
		err = ErrNotFound
	}
	if err != nil {
		return Subscription{}, wrap(op, err)
	}
	return decodeSubscription(channel, body), nil
}

// ListSubscriptions lists the workspace's subscribed channels sorted by
// channel.
func (s *Store) ListSubscriptions(ctx context.Context, ws string) ([]Subscription, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	all, err := s.rdb.HGetAll(ctx, s.keys(ws).subscriptions()).Result()
	if err != nil {
		return nil, wrap("list subscriptions", err)
	}
	out := make([]Subscription, 0, len(all))
	for ch, body := range all {
		out = append(out, decodeSubscription(ch, body))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel < out[j].Channel })
	return out, nil
}

// decodeSubscription decodes a stored subscription; bad JSON gives a
// subscription to all outcomes with no zone rather than an error, so one
// damaged entry cannot stop every digest.
func decodeSubscription(channel, body string) Subscription {
	var j subscriptionJSON
	_ = json.Unmarshal([]byte(body), &j)
	sub := Subscription{Channel: channel, Outcomes: j.Outcomes, TZ: j.TZ, By: j.By}
	if j.At != 0 {
		sub.At = time.UnixMilli(j.At).UTC()
	}
	return sub
}
