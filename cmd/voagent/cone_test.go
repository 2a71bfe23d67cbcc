package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/vo/votable"
)

// TestServiceCommandsTestbed runs the cone, sia, ssa, registry, datalink,
// soda and epntap commands against the DaCHS testbed.
func TestServiceCommandsTestbed(t *testing.T) {
	in := testbed.Require(t)
	dir := t.TempDir()
	a := in.Anchors[0]
	cat := in.Catalogs[0]
	nCone := len(cat.Data.Cone(a.RA, a.Dec, 0.02))
	pos := []string{"--ra", fmt.Sprint(a.RA), "--dec", fmt.Sprint(a.Dec)}

	t.Run("cone csv", func(t *testing.T) {
		out, _, err := runCLI(t, append([]string{"cone", "--url", cat.SCS, "--sr", "0.02", "--format", "csv"}, pos...)...)
		if err != nil {
			t.Fatal(err, out)
		}
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != nCone+1 || !strings.Contains(lines[0], cat.IDColumn) {
			t.Errorf("%d lines for %d sources; header %q", len(lines), nCone, lines[0])
		}
	})
	t.Run("cone votable file", func(t *testing.T) {
		p := filepath.Join(dir, "cone.xml")
		if out, _, err := runCLI(t, append([]string{"cone", "--url", cat.SCS, "--sr", "0.02", "-o", p}, pos...)...); err != nil {
			t.Fatal(err, out)
		}
		doc, err := votable.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Tables()[0].Rows(); n != nCone {
			t.Errorf("%d rows in %s, want %d", n, p, nCone)
		}
	})
	t.Run("cone re-encoded", func(t *testing.T) {
		p := filepath.Join(dir, "cone-td.xml")
		if out, _, err := runCLI(t, append([]string{"cone", "--url", cat.SCS, "--sr", "0.02", "--format", "tabledata", "-o", p}, pos...)...); err != nil {
			t.Fatal(err, out)
		}
		doc, err := votable.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if tab := doc.Tables()[0]; tab.Rows() != nCone || tab.Serialization != votable.TableData {
			t.Errorf("%d rows in %v, want %d in TABLEDATA", tab.Rows(), tab.Serialization, nCone)
		}
	})
	t.Run("cone all services", func(t *testing.T) {
		d := filepath.Join(dir, "all")
		out, _, err := runCLI(t, append([]string{"cone", "--all", "--registry", in.RegTAP, "--sr", "0.02", "--output-dir", d}, pos...)...)
		if err != nil {
			t.Fatal(err, out)
		}
		// One answer per catalogue, with the generator's number of sources.
		var got, want []int
		for _, line := range strings.Split(out, "\n") {
			var n int
			if i := strings.Index(line, ": "); i > 0 {
				if _, err := fmt.Sscanf(line[i+2:], "%d rows", &n); err == nil {
					got = append(got, n)
				}
			}
		}
		for _, c := range in.Catalogs {
			want = append(want, len(c.Data.Cone(a.RA, a.Dec, 0.02)))
		}
		sort.Ints(got)
		sort.Ints(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("row counts %v, want %v; output:\n%s", got, want, out)
		}
		if files, _ := filepath.Glob(filepath.Join(d, "*.xml")); len(files) != len(in.Catalogs) {
			t.Errorf("%d files written, want %d", len(files), len(in.Catalogs))
		}
	})
	t.Run("ssa params and download", func(t *testing.T) {
		out, _, err := runCLI(t, "ssa", "--url", in.SSA, "--params")
		if err != nil || !strings.Contains(out, "FLUXCALIB") || !strings.Contains(out, "TARGETNAME") {
			t.Fatalf("--params: %v\n%s", err, out)
		}
		want := 0
		for _, s := range in.Spectra {
			if synth.Sep(a.RA, a.Dec, s.RA, s.Dec) < 0.05 {
				want++
			}
		}
		d := filepath.Join(dir, "spectra")
		if out, _, err := runCLI(t, append([]string{"ssa", "--url", in.SSA, "--size", "0.1", "--download", d}, pos...)...); err != nil {
			t.Fatal(err, out)
		}
		files, _ := filepath.Glob(filepath.Join(d, "*.fits"))
		if want == 0 || len(files) != want {
			t.Errorf("%d spectra downloaded, want %d", len(files), want)
		}
	})
	t.Run("sia 1 and 2", func(t *testing.T) {
		a3 := in.Anchors[3]
		want := 0
		for _, im := range in.Images {
			if im.RA == a3.RA && im.Dec == a3.Dec {
				want++
			}
		}
		d := filepath.Join(dir, "images")
		out, _, err := runCLI(t, "sia", "--url", in.SIA1, "--ra", fmt.Sprint(a3.RA), "--dec", fmt.Sprint(a3.Dec), "--size", "0.001", "--download", d)
		if err != nil {
			t.Fatal(err, out)
		}
		if files, _ := filepath.Glob(filepath.Join(d, "*.fits")); want == 0 || len(files) != want {
			t.Errorf("SIA 1: %d images downloaded, want %d", len(files), want)
		}
		out, _, err = runCLI(t, "sia", "--v2", "--url", in.SIA2, "--circle", fmt.Sprintf("%v %v 0.001", a3.RA, a3.Dec), "--format", "csv")
		if err != nil {
			t.Fatal(err, out)
		}
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != want+1 {
			t.Errorf("SIA 2: %d lines, want %d rows and a header", len(lines), want)
		}
	})
	t.Run("registry", func(t *testing.T) {
		out, _, err := runCLI(t, "registry", "--url", in.RegTAP, "--type", "ssa")
		if err != nil || !strings.Contains(out, in.SSAIVOID) || !strings.Contains(out, in.SSA) {
			t.Errorf("%v\n%s", err, out)
		}
	})
	t.Run("datalink and soda", func(t *testing.T) {
		sp := in.Spectra[0]
		out, _, err := runCLI(t, "datalink", "--url", in.SpectraDatalink, "--id", sp.PubDID, "--semantics", "#this")
		if err != nil || !strings.Contains(out, sp.AccessURL) || strings.Contains(out, "#proc") {
			t.Errorf("datalink: %v\n%s", err, out)
		}
		// Links of saved SSA results, through their service descriptor.
		res := filepath.Join(dir, "ssa.xml")
		if out, _, err := runCLI(t, append([]string{"ssa", "--url", in.SSA, "--size", "0.1", "-o", res}, pos...)...); err != nil {
			t.Fatal(err, out)
		}
		out, _, err = runCLI(t, "datalink", "--from", res, "--semantics", "#this", "--download", filepath.Join(dir, "dl"))
		if err != nil {
			t.Fatal(err, out)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "dl", "*.fits")); len(files) == 0 {
			t.Errorf("datalink --from downloaded nothing\n%s", out)
		}
		p := filepath.Join(dir, "cut.csv")
		out, _, err = runCLI(t, "soda", "--url", in.SpectraDatalink, "--id", sp.PubDID, "--band", "5e-7 6e-7", "--param", "FORMAT=text/csv", "-o", p)
		if err != nil {
			t.Fatal(err, out)
		}
		if b, err := os.ReadFile(p); err != nil || len(b) == 0 {
			t.Errorf("cutout file: %v (%d bytes)", err, len(b))
		}
		if out, _, err := runCLI(t, "soda", "--url", in.SpectraDatalink, "--id", sp.PubDID, "--circle", "1 2 3", "-o", p); err == nil || !strings.Contains(err.Error(), "CIRCLE") {
			t.Errorf("a parameter the service does not take: %v\n%s", err, out)
		}
	})
	t.Run("epntap", func(t *testing.T) {
		want := 0
		for _, g := range in.Granules {
			if g.Target == "Mars" {
				want++
			}
		}
		out, _, err := runCLI(t, "epntap", "--registry", in.RegTAP, "--target", "Mars", "--output-dir", filepath.Join(dir, "epn"))
		if err != nil || !strings.Contains(out, fmt.Sprintf(": %d rows", want)) {
			t.Errorf("%v\n%s", err, out)
		}
	})
}

func TestServiceCommandErrors(t *testing.T) {
	for _, args := range [][]string{
		{"cone", "--ra", "1", "--dec", "2", "--sr", "1"},
		{"cone", "--url", "http://127.0.0.1:1/x", "--ra", "1", "--dec", "95", "--sr", "1"},
		{"cone", "--url", "http://127.0.0.1:1/x", "--ra", "1", "--dec", "5", "--sr", "1", "--format", "fits"},
		{"ssa", "--url", "http://127.0.0.1:1/x", "--band", "2/1"},
		{"ssa", "--url", "http://127.0.0.1:1/x", "--param", "novalue"},
		{"sia", "--url", "http://127.0.0.1:1/x", "--v2", "--circle", "1 2"},
		{"registry", "--url", "http://127.0.0.1:1/tap", "--type", "ftp"},
		{"soda", "--url", "http://127.0.0.1:1/x", "--polygon", "1 2 3"},
	} {
		if out, _, err := runCLI(t, args...); err == nil {
			t.Errorf("%q: no error\n%s", args, out)
		}
	}
}
