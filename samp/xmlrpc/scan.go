package xmlrpc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokenizer is the token source of the parser: the fast scanner below, or
// encoding/xml's Decoder (the reference the scanner is fuzzed against).
type tokenizer interface {
	next() (token, error)
	InputPos() (line, column int)
}

type tokKind uint8

const (
	tokStart     tokKind = iota + 1 // start element
	tokEnd                          // end element
	tokText                         // character data
	tokOther                        // comment or processing instruction
	tokDirective                    // <!DOCTYPE...> and other directives
)

// token is what the parser needs of an XML token: its kind, the local name
// of an element, the text of character data (valid until the next token).
type token struct {
	kind tokKind
	name string
	text []byte
}

// String describes the token for error messages.
func (t token) String() string {
	switch t.kind {
	case tokStart:
		return "<" + t.name + ">"
	case tokEnd:
		return "</" + t.name + ">"
	case tokText:
		return fmt.Sprintf("text %q", clip(t.text))
	case tokDirective:
		return "XML directive"
	case tokOther:
		return "comment or processing instruction"
	}
	return "nothing"
}

// xmlTokenizer adapts encoding/xml's Decoder.
type xmlTokenizer struct{ *xml.Decoder }

func (x xmlTokenizer) next() (token, error) {
	t, err := x.Token()
	if err != nil {
		return token{}, err
	}
	switch t := t.(type) {
	case xml.StartElement:
		return token{kind: tokStart, name: t.Name.Local}, nil
	case xml.EndElement:
		return token{kind: tokEnd, name: t.Name.Local}, nil
	case xml.CharData:
		return token{kind: tokText, text: t}, nil
	case xml.Directive:
		return token{kind: tokDirective}, nil
	}
	return token{kind: tokOther}, nil
}

// scanner is a small XML tokenizer for XML-RPC documents held in memory. It
// returns the same tokens as encoding/xml's Decoder in strict mode for the
// documents XML-RPC uses (elements, attributes, character data, entity and
// character references, CDATA, comments, processing instructions; DOCTYPE is
// returned as a Directive for the parser to refuse), without its allocations:
// element names are interned and character data without references is a
// slice of the input. Names are split at the first ':' as namespace prefix
// and local name; prefixes are not resolved (the parser uses local names).
type scanner struct {
	data    []byte
	pos     int
	stack   []string
	buf     []byte // decoded character data
	selfEnd string // end element due after a self-closing tag (local name)
}

func newScanner(data []byte) *scanner {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	return &scanner{data: data}
}

// InputPos returns the line and column (1-based, in bytes) of the position
// reached.
func (s *scanner) InputPos() (int, int) {
	line, col := 1, 1
	for _, c := range s.data[:s.pos] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func (s *scanner) syntax(format string, args ...any) error {
	line, _ := s.InputPos()
	return &xml.SyntaxError{Msg: fmt.Sprintf(format, args...), Line: line}
}

// next returns the next token, or io.EOF at the end of the input when no
// element is open.
func (s *scanner) next() (token, error) {
	if s.selfEnd != "" {
		name := s.selfEnd
		s.selfEnd = ""
		s.stack = s.stack[:len(s.stack)-1]
		return token{kind: tokEnd, name: name}, nil
	}
	if s.pos >= len(s.data) {
		if len(s.stack) > 0 {
			return token{}, s.syntax("unexpected EOF")
		}
		return token{}, io.EOF
	}
	if s.data[s.pos] != '<' {
		return s.text()
	}
	rest := s.data[s.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("</")):
		return s.endTag()
	case bytes.HasPrefix(rest, []byte("<!--")):
		end := bytes.Index(rest[4:], []byte("-->"))
		if end < 0 {
			return token{}, s.syntax("unexpected EOF in comment")
		}
		body := rest[4 : 4+end]
		if bytes.Contains(body, []byte("--")) {
			return token{}, s.syntax(`invalid sequence "--" not allowed in comments`)
		}
		s.pos += 4 + end + 3
		return token{kind: tokOther}, nil
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return s.text()
	case bytes.HasPrefix(rest, []byte("<!")):
		return token{kind: tokDirective}, nil // DOCTYPE and the like: refused by the parser
	case bytes.HasPrefix(rest, []byte("<?")):
		end := bytes.Index(rest[2:], []byte("?>"))
		if end < 0 {
			return token{}, s.syntax("unexpected EOF in processing instruction")
		}
		body := rest[2 : 2+end]
		n := 0 // the target is the longest name at the start, as encoding/xml reads it
		for n < len(body) && nameByte(body[n], n) {
			n++
		}
		target, inst := body[:n], bytes.TrimLeft(body[n:], " \t\r\n")
		if n == 0 || !utf8.Valid(target) {
			return token{}, s.syntax("expected target name after <?")
		}
		s.pos += 2 + end + 2
		if string(target) == "xml" {
			if err := s.charset(inst); err != nil {
				return token{}, err
			}
		}
		return token{kind: tokOther}, nil
	}
	return s.startTag()
}

func (s *scanner) startTag() (token, error) {
	s.pos++ // '<'
	name, err := s.name()
	if err != nil {
		return token{}, err
	}
	for {
		s.space()
		if s.pos >= len(s.data) {
			return token{}, s.syntax("unexpected EOF in element <%s>", name.Local)
		}
		switch s.data[s.pos] {
		case '>':
			s.pos++
			s.stack = append(s.stack, fullName(name))
			return token{kind: tokStart, name: name.Local}, nil
		case '/':
			if s.pos+1 >= len(s.data) || s.data[s.pos+1] != '>' {
				return token{}, s.syntax("expected /> in element <%s>", name.Local)
			}
			s.pos += 2
			// Self-closing: the end element is returned next.
			s.stack = append(s.stack, fullName(name))
			s.selfEnd = name.Local
			return token{kind: tokStart, name: name.Local}, nil
		}
		if err := s.attr(); err != nil {
			return token{}, err
		}
	}
}

// attr skips one attribute (name="value" or name='value').
func (s *scanner) attr() error {
	if _, err := s.name(); err != nil {
		return err
	}
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != '=' {
		return s.syntax("attribute name without = in element")
	}
	s.pos++
	s.space()
	if s.pos >= len(s.data) || (s.data[s.pos] != '"' && s.data[s.pos] != '\'') {
		return s.syntax("unquoted or missing attribute value in element")
	}
	q := s.data[s.pos]
	end := bytes.IndexByte(s.data[s.pos+1:], q)
	if end < 0 {
		return s.syntax("unexpected EOF in attribute value")
	}
	if bytes.IndexByte(s.data[s.pos+1:s.pos+1+end], '<') >= 0 {
		return s.syntax("unescaped < inside quoted string")
	}
	s.pos += end + 2
	return nil
}

func (s *scanner) endTag() (token, error) {
	s.pos += 2
	name, err := s.name()
	if err != nil {
		return token{}, err
	}
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != '>' {
		return token{}, s.syntax("invalid characters between </%s and >", name.Local)
	}
	s.pos++
	full := fullName(name)
	if len(s.stack) == 0 {
		return token{}, s.syntax("unexpected end element </%s>", full)
	}
	if top := s.stack[len(s.stack)-1]; top != full {
		return token{}, s.syntax("element <%s> closed by </%s>", top, full)
	}
	s.stack = s.stack[:len(s.stack)-1]
	return token{kind: tokEnd, name: name.Local}, nil
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// nameByte reports whether c may be byte i of an XML name (bytes of
// non-ASCII characters are all accepted).
func nameByte(c byte, i int) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80 ||
		i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.')
}

// name reads an XML name and splits it at its first ':'.
func (s *scanner) name() (xml.Name, error) {
	start := s.pos
	for s.pos < len(s.data) && nameByte(s.data[s.pos], s.pos-start) {
		s.pos++
	}
	if s.pos == start {
		return xml.Name{}, s.syntax("expected element name after <")
	}
	raw := s.data[start:s.pos]
	if !utf8.Valid(raw) {
		return xml.Name{}, s.syntax("invalid UTF-8 in name")
	}
	if i := bytes.IndexByte(raw, ':'); i > 0 && i < len(raw)-1 {
		return xml.Name{Space: string(raw[:i]), Local: intern(raw[i+1:])}, nil
	}
	return xml.Name{Local: intern(raw)}, nil
}

func fullName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// intern returns the common XML-RPC element names without allocating.
func intern(b []byte) string {
	switch string(b) {
	case "value":
		return "value"
	case "string":
		return "string"
	case "member":
		return "member"
	case "name":
		return "name"
	case "struct":
		return "struct"
	case "array":
		return "array"
	case "data":
		return "data"
	case "param":
		return "param"
	case "params":
		return "params"
	case "methodCall":
		return "methodCall"
	case "methodName":
		return "methodName"
	case "methodResponse":
		return "methodResponse"
	}
	return string(b)
}

// text reads character data (with CDATA sections) up to the next markup that
// is not CDATA, decoding references and normalising line ends.
func (s *scanner) text() (token, error) {
	start := s.pos
	simple := true // no reference, CDATA or carriage return: a slice of the input
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if c == '<' {
			if !bytes.HasPrefix(s.data[s.pos:], []byte("<![CDATA[")) {
				break
			}
			simple = false
			end := bytes.Index(s.data[s.pos+9:], []byte("]]>"))
			if end < 0 {
				return token{}, s.syntax("unexpected EOF in CDATA section")
			}
			s.pos += 9 + end + 3
			continue
		}
		if c == '&' || c == '\r' {
			simple = false
		} else if c < 0x20 && c != '\t' && c != '\n' {
			return token{}, s.syntax("illegal character code U+%04X", c)
		} else if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && n == 1 {
				return token{}, s.syntax("invalid UTF-8")
			}
			if !isXMLChar(r) {
				return token{}, s.syntax("illegal character code U+%04X", r)
			}
			s.pos += n
			continue
		}
		s.pos++
	}
	raw := s.data[start:s.pos]
	if simple {
		return token{kind: tokText, text: raw}, nil
	}
	return s.decode(raw)
}

// decode resolves references, CDATA sections and line ends in raw text.
func (s *scanner) decode(raw []byte) (token, error) {
	out := s.buf[:0]
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '<': // CDATA, already checked to be complete
			end := bytes.Index(raw[i+9:], []byte("]]>"))
			out = appendNormalized(out, raw[i+9:i+9+end])
			i += 9 + end + 3
		case c == '&':
			end := bytes.IndexByte(raw[i:], ';')
			if end < 0 {
				return token{}, s.syntax("invalid character entity %s (no semicolon)", clip(raw[i:]))
			}
			ref := string(raw[i+1 : i+end])
			r, err := entity(ref)
			if err != nil {
				return token{}, s.syntax("invalid character entity &%s;", ref)
			}
			out = utf8.AppendRune(out, r)
			i += end + 1
		case c == '\r':
			out = append(out, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		default:
			out = append(out, c)
			i++
		}
	}
	s.buf = out
	return token{kind: tokText, text: out}, nil
}

// appendNormalized appends b with \r\n and \r turned into \n.
func appendNormalized(out, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// charset checks the XML declaration as encoding/xml does: version 1.0
// only; UTF-8 and ASCII taken as they are, ISO-8859-1 converted to UTF-8,
// any other encoding refused.
func (s *scanner) charset(decl []byte) error {
	if v := declParam(decl, "version"); v != "" && v != "1.0" {
		return fmt.Errorf("xml: unsupported version %q; only version 1.0 is supported", v)
	}
	label := declParam(decl, "encoding")
	if label == "" || strings.EqualFold(label, "utf-8") {
		return nil
	}
	if _, err := charsetReader(label, nil); err != nil {
		return err
	}
	if l := strings.ToLower(label); strings.Contains(l, "8859") || strings.Contains(l, "latin") {
		rest := make([]byte, 0, 2*(len(s.data)-s.pos))
		for _, c := range s.data[s.pos:] {
			rest = utf8.AppendRune(rest, rune(c))
		}
		s.data = append(s.data[:s.pos:s.pos], rest...)
	}
	return nil
}

// declParam returns the quoted value of name= in an XML declaration: the
// first occurrence followed by a quote.
func declParam(decl []byte, name string) string {
	key := []byte(name + "=")
	for rest := decl; ; {
		k := bytes.Index(rest, key)
		if k < 0 || k+len(key) >= len(rest) {
			return ""
		}
		rest = rest[k+len(key):]
		if q := rest[0]; q == '\'' || q == '"' {
			end := bytes.IndexByte(rest[1:], q)
			if end < 0 {
				return ""
			}
			return string(rest[1 : 1+end])
		}
	}
}

var errEntity = errors.New("invalid entity")

// entity resolves the predefined entities and character references.
func entity(ref string) (rune, error) {
	switch ref {
	case "lt":
		return '<', nil
	case "gt":
		return '>', nil
	case "amp":
		return '&', nil
	case "quot":
		return '"', nil
	case "apos":
		return '\'', nil
	}
	if len(ref) < 2 || ref[0] != '#' {
		return 0, errEntity
	}
	var n uint64
	var err error
	if ref[1] == 'x' {
		n, err = strconv.ParseUint(ref[2:], 16, 32)
	} else {
		n, err = strconv.ParseUint(ref[1:], 10, 32)
	}
	if err != nil || !isXMLChar(rune(n)) && n != '\t' && n != '\n' && n != '\r' {
		return 0, errEntity
	}
	return rune(n), nil
}
