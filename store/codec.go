package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
	"github.com/redis/go-redis/v9"
)

// Times are stored as unix milliseconds ("0" for the zero time) and
// returned in UTC; durations as milliseconds.

// ms encodes t; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// msArg encodes t as a decimal string for a script argument.
func msArg(t time.Time) string { return strconv.FormatInt(ms(t), 10) }

// fromMS decodes a stored time; bad or empty data gives the zero time.
func fromMS(v string) time.Time {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// atoi64 decodes a stored integer; bad or empty data gives 0.
func atoi64(v string) int64 {
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// pairs turns a script's HGETALL reply (a flat field, value array) into a
// map, skipping anything that is not a string.
func pairs(v any) map[string]string {
	arr, _ := v.([]any)
	m := make(map[string]string, len(arr)/2)
	for i := 0; i+1 < len(arr); i += 2 {
		k, ok1 := arr[i].(string)
		val, ok2 := arr[i+1].(string)
		if ok1 && ok2 {
			m[k] = val
		}
	}
	return m
}

// scriptReply splits a script's {status, record} reply.
func scriptReply(v any) (status string, record map[string]string, err error) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return "", nil, fmt.Errorf("unexpected script reply %T", v)
	}
	status, ok = arr[0].(string)
	if !ok {
		return "", nil, fmt.Errorf("unexpected script status %T", arr[0])
	}
	if len(arr) > 1 {
		record = pairs(arr[1])
	}
	return status, record, nil
}

// readJSON decodes the JSON value cmd read; a missing key (redis.Nil) is
// ErrNotFound and connection trouble ErrUnavailable, named by op.
func readJSON[T any](cmd *redis.StringCmd, op string) (T, error) {
	var v T
	b, err := cmd.Bytes()
	if errors.Is(err, redis.Nil) {
		return v, fmt.Errorf("%s: %w", op, record.ErrNotFound)
	}
	if err != nil {
		return v, wrap(op, err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("%s: %w", op, err)
	}
	return v, nil
}
