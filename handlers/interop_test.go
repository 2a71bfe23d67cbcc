package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/profile"
)

// TestJSAMPSendsTables: the agent on a JSAMP hub receives table.load.votable
// and table.highlight.row from JSAMP's messagesender posing as TOPCAT.
func TestJSAMPSendsTables(t *testing.T) {
	env := conntest.NewEnv(t)
	env.JSAMPHub(t)
	t.Setenv("SAMP_HUB", env.Hub)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.SAMP.StartHub = false
	a := agent.New(cfg, conntest.Logger(t))
	Register(a)
	run(t, ctx, a.Run)
	if err := a.WaitConnected(ctx, 60*time.Second); err != nil {
		t.Fatalf("agent did not register with the JSAMP hub: %v", err)
	}
	file := writeSample(t, env.Dir)
	send := func(params ...string) string {
		args := []string{"messagesender", "-targetname", "voagent", "-sendername", "topcat", "-mode", "sync"}
		return env.JSAMPTool(t, append(args, params...)...)
	}
	out := send("-mtype", "table.load.votable", "-param", "url", profile.FileURL(file), "-param", "table-id", "T7", "-param", "name", "sample")
	if !strings.Contains(out, "samp.ok") {
		t.Fatalf("table.load.votable: %s", out)
	}
	out = send("-mtype", "table.highlight.row", "-param", "table-id", "T7", "-param", "url", profile.FileURL(file), "-param", "row", "1")
	if !strings.Contains(out, "samp.ok") {
		t.Fatalf("table.highlight.row: %s", out)
	}
	out = send("-mtype", "table.highlight.row", "-param", "table-id", "T7", "-param", "row", "5")
	if !strings.Contains(out, "samp.error") || !strings.Contains(out, "out of range") {
		t.Fatalf("out-of-range row: %s", out)
	}
	if tab, err := a.Tables().Find("T7", ""); err != nil || tab.Sender != "topcat" || tab.Name != "sample" {
		t.Fatalf("stored table %+v, %v", tab, err)
	}
}
