package dal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/voagent/voagent/internal/xmlguard"
)

// Copy sends req and copies the raw response to w: the service's bytes,
// unchanged, so that nothing of the document (PARAMs, INFOs, GROUPs,
// MIVOT ...) is lost. When the response is a VOTable, Copy watches the stream
// for the DALI status (before or after the table) and for a document that
// ends early, and returns an *Error (after having written what it received)
// when the service reported an error (nothing is written for an error
// reported before the table). With wantVOTable, a response that is
// not a VOTable fails before anything is written; without it (CSV, TSV) a
// non-XML response is copied as it is, but an HTML page or a VOTable error
// document still fails. It returns the number of bytes written.
func (c *Client) Copy(ctx context.Context, req *Request, w io.Writer, wantVOTable bool) (int64, *Truncation, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Close()
	br, head, err := peek(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	kind := sniff(resp.Header.Get("Content-Type"), head)
	if wantVOTable || kind == bodyHTML {
		if err := checkVOTableHead(resp, br, head); err != nil {
			return 0, nil, err
		}
	}
	if kind != bodyXML {
		n, err := io.Copy(w, br)
		if err != nil {
			return n, nil, copyErr(resp, err)
		}
		return n, nil, nil
	}
	// A DALI error before the table comes in a small document: look at the
	// head first, so that nothing is written for it.
	if head, _ := br.Peek(br.Size()); len(head) > 0 {
		var st Status
		scanElements(head, 0, &st)
		if st.Value == StatusError {
			e := resp.fail(resp.StatusCode, ErrService)
			e.Message = st.Message
			return 0, nil, e
		}
	}
	n, st, complete, err := copyScan(w, br)
	if err != nil {
		return n, nil, copyErr(resp, err)
	}
	if st.Value == StatusError {
		e := resp.fail(resp.StatusCode, ErrService)
		e.Message = st.Message
		return n, nil, e
	}
	if !complete {
		return n, nil, resp.fail(resp.StatusCode, fmt.Errorf("%w: the document ends before </VOTABLE> after %d bytes", ErrTruncated, n))
	}
	var tr *Truncation
	if st.Value == StatusOverflow {
		tr = newTruncation(-1, req.HasMaxRec, req.MaxRec)
	}
	return n, tr, nil
}

// writeError is a failure of the destination, not of the service.
type writeError struct{ err error }

func (e writeError) Error() string { return "writing the result: " + e.err.Error() }
func (e writeError) Unwrap() error { return e.err }

func copyErr(resp *Response, err error) error {
	if _, ok := err.(writeError); ok {
		return fmt.Errorf("%s at %s: %w", resp.Req.op(), resp.Req.URL, err)
	}
	return resp.fail(resp.StatusCode, err)
}

const (
	scanBuf     = 1 << 20
	scanContext = 64   // bytes kept before the unscanned part, to see a "<prefix:"
	scanTail    = 4096 // bytes kept to check the end of the document
)

// copyScan copies src to w and collects the status INFO/PARAM elements of
// the VOTable going through. It relies on "<INFO" and "<PARAM" never
// appearing inside table data (TABLEDATA escapes '<', BINARY is base64).
func copyScan(w io.Writer, src *bufio.Reader) (n int64, st Status, complete bool, err error) {
	buf := make([]byte, scanBuf)
	keep, from := 0, 0 // buf[:keep] already written; scan resumes at from
	for {
		m, rerr := src.Read(buf[keep:])
		if m > 0 {
			if _, werr := w.Write(buf[keep : keep+m]); werr != nil {
				return n, st, false, writeError{werr}
			}
			n += int64(m)
		}
		end := keep + m
		from = scanElements(buf[:end], from, &st)
		if rerr == io.EOF {
			return n, st, endsDocument(buf[:end]), nil
		}
		if rerr != nil {
			return n, st, false, rerr
		}
		// Keep the tail, and the unfinished element unless it is overlong.
		if from < end-scanBuf/2 {
			from = end - scanContext
		}
		start := min(max(end-scanTail, 0), max(from-scanContext, 0))
		copy(buf, buf[start:end])
		keep, from = end-start, max(from-start, 0)
	}
}

// scanElements looks for INFO and PARAM elements in b from index from on,
// merges the status they carry into st, and returns where the next scan
// must start (the start of an element not complete in b, or near the end).
func scanElements(b []byte, from int, st *Status) int {
	for {
		hi := indexFrom(b, from, "INFO")
		hp := indexFrom(b, from, "PARAM")
		h, name := hi, "INFO"
		if h < 0 || (hp >= 0 && hp < h) {
			h, name = hp, "PARAM"
		}
		if h < 0 {
			return max(from, len(b)-len("PARAM"))
		}
		start, closing, ok := tagAt(b, h)
		ok = ok && !closing
		after := h + len(name)
		if !ok || after >= len(b) || !isTagEnd(b[after]) {
			if ok && after >= len(b) {
				return start
			}
			from = after
			continue
		}
		stop := elementEnd(b, after, name)
		if stop < 0 {
			return start
		}
		statusOfElement(b[start:stop], name, st)
		from = stop
	}
}

func indexFrom(b []byte, from int, s string) int {
	if from >= len(b) {
		return -1
	}
	i := bytes.Index(b[from:], []byte(s))
	if i < 0 {
		return -1
	}
	return from + i
}

// tagAt finds the '<' of the tag whose local name starts at h ("<NAME",
// "</NAME", "<prefix:NAME", "</prefix:NAME") and whether it is a closing tag.
func tagAt(b []byte, h int) (lt int, closing, ok bool) {
	i := h - 1
	if i >= 0 && b[i] == ':' {
		j := i - 1
		for j >= 0 && i-j < scanContext && isNameByte(b[j]) {
			j--
		}
		if j == i-1 {
			return 0, false, false
		}
		i = j
	}
	if i >= 0 && b[i] == '/' {
		closing = true
		i--
	}
	if i < 0 || b[i] != '<' {
		return 0, false, false
	}
	return i, closing, true
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func isTagEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>'
}

// elementEnd returns the index just past the element whose name ends at
// after, or -1 when it does not end within b.
func elementEnd(b []byte, after int, name string) int {
	gt := bytes.IndexByte(b[after:], '>')
	if gt < 0 {
		return -1
	}
	gt += after
	if b[gt-1] == '/' {
		return gt + 1
	}
	closing := indexFrom(b, gt, name+">")
	for closing >= 0 {
		// "</INFO>" or "</prefix:INFO>"
		if _, isClose, ok := tagAt(b, closing); ok && isClose {
			return closing + len(name) + 1
		}
		closing = indexFrom(b, closing+1, name+">")
	}
	return -1
}

// statusOfElement merges the status an INFO or PARAM element carries.
func statusOfElement(el []byte, name string, st *Status) {
	var e struct {
		Name        string `xml:"name,attr"`
		Value       string `xml:"value,attr"`
		Content     string `xml:",chardata"`
		Description string `xml:"DESCRIPTION"`
	}
	if xmlguard.Check(el) != nil || xml.Unmarshal(el, &e) != nil {
		return
	}
	switch {
	case name == "INFO" && strings.EqualFold(e.Name, "QUERY_STATUS"):
		st.merge(queryStatus(e.Value, e.Content))
	case e.Name == "Error": // SCS 1.03
		st.merge(Status{Value: StatusError, Message: message(e.Value, e.Content, e.Description)})
	}
}

// endsDocument reports whether b ends with a closing VOTABLE tag, possibly
// followed by white space and comments.
func endsDocument(b []byte) bool {
	rest := bytes.TrimSpace(b)
	if bytes.HasSuffix(rest, []byte("/>")) { // <VOTABLE .../>, nothing inside
		if i := bytes.LastIndex(rest, []byte("VOTABLE")); i >= 0 {
			if _, closing, ok := tagAt(rest, i); ok && !closing && bytes.IndexByte(rest[i:], '>') == len(rest)-i-1 {
				return true
			}
		}
	}
	i := bytes.LastIndex(b, []byte("VOTABLE>"))
	if i < 0 {
		return false
	}
	if _, closing, ok := tagAt(b, i); !ok || !closing {
		return false
	}
	rest = bytes.TrimSpace(b[i+len("VOTABLE>"):])
	for len(rest) > 0 {
		if !bytes.HasPrefix(rest, []byte("<!--")) {
			return false
		}
		e := bytes.Index(rest, []byte("-->"))
		if e < 0 {
			return false
		}
		rest = bytes.TrimSpace(rest[e+3:])
	}
	return true
}
