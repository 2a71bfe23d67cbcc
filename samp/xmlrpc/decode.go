package xmlrpc

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DecodeCall reads an XML-RPC methodCall of at most limit bytes (limit <= 0
// means no limit) and returns the method name and the parameters as SAMP
// values (string, []any, map[string]any).
func DecodeCall(r io.Reader, limit int64) (method string, params []any, err error) {
	data, err := readLimited(r, limit)
	if err != nil {
		return "", nil, fmt.Errorf("xmlrpc: reading methodCall: %w", err)
	}
	return newParser(newScanner(data)).call()
}

func (p *parser) call() (method string, params []any, err error) {
	if err := p.root("methodCall"); err != nil {
		return "", nil, p.wrap("methodCall", err)
	}
	if err := p.expectStart("methodName"); err != nil {
		return "", nil, p.wrap("methodCall", err)
	}
	method, err = p.text("methodName")
	if err != nil {
		return "", nil, p.wrap("methodName", err)
	}
	method = strings.TrimSpace(method)
	if method == "" {
		return "", nil, p.wrap("methodName", errors.New("empty method name"))
	}
	se, err := p.startOrEnd("methodCall")
	if err != nil {
		return "", nil, p.wrap("methodCall", err)
	}
	if se != "" {
		if se != "params" {
			return "", nil, p.wrap("methodCall", fmt.Errorf("unexpected <%s>, want <params>", se))
		}
		if params, err = p.params(); err != nil {
			return "", nil, p.wrap("params", err)
		}
		if err := p.expectEnd("methodCall"); err != nil {
			return "", nil, p.wrap("methodCall", err)
		}
	}
	if err := p.trailer(); err != nil {
		return "", nil, p.wrap("methodCall", err)
	}
	if params == nil {
		params = []any{}
	}
	return method, params, nil
}

// DecodeResponse reads an XML-RPC methodResponse of at most limit bytes
// (limit <= 0 means no limit). It returns the single result value, or a
// *Fault error when the response is a fault.
func DecodeResponse(r io.Reader, limit int64) (any, error) {
	data, err := readLimited(r, limit)
	if err != nil {
		return nil, fmt.Errorf("xmlrpc: reading methodResponse: %w", err)
	}
	return newParser(newScanner(data)).response()
}

func (p *parser) response() (any, error) {
	if err := p.root("methodResponse"); err != nil {
		return nil, p.wrap("methodResponse", err)
	}
	se, err := p.startOrEnd("methodResponse")
	if err != nil {
		return nil, p.wrap("methodResponse", err)
	}
	if se == "" {
		return nil, p.wrap("methodResponse", errors.New("empty response"))
	}
	var result any
	switch se {
	case "params":
		params, err := p.params()
		if err != nil {
			return nil, p.wrap("params", err)
		}
		switch len(params) {
		case 0:
			result = "" // tolerated: some servers send no value for void methods
		case 1:
			result = params[0]
		default:
			return nil, p.wrap("params", fmt.Errorf("%d values in a response, want 1", len(params)))
		}
	case "fault":
		f, err := p.fault()
		if err != nil {
			return nil, p.wrap("fault", err)
		}
		if err := p.expectEnd("methodResponse"); err != nil {
			return nil, p.wrap("methodResponse", err)
		}
		if err := p.trailer(); err != nil {
			return nil, p.wrap("methodResponse", err)
		}
		return nil, f
	default:
		return nil, p.wrap("methodResponse", fmt.Errorf("unexpected <%s>, want <params> or <fault>", se))
	}
	if err := p.expectEnd("methodResponse"); err != nil {
		return nil, p.wrap("methodResponse", err)
	}
	if err := p.trailer(); err != nil {
		return nil, p.wrap("methodResponse", err)
	}
	return result, nil
}

// readLimited reads all of r, failing with ErrTooLarge when it holds more
// than limit bytes (limit <= 0: no limit).
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		return io.ReadAll(r)
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)
	}
	return data, nil
}

type parser struct {
	d        tokenizer
	depth    int
	maxDepth int
}

func newParser(d tokenizer) *parser {
	return &parser{d: d, maxDepth: DefaultMaxDepth}
}

// wrap adds the element being read and the input position to err.
func (p *parser) wrap(where string, err error) error {
	var f *Fault
	if errors.As(err, &f) {
		return err
	}
	line, col := p.d.InputPos()
	return fmt.Errorf("xmlrpc: reading <%s> at line %d, column %d: %w", where, line, col, err)
}

// token returns the next token that matters: start and end elements and
// character data. Comments and processing instructions are skipped;
// directives (DOCTYPE...) are refused.
func (p *parser) token() (token, error) {
	for {
		t, err := p.d.next()
		if err != nil {
			if err == io.EOF {
				return token{}, io.ErrUnexpectedEOF
			}
			return token{}, err
		}
		switch t.kind {
		case tokStart, tokEnd, tokText:
			return t, nil
		case tokDirective:
			return token{}, errors.New("unexpected XML directive (DOCTYPE...)")
		}
	}
}

// element returns the next start or end element, refusing non-blank text.
func (p *parser) element() (token, error) {
	for {
		t, err := p.token()
		if err != nil {
			return token{}, err
		}
		if t.kind == tokText {
			if !isBlank(t.text) {
				return token{}, fmt.Errorf("unexpected text %q", clip(t.text))
			}
			continue
		}
		return t, nil
	}
}

func (p *parser) root(name string) error {
	t, err := p.element()
	if err != nil {
		return err
	}
	if t.kind != tokStart || t.name != name {
		return fmt.Errorf("document starts with %s, want <%s>", t, name)
	}
	return nil
}

func (p *parser) expectStart(name string) error {
	t, err := p.element()
	if err != nil {
		return err
	}
	if t.kind != tokStart || t.name != name {
		return fmt.Errorf("found %s, want <%s>", t, name)
	}
	return nil
}

func (p *parser) expectEnd(name string) error {
	t, err := p.element()
	if err != nil {
		return err
	}
	if t.kind != tokEnd || t.name != name {
		return fmt.Errorf("found %s, want </%s>", t, name)
	}
	return nil
}

// startOrEnd returns the name of the next start element, or "" when the next
// element is the end of parent.
func (p *parser) startOrEnd(parent string) (string, error) {
	t, err := p.element()
	if err != nil {
		return "", err
	}
	if t.kind == tokStart {
		return t.name, nil
	}
	if t.name != parent {
		return "", fmt.Errorf("found %s, want </%s>", t, parent)
	}
	return "", nil
}

// trailer checks that nothing but blanks, comments and processing
// instructions follow the root element.
func (p *parser) trailer() error {
	for {
		t, err := p.d.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t.kind {
		case tokText:
			if !isBlank(t.text) {
				return fmt.Errorf("text %q after the root element", clip(t.text))
			}
		case tokOther:
		default:
			return fmt.Errorf("%s after the root element", t)
		}
	}
}

// text reads character data up to the end of element name.
func (p *parser) text(name string) (string, error) {
	var buf []byte
	var s string
	n := 0
	for {
		t, err := p.token()
		if err != nil {
			return "", err
		}
		switch t.kind {
		case tokText:
			if n == 0 {
				s = string(t.text)
			} else {
				if n == 1 {
					buf = append(buf, s...)
				}
				buf = append(buf, t.text...)
			}
			n++
		case tokEnd:
			if t.name != name {
				return "", fmt.Errorf("found %s, want </%s>", t, name)
			}
			if n > 1 {
				return string(buf), nil
			}
			return s, nil
		default:
			return "", fmt.Errorf("unexpected %s inside <%s>", t, name)
		}
	}
}

// params reads <param><value>...</value></param>* up to </params>.
func (p *parser) params() ([]any, error) {
	params := []any{}
	for {
		se, err := p.startOrEnd("params")
		if err != nil {
			return nil, err
		}
		if se == "" {
			return params, nil
		}
		if se != "param" {
			return nil, fmt.Errorf("unexpected <%s>, want <param>", se)
		}
		if err := p.expectStart("value"); err != nil {
			return nil, fmt.Errorf("param %d: %w", len(params)+1, err)
		}
		v, err := p.value()
		if err != nil {
			return nil, fmt.Errorf("param %d: %w", len(params)+1, err)
		}
		if err := p.expectEnd("param"); err != nil {
			return nil, fmt.Errorf("param %d: %w", len(params)+1, err)
		}
		params = append(params, v)
	}
}

// value reads the content of a <value> element (its start already read) up
// to and including </value>.
func (p *parser) value() (any, error) {
	var text []byte
	var single string
	n := 0
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tokText:
			if n == 0 {
				single = string(t.text)
			} else {
				if n == 1 {
					text = append(text, single...)
				}
				text = append(text, t.text...)
			}
			n++
		case tokEnd:
			if t.name != "value" {
				return nil, fmt.Errorf("found %s, want </value>", t)
			}
			if n > 1 {
				return string(text), nil // untyped value: a string
			}
			return single, nil
		case tokStart:
			if n > 1 && !isBlank(text) || n == 1 && !isBlankString(single) {
				return nil, fmt.Errorf("text %q before <%s> in <value>", clip(append(text, single...)), t.name)
			}
			v, err := p.typed(t.name)
			if err != nil {
				return nil, err
			}
			if err := p.expectEnd("value"); err != nil {
				return nil, err
			}
			return v, nil
		}
	}
}

// typed reads a typed value whose start element name has been read, up to
// and including its end element.
func (p *parser) typed(name string) (any, error) {
	switch name {
	case "string":
		return p.text(name)
	case "array":
		return p.array()
	case "struct":
		return p.structure()
	case "int", "i4", "i8", "i2", "i1", "biginteger":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if !isDecimal(s) {
				return nil, fmt.Errorf("invalid <%s> %q", name, clip([]byte(s)))
			}
			return s, nil
		}
		return strconv.FormatInt(i, 10), nil
	case "boolean":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		switch strings.TrimSpace(s) {
		case "1", "true":
			return "1", nil
		case "0", "false":
			return "0", nil
		}
		return nil, fmt.Errorf("invalid <boolean> %q", clip([]byte(s)))
	case "double", "float", "bigdecimal":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		if _, err := strconv.ParseFloat(s, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("invalid <%s> %q", name, clip([]byte(s)))
		}
		return s, nil
	case "dateTime.iso8601":
		s, err := p.text(name)
		return strings.TrimSpace(s), err
	case "base64":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		b, err := base64.StdEncoding.DecodeString(stripSpace(s))
		if err != nil {
			return nil, fmt.Errorf("invalid <base64>: %w", err)
		}
		return string(b), nil
	case "nil":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		if !isBlank([]byte(s)) {
			return nil, fmt.Errorf("text %q inside <nil/>", clip([]byte(s)))
		}
		return "", nil
	}
	return nil, fmt.Errorf("unknown value type <%s>", name)
}

func (p *parser) enter(what string) error {
	p.depth++
	if p.depth > p.maxDepth {
		return fmt.Errorf("%s nested deeper than %d levels (the limit; depth %d reached)", what, p.maxDepth, p.depth)
	}
	return nil
}

// array reads <data><value/>*</data></array>.
func (p *parser) array() (any, error) {
	if err := p.enter("array"); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	se, err := p.startOrEnd("array")
	if err != nil {
		return nil, err
	}
	list := []any{}
	if se == "" {
		return list, nil // <array/>: tolerated
	}
	if se != "data" {
		return nil, fmt.Errorf("unexpected <%s> in <array>, want <data>", se)
	}
	for {
		se, err := p.startOrEnd("data")
		if err != nil {
			return nil, err
		}
		if se == "" {
			break
		}
		if se != "value" {
			return nil, fmt.Errorf("unexpected <%s> in <data>, want <value>", se)
		}
		v, err := p.value()
		if err != nil {
			return nil, fmt.Errorf("array item %d: %w", len(list)+1, err)
		}
		list = append(list, v)
	}
	if err := p.expectEnd("array"); err != nil {
		return nil, err
	}
	return list, nil
}

// structure reads <member><name/><value/></member>* up to </struct>.
func (p *parser) structure() (any, error) {
	if err := p.enter("struct"); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	m := map[string]any{}
	for {
		se, err := p.startOrEnd("struct")
		if err != nil {
			return nil, err
		}
		if se == "" {
			return m, nil
		}
		if se != "member" {
			return nil, fmt.Errorf("unexpected <%s> in <struct>, want <member>", se)
		}
		if err := p.expectStart("name"); err != nil {
			return nil, fmt.Errorf("struct member: %w", err)
		}
		name, err := p.text("name")
		if err != nil {
			return nil, fmt.Errorf("struct member name: %w", err)
		}
		if err := p.expectStart("value"); err != nil {
			return nil, fmt.Errorf("struct member %q: %w", name, err)
		}
		v, err := p.value()
		if err != nil {
			return nil, fmt.Errorf("struct member %q: %w", name, err)
		}
		if err := p.expectEnd("member"); err != nil {
			return nil, fmt.Errorf("struct member %q: %w", name, err)
		}
		m[name] = v
	}
}

// fault reads <value><struct>faultCode, faultString</struct></value></fault>.
func (p *parser) fault() (*Fault, error) {
	if err := p.expectStart("value"); err != nil {
		return nil, err
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd("fault"); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("fault value is %s, want a struct", typeName(v))
	}
	f := &Fault{}
	if s, ok := m["faultString"].(string); ok {
		f.Message = s
	}
	if s, ok := m["faultCode"].(string); ok {
		if c, err := strconv.Atoi(s); err == nil {
			f.Code = c
		}
	}
	return f, nil
}

// isDecimal reports whether s is an optionally signed decimal integer, which
// may be too large for int64 (<biginteger>, <i8> from some servers).
func isDecimal(s string) bool {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		return &latin1Reader{r: r}, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q", label)
}

// latin1Reader converts ISO-8859-1 bytes to UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
}

func (l *latin1Reader) Read(b []byte) (int, error) {
	if len(l.buf) == 0 {
		in := make([]byte, (len(b)+1)/2)
		n, err := l.r.Read(in)
		for _, c := range in[:n] {
			l.buf = utf8.AppendRune(l.buf, rune(c))
		}
		if n == 0 {
			return 0, err
		}
	}
	n := copy(b, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

func isBlankString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

// clip shortens text quoted in error messages.
func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "a struct"
	}
	return fmt.Sprintf("%T", v)
}
