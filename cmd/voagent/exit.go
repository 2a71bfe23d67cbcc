package main

import "errors"

// Exit statuses of voagent (documented in the root command's help).
const (
	// exitError: the command failed.
	exitError = 1
	// exitPartial: a command run on several services (--all) kept the
	// answers of some, but others failed.
	exitPartial = 3
)

// exitCodeError is an error that asks for a particular exit status.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// exitCode is the exit status for err (0 for nil).
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ec *exitCodeError
	if errors.As(err, &ec) {
		return ec.code
	}
	return exitError
}
