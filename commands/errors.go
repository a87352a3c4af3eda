package commands

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
)

// UserError is an error whose message is safe and useful to show to the
// user: it names what is wrong and how to fix it. Any other error is logged
// and the user sees a short reference instead.
type UserError struct {
	Msg string
}

func (e *UserError) Error() string { return e.Msg }

// Userf builds a UserError.
func Userf(format string, args ...any) error {
	return &UserError{Msg: fmt.Sprintf(format, args...)}
}

// AsUserError reports whether err is (or wraps) a UserError and returns it.
func AsUserError(err error) (*UserError, bool) {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue, true
	}
	return nil, false
}

// ErrorRef returns a short random reference (four hex digits) to show a
// user beside "something went wrong" and to log with the error, so a report
// can be matched to its log line. Every part of the bot uses this one.
func ErrorRef() string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
