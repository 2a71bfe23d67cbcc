package dal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/voagent/voagent/vo/votable"
)

// Result is a VOTable response read while it downloads. Read it with
// NextTable and NextBatch, as a votable.Decoder, then Close it. A service
// error found in the document (before or after a table) is returned by the
// call that reads it as an *Error wrapping ErrService; an OVERFLOW is
// reported by Truncation once the document is read.
type Result struct {
	resp *Response
	dec  *votable.Decoder
	// next table found while looking for the trailing status
	pending    *votable.Table
	pendingErr error
	hasPending bool
	rows       int64
	counted    bool
	stopAfter  int64 // StopAfter's limit (0: none)
	tableRows  int64 // rows of the current table read so far
	cut        bool  // rows past stopAfter were left unread
	err        error
	done       bool
	status     Status
}

// Stream sends req and returns its VOTable response as a Result; the caller
// must Close it. The call fails when the response is not a VOTable or when
// the service reports an error before the first table.
func (c *Client) Stream(ctx context.Context, req *Request) (*Result, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	r, err := NewResult(resp)
	if err != nil {
		return nil, err
	}
	// Read up to the first table so that a leading error is reported now.
	t, err := r.NextTable()
	if err != nil && err != io.EOF {
		r.Close()
		return nil, err
	}
	r.pending, r.pendingErr, r.hasPending = t, err, true
	return r, nil
}

// NewResult reads resp's body as a streamed VOTable. It takes ownership of
// resp (closing it on error and in Result.Close).
func NewResult(resp *Response) (*Result, error) {
	br, head, err := peek(resp.Body)
	if err != nil {
		resp.Close()
		return nil, err
	}
	if err := checkVOTableHead(resp, br, head); err != nil {
		resp.Close()
		return nil, err
	}
	return &Result{resp: resp, dec: votable.NewDecoder(br), counted: true}, nil
}

// Response returns the HTTP response the result is read from.
func (r *Result) Response() *Response { return r.resp }

// Resource returns the innermost RESOURCE holding the current table (see
// votable.Decoder.Resource).
func (r *Result) Resource() *votable.Resource { return r.dec.Resource() }

// Document returns the metadata read so far.
func (r *Result) Document() *votable.Document { return r.dec.Document() }

// NextTable advances to the next table and returns its metadata (io.EOF at
// the end of the document).
func (r *Result) NextTable() (*votable.Table, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.cut {
		return nil, io.EOF // the rest is not read
	}
	var t *votable.Table
	var err error
	if r.hasPending {
		t, err, r.hasPending = r.pending, r.pendingErr, false
		r.pending, r.pendingErr = nil, nil
	} else {
		t, err = r.dec.NextTable()
	}
	r.tableRows = 0
	if err != nil && err != io.EOF {
		return nil, r.failRead(err)
	}
	if serr := r.checkStatus(); serr != nil {
		return nil, serr
	}
	if err == io.EOF {
		r.done = true
	}
	return t, err
}

// NextBatch returns the next rows of the current table (io.EOF at its end);
// the columns are reused by the next call. At the end of the table, the
// status that may follow it is checked: an error comes back instead of
// io.EOF.
func (r *Result) NextBatch() ([]votable.Column, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.stopAfter > 0 {
		left := r.stopAfter - r.tableRows
		if left <= 0 {
			if !r.cut {
				// One more row tells a service that sent exactly the
				// rows asked for from one that would go on.
				r.dec.BatchRows = 1
				if cols, err := r.dec.NextBatch(); err == nil && len(cols) > 0 && cols[0].Len() > 0 {
					r.cut = true
				} else if err != nil && err != io.EOF {
					return nil, r.failRead(err)
				}
			}
			return nil, io.EOF
		}
		r.dec.BatchRows = int(min(left, int64(votable.DefaultBatchRows)))
	}
	cols, err := r.dec.NextBatch()
	if err == nil && len(cols) > 0 {
		r.tableRows += int64(cols[0].Len())
	}
	if err == nil {
		if len(cols) > 0 {
			r.rows += int64(cols[0].Len())
		} else {
			r.counted = false
		}
		return cols, nil
	}
	if err != io.EOF {
		return nil, r.failRead(err)
	}
	// Look past the table for a trailing QUERY_STATUS.
	if !r.hasPending {
		t, terr := r.dec.NextTable()
		if terr != nil && terr != io.EOF {
			return nil, r.failRead(terr)
		}
		r.pending, r.pendingErr, r.hasPending = t, terr, true
	}
	if serr := r.checkStatus(); serr != nil {
		return nil, serr
	}
	return nil, io.EOF
}

// Status returns the DALI status read so far.
func (r *Result) Status() Status { return r.status }

// Rows returns the number of rows read so far.
func (r *Result) Rows() int64 { return r.rows }

// StopAfter makes each table of the result end after n rows (n <= 0: no
// limit): for a service that ignores MAXREC and would answer without end,
// what is past them is not read, and Truncation reports the result as
// truncated, as an OVERFLOW status would. Call it before reading rows.
func (r *Result) StopAfter(n int64) { r.stopAfter = n }

// Truncation reports an OVERFLOW seen so far (complete once the document
// has been read to its end), or a stop after the rows StopAfter allowed,
// or nil.
func (r *Result) Truncation() *Truncation {
	if r.cut {
		return &Truncation{Rows: r.rows, MaxRec: r.stopAfter, ByCaller: true}
	}
	if r.status.Value != StatusOverflow {
		return nil
	}
	rows := r.rows
	if !r.counted {
		rows = -1
	}
	return newTruncation(rows, r.resp.Req.HasMaxRec, r.resp.Req.MaxRec)
}

// Close stops decoding and closes the response.
func (r *Result) Close() error {
	r.dec.Close()
	return r.resp.Close()
}

// checkStatus updates the status from the metadata read so far and returns
// the service's error, if it reported one.
func (r *Result) checkStatus() error {
	r.status = StatusOf(r.dec.Document())
	if r.status.Value == StatusError {
		e := r.resp.fail(r.resp.StatusCode, ErrService)
		e.Message = r.status.Message
		r.err = e
		return e
	}
	return nil
}

// failRead explains a decoding error: a failure of the download itself when
// there was one, else an invalid document. An error status already read
// takes precedence (a service may break off the table to report it).
func (r *Result) failRead(err error) error {
	if serr := r.checkStatus(); serr != nil {
		return serr
	}
	r.err = explainRead(r.resp, err)
	return r.err
}

// explainRead turns a decoding error into an *Error: the failure of the
// download when there was one (the decoder may not pass it on), a
// truncation when the document ended early, else an invalid document.
func explainRead(resp *Response, err error) *Error {
	var e *Error
	if gb, ok := resp.Body.(*guardedBody); ok && gb.err != nil && errors.As(gb.err, &e) {
		return e
	}
	if errors.As(err, &e) {
		return e
	}
	if gb, ok := resp.Body.(*guardedBody); ok && gb.eof && endedEarly(err) {
		return resp.fail(resp.StatusCode, fmt.Errorf("%w: the document ends early: %w", ErrTruncated, err))
	}
	return resp.fail(resp.StatusCode, kindErr(ErrInvalid, err))
}

// endedEarly recognises the decoder's errors for a document cut short.
func endedEarly(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "document ends") || strings.Contains(s, "unexpected EOF")
}

// ReadAll reads the rest of the result into memory: every remaining table
// with its rows in Columns. It returns the whole document.
func (r *Result) ReadAll(ctx context.Context) (*votable.Document, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, r.resp.fail(0, fmt.Errorf("reading the result: %w", err))
		}
		t, err := r.NextTable()
		if err == io.EOF {
			return r.Document(), nil
		}
		if err != nil {
			return nil, err
		}
		cols := make([]votable.Column, len(t.Fields))
		for i, f := range t.Fields {
			if cols[i], err = votable.NewColumn(f); err != nil {
				return nil, r.resp.fail(0, kindErr(ErrInvalid, err))
			}
		}
		for {
			batch, err := r.NextBatch()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if err := votable.AppendColumns(cols, batch); err != nil {
				return nil, r.resp.fail(0, kindErr(ErrInvalid, err))
			}
		}
		t.Columns = cols
	}
}

// Fetch sends req and reads the whole VOTable response into memory. The
// truncation is nil unless the service reported an OVERFLOW.
func (c *Client) Fetch(ctx context.Context, req *Request) (*votable.Document, *Truncation, error) {
	r, err := c.Stream(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	doc, err := r.ReadAll(ctx)
	if err != nil {
		return nil, nil, err
	}
	return doc, r.Truncation(), nil
}
