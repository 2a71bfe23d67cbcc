package connector

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/profile"
)

// Run keeps the connector registered with the hub until ctx is done, then
// unregisters (and calls the stop functions of the hubs it started, if any).
// With no hub running it waits for one; when the hub goes it waits for the
// next and registers again. With Options.StartHub it starts a hub when none
// runs at first, and when the hub in use has gone and none came back within
// Options.HubGrace.
// It returns an error only when the lockfile cannot be located or Run is
// already running.
func (c *Connector) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return errors.New("connector: Run called twice")
	}
	c.running = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running = false
		c.mu.Unlock()
	}()

	loc, err := c.opts.Locate()
	if err != nil {
		return fmt.Errorf("locating the SAMP hub: %w", err)
	}
	if loc.Ignored != "" {
		c.log.Warn("ignoring a SAMP_HUB value that is not for the Standard Profile", "SAMP_HUB", loc.Ignored)
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	changes, err := profile.Watch(watchCtx, loc)
	if err != nil {
		c.log.Warn("cannot watch the SAMP lockfile, polling only", "err", err)
	}

	var stopHubs []func(context.Context) error
	defer func() {
		for _, stop := range stopHubs {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := stop(sctx); err != nil {
				c.log.Warn("stopping our SAMP hub", "err", err)
			}
			cancel()
		}
	}()

	// startAt is when a hub may be started if there is still none: at
	// once at first, HubGrace after a hub was lost; zero when not to.
	startAt := time.Now()
	delay := 50 * time.Millisecond
	for {
		s, err := c.connect(ctx, loc)
		if ctx.Err() != nil {
			if s != nil {
				c.closeSession(s, true)
			}
			return nil
		}
		if err != nil {
			if c.opts.StartHub != nil && !startAt.IsZero() && !time.Now().Before(startAt) {
				c.log.Info("no SAMP hub running: starting one", "lockfile", loc.URL, "reason", err)
				stop, herr := c.opts.StartHub(ctx, loc)
				if herr != nil {
					// Perhaps another hub won the race: look again, and
					// try to start one again after a grace period.
					c.log.Warn("starting a SAMP hub", "err", herr)
					startAt = time.Now().Add(c.opts.HubGrace)
				} else {
					startAt = time.Time{}
					stopHubs = append(stopHubs, stop)
					continue
				}
			}
			c.log.Debug("no usable SAMP hub yet", "lockfile", loc.URL, "err", err)
			d := delay
			if !startAt.IsZero() {
				d = min(d, max(time.Until(startAt), time.Millisecond))
			}
			if !c.wait(ctx, changes, d) {
				return nil
			}
			delay = min(delay*2, c.opts.PingInterval)
			continue
		}
		startAt = time.Time{}
		delay = 50 * time.Millisecond
		info := c.Info()
		if c.opts.OnSession != nil {
			c.opts.OnSession(true, info, "")
		}
		reason := c.monitor(ctx, s, changes, loc)
		// Unregister unless the hub itself said it is going.
		c.closeSession(s, !s.hubSaidGone())
		if c.opts.OnSession != nil {
			c.opts.OnSession(false, info, reason)
		}
		if ctx.Err() != nil {
			return nil
		}
		if c.opts.StartHub != nil {
			startAt = time.Now().Add(c.opts.HubGrace)
			c.log.Info("SAMP hub gone, waiting for the next one (starting our own if none comes)", "hub", s.conn.HubURL(), "reason", reason, "grace", c.opts.HubGrace)
			continue
		}
		c.log.Info("SAMP hub gone, waiting for the next one", "hub", s.conn.HubURL(), "reason", reason)
	}
}

// ReasonReconnect is the reason OnSession gives when a session ended
// because Reconnect was called.
const ReasonReconnect = "reconnect requested"

// wait sleeps until the lockfile changes, d passes, or ctx is done (false).
func (c *Connector) wait(ctx context.Context, changes <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-changes:
		return true
	case <-c.kick:
		return true
	case <-t.C:
		return true
	}
}

// connect reads the lockfile, pings the hub, registers, starts the callable
// endpoint and declares metadata and subscriptions. On success the session
// is the current one.
func (c *Connector) connect(ctx context.Context, loc profile.Location) (*session, error) {
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	lock, err := profile.ReadLockfile(cctx, loc)
	if err != nil {
		return nil, err
	}
	pctx, pcancel := context.WithTimeout(cctx, 3*time.Second)
	err = connection.Ping(pctx, lock.XMLRPCURL, c.opts.Conn)
	pcancel()
	if err != nil {
		return nil, fmt.Errorf("stale lockfile %s: %w", loc.URL, err)
	}
	conn, err := connection.Register(cctx, lock, c.opts.Conn)
	if err != nil {
		return nil, err
	}
	s := newSession(c, conn, loc)
	fail := func(err error) (*session, error) {
		uctx, ucancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer ucancel()
		conn.Unregister(uctx)
		s.cancel()
		return nil, err
	}
	if err := conn.Serve(cctx, s); err != nil {
		return fail(err)
	}
	c.mu.Lock()
	meta := maps.Clone(c.metadata)
	subs := c.subscriptionsLocked()
	c.mu.Unlock()
	// The three are independent: run them at once (a restarted hub is
	// cold, each round trip counts).
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, f := range []func() error{
		func() error { return conn.DeclareMetadata(cctx, meta) },
		func() error { return conn.DeclareSubscriptions(cctx, subs) },
		func() error { return s.loadClients(cctx) },
	} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f() }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	c.mu.Lock()
	c.sess = s
	c.reconnects++
	close(c.connected)
	c.mu.Unlock()
	c.log.Info("registered with SAMP hub", "hub", conn.HubURL(), "self-id", conn.SelfID(), "lockfile", loc.URL)
	return s, nil
}

// monitor returns when the session's hub is gone or ctx is done.
func (c *Connector) monitor(ctx context.Context, s *session, changes <-chan struct{}, loc profile.Location) string {
	t := time.NewTicker(c.opts.PingInterval)
	defer t.Stop()
	failures := 0
	check := func() string {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := s.conn.Ping(pctx)
		if err == nil || ctx.Err() != nil {
			failures = 0
			return ""
		}
		failures++
		// A refused connection is final; a slow hub gets a second chance.
		if failures >= 2 || !errors.Is(err, context.DeadlineExceeded) {
			return "ping failed: " + err.Error()
		}
		return ""
	}
	for {
		select {
		case <-ctx.Done():
			return "stopping"
		case <-s.gone:
			return s.reason
		case <-c.kick:
			return ReasonReconnect
		case <-s.probeCh:
			if r := check(); r != "" {
				return r
			}
		case <-t.C:
			if r := check(); r != "" {
				return r
			}
		case <-changes:
			lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			lock, err := profile.ReadLockfile(lctx, loc)
			cancel()
			switch {
			case errors.Is(err, profile.ErrNoLockfile):
				return "lockfile removed"
			case err != nil:
				// Possibly half written: look again soon.
				s.probe()
			case lock.XMLRPCURL != s.conn.HubURL() || lock.Secret != s.conn.Lock().Secret:
				return "lockfile now names another hub"
			}
		}
	}
}

// closeSession ends the session: unregisters when the hub may still be
// there, stops the callable endpoint, fails pending calls.
func (c *Connector) closeSession(s *session, unregister bool) {
	c.mu.Lock()
	if c.sess == s {
		c.sess = nil
		c.connected = make(chan struct{})
	}
	c.mu.Unlock()
	s.end("closed")
	if unregister {
		uctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := s.conn.Unregister(uctx); err != nil {
			c.log.Debug("unregistering from SAMP hub", "err", err)
		}
		cancel()
	} else {
		s.conn.Close()
	}
	s.cancel()
	c.failPending(ErrHubGone)
}
