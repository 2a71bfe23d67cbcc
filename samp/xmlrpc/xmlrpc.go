// Package xmlrpc is the XML-RPC codec, server and client of the SAMP Standard
// Profile.
//
// SAMP values are only strings, lists and maps, so in this package a value is
// one of string, []any and map[string]any. Decoding is strict about the
// XML-RPC structure (methodCall, params, value, array, struct...) and tolerant
// of the scalar types that real peers send: <int>, <i4>, <i8>, <double>,
// <boolean>, <dateTime.iso8601>, <base64> and <nil/> become SAMP strings
// (booleans become "1" or "0", as SAMP booleans are written). Every decoder
// takes a size limit and bounds the nesting depth.
//
// Encoding accepts the SAMP types plus a few Go conveniences ([]string,
// map[string]string, integers, float64 and bool, written as SAMP strings) and
// always writes <string>, <array> and <struct>, the only types SAMP allows.
package xmlrpc

import (
	"errors"
	"fmt"
)

// Fault codes used by this package. The values follow the widely used
// "specification for fault code interoperability" of XML-RPC servers.
const (
	// CodeParseError: the request is not well-formed XML.
	CodeParseError = -32700
	// CodeInvalidRequest: the request is XML but not a valid XML-RPC call
	// (or too big, or not a POST).
	CodeInvalidRequest = -32600
	// CodeMethodNotFound: the method is unknown to the server.
	CodeMethodNotFound = -32601
	// CodeInvalidParams: wrong number or types of parameters.
	CodeInvalidParams = -32602
	// CodeInternalError: the server failed (for instance a recovered panic).
	CodeInternalError = -32603
	// CodeApplicationError: the method ran and failed; the default code for a
	// handler error that does not carry its own.
	CodeApplicationError = -32500
)

// DefaultMaxDepth bounds the nesting of arrays and structs in decoded values.
const DefaultMaxDepth = 64

// Fault is an XML-RPC fault: the error a server returns for a failed call.
// A HandlerFunc returns a *Fault (possibly wrapped) to choose the code sent;
// Client.Call and DecodeResponse return a *Fault when the server sent one.
type Fault struct {
	Code    int
	Message string
}

// Error implements error.
func (f *Fault) Error() string {
	return fmt.Sprintf("xmlrpc fault %d: %s", f.Code, f.Message)
}

// Faultf returns a *Fault with the given code and a formatted message.
func Faultf(code int, format string, args ...any) *Fault {
	return &Fault{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsFault returns the *Fault inside err, or a fault with CodeApplicationError
// and err's text when err carries none.
func AsFault(err error) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	return &Fault{Code: CodeApplicationError, Message: err.Error()}
}

// ErrTooLarge is wrapped by decoding errors when the input exceeds the limit.
var ErrTooLarge = errors.New("xmlrpc: message exceeds size limit")
