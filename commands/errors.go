package commands

import (
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
