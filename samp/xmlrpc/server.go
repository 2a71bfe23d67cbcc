package xmlrpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// HandlerFunc serves one XML-RPC call. The result must be a value that the
// encoder accepts (see the package documentation); an error becomes a fault,
// with the code of a *Fault in its chain or CodeApplicationError.
type HandlerFunc func(ctx context.Context, method string, params []any) (any, error)

// DefaultMaxBody is the default limit on the size of a request body.
const DefaultMaxBody = 8 << 20

// ServerOption configures NewServer.
type ServerOption func(*Server)

// WithMaxBody sets the largest request body accepted, in bytes.
func WithMaxBody(n int64) ServerOption { return func(s *Server) { s.maxBody = n } }

// WithLogger sets the logger of the server (by default, nothing is logged).
func WithLogger(l *slog.Logger) ServerOption { return func(s *Server) { s.log = l } }

// WithWriteTimeout bounds the writing of each response (default none).
func WithWriteTimeout(d time.Duration) ServerOption {
	return func(s *Server) { s.writeTimeout = d }
}

// Server decodes XML-RPC calls, passes them to its HandlerFunc and writes the
// result or a fault. It accepts only POST, bounds the body size and turns a
// panic in the handler into an internal-error fault.
//
// Serve runs it on a listener with fasthttp, which serves each connection in
// one goroutine without the per-request goroutines of net/http: on loopback
// that halves the cost of an exchange. Server is also an http.Handler, for
// tests and for embedding in a net/http server.
type Server struct {
	h            HandlerFunc
	maxBody      int64
	log          *slog.Logger
	writeTimeout time.Duration
	maxConns     int

	ctx    context.Context // given to handlers; cancelled by Close
	cancel context.CancelFunc

	mu     sync.Mutex
	fs     *fasthttp.Server
	closed bool
}

// NewServer returns a Server calling h.
func NewServer(h HandlerFunc, opts ...ServerOption) *Server {
	s := &Server{h: h, maxBody: DefaultMaxBody, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	if s.maxConns <= 0 {
		s.maxConns = DefaultMaxConns()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("xmlrpc: server closed")

// Serve accepts connections on ln and serves them until Close. It always
// returns a non-nil error: ErrServerClosed after Close. Accept errors that
// pass (out of file descriptors...) are retried with back-off, and at most
// WithMaxConns connections are kept open (the oldest idle closed first).
// A request whose caller closes its connection has its context cancelled.
func (s *Server) Serve(ln net.Listener) error {
	cl := newConnListener(ln, s.maxConns, s.log)
	ln = cl
	fs := &fasthttp.Server{
		ConnState:             cl.connState,
		Handler:               s.serveFast,
		ErrorHandler:          s.requestError,
		Name:                  "voagent",
		NoDefaultServerHeader: true,
		NoDefaultDate:         true,
		NoDefaultContentType:  true,
		ReadBufferSize:        16 << 10, // also the limit on request headers
		MaxRequestBodySize:    int(s.maxBody),
		ReadTimeout:           60 * time.Second,
		IdleTimeout:           120 * time.Second,
		WriteTimeout:          s.writeTimeout,
		CloseOnShutdown:       true,
		Logger:                fastLogger{s.log},
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.fs = fs
	s.mu.Unlock()
	err := fs.Serve(ln)
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrServerClosed
	}
	return err
}

// Close cancels the context of running handlers, stops accepting and closes
// the connections, waiting at most until ctx is done for responses being
// written.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	fs := s.fs
	s.mu.Unlock()
	s.cancel()
	if fs == nil {
		return nil
	}
	return fs.ShutdownWithContext(ctx)
}

func (s *Server) serveFast(rc *fasthttp.RequestCtx) {
	if !rc.IsPost() {
		rc.Response.Header.Set("Allow", http.MethodPost)
		rc.Error("XML-RPC server: POST only", fasthttp.StatusMethodNotAllowed)
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	ctx, cancel := context.WithCancel(s.ctx)
	stop := watchPeer(rc.Conn(), cancel)
	s.respond(ctx, buf, bytes.NewReader(rc.PostBody()), rc.RemoteAddr())
	stop()
	cancel()
	rc.SetContentType("text/xml; charset=utf-8")
	rc.SetBody(buf.Bytes())
}

// requestError answers a request fasthttp could not read: an XML-RPC fault
// when the body is too large, an HTTP error otherwise.
func (s *Server) requestError(rc *fasthttp.RequestCtx, err error) {
	s.log.Debug("bad HTTP request", "remote", rc.RemoteAddr(), "err", err)
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		var buf bytes.Buffer
		s.writeFault(&buf, &Fault{Code: CodeInvalidRequest,
			Message: fmt.Sprintf("request body: %v (%d bytes)", ErrTooLarge, s.maxBody)})
		rc.SetContentType("text/xml; charset=utf-8")
		rc.SetBody(buf.Bytes())
		rc.SetConnectionClose()
		if tc, ok := rc.Conn().(*trackedConn); ok {
			tc.linger.Store(true) // its body is unread
		}
		return
	}
	rc.Error("bad HTTP request: "+err.Error(), fasthttp.StatusBadRequest)
	rc.SetConnectionClose()
}

// ServeHTTP serves one call through net/http.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "XML-RPC server: POST only", http.StatusMethodNotAllowed)
		return
	}
	var buf bytes.Buffer
	// r.Context is cancelled when the caller goes away; s.ctx by Close.
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(s.ctx, cancel)
	s.respond(ctx, &buf, r.Body, r.RemoteAddr)
	stop()
	cancel()
	h := w.Header()
	h.Set("Content-Type", "text/xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.log.Debug("writing XML-RPC response", "err", err)
	}
}

// respond decodes the call in body, runs the handler and writes the
// response (a result or a fault) to out.
func (s *Server) respond(ctx context.Context, out *bytes.Buffer, body io.Reader, remote any) {
	out.Reset()
	method, params, err := DecodeCall(body, s.maxBody)
	if err != nil {
		code := CodeParseError
		if errors.Is(err, ErrTooLarge) {
			code = CodeInvalidRequest
		}
		s.log.Debug("bad XML-RPC request", "remote", remote, "err", err)
		s.writeFault(out, &Fault{Code: code, Message: err.Error()})
		return
	}
	result, err := s.call(ctx, method, params)
	if err != nil {
		s.writeFault(out, AsFault(err))
		return
	}
	if err := EncodeResponse(out, result); err != nil {
		s.log.Error("cannot encode XML-RPC result", "method", method, "err", err)
		out.Reset()
		s.writeFault(out, Faultf(CodeInternalError, "%v", err))
	}
}

func (s *Server) writeFault(out *bytes.Buffer, f *Fault) {
	if err := EncodeFault(out, f.Code, f.Message); err != nil {
		// Only an invalid UTF-8 message could fail; say so plainly.
		out.Reset()
		_ = EncodeFault(out, CodeInternalError, "fault message cannot be encoded")
	}
}

// call runs the handler, turning a panic into a fault.
func (s *Server) call(ctx context.Context, method string, params []any) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in XML-RPC handler", "method", method, "panic", p)
			result, err = nil, Faultf(CodeInternalError, "internal error in %s: %v", method, p)
		}
	}()
	return s.h(ctx, method, params)
}

// fastLogger sends fasthttp's messages to slog at debug level.
type fastLogger struct{ l *slog.Logger }

func (f fastLogger) Printf(format string, args ...any) {
	f.l.Debug("xmlrpc server: " + fmt.Sprintf(format, args...))
}
