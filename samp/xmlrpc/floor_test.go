package xmlrpc

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The floor of a SAMP call on this machine, for scripts/bench-samp-client.sh:
// round trips over loopback with nothing but the transport in the way. A
// callAndWait through a hub is at least three of them (caller to hub, hub to
// recipient, the recipient's reply to the hub).

// BenchmarkLoopbackTCP is one byte written and one read back over a
// loopback TCP connection, per round trip: the kernel's floor.
func BenchmarkLoopbackTCP(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 1)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := []byte{1}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "trips/s")
}

// BenchmarkLoopbackHTTP is an HTTP/1.1 POST of a small XML-RPC call to
// net/http's server over a kept-alive loopback connection, answered with a
// small response: the floor of one XML-RPC round trip in Go.
func BenchmarkLoopbackHTTP(b *testing.B) {
	resp := []byte("<?xml version=\"1.0\"?><methodResponse><params><param><value><string>x</string></value></param></params></methodResponse>")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(resp)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	body := []byte("<?xml version=\"1.0\"?><methodCall><methodName>samp.hub.ping</methodName><params></params></methodCall>")
	var req bytes.Buffer
	req.WriteString("POST /xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ")
	req.WriteString(strconv.Itoa(len(body)))
	req.WriteString("\r\n\r\n")
	req.Write(body)
	br := bufio.NewReader(c)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := c.Write(req.Bytes()); err != nil {
			b.Fatal(err)
		}
		r, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			b.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			b.Fatalf("status %s", r.Status)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "trips/s")
}
