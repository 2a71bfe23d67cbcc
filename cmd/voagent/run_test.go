package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/internal/syncbuf"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/samp/profile"
)

// 'voagent run' with no configuration file at all, the Registry overridden
// by the environment (the testbed's RegTAP, which carries the identifiers
// of the default catalogues as alternates of its own cone searches): it
// starts its own hub, serves its control socket, and a vicinity search
// asked through the socket searches the default catalogues, resolved
// through that Registry. 'voagent status' then shows the agent's view, and
// stopping removes the socket.
func TestRunDefaults(t *testing.T) {
	in := testbed.Require(t)
	home := t.TempDir()
	for _, k := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"} {
		t.Setenv(k, filepath.Join(home, strings.ToLower(k)))
	}
	t.Setenv("IVOA_REGISTRY", in.RegTAP)
	t.Setenv("TMPDIR", home)
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(home, "samp.lock")))
	sock := filepath.Join(home, "run", "control.sock")
	t.Setenv(api.SocketEnv, sock)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncbuf.Buffer
	ran := make(chan error, 1)
	go func() { ran <- execCLI(ctx, &logs, &logs, "run") }()
	c := client.New(sock)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := c.Wait(wctx); err != nil {
		t.Fatalf("the agent's control socket never answered:\n%s", logs.String())
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Catalogues) != len(in.Mirrors) || st.Config == "" {
		t.Fatalf("status: catalogues %+v, config %q", st.Catalogues, st.Config)
	}
	want := map[string]int{}
	for _, m := range in.Mirrors {
		for _, cat := range st.Catalogues {
			if strings.EqualFold(cat.IVOID, m.IVOID) {
				want[cat.Name] = len(synth.CatalogByName(m.Catalog).Cone(in.Anchors[0].RA, in.Anchors[0].Dec, 60.0/3600))
			}
		}
	}
	if len(want) != len(in.Mirrors) {
		t.Fatalf("the default catalogues %+v are not the testbed's mirrors %+v", st.Catalogues, in.Mirrors)
	}
	reps, err := c.Vicinity(ctx, api.VicinityRequest{Position: &api.Position{RA: in.Anchors[0].RA, Dec: in.Anchors[0].Dec}, RadiusArcsec: 60})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range reps[0].Results {
		got[r.Service] = r.Rows
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s: %d rows, want %d (summary: %s)", name, got[name], n, reps[0].Summary)
		}
	}
	st, _ = c.Status(ctx)
	for _, cat := range st.Catalogues {
		if !strings.HasPrefix(cat.URL, testbed.BaseURL) || cat.Problem != "" {
			t.Errorf("%s resolved to %q (%s)", cat.Name, cat.URL, cat.Problem)
		}
	}
	if !st.Hub.Own || !st.Hub.Connected {
		t.Errorf("hub: %+v", st.Hub)
	}
	out, _, err := runCLI(t, "status")
	if err != nil || !strings.Contains(out, "voagent's own hub") || !strings.Contains(out, "2MASS") {
		t.Errorf("voagent status: %v\n%s", err, out)
	}
	// The resolutions are cached on disk, in the user's cache directory.
	if _, err := os.Stat(filepath.Join(home, "xdg_cache_home", "voagent", "registry-cache.json")); err != nil {
		t.Errorf("registry cache: %v", err)
	}
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop")
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("control socket left behind: %v", err)
	}
	if !strings.Contains(logs.String(), "voagent stopping") {
		t.Errorf("no shutdown line in the log:\n%s", logs.String())
	}
}
