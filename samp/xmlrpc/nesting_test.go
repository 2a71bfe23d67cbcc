package xmlrpc

import (
	"strings"
	"testing"
)

func deepValue(open, close string, n int) string {
	return "<methodCall><methodName>m</methodName><params><param><value>" + strings.Repeat(open, n) +
		strings.Repeat(close, n) + "</value></param></params></methodCall>"
}

// TestDecodeDeepNesting: a SAMP message nested 2M deep, in the value grammar
// or in elements XML-RPC does not know, is refused with an error naming the
// limit, without recursing past it.
func TestDecodeDeepNesting(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"arrays", deepValue("<array><data><value>", "</value></data></array>", 2_000_000), "nested deeper than 64 levels (the limit; depth 65 reached)"},
		{"structs", deepValue("<struct><member><name>a</name><value>", "</value></member></struct>", 2_000_000), "nested deeper than 64 levels (the limit; depth 65 reached)"},
		{"unknown elements", deepValue("<a>", "</a>", 2_000_000), "unknown value type <a>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := DecodeCall(strings.NewReader(c.doc), 1<<30)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %.300v, want %q", err, c.want)
			}
		})
	}
}

// FuzzDecodeDeep is seeded with deep nesting of every kind.
func FuzzDecodeDeep(f *testing.F) {
	f.Add(deepValue("<array><data><value>", "</value></data></array>", 70))
	f.Add(deepValue("<struct><member><name>a</name><value>", "</value></member></struct>", 70))
	f.Add(deepValue("<a>", "</a>", 300))
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > 1<<16 {
			return
		}
		DecodeCall(strings.NewReader(doc), 1<<20)
		DecodeResponse(strings.NewReader(strings.Replace(doc, "methodCall", "methodResponse", -1)), 1<<20)
	})
}
