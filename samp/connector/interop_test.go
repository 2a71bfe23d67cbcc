package connector

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
)

// newTestConnector returns a connector named name on env e with test
// handlers: voagent.echo (returns its params), voagent.fail (error),
// voagent.panic, voagent.warn and table.* (records the MTypes it gets).
func newTestConnector(t *testing.T, e *conntest.Env, name string) (*Connector, chan string) {
	got := make(chan string, 100)
	c := New(Options{
		Metadata:     map[string]any{"samp.name": name, "samp.description.text": "voagent connector test"},
		Logger:       conntest.Logger(t),
		Locate:       e.Location,
		PingInterval: 500 * time.Millisecond,
	})
	c.HandleFunc("voagent.echo", func(ctx context.Context, r *Request) (map[string]any, error) {
		return r.Message.Params, nil
	})
	c.HandleFunc("voagent.fail", func(ctx context.Context, r *Request) (map[string]any, error) {
		return nil, &Error{Text: "voagent.fail always fails", Code: "42"}
	})
	c.HandleFunc("voagent.panic", func(ctx context.Context, r *Request) (map[string]any, error) {
		panic("handler panics on purpose")
	})
	c.HandleFunc("voagent.warn", func(ctx context.Context, r *Request) (map[string]any, error) {
		return map[string]any{"partial": "1"}, Warning(errors.New("only half done"))
	})
	c.HandleFunc("table.*", func(ctx context.Context, r *Request) (map[string]any, error) {
		got <- r.Message.MType + " " + r.Message.Param("url")
		return nil, nil
	})
	return c, got
}

func TestInteropHubs(t *testing.T) {
	for _, hub := range []string{"jsamp", "astropy"} {
		t.Run(hub, func(t *testing.T) {
			e := conntest.NewEnv(t)
			if hub == "jsamp" {
				e.JSAMPHub(t)
			} else {
				e.AstropyHub(t)
			}
			c, tables := newTestConnector(t, e, "voagent-test")
			runConnector(t, c)
			peer := e.AstropyPeer(t, "pypeer")
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			// Client tracking from hub events.
			conntest.Eventually(t, "pypeer tracked", func() bool {
				cl := c.FindClients("PyPeer")
				return len(cl) == 1 && cl[0].ID == peer.ID && cl[0].Subscribed("test.echo")
			})
			info := c.Info()
			if info.SelfID == "" || info.HubURL == "" {
				t.Fatalf("Info = %+v", info)
			}

			// Every hub method through the connection.
			conn, err := c.Conn()
			if err != nil {
				t.Fatal(err)
			}
			if err := conn.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			md, err := conn.GetMetadata(ctx, info.SelfID)
			if err != nil || md["samp.name"] != "voagent-test" {
				t.Fatalf("own metadata %v, %v", md, err)
			}
			subs, err := conn.GetSubscriptions(ctx, info.SelfID)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"table.*", "voagent.echo", MTypePing, MTypeShutdown} {
				if _, ok := subs[want]; !ok {
					t.Errorf("own subscriptions %v lack %s", subs, want)
				}
			}
			ids, err := conn.GetRegisteredClients(ctx)
			if err != nil || !slices.Contains(ids, peer.ID) || !slices.Contains(ids, info.HubID) || slices.Contains(ids, info.SelfID) {
				t.Errorf("registered clients %v (peer %s, hub %s, self %s), %v", ids, peer.ID, info.HubID, info.SelfID, err)
			}
			sc, err := conn.GetSubscribedClients(ctx, "test.echo")
			if _, ok := sc[peer.ID]; err != nil || !ok {
				t.Errorf("subscribed to test.echo: %v, %v", sc, err)
			}

			// Our calls to the astropy client.
			r, err := c.Call(ctx, peer.ID, connection.NewMessage("test.echo", map[string]any{"x": "1", "list": []any{"a", "b"}}))
			if err != nil || !r.IsOK() || r.Result["x"] != "1" {
				t.Fatalf("Call test.echo: %+v, %v", r, err)
			}
			r, err = c.Call(ctx, peer.ID, connection.NewMessage("test.fail", nil))
			if err != nil || r.Status != connection.StatusError || r.Error == nil || !strings.Contains(r.Error.ErrorTxt, "asked for it") {
				t.Fatalf("Call test.fail: %+v, %v", r, err)
			}
			for attempt := 1; ; attempt++ {
				r, err = c.CallAndWait(ctx, peer.ID, connection.NewMessage("test.echo", map[string]any{"y": "2"}), 10*time.Second)
				if err != nil && e.Lossy && attempt < 3 && strings.Contains(err.Error(), "Timeout expired") {
					t.Logf("astropy hub lost a synchronous reply (known astropy bug), retrying: %v", err)
					continue
				}
				break
			}
			if err != nil || !r.IsOK() || r.Result["y"] != "2" {
				t.Fatalf("CallAndWait: %+v, %v", r, err)
			}
			all, err := c.CallAll(ctx, connection.NewMessage("test.echo", map[string]any{"z": "3"}))
			if err != nil || all[peer.ID].Result["z"] != "3" {
				t.Fatalf("CallAll: %+v, %v", all, err)
			}
			ch, err := c.CallAsync(ctx, peer.ID, connection.NewMessage("samp.app.ping", nil))
			if err != nil {
				t.Fatal(err)
			}
			if rep, ok := <-ch; !ok || rep.ResponderID != peer.ID || !rep.Response.IsOK() {
				t.Fatalf("CallAsync ping: %+v %v", rep, ok)
			}
			if err := c.Notify(ctx, peer.ID, connection.NewMessage("test.notify", map[string]any{"n": "1"})); err != nil {
				t.Fatal(err)
			}
			if m := peer.Next(t); m["mtype"] != "test.notify" || m["kind"] != "notify" {
				t.Fatalf("peer got %v", m)
			}
			rec, err := c.NotifyAll(ctx, connection.NewMessage("test.notify", map[string]any{"n": "2"}))
			if err != nil || !slices.Contains(rec, peer.ID) {
				t.Fatalf("NotifyAll: %v, %v", rec, err)
			}
			if m := peer.Next(t); m["mtype"] != "test.notify" {
				t.Fatalf("peer got %v", m)
			}

			// The astropy client calls us.
			resp := e.AstropyCall(t, "call", "voagent-test", "voagent.echo", "a=b", `l=["1","2"]`)
			res, _ := resp["samp.result"].(map[string]any)
			if resp["samp.status"] != "samp.ok" || res["a"] != "b" {
				t.Errorf("astropy call voagent.echo: %v", resp)
			}
			for _, tc := range []struct{ mtype, status, text string }{
				{"voagent.fail", "samp.error", "always fails"},
				{"voagent.panic", "samp.error", "panics on purpose"},
				{"voagent.warn", "samp.warning", "half done"},
				{"samp.app.ping", "samp.ok", ""},
			} {
				resp := e.AstropyCall(t, "call", "voagent-test", tc.mtype)
				errm, _ := resp["samp.error"].(map[string]any)
				txt, _ := errm["samp.errortxt"].(string)
				if resp["samp.status"] != tc.status || !strings.Contains(txt, tc.text) {
					t.Errorf("astropy call %s: %v, want %s %q", tc.mtype, resp, tc.status, tc.text)
				}
			}
			e.AstropyCall(t, "notify", "voagent-test", "table.load.votable", "url=file:///x.vot")
			select {
			case got := <-tables:
				if got != "table.load.votable file:///x.vot" {
					t.Errorf("table handler got %q", got)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("notification from astropy never handled")
			}

			// The peer leaves: it is no longer tracked.
			peer.Leave()
			conntest.Eventually(t, "pypeer gone", func() bool { return len(c.FindClients("pypeer")) == 0 })
		})
	}
}

func TestInteropJSAMPTools(t *testing.T) {
	e := conntest.NewEnv(t)
	e.JSAMPHub(t)
	c, tables := newTestConnector(t, e, "voagent-test")
	c.opts.Conn.MaxMessageBytes = 64 << 10 // small, to test oversized messages
	runConnector(t, c)

	// An oversized message is refused before any handler sees it (the
	// callback answers a fault; JSAMP's notify does not tell the sender),
	// and the connector carries on: the next message is the first handled.
	e.JSAMPTool(t, "messagesender", "-mtype", "table.load.votable", "-param", "url", "file:///"+strings.Repeat("x", 100<<10),
		"-targetname", "voagent-test", "-mode", "notify")
	e.JSAMPTool(t, "messagesender", "-mtype", "table.load.votable", "-param", "url", "file:///small.vot",
		"-targetname", "voagent-test", "-mode", "notify")
	select {
	case got := <-tables:
		if got != "table.load.votable file:///small.vot" {
			t.Errorf("first handled message: %.200q", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the small message after the oversized one was not handled")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// messagesender calls us synchronously.
	out := e.JSAMPTool(t, "messagesender", "-mtype", "voagent.echo", "-param", "color", "deep blue",
		"-targetname", "voagent-test", "-mode", "sync")
	if !strings.Contains(out, "samp.ok") || !strings.Contains(out, "deep blue") {
		t.Errorf("messagesender voagent.echo:\n%s", out)
	}
	out = e.JSAMPTool(t, "messagesender", "-mtype", "voagent.fail", "-targetname", "voagent-test", "-mode", "sync")
	if !strings.Contains(out, "samp.error") || !strings.Contains(out, "always fails") {
		t.Errorf("messagesender voagent.fail:\n%s", out)
	}
	out = e.JSAMPTool(t, "messagesender", "-mtype", "samp.app.ping", "-targetname", "voagent-test", "-mode", "sync")
	if !strings.Contains(out, "samp.ok") {
		t.Errorf("messagesender samp.app.ping:\n%s", out)
	}

	// The snooper receives our messages and answers with samp.warning.
	snoop := e.Start(t, "java", "-classpath", conntest.JSAMPJar, "org.astrogrid.samp.JSamp", "snooper", "-clientname", "snoop", "-mtype", "voagent.*")
	conntest.Eventually(t, "snooper registered", func() bool {
		return len(c.FindClients("snoop")) == 1 && c.FindClients("snoop")[0].Subscribed("voagent.hello")
	})
	id := c.FindClients("snoop")[0].ID
	r, err := c.Call(ctx, id, connection.NewMessage("voagent.hello", map[string]any{"who": "snooper-test"}))
	if err != nil || r.Status != connection.StatusWarning {
		t.Fatalf("call to snooper: %+v, %v", r, err)
	}
	if err := c.Notify(ctx, id, connection.NewMessage("voagent.note", map[string]any{"k": "v"})); err != nil {
		t.Fatal(err)
	}
	conntest.Eventually(t, "snooper logged both messages", func() bool {
		s := snoop.Output()
		return strings.Contains(s, "snooper-test") && strings.Contains(s, "voagent.note")
	})
}
