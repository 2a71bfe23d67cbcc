package votable

import (
	"errors"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/xmlguard"
)

// deepDoc is a VOTable with n nested copies of element el (an unclosed
// depth: the document's end closes them) around nothing, put where inner
// says.
func deepDoc(where, el string, n int) string {
	deep := strings.Repeat("<"+el+">", n) + strings.Repeat("</"+el+">", n)
	switch where {
	case "resource":
		return `<VOTABLE version="1.4"><RESOURCE>` + deep + `</RESOURCE></VOTABLE>`
	case "table":
		return `<VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="a" datatype="int"/>` + deep +
			`<DATA><TABLEDATA><TR><TD>1</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`
	case "field":
		return `<VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="a" datatype="int">` + deep +
			`</FIELD><DATA><TABLEDATA><TR><TD>1</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`
	}
	return `<VOTABLE version="1.4">` + deep + `</VOTABLE>`
}

func TestNestingLimit(t *testing.T) {
	cases := []struct{ where, el string }{
		{"top", "GROUP"},
		{"resource", "GROUP"},
		{"table", "GROUP"},
		{"top", "RESOURCE"},
		{"resource", "UNKNOWN"},
		{"table", "UNKNOWN"},
		{"field", "DESCRIPTION"},
		{"top", "DEFINITIONS"},
		{"resource", "INFO"},
	}
	for _, c := range cases {
		t.Run(c.where+"/"+c.el, func(t *testing.T) {
			_, err := Read(strings.NewReader(deepDoc(c.where, c.el, 100000)))
			if !errors.Is(err, xmlguard.ErrTooDeep) {
				t.Fatalf("got %v, want a nesting error", err)
			}
			if !strings.Contains(err.Error(), "257") || !strings.Contains(err.Error(), "256") {
				t.Errorf("error %q does not name the depth and the limit", err)
			}
			// Shallow nesting of the same kind is still read.
			if _, err := Read(strings.NewReader(deepDoc(c.where, c.el, 20))); err != nil && c.el != "DEFINITIONS" && c.el != "INFO" && c.el != "DESCRIPTION" {
				t.Fatalf("20 levels: %v", err)
			}
		})
	}
}

func TestLongTextAndAttribute(t *testing.T) {
	long := strings.Repeat("x", xmlguard.MaxText+10)
	for name, doc := range map[string]string{
		"description": `<VOTABLE><DESCRIPTION>` + long + `</DESCRIPTION></VOTABLE>`,
		"attribute":   `<VOTABLE><INFO name="a" value="` + long + `"/></VOTABLE>`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Read(strings.NewReader(doc)); !errors.Is(err, xmlguard.ErrTooLong) {
				t.Fatalf("got %v, want ErrTooLong", err)
			}
		})
	}
}
