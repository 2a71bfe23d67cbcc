package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/samp/connection/conntest"
)

// A small VOTable (3 rows) written by the tests.
const testVOTable = `<?xml version="1.0" encoding="UTF-8"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
 <RESOURCE><TABLE name="sample">
  <FIELD name="ra" datatype="double" unit="deg" ucd="pos.eq.ra;meta.main"/>
  <FIELD name="dec" datatype="double" unit="deg" ucd="pos.eq.dec;meta.main"/>
  <DATA><TABLEDATA>
   <TR><TD>10.6847</TD><TD>41.2690</TD></TR>
   <TR><TD>10.6850</TD><TD>41.2700</TD></TR>
   <TR><TD>83.8221</TD><TD>-5.3911</TD></TR>
  </TABLEDATA></DATA>
 </TABLE></RESOURCE>
</VOTABLE>
`

// runCLI runs voagent with args in-process and returns stdout and the error.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func writeVOTable(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "sample.vot")
	if err := os.WriteFile(p, []byte(testVOTable), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStatusAndSend(t *testing.T) {
	e := conntest.NewEnv(t)
	e.JSAMPHub(t)
	t.Setenv("SAMP_HUB", e.Hub)
	peer := e.AstropyPeer(t, "splat")
	vot := writeVOTable(t)

	out, err := runCLI(t, "status", "--json")
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	var st hubStatus
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json output: %v\n%s", err, out)
	}
	var found bool
	for _, c := range st.Clients {
		if c.ID == peer.ID && c.Name == "splat" && strings.Contains(strings.Join(c.Subscriptions, " "), "spectrum.load.ssa-generic") {
			found = true
		}
	}
	if !found || st.HubID != "hub" || !strings.HasPrefix(st.HubURL, "http://127.0.0.1:") {
		t.Errorf("status: %+v", st)
	}
	out, err = runCLI(t, "status")
	if err != nil || !strings.Contains(out, peer.ID) || !strings.Contains(out, "splat") {
		t.Errorf("status text: %v\n%s", err, out)
	}

	// A local file is served over loopback HTTP: the peer reads it.
	out, err = runCLI(t, "send", "table", vot, "--to", "SPLAT", "--name", "my table")
	if err != nil || !strings.Contains(out, peer.ID+" (splat): samp.ok") {
		t.Fatalf("send table: %v\n%s", err, out)
	}
	m := peer.Next(t)
	params, _ := m["params"].(map[string]any)
	if m["mtype"] != "table.load.votable" || params["name"] != "my table" || !strings.HasPrefix(params["url"].(string), "http://127.0.0.1:") || params["table-id"] == "" {
		t.Errorf("peer got %v", m)
	}

	// image: a local file again, with the size the peer read checked.
	img := filepath.Join(t.TempDir(), "m31.fits")
	if err := os.WriteFile(img, make([]byte, 2880), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, "send", "image", img, "--image-id", "img-1")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("send image: %v\n%s", err, out)
	}
	m = peer.Next(t)
	params, _ = m["params"].(map[string]any)
	if m["mtype"] != "image.load.fits" || params["image-id"] != "img-1" || params["name"] != "m31.fits" {
		t.Errorf("peer got %v", m)
	}

	out, err = runCLI(t, "send", "spectrum", "file://"+vot, "--meta", "Access.Format=application/x-votable+xml", "--meta", "Target.Name=M31")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("send spectrum: %v\n%s", err, out)
	}
	m = peer.Next(t)
	params, _ = m["params"].(map[string]any)
	meta, _ := params["meta"].(map[string]any)
	if m["mtype"] != "spectrum.load.ssa-generic" || meta["Target.Name"] != "M31" || params["url"] != "file://"+vot {
		t.Errorf("peer got %v", m)
	}

	out, err = runCLI(t, "send", "point", "10.6847", "41.269")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("send point: %v\n%s", err, out)
	}
	m = peer.Next(t)
	params, _ = m["params"].(map[string]any)
	if m["mtype"] != "coord.pointAt.sky" || params["ra"] != "10.6847" || params["dec"] != "41.269" {
		t.Errorf("peer got %v", m)
	}

	// A URL the receiver cannot read: its samp.error makes the command fail.
	out, err = runCLI(t, "send", "table", "http://127.0.0.1:1/missing.vot", "--to", "splat")
	if err == nil || !strings.Contains(out, "samp.error") {
		t.Errorf("send of an unreadable URL: %v\n%s", err, out)
	}

	for _, bad := range [][]string{
		{"send", "table", vot, "--to", "nobody"},
		{"send", "image", filepath.Join(t.TempDir(), "missing.fits")},
		{"send", "point", "400", "0"},
		{"send", "point", "10", "abc"},
		{"send", "spectrum", vot, "--meta", "novalue"},
		{"send", "table", "gopher://x/y"},
	} {
		if out, err := runCLI(t, bad...); err == nil {
			t.Errorf("%v succeeded:\n%s", bad, out)
		}
	}
}

func TestNoHub(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:file://"+filepath.Join(dir, "none.lock"))
	for _, args := range [][]string{{"status"}, {"send", "point", "1", "2"}} {
		_, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), "no SAMP hub") {
			t.Errorf("%v without a hub: %v", args, err)
		}
	}
}

// TestSendTableTOPCAT sends a local VOTable to a real TOPCAT under Xvfb.
func TestSendTableTOPCAT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts TOPCAT")
	}
	topcat := peertest.Command(t, "topcat")
	e := conntest.NewEnv(t)
	e.JSAMPHub(t)
	display := e.Xvfb(t)
	t.Setenv("SAMP_HUB", e.Hub)
	// /usr/bin/topcat runs java as a child: stop the whole process group.
	e.StartWith(t, conntest.StartOptions{Env: []string{"DISPLAY=" + display}, Group: true}, topcat, "-nohub")
	id := e.WaitClient(t, "topcat")
	vot := writeVOTable(t)
	out, err := runCLI(t, "send", "table", vot, "--to", "topcat", "--name", "voagent test")
	if err != nil || !strings.Contains(out, id+" (topcat): samp.ok") {
		t.Fatalf("send table to TOPCAT: %v\n%s", err, out)
	}
	// TOPCAT reads the URL: a missing one is a samp.error.
	out, err = runCLI(t, "send", "table", "http://127.0.0.1:1/missing-"+strconv.Itoa(os.Getpid())+".vot", "--to", "topcat")
	if err == nil || !strings.Contains(out, "samp.error") {
		t.Errorf("missing table to TOPCAT: %v\n%s", err, out)
	}
}
