package dal

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"mime"
	"strings"

	"github.com/voagent/voagent/internal/lazyre"
	"github.com/voagent/voagent/vo/votable"
)

// kindOfBody is what the first bytes of a response look like.
type kindOfBody int

const (
	bodyEmpty kindOfBody = iota
	bodyXML
	bodyHTML
	bodyText
)

// sniff classifies a response from its Content-Type and first bytes.
func sniff(contentType string, head []byte) kindOfBody {
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(head) == 0 {
		return bodyEmpty
	}
	lower := bytes.ToLower(head[:min(len(head), 512)])
	if bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		(bytes.HasPrefix(lower, []byte("<?xml")) && bytes.Contains(lower, []byte("<html"))) {
		return bodyHTML
	}
	if head[0] == '<' {
		return bodyXML
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "text/html" || mt == "application/xhtml+xml" {
		return bodyHTML
	}
	return bodyText
}

// The expressions of textOf, compiled on first use (not at every start of
// the program).
var (
	reTitle = lazyre.New(`(?is)<title[^>]*>(.*?)</title>`)
	reDrop  = lazyre.New(`(?is)<(script|style|head)[^>]*>.*?</(script|style|head)>`)
	reTag   = lazyre.New(`(?s)<[^>]*>`)
	reSpace = lazyre.New(`\s+`)
)

// textOf condenses an HTML or text body to a one-line message.
func textOf(b []byte, isHTML bool) string {
	s := string(b)
	if isHTML {
		title := ""
		if m := reTitle().FindStringSubmatch(s); m != nil {
			title = strings.TrimSpace(html.UnescapeString(reTag().ReplaceAllString(m[1], "")))
		}
		s = reDrop().ReplaceAllString(s, " ")
		s = html.UnescapeString(reTag().ReplaceAllString(s, " "))
		s = strings.TrimSpace(reSpace().ReplaceAllString(s, " "))
		if title != "" && !strings.HasPrefix(s, title) {
			s = title + ": " + s
		}
	} else {
		s = strings.TrimSpace(reSpace().ReplaceAllString(s, " "))
	}
	const max = 500
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xc0 == 0x80 { // keep UTF-8 whole
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// errorFromBody explains an HTTP error response from its body: the DALI
// error message of a VOTable, the text of a text or HTML page.
func errorFromBody(resp *Response) *Error {
	e := &Error{Op: resp.Req.op(), URL: resp.Req.URL, StatusCode: resp.StatusCode,
		Err: fmt.Errorf("%w: HTTP %d", ErrHTTPStatus, resp.StatusCode)}
	msg, dali := messageOf(resp)
	if dali {
		e.Err = fmt.Errorf("%w: HTTP %d", ErrService, resp.StatusCode)
	}
	e.Message = msg
	return e
}

// ErrorMessage reads a (small) response that explains an error, such as a
// UWS job's error document, and returns its message: the DALI error of a
// VOTable, or the condensed text of a text or HTML body.
func ErrorMessage(resp *Response) string {
	msg, _ := messageOf(resp)
	return msg
}

// messageOf reads up to errorBodyLimit bytes of the body and returns the
// message they hold, and whether it came from a DALI error document.
func messageOf(resp *Response) (string, bool) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
	if err != nil && len(b) == 0 {
		return "", false
	}
	switch sniff(resp.Header.Get("Content-Type"), b) {
	case bodyXML:
		if doc, err := votable.Read(bytes.NewReader(b)); err == nil {
			if st := StatusOf(doc); st.Value == StatusError {
				return st.Message, true
			}
		}
		return textOf(b, true), false
	case bodyHTML:
		return textOf(b, true), false
	case bodyText:
		return textOf(b, false), false
	}
	return "", false
}

// peek returns a buffered reader over the body and its first bytes.
func peek(body io.Reader) (*bufio.Reader, []byte, error) {
	br := bufio.NewReaderSize(body, 64<<10)
	head, err := br.Peek(1024)
	if err == io.EOF || err == bufio.ErrBufferFull {
		err = nil
	}
	return br, head, err
}

// checkVOTableHead fails a response that is not a VOTable (HTML, text,
// nothing), reading the rest of a short one for its message.
func checkVOTableHead(resp *Response, br *bufio.Reader, head []byte) error {
	k := sniff(resp.Header.Get("Content-Type"), head)
	if k == bodyXML {
		return nil
	}
	e := resp.fail(resp.StatusCode, ErrNotVOTable)
	switch k {
	case bodyEmpty:
		e.Err = fmt.Errorf("%w: empty response", ErrNotVOTable)
	default:
		b, _ := io.ReadAll(io.LimitReader(br, errorBodyLimit))
		e.Err = fmt.Errorf("%w (Content-Type %q)", ErrNotVOTable, resp.Header.Get("Content-Type"))
		e.Message = textOf(b, k == bodyHTML)
	}
	return e
}
