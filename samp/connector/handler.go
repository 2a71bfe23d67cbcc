package connector

import (
	"context"
	"errors"
	"strings"

	"github.com/voagent/voagent/samp/connection"
)

// Request is a message received from another client.
type Request struct {
	// SenderID is the public id of the sender.
	SenderID string
	// Sender is what the connector knows of the sender (metadata and
	// subscriptions; possibly empty for a client that just registered).
	Sender Client
	// MsgID is the hub's message id for a call, "" for a notification.
	MsgID string
	// Message is the MType and parameters.
	Message connection.Message
}

// IsCall reports whether the sender expects a response.
func (r *Request) IsCall() bool { return r.MsgID != "" }

// Handler processes received messages of the MTypes it is registered for.
// For a call, the returned result is sent back as samp.ok; a non-nil error
// sends samp.error with the error text (samp.warning with the result when the
// error comes from Warning; details from an *Error). A panic is recovered and
// also answered with samp.error. For a notification the result is dropped.
type Handler interface {
	ServeSAMP(ctx context.Context, req *Request) (map[string]any, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req *Request) (map[string]any, error)

// ServeSAMP calls f.
func (f HandlerFunc) ServeSAMP(ctx context.Context, req *Request) (map[string]any, error) {
	return f(ctx, req)
}

// Error is a handler error with the optional parts of a samp.error map.
type Error struct {
	Text      string // samp.errortxt
	UserText  string // samp.usertxt
	DebugText string // samp.debugtxt
	Code      string // samp.code
}

// Error implements error.
func (e *Error) Error() string { return e.Text }

type warning struct{ err error }

func (w warning) Error() string { return w.err.Error() }
func (w warning) Unwrap() error { return w.err }

// Warning marks err so that a handler's call is answered with samp.warning,
// keeping the result: the call partly succeeded.
func Warning(err error) error {
	if err == nil {
		return nil
	}
	return warning{err}
}

// responseFor builds the reply to a call from a handler's outcome.
func responseFor(result map[string]any, err error) connection.Response {
	if err == nil {
		return connection.OK(result)
	}
	info := &connection.ErrInfo{ErrorTxt: err.Error()}
	var e *Error
	if errors.As(err, &e) {
		info = &connection.ErrInfo{ErrorTxt: e.Text, UserTxt: e.UserText, DebugTxt: e.DebugText, Code: e.Code}
		if info.ErrorTxt == "" {
			info.ErrorTxt = err.Error()
		}
	}
	var w warning
	if errors.As(err, &w) {
		if result == nil {
			result = map[string]any{}
		}
		return connection.Response{Status: connection.StatusWarning, Result: result, Error: info}
	}
	return connection.Response{Status: connection.StatusError, Result: map[string]any{}, Error: info}
}

// Client is another client registered with the hub, as tracked from the
// samp.hub.event.* messages.
type Client struct {
	ID            string
	Metadata      map[string]any
	Subscriptions map[string]any
}

// Name returns the client's samp.name ("" when unknown).
func (c Client) Name() string {
	s, _ := c.Metadata["samp.name"].(string)
	return s
}

// Subscribed reports whether the client is subscribed to mtype.
func (c Client) Subscribed(mtype string) bool {
	for p := range c.Subscriptions {
		if connection.MatchMType(p, mtype) {
			return true
		}
	}
	return false
}

// handlerFor picks the handler for mtype: an exact registration first, then
// the longest matching wildcard pattern.
func handlerFor(handlers map[string]Handler, mtype string) Handler {
	if h, ok := handlers[mtype]; ok {
		return h
	}
	var best Handler
	bestLen := -1
	for p, h := range handlers {
		if connection.MatchMType(p, mtype) && len(p) > bestLen {
			best, bestLen = h, len(p)
		}
	}
	return best
}

func sameName(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) }
