package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/vo/votable"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestXmatchClusterSEDCommands(t *testing.T) {
	dir := t.TempDir()
	// 0.5" and 0.3" apart; the third rows are far from everything.
	a := writeFile(t, dir, "a.csv", "id,ra,dec,jmag\n1,10.0,20.0,12.5\n2,30.0,-10.0,13.0\n3,200.0,5.0,14.0\n")
	b := writeFile(t, dir, "b.csv", "id,RAJ2000,DEJ2000,w1mag\n7,10.0,20.000139,11.5\n8,30.0,-10.0000833,12.0\n9,100.0,5.0,10.0\n")
	c := writeFile(t, dir, "c.csv", "id,ra,dec,vmag\n20,10.0,19.99995,14.2\n")

	out, _, err := runCLI(t, "xmatch", a, b, "--radius", "1arcsec")
	if err != nil || strings.TrimSpace(out) != "rows: 2" {
		t.Fatalf("xmatch count: %q, %v", out, err)
	}
	res := filepath.Join(dir, "m.csv")
	if _, _, err := runCLI(t, "xmatch", a, b, "-r", "1", "--join", "1or2", "--out", res); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(res)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "id_1,ra,dec,jmag,id_2,RAJ2000,DEJ2000,w1mag,Separation,row_1,row_2" {
		t.Errorf("header %s", got)
	}
	if len(recs) != 1+4 {
		t.Fatalf("1or2: %d rows, want 4", len(recs)-1)
	}
	if recs[1][4] != "7" || !strings.HasPrefix(recs[1][8], "0.5") {
		t.Errorf("first row %v", recs[1])
	}

	vot := filepath.Join(dir, "clusters.vot")
	if _, _, err := runCLI(t, "cluster", a, b, c, "-r", "1arcsec", "--min-catalogues", "2", "--out", vot); err != nil {
		t.Fatal(err)
	}
	doc, err := votable.ReadFile(vot)
	if err != nil {
		t.Fatal(err)
	}
	if tab := doc.Tables()[0]; tab.Rows() != 2 || len(tab.Groups) != 3 {
		t.Fatalf("clusters: %d rows, %d groups", tab.Rows(), len(tab.Groups))
	}
	sedOut, png := filepath.Join(dir, "sed.csv"), filepath.Join(dir, "sed.png")
	if _, _, err := runCLI(t, "sed", vot, "--out", sedOut, "--plot", png); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(sedOut)
	if err != nil {
		t.Fatal(err)
	}
	// Cluster 1: J, W1 and V; cluster 2: J and W1.
	if lines := strings.Count(string(body), "\n"); lines != 1+5 {
		t.Errorf("SED table has %d lines:\n%s", lines, body)
	}
	if img, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(img, []byte("\x89PNG")) {
		t.Errorf("plot is not a PNG: %v", err)
	}

	for _, bad := range [][]string{
		{"xmatch", a},
		{"xmatch", a, b, "--radius", "1 furlong"},
		{"xmatch", a, b, "--find", "closest"},
		{"xmatch", a, b, "--join", "both"},
		{"xmatch", a, filepath.Join(dir, "missing.vot")},
		{"xmatch", a, b, "--ra1", "nope"},
		{"cluster", a},
		{"sed", a, "--bands", filepath.Join(dir, "missing.txt")},
	} {
		if _, _, err := runCLI(t, bad...); err == nil {
			t.Errorf("voagent %v: no error", bad)
		}
	}
}

// TestXmatchSend sends a cross-match and an SED table to a client named
// "topcat" (an astropy peer) on a JSAMP hub.
func TestXmatchSend(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "id,ra,dec,jmag\n1,10.0,20.0,12.5\n2,30.0,-10.0,13.0\n")
	b := writeFile(t, dir, "b.csv", "id,RAJ2000,DEJ2000,w1mag\n7,10.0,20.000139,11.5\n9,100.0,5.0,10.0\n")
	e := conntest.NewEnv(t)
	e.JSAMPHub(t)
	t.Setenv("SAMP_HUB", e.Hub)
	peer := e.AstropyPeer(t, "topcat")
	out, _, err := runCLI(t, "xmatch", a, b, "-r", "1", "--out", filepath.Join(dir, "m.csv"), "--send", "topcat")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("xmatch --send: %v\n%s", err, out)
	}
	m := peer.Next(t)
	params, _ := m["params"].(map[string]any)
	if m["mtype"] != "table.load.votable" || !strings.Contains(params["name"].(string), "a.csv, b.csv") {
		t.Fatalf("peer got %v", m)
	}
	clusters := filepath.Join(dir, "cl.vot")
	if _, _, err := runCLI(t, "cluster", a, b, "-r", "1", "--out", clusters); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "sed", clusters, "--send", "topcat", "--name", "my SEDs")
	if err != nil || !strings.Contains(out, "samp.ok") {
		t.Fatalf("sed --send: %v\n%s", err, out)
	}
	m = peer.Next(t)
	params, _ = m["params"].(map[string]any)
	if m["mtype"] != "table.load.votable" || params["name"] != "my SEDs" {
		t.Fatalf("peer got %v", m)
	}
}
