package xmlrpc

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// EncodeCall writes an XML-RPC methodCall of method with params.
func EncodeCall(w io.Writer, method string, params []any) error {
	return withBuffer(w, func(b *bytes.Buffer) error {
		b.WriteString(xmlHeader)
		b.WriteString("<methodCall><methodName>")
		escape(b, method)
		b.WriteString("</methodName><params>")
		for i, p := range params {
			b.WriteString("<param>")
			if err := encodeValue(b, p, 0); err != nil {
				return fmt.Errorf("xmlrpc: encoding param %d of %s: %w", i+1, method, err)
			}
			b.WriteString("</param>")
		}
		b.WriteString("</params></methodCall>\n")
		return nil
	})
}

// EncodeResponse writes an XML-RPC methodResponse carrying result. A nil
// result is written as the empty string, the usual return value of SAMP
// methods that return nothing.
func EncodeResponse(w io.Writer, result any) error {
	return withBuffer(w, func(b *bytes.Buffer) error {
		b.WriteString(xmlHeader)
		b.WriteString("<methodResponse><params><param>")
		if err := encodeValue(b, result, 0); err != nil {
			return fmt.Errorf("xmlrpc: encoding response: %w", err)
		}
		b.WriteString("</param></params></methodResponse>\n")
		return nil
	})
}

// EncodeFault writes an XML-RPC fault response.
func EncodeFault(w io.Writer, code int, msg string) error {
	return withBuffer(w, func(b *bytes.Buffer) error {
		b.WriteString(xmlHeader)
		b.WriteString("<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>")
		b.WriteString(strconv.Itoa(code))
		b.WriteString("</int></value></member><member><name>faultString</name><value><string>")
		escape(b, msg)
		b.WriteString("</string></value></member></struct></value></fault></methodResponse>\n")
		return nil
	})
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// withBuffer builds a whole document in a pooled buffer and writes it at
// once, so that an encoding error never leaves half a document in w.
func withBuffer(w io.Writer, fill func(*bytes.Buffer) error) error {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	defer func() {
		if b.Cap() <= 1<<20 {
			bufPool.Put(b)
		}
	}()
	if err := fill(b); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// encodeValue writes <value>...</value> for v.
func encodeValue(b *bytes.Buffer, v any, depth int) error {
	if depth > DefaultMaxDepth {
		return fmt.Errorf("value nested deeper than %d levels", DefaultMaxDepth)
	}
	switch v := v.(type) {
	case string:
		b.WriteString("<value><string>")
		escape(b, v)
		b.WriteString("</string></value>")
	case nil:
		b.WriteString("<value><string></string></value>")
	case []any:
		b.WriteString("<value><array><data>")
		for i, e := range v {
			if err := encodeValue(b, e, depth+1); err != nil {
				return fmt.Errorf("array item %d: %w", i+1, err)
			}
		}
		b.WriteString("</data></array></value>")
	case []string:
		b.WriteString("<value><array><data>")
		for _, e := range v {
			b.WriteString("<value><string>")
			escape(b, e)
			b.WriteString("</string></value>")
		}
		b.WriteString("</data></array></value>")
	case map[string]any:
		b.WriteString("<value><struct>")
		for _, k := range sortedKeys(v) {
			b.WriteString("<member><name>")
			escape(b, k)
			b.WriteString("</name>")
			if err := encodeValue(b, v[k], depth+1); err != nil {
				return fmt.Errorf("struct member %q: %w", k, err)
			}
			b.WriteString("</member>")
		}
		b.WriteString("</struct></value>")
	case map[string]string:
		b.WriteString("<value><struct>")
		for _, k := range sortedKeys(v) {
			b.WriteString("<member><name>")
			escape(b, k)
			b.WriteString("</name><value><string>")
			escape(b, v[k])
			b.WriteString("</string></value></member>")
		}
		b.WriteString("</struct></value>")
	case int:
		return encodeValue(b, strconv.Itoa(v), depth)
	case int64:
		return encodeValue(b, strconv.FormatInt(v, 10), depth)
	case float64:
		return encodeValue(b, strconv.FormatFloat(v, 'g', -1, 64), depth)
	case bool:
		if v {
			return encodeValue(b, "1", depth)
		}
		return encodeValue(b, "0", depth)
	default:
		return fmt.Errorf("cannot encode %T as a SAMP value (string, list or map)", v)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// escape writes s as XML character data: &, < and > are escaped, carriage
// returns are written as &#xD; so that they survive XML end-of-line
// normalisation, and characters XML cannot carry (control characters,
// invalid UTF-8) become U+FFFD.
func escape(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' {
			i++
			continue
		}
		var repl string
		width := 1
		switch {
		case c == '&':
			repl = "&amp;"
		case c == '<':
			repl = "&lt;"
		case c == '>':
			repl = "&gt;"
		case c == '\r':
			repl = "&#xD;"
		case c == '\n' || c == '\t':
			i++
			continue
		case c < 0x20:
			repl = "\uFFFD"
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			width = n
			if r == utf8.RuneError && n == 1 || !isXMLChar(r) {
				repl = "\uFFFD"
			} else {
				i += n
				continue
			}
		}
		b.WriteString(s[last:i])
		b.WriteString(repl)
		i += width
		last = i
	}
	b.WriteString(s[last:])
}

func isXMLChar(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
