package cli

import (
	"errors"
	"fmt"
)

// Exit codes documented in the README.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitAuth        = 4
	ExitIncomplete  = 5
	ExitInterrupted = 130
)

// UsageError is bad input caught before any request: exit code 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef builds a UsageError.
func Usagef(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// ExitError carries an explicit exit code and an optional hint printed after
// the message.
type ExitError struct {
	Code int
	Err  error
	Hint string
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ErrSilent ends a command with exit code 1 after it has already said why.
var ErrSilent = errors.New("silent error")

// ErrCancelled is returned when a person declines a confirmation prompt.
var ErrCancelled = errors.New("cancelled")
