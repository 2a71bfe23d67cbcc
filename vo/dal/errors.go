package dal

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The kinds of failure an *Error wraps; test them with errors.Is.
var (
	// ErrService: the service reported an error itself (DALI QUERY_STATUS=ERROR,
	// an SCS "Error" INFO or PARAM).
	ErrService = errors.New("service reported an error")
	// ErrHTTPStatus: an HTTP status of 400 or more without a DALI error document.
	ErrHTTPStatus = errors.New("HTTP error status")
	// ErrNotVOTable: the response is not a VOTable (HTML, plain text ...).
	ErrNotVOTable = errors.New("response is not a VOTable")
	// ErrInvalid: the response claims to be a VOTable but cannot be read.
	ErrInvalid = errors.New("invalid VOTable")
	// ErrTooLarge: the response exceeds the size limit.
	ErrTooLarge = errors.New("response exceeds the size limit")
	// ErrTimeout: the total timeout passed or the service stayed silent longer
	// than the idle timeout.
	ErrTimeout = errors.New("timeout")
	// ErrTruncated: the response ended before the document did.
	ErrTruncated = errors.New("response truncated")
)

// Error is a failed call to a VO service.
type Error struct {
	// Op says what was being done, e.g. "TAP sync query".
	Op string
	// URL is the service URL called.
	URL string
	// StatusCode is the HTTP status, 0 when none was received.
	StatusCode int
	// Message is the service's own explanation, when it gave one.
	Message string
	// RetryAfter is the delay the service asked for (HTTP 429/503), if any.
	RetryAfter time.Duration
	// Err is the kind of failure (one of the Err* sentinels), possibly
	// joined with its cause.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.URL != "" {
		b.WriteString(" at ")
		b.WriteString(e.URL)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("failed")
	}
	if e.StatusCode != 0 && !strings.Contains(b.String(), "HTTP "+strconv.Itoa(e.StatusCode)) {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (Retry-After %s)", e.RetryAfter)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the kind and cause of the failure.
func (e *Error) Unwrap() error { return e.Err }

// kindErr joins a sentinel kind with its cause.
func kindErr(kind, cause error) error {
	if cause == nil || errors.Is(cause, kind) {
		if cause == nil {
			return kind
		}
		return cause
	}
	return fmt.Errorf("%w: %w", kind, cause)
}

// ServiceMessage returns the service's own message carried by err (an *Error
// anywhere in its chain), or "".
func ServiceMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// Truncation reports a result the service cut short (DALI OVERFLOW). It is
// not an error: the rows delivered are valid.
type Truncation struct {
	// Rows is the number of rows delivered (-1 when not counted).
	Rows int64
	// MaxRec is the MAXREC the caller sent, -1 when none was sent.
	MaxRec int64
	// ByCaller is true when the result stopped at the caller's own MAXREC;
	// false when the service applied a limit of its own (a default or hard
	// limit), which usually means the caller should raise MAXREC or split the
	// query. When the rows were not counted (Rows -1), the two cannot be told
	// apart and ByCaller is true only for MAXREC=0.
	ByCaller bool
}

func (t *Truncation) String() string {
	if t == nil {
		return "complete"
	}
	rows := "some"
	if t.Rows >= 0 {
		rows = strconv.FormatInt(t.Rows, 10)
	}
	switch {
	case t.ByCaller:
		return fmt.Sprintf("truncated at the requested MAXREC=%d (%s rows)", t.MaxRec, rows)
	case t.Rows < 0 && t.MaxRec > 0:
		return fmt.Sprintf("truncated (OVERFLOW) at the requested MAXREC=%d or at a lower limit of the service", t.MaxRec)
	}
	return fmt.Sprintf("truncated by the service's own limit after %s rows; raise MAXREC or split the query", rows)
}

func newTruncation(rows int64, hasMaxRec bool, maxRec int64) *Truncation {
	t := &Truncation{Rows: rows, MaxRec: -1}
	if hasMaxRec {
		t.MaxRec = maxRec
		// The caller's own limit when the service delivered exactly that many
		// rows; uncounted rows (a raw copy) are attributed only to MAXREC=0.
		t.ByCaller = rows >= maxRec || maxRec == 0
	}
	return t
}
