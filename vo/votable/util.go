package votable

import (
	"strconv"
	"strings"
)

func lower(s string) string     { return strings.ToLower(s) }
func trimSpace(s string) string { return strings.TrimSpace(s) }
func equalFold(a, b string) bool {
	return strings.EqualFold(a, b)
}
func quote(s string) string { return strconv.Quote(s) }
func itoa(i int) string     { return strconv.Itoa(i) }
