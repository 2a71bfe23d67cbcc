package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/vo/votable"
)

func TestSendArgs(t *testing.T) {
	file := writeFile(t, t.TempDir(), "x", "")
	for _, c := range []struct{ in, want []string }{
		{[]string{"cone", "--send"}, []string{"cone", "--send"}},
		{[]string{"cone", "--send", "topcat", "-o", "x"}, []string{"cone", "--send=topcat", "-o", "x"}},
		{[]string{"cone", "--send", "--name", "n"}, []string{"cone", "--send", "--name", "n"}},
		{[]string{"sed", "--send", "t.vot"}, []string{"sed", "--send", "t.vot"}},
		{[]string{"tap", "--send", "http://x/tap", "SELECT 1"}, []string{"tap", "--send", "http://x/tap", "SELECT 1"}},
		{[]string{"votable", "select", "--send", file, "out"}, []string{"votable", "select", "--send", file, "out"}},
		{[]string{"cone", "--send=aladin"}, []string{"cone", "--send=aladin"}},
		{[]string{"x", "--", "--send", "topcat"}, []string{"x", "--", "--send", "topcat"}},
	} {
		if got := sendArgs(c.in); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("sendArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestSendEveryCommand: --send [NAME] and --name on the commands that
// make a table, image or spectrum deliver it over SAMP (a JSAMP hub, two
// recording clients named topcat and aladin), by one path.
func TestSendEveryCommand(t *testing.T) {
	in := testbed.Require(t)
	e := conntest.NewEnv(t)
	e.JSAMPHub(t)
	t.Setenv("SAMP_HUB", e.Hub)
	tables := samppeer.Receiver(t, "topcat", "table.load.votable")
	images := samppeer.Receiver(t, "aladin", "image.load.fits")
	next := func(ch <-chan map[string]any, what string) map[string]any {
		t.Helper()
		select {
		case m := <-ch:
			return m
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: nothing received", what)
		}
		return nil
	}
	rowsOf := func(m map[string]any) int {
		t.Helper()
		u, err := url.Parse(fmt.Sprint(m["url"]))
		if err != nil || u.Scheme != "file" {
			t.Fatalf("sent URL %v", m["url"])
		}
		tab, err := votable.ReadTableFile(t.Context(), u.Path)
		if err != nil {
			t.Fatal(err)
		}
		return tab.Rows()
	}
	a := in.Anchors[0]
	cat := in.Catalogs[0]
	pos := fmt.Sprintf("%.10f %+.10f", a.RA, a.Dec)
	nCone := len(cat.Data.Cone(a.RA, a.Dec, 0.02))
	dir := t.TempDir()

	t.Run("cone csv out, sent as VOTable", func(t *testing.T) {
		out, _, err := runCLI(t, "cone", "--url", cat.SCS, "--pos", pos, "--radius", "72arcsec", "-o", filepath.Join(dir, "c.csv"), "--send", "topcat", "--name", "my cone")
		if err != nil || !strings.Contains(out, "samp.ok") {
			t.Fatalf("%v\n%s", err, out)
		}
		m := next(tables, "cone")
		if m["name"] != "my cone" || rowsOf(m) != nCone {
			t.Errorf("got %v (%d rows, want %d)", m, rowsOf(m), nCone)
		}
	})
	t.Run("cone --send alone", func(t *testing.T) {
		out, _, err := runCLI(t, "cone", "--url", cat.SCS, "--pos", pos, "--radius", "72arcsec", "-o", filepath.Join(dir, "c.xml"), "--send")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if m := next(tables, "cone"); !strings.HasPrefix(fmt.Sprint(m["name"]), "cone search ") || rowsOf(m) != nCone {
			t.Errorf("got %v", m)
		}
	})
	t.Run("ssa", func(t *testing.T) {
		if out, _, err := runCLI(t, "ssa", "--url", in.SSA, "--pos", pos, "--radius", "3arcmin", "--send", "topcat", "--name", "spectra here"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if m := next(tables, "ssa"); m["name"] != "spectra here" {
			t.Errorf("got %v", m)
		}
	})
	t.Run("sia download sends images", func(t *testing.T) {
		d := filepath.Join(dir, "imgs")
		out, stderr, err := runCLI(t, "sia", "--url", in.SIA1, "--pos", pos, "--radius", "0.0005", "--download", d, "--send", "aladin")
		if err != nil {
			t.Fatalf("%v\n%s%s", err, out, stderr)
		}
		files, _ := filepath.Glob(filepath.Join(d, "*"))
		if len(files) == 0 {
			t.Fatal("no image downloaded")
		}
		if strings.Contains(stderr, "\r") || !strings.Contains(stderr, files[0]) {
			t.Errorf("progress not on a terminal: want plain lines naming each file, no \\r:\n%q", stderr)
		}
		for range files {
			if m := next(images, "sia"); !strings.HasSuffix(fmt.Sprint(m["url"]), ".fits") {
				t.Errorf("got %v", m)
			}
		}
	})
	t.Run("votable select", func(t *testing.T) {
		src := writeFile(t, dir, "s.csv", selectCSV)
		out, _, err := runCLI(t, "votable", "select", src, filepath.Join(dir, "s.jsonl"), "--where", "g > 0", "--send", "topcat")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if m := next(tables, "select"); m["name"] != "selection of s.csv" || rowsOf(m) != 3 {
			t.Errorf("got %v", m)
		}
	})
	t.Run("registry", func(t *testing.T) {
		if out, _, err := runCLI(t, "registry", "--url", in.RegTAP, "--type", "ssa", "--send", "topcat"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if m := next(tables, "registry"); rowsOf(m) == 0 {
			t.Errorf("got %v", m)
		}
	})
	t.Run("tap", func(t *testing.T) {
		if out, _, err := runCLI(t, "tap", in.TAP, "SELECT TOP 5 * FROM "+cat.Table, "--send"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if m := next(tables, "tap"); rowsOf(m) != 5 {
			t.Errorf("got %v", m)
		}
	})
	t.Run("epntap", func(t *testing.T) {
		out, _, err := runCLI(t, "epntap", "--registry", in.RegTAP, "--target", "Mars", "--send", "topcat")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if m := next(tables, "epntap"); !strings.HasPrefix(fmt.Sprint(m["name"]), "EPN-TAP ") {
			t.Errorf("got %v", m)
		}
	})
	t.Run("vicinity --send NAME refused", func(t *testing.T) {
		if _, _, err := runCLI(t, "vicinity", "--config", vicinityConfig(t, in), "--pos", pos, "--send", "topcat"); err == nil || !strings.Contains(err.Error(), "takes no NAME") {
			t.Errorf("%v", err)
		}
	})
	if _, err := os.Stat(filepath.Join(dir, "c.csv")); err != nil {
		t.Error(err)
	}
}
