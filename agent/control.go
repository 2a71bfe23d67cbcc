package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
)

// maxRequestBytes bounds a control request's body.
const maxRequestBytes = 1 << 20

// ErrAgentRunning is returned by ServeControl when another agent already
// answers on the control socket.
var ErrAgentRunning = errors.New("another voagent is already running")

// ServeControl serves the control API (agent/api) on a Unix socket at path
// until ctx is done: the socket is 0600 in a 0700 directory, and every
// connection's peer credentials are checked, so only this user reaches it.
// A stale socket (nobody answering) is replaced; a live one is an
// ErrAgentRunning. The socket file is removed on return.
func (a *Agent) ServeControl(ctx context.Context, path string) error {
	ln, err := ListenControl(ctx, path, os.Getuid(), a.log)
	if err != nil {
		return err
	}
	return a.serveControl(ctx, ln, path)
}

func (a *Agent) serveControl(ctx context.Context, ln net.Listener, path string) error {
	a.cfgMu.Lock()
	a.socket = path
	a.cfgMu.Unlock()
	srv := &http.Server{Handler: a.ControlHandler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
		ErrorLog:    slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	a.log.Info("control API listening", "socket", path)
	err := srv.Serve(ln)
	<-done
	os.Remove(path)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// ListenControl makes the control socket at path for user uid: its
// directory is created 0700 (an existing one must belong to uid and be
// closed to others), a stale socket is removed, the socket is 0600, and
// connections from another uid are refused as they arrive.
func ListenControl(ctx context.Context, path string, uid int, log *slog.Logger) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("control socket directory: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("control socket directory: %w", err)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		return nil, fmt.Errorf("control socket directory %s belongs to another user", dir)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, fmt.Errorf("control socket directory %s is open to others: %w", dir, err)
		}
	}
	if _, err := os.Lstat(path); err == nil {
		d := net.Dialer{Timeout: time.Second}
		if c, err := d.DialContext(ctx, "unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("%w (its control socket %s answers)", ErrAgentRunning, path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("removing the stale control socket: %w", err)
		}
	}
	old := syscall.Umask(0o177)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &credListener{Listener: ln, uid: uid, log: log}, nil
}

// credListener accepts only connections whose peer runs as uid.
type credListener struct {
	net.Listener
	uid int
	log *slog.Logger
}

// Accept returns the next connection of the allowed user, closing others.
func (l *credListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uid, pid, err := PeerCred(c)
		if err == nil && uid == l.uid {
			return c, nil
		}
		l.log.Warn("control connection refused: another user", "uid", uid, "pid", pid, "err", err)
		c.Close()
	}
}

// PeerCred returns the uid and pid of the process at the other end of a
// Unix socket connection (SO_PEERCRED).
func PeerCred(c net.Conn) (uid, pid int, err error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return -1, 0, errors.New("not a Unix socket connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return -1, 0, err
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return -1, 0, err
	}
	if cerr != nil {
		return -1, 0, cerr
	}
	return int(cred.Uid), int(cred.Pid), nil
}

// ControlHandler is the control API's HTTP handler (see agent/api for the
// paths and types).
func (a *Agent) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+api.PathStatus, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, a.Status())
	})
	mux.HandleFunc("GET "+api.PathEvents, a.serveEvents)
	post(mux, api.PathVicinity, func(ctx context.Context, req api.VicinityRequest) (any, error) {
		return a.Vicinity(ctx, req, "control")
	})
	post(mux, api.PathSpectra, func(ctx context.Context, req api.SpectraRequest) (any, error) {
		return a.Spectra(ctx, req, "control")
	})
	post(mux, api.PathCrossmatch, func(ctx context.Context, req api.CrossmatchRequest) (any, error) {
		return a.Crossmatch(ctx, req, "control")
	})
	post(mux, api.PathResend, func(ctx context.Context, req api.ResendRequest) (any, error) {
		return a.Resend(ctx, req.Result, req.To)
	})
	post(mux, api.PathSend, func(ctx context.Context, req api.SendRequest) (any, error) {
		return a.Send(ctx, req)
	})
	mux.HandleFunc("POST "+api.PathReload, func(w http.ResponseWriter, r *http.Request) {
		err := a.Reload(r.Context())
		rep := api.ReloadReport{Config: a.cfgPath}
		if err != nil {
			rep.Error = err.Error()
		}
		writeJSON(w, http.StatusOK, rep)
	})
	mux.HandleFunc("POST "+api.PathStop, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, struct{}{})
		a.Stop(errors.New("asked to stop through the control API"))
	})
	return mux
}

// serveEvents streams events as newline-delimited JSON: the remembered
// ones after ?since=SEQ first (none when since is absent or the largest
// uint64), then each as it happens, until the client
// leaves or the agent stops. ?types=a,b keeps those types only.
func (a *Agent) serveEvents(w http.ResponseWriter, r *http.Request) {
	var types []events.Type
	if t := r.URL.Query().Get("types"); t != "" {
		for _, s := range strings.Split(t, ",") {
			types = append(types, events.Type(strings.TrimSpace(s)))
		}
	}
	want := func(e events.Event) bool {
		if len(types) == 0 {
			return true
		}
		for _, t := range types {
			if e.Type == t {
				return true
			}
		}
		return false
	}
	sub := a.bus.Subscribe(256, types...)
	defer sub.Close()
	var backlog []events.Event
	last := uint64(0)
	if s := r.URL.Query().Get("since"); s != "" {
		since, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, api.Error{Error: fmt.Sprintf("since=%q is not an event number", s)})
			return
		}
		if since != ^uint64(0) {
			backlog = a.bus.Since(since)
		}
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	for _, e := range backlog {
		if want(e) {
			if enc.Encode(e) != nil {
				return
			}
			last = e.Seq
		}
	}
	if fl != nil {
		fl.Flush()
	}
	for {
		select {
		case <-r.Context().Done():
			// The client left, or the agent is stopping (the control API
			// closes last): pass on what is buffered (the agent.stopping
			// event included), then end the stream.
			for {
				select {
				case e := <-sub.C():
					if e.Seq > last && enc.Encode(e) != nil {
						return
					}
				default:
					if fl != nil {
						fl.Flush()
					}
					return
				}
			}
		case e, ok := <-sub.C():
			if !ok {
				return
			}
			if e.Seq <= last {
				continue
			}
			if enc.Encode(e) != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
		}
	}
}

// post serves POST path: the JSON body decoded into a Req, fn's answer
// (or error) written back as JSON.
func post[Req any](mux *http.ServeMux, path string, fn func(context.Context, Req) (any, error)) {
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if !readJSON(w, r, &req) {
			return
		}
		v, err := fn(r.Context(), req)
		answer(w, v, err)
	})
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, api.Error{Error: "bad request: " + err.Error()})
		return false
	}
	return true
}

func answer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, context.Canceled) {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, api.Error{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
