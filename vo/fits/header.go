package fits

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// BlockSize is the size of a FITS logical record: headers and data are
// padded to a multiple of it.
const BlockSize = 2880

const cardSize = 80

// maxHeaderCards bounds one header (about 8 MB of cards).
const maxHeaderCards = 100_000

// Card is one header keyword record.
type Card struct {
	// Key is the keyword (upper case, without trailing blanks).
	Key string
	// Value is the parsed value: nil (no value or undefined), bool, int64,
	// float64 or string. An integer too large for int64 is a float64.
	Value any
	// Raw is the value field as written (a string without its quotes and
	// with '' undone; other values trimmed).
	Raw string
	// Comment is the text after the value's '/' (or the whole text of a
	// commentary card such as COMMENT or HISTORY).
	Comment string
}

// Header is the list of cards of one HDU, without END.
type Header struct {
	Cards []Card
}

// Get returns the first card with keyword key.
func (h *Header) Get(key string) (Card, bool) {
	for _, c := range h.Cards {
		if c.Key == key {
			return c, true
		}
	}
	return Card{}, false
}

// String returns the string value of key, "" when absent or not a string.
func (h *Header) String(key string) string {
	c, _ := h.Get(key)
	s, _ := c.Value.(string)
	return s
}

// Int returns the integer value of key; ok is false when it is absent. A
// value that is not an integer is an error naming the card.
func (h *Header) Int(key string) (v int64, ok bool, err error) {
	c, found := h.Get(key)
	if !found {
		return 0, false, nil
	}
	i, isInt := c.Value.(int64)
	if !isInt {
		return 0, false, fmt.Errorf("card %s = %q is not an integer", key, c.Raw)
	}
	return i, true, nil
}

// Float returns the numeric value of key (integer or real); ok is false
// when it is absent.
func (h *Header) Float(key string) (v float64, ok bool, err error) {
	c, found := h.Get(key)
	if !found {
		return 0, false, nil
	}
	switch x := c.Value.(type) {
	case int64:
		return float64(x), true, nil
	case float64:
		return x, true, nil
	}
	return 0, false, fmt.Errorf("card %s = %q is not a number", key, c.Raw)
}

// mustInt is Int for a mandatory keyword.
func (h *Header) mustInt(key string) (int64, error) {
	v, ok, err := h.Int(key)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("mandatory card %s is missing", key)
	}
	return v, nil
}

// readHeader reads cards up to END and the rest of END's block. It returns
// the header and the number of bytes read.
func readHeader(r io.Reader) (*Header, int64, error) {
	h := &Header{}
	block := make([]byte, BlockSize)
	var n int64
	for {
		if _, err := io.ReadFull(r, block); err != nil {
			if err == io.EOF && n > 0 {
				err = io.ErrUnexpectedEOF
			}
			if err == io.ErrUnexpectedEOF {
				return nil, n, fmt.Errorf("header ends before its END card (after %d cards): %w", len(h.Cards), err)
			}
			return nil, n, err
		}
		n += BlockSize
		for i := 0; i < BlockSize; i += cardSize {
			card := block[i : i+cardSize]
			c, end, err := parseCard(card)
			if err != nil {
				return nil, n, fmt.Errorf("header card %d: %w", len(h.Cards)+1, err)
			}
			if end {
				return h, n, nil
			}
			if c.Key == "CONTINUE" && len(h.Cards) > 0 {
				if prev := &h.Cards[len(h.Cards)-1]; continues(prev) {
					appendContinue(prev, card)
					continue
				}
			}
			if len(h.Cards) >= maxHeaderCards {
				return nil, n, fmt.Errorf("header has more than %d cards", maxHeaderCards)
			}
			h.Cards = append(h.Cards, c)
		}
	}
}

// continues reports whether a string card ends with the '&' of the long
// string convention.
func continues(c *Card) bool {
	s, ok := c.Value.(string)
	return ok && strings.HasSuffix(s, "&")
}

// appendContinue adds the string of a CONTINUE card to prev.
func appendContinue(prev *Card, card []byte) {
	field := strings.TrimLeft(string(card[8:]), " ")
	if !strings.HasPrefix(field, "'") {
		return
	}
	s, rest, ok := parseString(field)
	if !ok {
		return
	}
	v := strings.TrimSuffix(prev.Value.(string), "&") + s
	prev.Value, prev.Raw = v, v
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		prev.Comment += strings.TrimSpace(rest[i+1:])
	}
}

// parseCard parses one 80-byte card; end is true for the END card.
func parseCard(card []byte) (c Card, end bool, err error) {
	for _, b := range card {
		if b < 0x20 || b > 0x7e {
			return c, false, fmt.Errorf("byte 0x%02x is not printable ASCII (%q)", b, printable(card))
		}
	}
	key := strings.TrimRight(string(card[:8]), " ")
	for _, r := range key {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return c, false, fmt.Errorf("keyword %q has a character other than A-Z, 0-9, - and _", key)
		}
	}
	if strings.Contains(key, " ") {
		return c, false, fmt.Errorf("keyword %q has an embedded blank", key)
	}
	c.Key = key
	if key == "END" {
		return c, true, nil
	}
	if string(card[8:10]) != "= " {
		c.Comment = strings.TrimRight(string(card[8:]), " ")
		return c, false, nil
	}
	field := strings.TrimLeft(string(card[10:]), " ")
	if strings.HasPrefix(field, "'") {
		s, rest, ok := parseString(field)
		if !ok {
			return c, false, fmt.Errorf("card %s: string value without its closing quote", key)
		}
		c.Value, c.Raw = s, s
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			c.Comment = strings.TrimSpace(rest[i+1:])
		} else if strings.TrimSpace(rest) != "" {
			return c, false, fmt.Errorf("card %s: text %q after the string value", key, strings.TrimSpace(rest))
		}
		return c, false, nil
	}
	tok := field
	if i := strings.IndexByte(field, '/'); i >= 0 {
		tok, c.Comment = field[:i], strings.TrimSpace(field[i+1:])
	}
	tok = strings.TrimSpace(tok)
	c.Raw = tok
	switch {
	case tok == "":
		c.Value = nil
	case tok == "T":
		c.Value = true
	case tok == "F":
		c.Value = false
	case strings.HasPrefix(tok, "("):
		c.Value = tok // a complex value, kept as written
	default:
		if i, err := strconv.ParseInt(strings.TrimPrefix(tok, "+"), 10, 64); err == nil {
			c.Value = i
			break
		}
		f, err := strconv.ParseFloat(strings.NewReplacer("D", "E", "d", "e").Replace(tok), 64)
		if err != nil {
			return c, false, fmt.Errorf("card %s: value %q is not a string, logical or number", key, tok)
		}
		c.Value = f
	}
	return c, false, nil
}

// parseString parses a quoted FITS string at the start of s; it returns
// the value (trailing blanks removed) and what follows the closing quote.
func parseString(s string) (val, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return strings.TrimRight(b.String(), " "), s[i+1:], true
	}
	return "", "", false
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}
