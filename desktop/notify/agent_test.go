package notify

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/dbustest"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/samp/profile"
)

// The notifier on a real agent's event stream and a notification server
// on a private session bus: 10 searches asked at once give at most 2
// notifications, the last naming the rows and services; a rejected
// configuration change is notified after the window.
func TestNotifierOnAgent(t *testing.T) {
	in := testbed.Require(t)
	dbustest.Session(t)
	srv := dbustest.ServeNotifications(t)
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(dir, "lock.samp")))
	t.Setenv("TMPDIR", dir)
	cfg := config.Default()
	cfg.Catalogs = []config.Catalog{{Name: "2MASS", Kind: "scs", URL: in.Catalogs[0].SCS}}
	cfg.Images = nil
	sock := filepath.Join(dir, "control.sock")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := agent.New(cfg, log, agent.WithControlSocket(sock))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go a.Run(ctx)
	c := client.New(sock)
	if err := c.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitConnected(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	bus, err := Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	window := 2 * time.Second
	nctx, nstop := context.WithCancel(ctx)
	defer nstop()
	go Run(nctx, c, bus.Notify, window, func() bool { return true }, log)
	time.Sleep(300 * time.Millisecond) // the notifier follows the stream from now on

	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			an := in.Anchors[i%len(in.Anchors)]
			if _, err := c.Vicinity(ctx, api.VicinityRequest{Position: &api.Position{RA: an.RA, Dec: an.Dec}, RadiusArcsec: 30}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var got []dbustest.Notification
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got = srv.Got(); len(got) >= 2 {
			break
		}
	}
	time.Sleep(2 * window)
	got = srv.Got()
	if len(got) == 0 || len(got) > 2 {
		t.Fatalf("%d notifications for 10 searches, want 1 or 2: %+v", len(got), got)
	}
	if !strings.Contains(got[0].Summary, "vicinity search") || !strings.Contains(got[0].Body, "from 1 of 1 services") {
		t.Errorf("first notification %+v", got[0])
	}
	if len(got) == 2 && !strings.Contains(got[1].Summary, "voagent events") {
		t.Errorf("second notification %+v, want the summary of the rest", got[1])
	}
}
