package uws

import (
	"errors"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/xmlguard"
)

func TestUWSNestingLimit(t *testing.T) {
	deep := strings.Repeat("<x>", 300) + strings.Repeat("</x>", 300)
	cases := []struct {
		name  string
		parse func(string) error
		doc   string
	}{
		{"job", func(s string) error { _, err := ParseJob(strings.NewReader(s)); return err },
			`<uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0"><uws:jobId>1</uws:jobId><uws:phase>COMPLETED</uws:phase><uws:jobInfo>` + deep + `</uws:jobInfo></uws:job>`},
		{"job list", func(s string) error { _, err := ParseJobList(strings.NewReader(s)); return err },
			`<uws:jobs xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0"><uws:jobref id="1">` + deep + `</uws:jobref></uws:jobs>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.parse(c.doc)
			if !errors.Is(err, xmlguard.ErrTooDeep) || !strings.Contains(err.Error(), "limit is 256") {
				t.Fatalf("got %v, want a nesting error naming the limit", err)
			}
		})
	}
}
