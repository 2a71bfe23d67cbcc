package xmlrpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
)

// HandlerFunc serves one XML-RPC call. The result must be a value that the
// encoder accepts (see the package documentation); an error becomes a fault,
// with the code of a *Fault in its chain or CodeApplicationError.
type HandlerFunc func(ctx context.Context, method string, params []any) (any, error)

// DefaultMaxBody is the default limit on the size of a request body.
const DefaultMaxBody = 8 << 20

// ServerOption configures NewServer.
type ServerOption func(*server)

// WithMaxBody sets the largest request body accepted, in bytes.
func WithMaxBody(n int64) ServerOption { return func(s *server) { s.maxBody = n } }

// WithLogger sets the logger of the server (by default, nothing is logged).
func WithLogger(l *slog.Logger) ServerOption { return func(s *server) { s.log = l } }

// NewServer returns an http.Handler that decodes XML-RPC calls, passes them
// to h with the request's context and writes the result or a fault. It
// accepts only POST, bounds the body size and turns a panic in h into an
// internal-error fault.
func NewServer(h HandlerFunc, opts ...ServerOption) http.Handler {
	s := &server{h: h, maxBody: DefaultMaxBody, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	return s
}

type server struct {
	h       HandlerFunc
	maxBody int64
	log     *slog.Logger
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "XML-RPC server: POST only", http.StatusMethodNotAllowed)
		return
	}
	method, params, err := DecodeCall(r.Body, s.maxBody)
	if err != nil {
		code := CodeParseError
		if errors.Is(err, ErrTooLarge) {
			code = CodeInvalidRequest
		}
		s.log.Debug("bad XML-RPC request", "remote", r.RemoteAddr, "err", err)
		s.write(w, nil, &Fault{Code: code, Message: err.Error()})
		return
	}
	result, err := s.call(r.Context(), method, params)
	if err != nil {
		s.write(w, nil, AsFault(err))
		return
	}
	s.write(w, result, nil)
}

// call runs the handler, turning a panic into a fault.
func (s *server) call(ctx context.Context, method string, params []any) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in XML-RPC handler", "method", method, "panic", p)
			result, err = nil, Faultf(CodeInternalError, "internal error in %s: %v", method, p)
		}
	}()
	return s.h(ctx, method, params)
}

func (s *server) write(w http.ResponseWriter, result any, f *Fault) {
	var buf bytes.Buffer
	var err error
	if f == nil {
		err = EncodeResponse(&buf, result)
		if err != nil {
			s.log.Error("cannot encode XML-RPC result", "err", err)
			f = Faultf(CodeInternalError, "%v", err)
		}
	}
	if f != nil {
		buf.Reset()
		if err := EncodeFault(&buf, f.Code, f.Message); err != nil {
			http.Error(w, fmt.Sprintf("encoding fault: %v", err), http.StatusInternalServerError)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.log.Debug("writing XML-RPC response", "err", err)
	}
}
