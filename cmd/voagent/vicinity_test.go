package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/vo/votable"
)

// vicinityConfig writes a configuration with the testbed's 2MASS cone
// search, AllWISE TAP table and SIA 1 images.
func vicinityConfig(t *testing.T, in *testbed.Info) string {
	p := filepath.Join(t.TempDir(), "voagent.toml")
	text := fmt.Sprintf(`[search]
radius_arcsec = 60
[[catalog]]
name = "2MASS"
kind = "scs"
url = %q
[[catalog]]
name = "AllWISE"
kind = "tap"
url = %q
table = %q
[[images]]
name = "images"
kind = "sia"
url = %q
`, in.Catalogs[0].SCS, in.TAP, in.Catalogs[1].Table, in.SIA1)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVicinityFiles(t *testing.T) {
	in := testbed.Require(t)
	a := in.Anchors[3]
	dir := filepath.Join(t.TempDir(), "near")
	out, stderr, err := runCLI(t, "vicinity", "--config", vicinityConfig(t, in), "--ra", fmt.Sprint(a.RA), "--dec", fmt.Sprint(a.Dec),
		"--radius", "40", "--output-dir", dir)
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out, stderr)
	}
	if !strings.Contains(stderr, "3 of 3 services answered") {
		t.Errorf("summary missing:\n%s", stderr)
	}
	for _, c := range in.Catalogs[:2] {
		want := len(synth.CatalogByName(c.Name).Cone(a.RA, a.Dec, 40.0/3600))
		files, _ := filepath.Glob(filepath.Join(dir, "*"+map[string]string{"twomass": "2MASS", "allwise": "AllWISE"}[c.Name]+".vot"))
		if len(files) != 1 {
			t.Fatalf("%s: files %v\n%s", c.Name, files, out)
		}
		doc, err := votable.ReadFile(files[0])
		if err != nil || doc.Tables()[0].Rows() != want {
			t.Errorf("%s: %v rows, want %d (%v)", c.Name, doc, want, err)
		}
		if !strings.Contains(out, fmt.Sprintf("%d rows", want)) {
			t.Errorf("%s: output lacks %d rows:\n%s", c.Name, want, out)
		}
	}
	if fits, _ := filepath.Glob(filepath.Join(dir, "*images*.fits")); len(fits) != 1 {
		t.Errorf("image files %v\n%s", fits, out)
	}
	// Bad input is named.
	if out, _, err := runCLI(t, "vicinity", "--config", vicinityConfig(t, in), "--ra", "10", "--dec", "95"); err == nil || !strings.Contains(err.Error(), `--dec: declination "95" is 95 degrees, out of range`) {
		t.Errorf("dec 95: %v\n%s", err, out)
	}
}

// TestVicinitySend: --send delivers the tables to the client named topcat
// on the running hub (here a JSAMP hub).
func TestVicinitySend(t *testing.T) {
	in := testbed.Require(t)
	got := receiverOnJSAMPHub(t, "topcat", "table.load.votable")
	a := in.Anchors[3]
	out, errOut, err := runCLI(t, "vicinity", "--config", vicinityConfig(t, in), "--ra", fmt.Sprint(a.RA), "--dec", fmt.Sprint(a.Dec), "--send")
	out += errOut
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	names := map[string]bool{}
	for len(names) < 2 {
		select {
		case p := <-got:
			name, _ := p["name"].(string)
			names[strings.Fields(name)[0]] = true
		case <-time.After(30 * time.Second):
			t.Fatalf("tables received: %v\n%s", names, out)
		}
	}
	if !names["2MASS"] || !names["AllWISE"] {
		t.Errorf("tables received: %v", names)
	}
}

// receiverOnJSAMPHub starts a JSAMP hub (SAMP_HUB names it for the test)
// and registers there a client named name that records the mtype messages.
func receiverOnJSAMPHub(t *testing.T, name, mtype string) <-chan map[string]any {
	t.Helper()
	e := conntest.NewEnv(t)
	e.JSAMPHub(t)
	t.Setenv("SAMP_HUB", e.Hub)
	return samppeer.Receiver(t, name, mtype)
}
