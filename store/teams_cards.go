package store

// Teams cards: the last rendering of each Teams card that carries a
// refresh (its buttons' people), so the Teams adapter can answer a card
// refresh with the card as it is now, from any replica.
//
//	<prefix>:{<tenant>}:teams:card:<id>   string: the card's JSON, expiring
//
// The id is the adapter's (its conversation and activity ids).

import (
	"context"
	"errors"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// maxTeamsCardID bounds the id in a card's key.
const maxTeamsCardID = 512

func (k keyspace) teamsCard(id string) string { return k.base + "teams:card:" + id }

// SaveTeamsCard records the JSON of the card id, for ttl (replacing what
// was recorded for it).
func (s *Store) SaveTeamsCard(ctx context.Context, ws, id string, card []byte, ttl time.Duration) error {
	op := "save teams card " + id
	if err := checkWorkspace(ws); err != nil {
		return wrap(op, err)
	}
	if id == "" || len(id) > maxTeamsCardID {
		return wrap(op, errors.New("invalid card id"))
	}
	return wrap(op, s.rdb.Set(ctx, s.keys(ws).teamsCard(id), card, ttl).Err())
}

// GetTeamsCard reads the card recorded as id; ErrNotFound when
// none was (or it expired).
func (s *Store) GetTeamsCard(ctx context.Context, ws, id string) ([]byte, error) {
	op := "get teams card " + id
	if err := checkWorkspace(ws); err != nil {
		return nil, wrap(op, err)
	}
	if id == "" || len(id) > maxTeamsCardID {
		return nil, wrap(op, record.ErrNotFound)
	}
	b, err := s.rdb.Get(ctx, s.keys(ws).teamsCard(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, wrap(op, record.ErrNotFound)
	}
	return b, wrap(op, err)
}
