package xmlrpc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawServer is a loopback TCP server that reads HTTP requests and answers
// each with respond, so that tests control the bytes a peer sends.
type rawServer struct {
	ln       net.Listener
	accepts  atomic.Int64
	requests atomic.Int64
	respond  func(n int64, w io.Writer) (keep bool)
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

func newRawServer(t *testing.T, respond func(n int64, w io.Writer) bool) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln, respond: respond}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepts.Add(1)
			s.mu.Lock()
			s.conns = append(s.conns, conn)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if !s.respond(s.requests.Add(1), conn) {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawServer) url() string { return "http://" + s.ln.Addr().String() + "/xmlrpc" }

// okResponse is the XML-RPC response carrying the string v.
func okResponse(v string) string {
	var b bytes.Buffer
	EncodeResponse(&b, v)
	return b.String()
}

func TestTransportPeers(t *testing.T) {
	body := okResponse("hello")
	tests := []struct {
		name    string
		respond func(n int64, w io.Writer) bool
		accepts int64 // connections made for 3 calls
	}{
		{"HTTP/1.1 keep-alive", func(_ int64, w io.Writer) bool {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			return true
		}, 1},
		{"HTTP/1.0 with Content-Length (JSAMP)", func(_ int64, w io.Writer) bool {
			fmt.Fprintf(w, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\nContent-Type: text/xml\r\n\r\n%s", len(body), body)
			return false
		}, 3},
		{"HTTP/1.0 close-delimited (Python)", func(_ int64, w io.Writer) bool {
			fmt.Fprintf(w, "HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 Python/3.11\r\nContent-type: text/xml\r\n\r\n%s", body)
			return false
		}, 3},
		{"HTTP/1.1 chunked", func(_ int64, w io.Writer) bool {
			half := len(body) / 2
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", half, body[:half], len(body)-half, body[half:])
			return true
		}, 1},
		{"HTTP/1.1 Connection: close", func(_ int64, w io.Writer) bool {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			return false
		}, 3},
		{"100 Continue first", func(_ int64, w io.Writer) bool {
			fmt.Fprintf(w, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			return true
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newRawServer(t, tt.respond)
			c := NewClient(s.url(), WithTransport(NewTransport()))
			for i := range 3 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				got, err := c.Call(ctx, "m", strconv.Itoa(i))
				cancel()
				if err != nil || got != "hello" {
					t.Fatalf("call %d: %v, %v", i, got, err)
				}
			}
			if n := s.accepts.Load(); n != tt.accepts {
				t.Errorf("%d connections for 3 calls, want %d", n, tt.accepts)
			}
		})
	}
}

// A kept-alive connection that the server closes while it is idle is
// replaced: the call succeeds and the server sees each request once.
func TestTransportStaleConnection(t *testing.T) {
	body := okResponse("ok")
	s := newRawServer(t, func(_ int64, w io.Writer) bool {
		// Promise keep-alive, then close anyway.
		fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		return false
	})
	c := NewClient(s.url(), WithTransport(NewTransport()))
	for i := range 3 {
		if _, err := c.Call(context.Background(), "m"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		time.Sleep(20 * time.Millisecond) // let the close arrive
	}
	if n := s.requests.Load(); n != 3 {
		t.Errorf("server saw %d requests for 3 calls", n)
	}
	if n := s.accepts.Load(); n != 3 {
		t.Errorf("%d connections, want 3", n)
	}
}

// A server that accepts a request and never answers: the call ends with the
// context, whether cancelled or past its deadline, and promptly.
func TestTransportContext(t *testing.T) {
	release := make(chan struct{})
	s := newRawServer(t, func(int64, io.Writer) bool { <-release; return false })
	defer close(release)
	c := NewClient(s.url(), WithTransport(NewTransport()))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Call(ctx, "m")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("deadline of 100 ms ended the call after %v", d)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := c.Call(ctx, "m"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: got %v", err)
	}
	if n := s.requests.Load(); n != 2 {
		t.Errorf("server saw %d requests, want 2 (no retry after the context ended)", n)
	}
}

func TestTransportErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	big := okResponse(strings.Repeat("x", 10000))
	s := newRawServer(t, func(n int64, w io.Writer) bool {
		switch n {
		case 1:
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(big), big)
		case 2:
			fmt.Fprint(w, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!")
		case 3:
			fmt.Fprint(w, "this is not HTTP\r\n\r\n")
		}
		return false
	})
	c := NewClient(s.url(), WithTransport(NewTransport()), WithMaxResponse(4096))
	if _, err := c.Call(ctx, "m"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized response: %v", err)
	}
	if _, err := c.Call(ctx, "m"); err == nil || !strings.Contains(err.Error(), "HTTP 500") || !strings.Contains(err.Error(), "oops!") {
		t.Errorf("HTTP error: %v", err)
	}
	if _, err := c.Call(ctx, "m"); err == nil || !strings.Contains(err.Error(), s.url()) {
		t.Errorf("garbage response: %v", err)
	}
	for _, u := range []string{"https://127.0.0.1:1/", "http:///nohost", "::bad"} {
		if _, err := NewClient(u).Call(ctx, "m"); err == nil {
			t.Errorf("URL %q: no error", u)
		}
	}
	// Nothing listens on a port we just freed.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String() + "/"
	ln.Close()
	var oe *net.OpError
	if _, err := NewClient(dead).Call(ctx, "m"); !errors.As(err, &oe) || !strings.Contains(err.Error(), dead) {
		t.Errorf("dead server: %v", err)
	}
}

// Many goroutines share one Transport: every call gets its own answer.
func TestTransportConcurrent(t *testing.T) {
	srv := NewServer(func(_ context.Context, _ string, params []any) (any, error) { return params[0], nil })
	c := NewClient(serve(t, srv), WithTransport(NewTransport()))
	var wg sync.WaitGroup
	errs := make(chan error, 800)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				want := fmt.Sprintf("%d-%d", g, i)
				got, err := c.Call(context.Background(), "echo", want)
				if err != nil || got != want {
					errs <- fmt.Errorf("got %v, %v, want %s", got, err, want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
