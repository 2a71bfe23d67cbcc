package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/sesamefake"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/nameres"
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

	out, _, err := runCLI(t, "status", "--json")
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	var st api.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json output: %v\n%s", err, out)
	}
	var found bool
	for _, c := range st.Hub.Clients {
		if c.ID == peer.ID && c.Name == "splat" && strings.Contains(strings.Join(c.Subscriptions, " "), "spectrum.load.ssa-generic") {
			found = true
		}
	}
	if !found || st.Hub.HubID != "hub" || !strings.HasPrefix(st.Hub.URL, "http://127.0.0.1:") {
		t.Errorf("status: %+v", st)
	}
	out, _, err = runCLI(t, "status")
	if err != nil || !strings.Contains(out, peer.ID) || !strings.Contains(out, "splat") {
		t.Errorf("status text: %v\n%s", err, out)
	}

	// A local file is sent as a file: URL of its absolute path: the peer
	// reads it before replying.
	out, _, err = runCLI(t, "send", "table", vot, "--to", "SPLAT", "--name", "my table")
	if err != nil || !strings.Contains(out, peer.ID+" (splat): samp.ok") {
		t.Fatalf("send table: %v\n%s", err, out)
	}
	m := peer.Next(t)
	params, _ := m["params"].(map[string]any)
	if m["mtype"] != "table.load.votable" || params["name"] != "my table" || params["url"] != profile.FileURL(vot) || params["table-id"] == "" {
		t.Errorf("peer got %v", m)
	}

	// image: a local file again, with the size the peer read checked.
	img := filepath.Join(t.TempDir(), "m31.fits")
	if err := os.WriteFile(img, make([]byte, 2880), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "send", "image", img, "--image-id", "img-1")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("send image: %v\n%s", err, out)
	}
	m = peer.Next(t)
	params, _ = m["params"].(map[string]any)
	if m["mtype"] != "image.load.fits" || params["image-id"] != "img-1" || params["name"] != "m31.fits" {
		t.Errorf("peer got %v", m)
	}

	out, _, err = runCLI(t, "send", "spectrum", "file://"+vot, "--meta", "Access.Format=application/x-votable+xml", "--meta", "Target.Name=M31")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("send spectrum: %v\n%s", err, out)
	}
	m = peer.Next(t)
	params, _ = m["params"].(map[string]any)
	meta, _ := params["meta"].(map[string]any)
	if m["mtype"] != "spectrum.load.ssa-generic" || meta["Target.Name"] != "M31" || params["url"] != "file://"+vot {
		t.Errorf("peer got %v", m)
	}

	out, _, err = runCLI(t, "send", "point", "10.6847", "41.269")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("send point: %v\n%s", err, out)
	}
	m = peer.Next(t)
	params, _ = m["params"].(map[string]any)
	if m["mtype"] != "coord.pointAt.sky" || params["ra"] != "10.6847" || params["dec"] != "41.269" {
		t.Errorf("peer got %v", m)
	}

	// Sexagesimal, and a name through a fake Sesame.
	ses := sesamefake.Start()
	defer ses.Close()
	t.Setenv(nameres.EnvURL, ses.ResolverURL())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, args := range [][]string{{"00:42:44.33", "+41:16:07.5"}, {"M31"}} {
		out, _, err = runCLI(t, append([]string{"send", "point"}, args...)...)
		if err != nil || !strings.Contains(out, "samp.ok") {
			t.Fatalf("send point %q: %v\n%s", args, err, out)
		}
		m = peer.Next(t)
		params, _ = m["params"].(map[string]any)
		ra, _ := strconv.ParseFloat(fmt.Sprint(params["ra"]), 64)
		dec, _ := strconv.ParseFloat(fmt.Sprint(params["dec"]), 64)
		if m["mtype"] != "coord.pointAt.sky" || math.Abs(ra-10.6847) > 1e-3 || math.Abs(dec-41.2688) > 1e-3 {
			t.Errorf("send point %q: peer got %v", args, m)
		}
	}

	// A URL the receiver cannot read: its samp.error makes the command fail.
	out, _, err = runCLI(t, "send", "table", "http://127.0.0.1:1/missing.vot", "--to", "splat")
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
		if out, _, err := runCLI(t, bad...); err == nil {
			t.Errorf("%v succeeded:\n%s", bad, out)
		}
	}
}

// TestSendReadAfterReply: a receiver that replies first and reads the URL
// later (after voagent has exited) still finds the file, given as a file:
// URL of its absolute path also when named relatively.
func TestSendReadAfterReply(t *testing.T) {
	got := receiverOnJSAMPHub(t, "topcat", "table.load.votable")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "later.vot"), []byte(testVOTable), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	out, _, err := runCLI(t, "send", "table", "later.vot", "--to", "topcat")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("send table: %v\n%s", err, out)
	}
	p := <-got // buffered: the message arrived before the reply
	u, _ := p["url"].(string)
	if !strings.HasPrefix(u, "file:///") || p["name"] != "later.vot" {
		t.Fatalf("message %v", p)
	}
	path, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path.Path)
	if err != nil || string(b) != testVOTable {
		t.Errorf("reading %s after the command: %v", u, err)
	}
}

func TestNoHub(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:file://"+filepath.Join(dir, "none.lock"))
	for _, args := range [][]string{{"status"}, {"send", "point", "1", "2"}} {
		_, _, err := runCLI(t, args...)
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
	out, _, err := runCLI(t, "send", "table", vot, "--to", "topcat", "--name", "voagent test")
	if err != nil || !strings.Contains(out, id+" (topcat): samp.ok") {
		t.Fatalf("send table to TOPCAT: %v\n%s", err, out)
	}
	// TOPCAT reads the URL: a missing one is a samp.error.
	out, _, err = runCLI(t, "send", "table", "http://127.0.0.1:1/missing-"+strconv.Itoa(os.Getpid())+".vot", "--to", "topcat")
	if err == nil || !strings.Contains(out, "samp.error") {
		t.Errorf("missing table to TOPCAT: %v\n%s", err, out)
	}
}
