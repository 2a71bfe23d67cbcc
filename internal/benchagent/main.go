// Command benchagent measures the voagent agent itself against the DaCHS
// testbed (testbed/setup.sh): start-up time to SAMP registration, the
// latency from a TOPCAT highlight to the first result table, the agent's
// own overhead in that path, and its behaviour under a flood of
// highlights. scripts/bench-agent.sh runs it in a private SAMP environment
// (SAMP_HUB, VOAGENT_CONTROL_SOCKET and TMPDIR set, a hub running); it is
// not a library and is not built into voagent.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connector"
)

func main() {
	dir := flag.String("dir", "", "private scratch directory (config, table, socket)")
	bin := flag.String("bin", "bin/voagent", "the voagent binary")
	runs := flag.Int("runs", 5, "start-up repetitions")
	nrows := flag.Int("rows", 200, "highlights of the latency run (rows of the table)")
	flood := flag.Int("flood", 1000, "highlights of the flood")
	every := flag.Duration("every", 10*time.Millisecond, "interval between flood highlights")
	gap := flag.Duration("gap", 200*time.Millisecond, "least time between two latency highlights (the agent debounces highlights closer than 150 ms)")
	ref := flag.String("ref", "", "samp.name of a reference client doing the same highlight path (scripts/bench-agent-ref.py); empty: none")
	refN := flag.Int("refn", 20, "highlights sent to the reference client")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "benchagent: -dir is required")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	b := &bench{dir: *dir, bin: *bin, sock: os.Getenv("VOAGENT_CONTROL_SOCKET")}
	if b.sock == "" {
		b.sock = filepath.Join(*dir, "control.sock")
	}
	err := b.run(ctx, *runs, *nrows, *flood, *every, *gap, *ref, *refN)
	b.print()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchagent:", err)
		os.Exit(1)
	}
}

// row is one line of the printed table.
type row struct{ name, value, target string }

type bench struct {
	dir, bin, sock string
	cfg            string
	rows           []row
}

func (b *bench) add(name, value, target string) { b.rows = append(b.rows, row{name, value, target}) }

func (b *bench) print() {
	w := [3]int{len("case"), len("value"), len("target")}
	for _, r := range b.rows {
		w[0], w[1], w[2] = max(w[0], len(r.name)), max(w[1], len(r.value)), max(w[2], len(r.target))
	}
	line := func(a, v, t string) { fmt.Printf("%-*s  %*s  %s\n", w[0], a, w[1], v, t) }
	line("case", "value", "target")
	line(strings.Repeat("-", w[0]), strings.Repeat("-", w[1]), strings.Repeat("-", w[2]))
	for _, r := range b.rows {
		line(r.name, r.value, r.target)
	}
}

func (b *bench) run(ctx context.Context, runs, nrows, flood int, every, gap time.Duration, ref string, refN int) error {
	if err := testbed.Check(ctx); err != nil {
		return fmt.Errorf("checking the testbed: %w", err)
	}
	in := testbed.Describe()
	if err := b.writeConfig(in); err != nil {
		return err
	}
	if err := b.startup(ctx, runs); err != nil {
		return fmt.Errorf("start-up runs: %w", err)
	}
	ag, err := b.start(ctx)
	if err != nil {
		return err
	}
	defer ag.stop()
	s, err := newSession(ctx, b, in, nrows)
	if err != nil {
		return err
	}
	defer s.close()
	rssStart := rss(ag.cmd.Process.Pid)
	if err := s.latency(ctx, nrows, gap); err != nil {
		return fmt.Errorf("latency run: %w", err)
	}
	b.add(fmt.Sprintf("RSS table loaded / after %d highlights (MB)", nrows), rssStart+" / "+rss(ag.cmd.Process.Pid), "")
	if ref != "" {
		if err := s.reference(ctx, ref, min(refN, nrows), gap); err != nil {
			return fmt.Errorf("reference run: %w", err)
		}
	}
	if err := s.flood(ctx, ag.cmd.Process.Pid, nrows, flood, every); err != nil {
		return fmt.Errorf("flood: %w", err)
	}
	return nil
}

// writeConfig writes the agent's configuration: the testbed's 2MASS cone
// search and AllWISE TAP table, no hub of its own, nobody to point at.
func (b *bench) writeConfig(in *testbed.Info) error {
	if len(in.Catalogs) < 2 {
		return errors.New("the testbed describes fewer than two catalogues")
	}
	b.cfg = filepath.Join(b.dir, "config.toml")
	text := fmt.Sprintf(`[samp]
start_hub = false

[search]
radius_arcsec = 60

[registry]
url = %q

[results]
dir = %q

[control]
socket = %q

[vicinity]
point_at = ""
settle = "0s"   # latency and overhead of the mechanics; the default holds deliveries 250 ms

[[catalog]]
name = "2MASS"
kind = "scs"
url = %q

[[catalog]]
name = "AllWISE"
kind = "tap"
url = %q
table = %q
`, in.RegTAP, filepath.Join(b.dir, "results"), b.sock, in.Catalogs[0].SCS, in.TAP, in.Catalogs[1].Table)
	if err := os.WriteFile(b.cfg, []byte(text), 0o600); err != nil {
		return fmt.Errorf("writing the configuration: %w", err)
	}
	return nil
}

// agentProc is a running `voagent run`.
type agentProc struct {
	cmd  *exec.Cmd
	done chan error
}

func (a *agentProc) stop() error {
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-a.done:
		return err
	case <-time.After(10 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.done
		return errors.New("the agent did not stop within 10 s of SIGTERM (killed)")
	}
}

// start runs the agent and waits until it is on the hub; it returns the
// time from exec to registration.
func (b *bench) startTimed(ctx context.Context) (*agentProc, time.Duration, error) {
	cmd := exec.Command(b.bin, "run", "--config", b.cfg)
	log, err := os.OpenFile(filepath.Join(b.dir, "agent.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("opening the agent log: %w", err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	cl := client.New(b.sock)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("starting %s: %w", b.bin, err)
	}
	a := &agentProc{cmd: cmd, done: make(chan error, 1)}
	go func() { a.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		st, err := cl.Status(sctx)
		cancel()
		if err == nil && st.Hub.Connected {
			return a, time.Since(t0), nil
		}
		select {
		case err := <-a.done:
			a.done <- err
			return nil, 0, fmt.Errorf("the agent exited before registering: %v (see %s)", err, log.Name())
		case <-time.After(time.Millisecond):
		}
	}
	_ = a.stop()
	return nil, 0, errors.New("the agent did not register within 30 s")
}

func (b *bench) start(ctx context.Context) (*agentProc, error) {
	a, _, err := b.startTimed(ctx)
	return a, err
}

func (b *bench) startup(ctx context.Context, runs int) error {
	var ds []time.Duration
	for range runs {
		a, d, err := b.startTimed(ctx)
		if err != nil {
			return err
		}
		ds = append(ds, d)
		if err := a.stop(); err != nil {
			return fmt.Errorf("stopping the agent: %w", err)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.add(fmt.Sprintf("start-up to registered, min of %d (ms)", runs), ms(ds[0]), "< 100 (hub running)")
	b.add(fmt.Sprintf("start-up to registered, median of %d (ms)", runs), ms(ds[len(ds)/2]), "< 100 (hub running)")
	return nil
}

// session is one running agent with the stand-in TOPCAT, the sender and
// the event stream.
type session struct {
	b       *bench
	cl      *client.Client
	topcat  *connector.Connector
	sender  *connector.Connector
	agentID string
	url     string
	arrived chan time.Time
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu     sync.Mutex
	evs    []events.Event
	notify chan struct{}
}

func newSession(ctx context.Context, b *bench, in *testbed.Info, nrows int) (*session, error) {
	ctx, cancel := context.WithCancel(ctx)
	s := &session{b: b, cl: client.New(b.sock), arrived: make(chan time.Time, 4096), cancel: cancel, notify: make(chan struct{}, 1)}
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	s.topcat = connector.New(connector.Options{Metadata: map[string]any{"samp.name": "topcat"}, Logger: quiet})
	s.topcat.HandleFunc("table.load.votable", func(context.Context, *connector.Request) (map[string]any, error) {
		t := time.Now()
		select {
		case s.arrived <- t:
		default:
		}
		return nil, nil
	})
	s.sender = connector.New(connector.Options{Metadata: map[string]any{"samp.name": "sender"}, Logger: quiet})
	for _, c := range []*connector.Connector{s.topcat, s.sender} {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = c.Run(ctx) }()
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		err := c.WaitConnected(wctx)
		wcancel()
		if err != nil {
			s.close()
			return nil, fmt.Errorf("registering a stand-in client: %w", err)
		}
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.cl.Events(ctx, 0, nil, func(e events.Event) error {
			s.mu.Lock()
			s.evs = append(s.evs, e)
			s.mu.Unlock()
			select {
			case s.notify <- struct{}{}:
			default:
			}
			return nil
		})
	}()
	st, err := s.cl.Status(ctx)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("agent status: %w", err)
	}
	s.agentID = st.Hub.SelfID
	s.url = "file://" + filepath.Join(b.dir, "bench.xml")
	if err := writeTable(filepath.Join(b.dir, "bench.xml"), in, nrows); err != nil {
		s.close()
		return nil, err
	}
	msg := connection.NewMessage("table.load.votable", map[string]any{"url": s.url, "table-id": "bench", "name": "bench"})
	if _, err := s.sender.Call(ctx, s.agentID, msg); err != nil {
		s.close()
		return nil, fmt.Errorf("sending the table to the agent: %w", err)
	}
	return s, nil
}

func (s *session) close() {
	s.cancel()
	s.wg.Wait()
}

// writeTable writes n positions near the testbed's anchors (cycled, with
// offsets of a few arcseconds) as a TABLEDATA VOTable.
func writeTable(path string, in *testbed.Info, n int) error {
	if len(in.Anchors) == 0 {
		return errors.New("the testbed describes no anchors")
	}
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE><TABLE name="bench">
<FIELD name="id" datatype="int"/>
<FIELD name="ra" datatype="double" unit="deg" ucd="pos.eq.ra;meta.main"/>
<FIELD name="dec" datatype="double" unit="deg" ucd="pos.eq.dec;meta.main"/>
<DATA><TABLEDATA>
`)
	for i := range n {
		a := in.Anchors[i%len(in.Anchors)]
		k := float64(i / len(in.Anchors))
		// up to ~10 arcsec away, on a small spiral
		off := 10.0 / 3600 * math.Min(1, k/40)
		ra := a.RA + off*math.Cos(k)/math.Cos(a.Dec*math.Pi/180)
		dec := a.Dec + off*math.Sin(k)
		fmt.Fprintf(&sb, "<TR><TD>%d</TD><TD>%.8f</TD><TD>%.8f</TD></TR>\n", i, ra, dec)
	}
	sb.WriteString("</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		return fmt.Errorf("writing the positions table: %w", err)
	}
	return nil
}

func (s *session) highlight(i int) connection.Message {
	return connection.NewMessage("table.highlight.row", map[string]any{"table-id": "bench", "url": s.url, "row": strconv.Itoa(i)})
}

// events returns the events received after seq.
func (s *session) eventsAfter(seq uint64) []events.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []events.Event
	for _, e := range s.evs {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

func (s *session) lastSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.evs) == 0 {
		return 0
	}
	return s.evs[len(s.evs)-1].Seq
}

// waitFor waits until pred holds for the events after seq.
func (s *session) waitFor(ctx context.Context, seq uint64, d time.Duration, pred func([]events.Event) bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		if pred(s.eventsAfter(seq)) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return false
		case <-s.notify:
		}
	}
}

func (s *session) latency(ctx context.Context, n int, gap time.Duration) error {
	var lat, over []time.Duration
	missing, failed := 0, 0
	var prev time.Time
	for i := range n {
		if w := time.Until(prev.Add(gap)); w > 0 {
			time.Sleep(w)
		}
	drain:
		for {
			select {
			case <-s.arrived:
			default:
				break drain
			}
		}
		seq := s.lastSeq()
		t0 := time.Now()
		prev = t0
		resp, err := s.sender.Call(ctx, s.agentID, s.highlight(i))
		if err != nil {
			return fmt.Errorf("highlighting row %d: %w", i, err)
		}
		if resp.Status != "samp.ok" {
			return fmt.Errorf("highlighting row %d: the agent answered %s: %v", i, resp.Status, resp.Error)
		}
		// The search this highlight started, and its end.
		var search string
		ok := s.waitFor(ctx, seq, 60*time.Second, func(es []events.Event) bool {
			for _, e := range es {
				if e.Type == events.SearchStarted && search == "" {
					search = e.Search
				}
				if search != "" && e.Type == events.SearchFinished && e.Search == search {
					return true
				}
			}
			return false
		})
		if !ok {
			failed++
			continue
		}
		select {
		case t := <-s.arrived:
			lat = append(lat, t.Sub(t0))
		default:
			missing++
		}
		for _, e := range s.eventsAfter(seq) {
			if e.Type == events.ResultSent && e.Search == search {
				over = append(over, e.Elapsed-e.ServiceTime-e.SendTime)
				break
			}
		}
	}
	pct := func(name string, ds []time.Duration, target string) {
		if len(ds) == 0 {
			s.b.add(name, "n/a", target)
			return
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		s.b.add(name+" p50 (ms)", ms(q(ds, 0.5)), "")
		s.b.add(name+" p95 (ms)", ms(q(ds, 0.95)), target)
		s.b.add(name+" max (ms)", ms(ds[len(ds)-1]), "")
	}
	s.b.add("highlights, searches with a table / none / unfinished", fmt.Sprintf("%d/%d/%d", len(lat), missing, failed), fmt.Sprintf("%d/0/0", n))
	pct("highlight -> first table", lat, "")
	pct("agent overhead (elapsed-service-send)", over, "< 10")
	return nil
}

// reference sends n highlights to the client named name, which does the
// agent's highlight path its own way (astropy.samp + pyvo), and measures
// the time to the first table it sends to the stand-in TOPCAT.
func (s *session) reference(ctx context.Context, name string, n int, gap time.Duration) error {
	var id string
	for deadline := time.Now().Add(30 * time.Second); id == "" && time.Now().Before(deadline); {
		if cs := s.sender.FindClients(name); len(cs) > 0 {
			id = cs[0].ID
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if id == "" {
		return fmt.Errorf("no client named %q registered within 30 s", name)
	}
	msg := connection.NewMessage("table.load.votable", map[string]any{"url": s.url, "table-id": "bench", "name": "bench"})
	if r, err := s.sender.Call(ctx, id, msg); err != nil || r.Status != "samp.ok" {
		return fmt.Errorf("sending the table to %s: %v %v", name, err, r.Error)
	}
	var lat []time.Duration
	missing := 0
	for i := range n {
	drain:
		for {
			select {
			case <-s.arrived:
			default:
				break drain
			}
		}
		t0 := time.Now()
		if r, err := s.sender.Call(ctx, id, s.highlight(i)); err != nil || r.Status != "samp.ok" {
			return fmt.Errorf("highlighting row %d in %s: %v %v", i, name, err, r.Error)
		}
		select {
		case t := <-s.arrived:
			lat = append(lat, t.Sub(t0))
		case <-time.After(30 * time.Second):
			missing++
			continue
		}
		// its second table (AllWISE), so that highlights do not overlap
		select {
		case <-s.arrived:
		case <-time.After(10 * time.Second):
		}
		if w := time.Until(t0.Add(gap)); w > 0 {
			time.Sleep(w)
		}
	}
	s.b.add(fmt.Sprintf("reference %s (astropy.samp+pyvo): with a table / none", name), fmt.Sprintf("%d/%d", len(lat), missing), fmt.Sprintf("%d/0", n))
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		s.b.add("reference highlight -> first table p50 (ms)", ms(q(lat, 0.5)), "")
		s.b.add("reference highlight -> first table p95 (ms)", ms(q(lat, 0.95)), "")
		s.b.add("reference highlight -> first table max (ms)", ms(lat[len(lat)-1]), "")
	}
	return nil
}

func (s *session) flood(ctx context.Context, pid, nrows, n int, every time.Duration) error {
	rssBefore := rss(pid)
	seq := s.lastSeq()
	tick := time.NewTicker(every)
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var sendErrs int
	t0 := time.Now()
	for i := range n {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.sender.Notify(ctx, s.agentID, s.highlight(i%nrows)); err != nil {
				errMu.Lock()
				sendErrs++
				errMu.Unlock()
			}
		}()
	}
	tick.Stop()
	wg.Wait()
	sent := time.Since(t0)
	rssAfter := rss(pid)
	time.Sleep(5 * time.Second)
	rssLater := rss(pid)
	started, finished, running, peak := 0, 0, 0, 0
	for _, e := range s.eventsAfter(seq) {
		switch e.Type {
		case events.SearchStarted:
			started++
			running++
			peak = max(peak, running)
		case events.SearchFinished:
			finished++
			running--
		}
	}
	st, err := s.cl.Status(ctx)
	if err != nil {
		return fmt.Errorf("agent status after the flood: %w", err)
	}
	files := 0
	_ = filepath.WalkDir(st.ResultsDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return nil
	})
	s.b.add("flood: highlights sent (in s, failed)", fmt.Sprintf("%d (%.1f s, %d)", n, sent.Seconds(), sendErrs), fmt.Sprintf("%d in %.0f s", n, (time.Duration(n)*every).Seconds()))
	s.b.add("flood: searches started / finished", fmt.Sprintf("%d/%d", started, finished), "started = finished")
	s.b.add("flood: most searches running at once", strconv.Itoa(peak), "1 (debounced, superseded)")
	s.b.add("flood: still running 5 s after", strconv.Itoa(len(st.Running)), "0")
	s.b.add("RSS before / after / 5 s after (MB)", fmt.Sprintf("%s / %s / %s", rssBefore, rssAfter, rssLater), "")
	s.b.add("files in the results dir", strconv.Itoa(files), "")
	return nil
}

// rss is the VmRSS of pid in MB ("?" when unreadable).
func rss(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.Atoi(f[1])
			if err != nil {
				return "?"
			}
			return fmt.Sprintf("%.1f", float64(kb)/1024)
		}
	}
	return "?"
}

func q(ds []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
