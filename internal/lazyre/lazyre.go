// Package lazyre holds regular expressions compiled on first use: a
// package-level regexp.MustCompile runs at every start of the program,
// whether or not the command needs it.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr (panicking, as
// regexp.MustCompile does, when it is invalid) on its first call and
// returns that same Regexp on every call.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
