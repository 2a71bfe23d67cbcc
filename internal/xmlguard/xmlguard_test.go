package xmlguard

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

func nested(name string, n int) string {
	return strings.Repeat("<"+name+">", n) + strings.Repeat("</"+name+">", n)
}

func TestGuard(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want error // nil: read to the end
	}{
		{"at the limit", nested("a", MaxDepth), nil},
		{"one deeper", nested("a", MaxDepth+1), ErrTooDeep},
		{"very deep", nested("GROUP", 200000), ErrTooDeep},
		{"deep but siblings", strings.Repeat(nested("a", 100), 50), nil},
		{"long text", "<a>" + strings.Repeat("x", MaxText+1) + "</a>", ErrTooLong},
		{"long attribute", `<a b="` + strings.Repeat("x", MaxText+1) + `"/>`, ErrTooLong},
		{"long CDATA with <", "<a><![CDATA[" + strings.Repeat("<", MaxText+1) + "]]></a>", ErrTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Through Skip of the guarded decoder: the usual way to pass over
			// an element.
			g := NewDecoder(strings.NewReader(c.doc), nil)
			d := g.Decoder()
			var err error
			for {
				var tok xml.Token
				if tok, err = d.Token(); err != nil {
					break
				}
				if _, ok := tok.(xml.StartElement); ok {
					if err = d.Skip(); err != nil {
						break
					}
				}
			}
			if c.want == nil {
				if err != io.EOF {
					t.Fatalf("got %v, want the end of the document", err)
				}
			} else if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if err := Check([]byte(c.doc)); !errors.Is(err, c.want) && (c.want != nil || err != nil) {
				t.Fatalf("Check: got %v, want %v", err, c.want)
			}
		})
	}
}

func TestDepthErrorNamesDepthAndLimit(t *testing.T) {
	err := Check([]byte(nested("GROUP", 1000)))
	var de *DepthError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a *DepthError", err)
	}
	if de.Depth != MaxDepth+1 || de.Limit != MaxDepth || de.Element != "GROUP" {
		t.Fatalf("got %+v", de)
	}
	for _, s := range []string{"257", "256", "<GROUP>"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %s", err, s)
		}
	}
}

func TestDecodeThroughGuard(t *testing.T) {
	var v struct {
		B string `xml:"b"`
	}
	if err := NewDecoder(strings.NewReader(`<a xmlns="urn:x"><b>hi</b></a>`), nil).Decoder().Decode(&v); err != nil || v.B != "hi" {
		t.Fatalf("got %q, %v", v.B, err)
	}
	doc := "<a>" + nested("b", MaxDepth) + "</a>"
	if err := NewDecoder(strings.NewReader(doc), nil).Decoder().Decode(&v); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("got %v, want ErrTooDeep", err)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte(nested("GROUP", 300)))
	f.Add([]byte(nested("a", MaxDepth)))
	f.Add([]byte(`<a><![CDATA[<<]]><b x="1"/></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Check(data)
		var de *DepthError
		if errors.As(err, &de) && de.Depth <= de.Limit {
			t.Fatalf("depth error below the limit: %v", err)
		}
	})
}
