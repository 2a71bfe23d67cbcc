// Package client is the way into a running voagent: the CLI and desktop
// clients (tray, notifications) call the agent's control API through it,
// over the user-only Unix socket, as tailscale's client/local reaches its
// daemon. It imports only the API's types, never the agent.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
)

// maxAnswerBytes bounds an answer of the agent (the event stream excepted,
// which is read line by line with maxEventBytes a line).
const (
	maxAnswerBytes = 64 << 20
	maxEventBytes  = 1 << 20
)

// ErrNotRunning is returned when no agent answers on the socket.
var ErrNotRunning = errors.New("no voagent is running")

// Client talks to the agent at one control socket. The zero value is not
// usable; call New.
type Client struct {
	socket string
	http   *http.Client
}

// New returns a client for the agent whose control socket is at socket
// ("" for api.DefaultSocketPath()).
func New(socket string) *Client {
	if socket == "" {
		socket = api.DefaultSocketPath()
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConns: 2, IdleConnTimeout: 30 * time.Second,
	}
	return &Client{socket: socket, http: &http.Client{Transport: tr}}
}

// Socket is the control socket's path.
func (c *Client) Socket() string { return c.socket }

// Running reports whether an agent answers on the socket (within a second).
func (c *Client) Running(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err := c.Status(ctx)
	return err == nil
}

// Wait waits until an agent answers on the socket, or ctx is done.
func (c *Client) Wait(ctx context.Context) error {
	for !c.Running(ctx) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for voagent at %s: %w", c.socket, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// Status returns what the agent holds and is doing.
func (c *Client) Status(ctx context.Context) (api.Status, error) {
	var st api.Status
	return st, c.do(ctx, http.MethodGet, api.PathStatus, nil, &st)
}

// Vicinity runs a vicinity search in the agent and returns its reports
// (one per position).
func (c *Client) Vicinity(ctx context.Context, req api.VicinityRequest) ([]api.Report, error) {
	var reps []api.Report
	return reps, c.do(ctx, http.MethodPost, api.PathVicinity, req, &reps)
}

// Spectra runs a spectra lookup in the agent.
func (c *Client) Spectra(ctx context.Context, req api.SpectraRequest) (api.Report, error) {
	var rep api.Report
	return rep, c.do(ctx, http.MethodPost, api.PathSpectra, req, &rep)
}

// Crossmatch cross-matches a held table with a configured catalogue in
// the agent and waits for the result.
func (c *Client) Crossmatch(ctx context.Context, req api.CrossmatchRequest) (api.CrossmatchReport, error) {
	var rep api.CrossmatchReport
	return rep, c.do(ctx, http.MethodPost, api.PathCrossmatch, req, &rep)
}

// Resend sends a kept result again.
func (c *Client) Resend(ctx context.Context, result, to string) (api.SendReport, error) {
	var rep api.SendReport
	return rep, c.do(ctx, http.MethodPost, api.PathResend, api.ResendRequest{Result: result, To: to}, &rep)
}

// Send has the agent send a table, image, spectrum or position.
func (c *Client) Send(ctx context.Context, req api.SendRequest) (api.SendReport, error) {
	var rep api.SendReport
	return rep, c.do(ctx, http.MethodPost, api.PathSend, req, &rep)
}

// Reload has the agent read its configuration file again.
func (c *Client) Reload(ctx context.Context) (api.ReloadReport, error) {
	var rep api.ReloadReport
	return rep, c.do(ctx, http.MethodPost, api.PathReload, struct{}{}, &rep)
}

// Stop asks the agent to shut down.
func (c *Client) Stop(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, api.PathStop, struct{}{}, nil)
}

// FromNow, as Events' since, follows only the events still to come.
const FromNow = ^uint64(0)

// Events follows the agent's event stream, calling fn for each event: the
// remembered ones numbered above since first (since 0: all the agent
// remembers; FromNow: none), then each as it happens; only the given types
// when any. It returns when ctx is done, fn returns an error, or the agent
// stops (then nil).
func (c *Client) Events(ctx context.Context, since uint64, types []events.Type, fn func(events.Event) error) error {
	q := url.Values{}
	q.Set("since", strconv.FormatUint(since, 10))
	if len(types) > 0 {
		var ts []string
		for _, t := range types {
			ts = append(ts, string(t))
		}
		q.Set("types", strings.Join(ts, ","))
	}
	resp, err := c.request(ctx, http.MethodGet, api.PathEvents+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), maxEventBytes)
	for sc.Scan() {
		var e events.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("reading the agent's events: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("reading the agent's events: %w", err)
	}
	return nil
}

func (c *Client) request(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://voagent"+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w (control socket %s: %w)", ErrNotRunning, c.socket, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var e api.Error
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return nil, fmt.Errorf("voagent: %s", e.Error)
		}
		return nil, fmt.Errorf("voagent: %s %s: HTTP %s", method, path, resp.Status)
	}
	return resp, nil
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	resp, err := c.request(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerBytes))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswerBytes)).Decode(out); err != nil {
		return fmt.Errorf("voagent: reading the answer to %s %s: %w", method, path, err)
	}
	return nil
}
