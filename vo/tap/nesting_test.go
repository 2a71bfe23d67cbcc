package tap

import (
	"errors"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/xmlguard"
)

func deep(el string, n int) string {
	return strings.Repeat("<"+el+">", n) + strings.Repeat("</"+el+">", n)
}

// TestVOSINestingLimit: VOSI documents nested past the XML guard's limit
// give an error naming the depth and the limit (encoding/xml's Unmarshal
// alone went to 10,000 levels).
func TestVOSINestingLimit(t *testing.T) {
	cases := []struct {
		name  string
		parse func(string) error
		doc   string
	}{
		{"tables in a column", func(s string) error { _, err := ParseTables([]byte(s)); return err },
			`<vosi:tableset xmlns:vosi="http://www.ivoa.net/xml/VOSITables/v1.0"><schema><name>s</name><table><name>t</name><column><name>c</name>` + deep("x", 300) + `</column></table></schema></vosi:tableset>`},
		{"tables very deep", func(s string) error { _, err := ParseTables([]byte(s)); return err },
			`<tableset>` + deep("schema", 100000) + `</tableset>`},
		{"capabilities", func(s string) error { _, err := ParseCapabilities([]byte(s)); return err },
			`<capabilities><capability standardID="ivo://ivoa.net/std/TAP">` + deep("interface", 300) + `</capability></capabilities>`},
		{"examples", func(s string) error { _, err := ParseExamples(strings.NewReader(s)); return err },
			`<html><body>` + deep("div", 100000) + `</body></html>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.parse(c.doc)
			if !errors.Is(err, xmlguard.ErrTooDeep) {
				t.Fatalf("got %v, want a nesting error", err)
			}
			if !strings.Contains(err.Error(), "257") || !strings.Contains(err.Error(), "limit is 256") {
				t.Errorf("%q does not name the depth and the limit", err)
			}
		})
	}
}
