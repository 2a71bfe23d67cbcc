package notify

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/internal/dbustest"
)

func fp(f float64) *float64 { return &f }

func TestMessage(t *testing.T) {
	tests := []struct {
		name    string
		ev      events.Event
		ok      bool
		summary string
		body    string
	}{
		{"finished", events.Event{Type: events.SearchFinished, Kind: "vicinity", RA: fp(10), Dec: fp(-2), Services: 3, Answered: 2,
			Counts: []events.Count{{Service: "2MASS", Rows: 4}, {Service: "SDSS", Rows: 5}}, Failed: []string{"AllWISE"}},
			true, "vicinity search at 10.00000 -2.00000 finished", "9 rows from 2 of 3 services; failed: AllWISE"},
		{"superseded", events.Event{Type: events.SearchFinished, Superseded: true}, false, "", ""},
		{"spectra", events.Event{Type: events.SpectraDelivered, Count: 3, To: "splat"}, true, "spectra delivered", "3 spectra sent to splat"},
		{"hub lost", events.Event{Type: events.HubLost, Hub: "http://127.0.0.1:1/", Error: "gone"}, true, "SAMP hub lost", "http://127.0.0.1:1/: gone"},
		{"own hub", events.Event{Type: events.HubFound, Hub: "h", OwnHub: true}, true, "on voagent's own SAMP hub", "h"},
		{"rejected", events.Event{Type: events.ConfigRejected, Path: "/c.toml", Error: "line 3: bad"}, true, "configuration change rejected", "/c.toml: line 3: bad"},
		{"other", events.Event{Type: events.ResultStored}, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, b, ok := Message(tt.ev)
			if ok != tt.ok || s != tt.summary || b != tt.body {
				t.Errorf("Message = %q, %q, %v; want %q, %q, %v", s, b, ok, tt.summary, tt.body, tt.ok)
			}
		})
	}
}

// TestCoalescedOverDBus sends 10 rapid search results through a real
// notification server on a private session bus: at most 2 notifications,
// the first at once, the last one naming the last search.
func TestCoalescedOverDBus(t *testing.T) {
	dbustest.Session(t)
	srv := dbustest.ServeNotifications(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bus, err := Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	window := 500 * time.Millisecond
	co := NewCoalescer(ctx, bus.Notify, window, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i := range 10 {
		s, b, _ := Message(events.Event{Type: events.SearchFinished, Kind: "vicinity", RA: fp(float64(i)), Dec: fp(1), Services: 1, Answered: 1})
		co.Add(s, b)
	}
	var got []dbustest.Notification
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = srv.Got(); len(got) >= 2 {
			break
		}
	}
	time.Sleep(2 * window) // nothing more may come
	got = srv.Got()
	if len(got) != 2 {
		t.Fatalf("got %d notifications, want 2: %+v", len(got), got)
	}
	if got[0].App != "voagent" || !strings.Contains(got[0].Summary, "at 0.00000") {
		t.Errorf("first notification %+v, want the first search's", got[0])
	}
	if !strings.Contains(got[1].Summary, "9 voagent events") || !strings.Contains(got[1].Body, "at 9.00000") {
		t.Errorf("second notification %+v, want a summary of 9 naming the last search", got[1])
	}
}
