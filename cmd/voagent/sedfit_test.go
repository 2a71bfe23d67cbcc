package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// TestSEDFit: voagent sed --fit prints each source's fits and writes them
// as PARAMs of the SED table.
func TestSEDFit(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "phot.csv", "id,ra,dec,bmag,e_bmag,vmag,e_vmag,jmag,e_jmag,hmag,e_hmag,kmag,e_kmag,w1mag,e_w1mag\n"+
		"1,10.0,20.0,11.2,0.03,10.55,0.03,9.3,0.02,8.99,0.02,8.93,0.02,8.9,0.03\n")
	out := filepath.Join(dir, "sed.vot")
	stdout, _, err := runCLI(t, "sed", in, "--fit", "-o", out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"source 1: blackbody T = ", "source 1: power law", "reddening-free"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	tab, err := votable.ReadTableFile(t.Context(), out)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range tab.Params {
		names[p.Name] = true
	}
	for _, want := range []string{"bb_temperature", "bb_temperature_err", "pl_slope", "pl_slope_err"} {
		if !names[want] {
			t.Errorf("no PARAM %s in %v", want, names)
		}
	}
}

// TestConvertFITS: a FITS table (plain and gzipped) is read wherever a
// table is read, here by votable convert.
func TestConvertFITS(t *testing.T) {
	dir := t.TempDir()
	card := func(b *bytes.Buffer, s string) { fmt.Fprintf(b, "%-80s", s) }
	var f bytes.Buffer
	for _, c := range []string{"SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0", "END"} {
		card(&f, c)
	}
	f.Write(bytes.Repeat([]byte(" "), 2880-f.Len()))
	for _, c := range []string{"XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    2",
		"NAXIS1  =                   12", "NAXIS2  =                    2", "PCOUNT  =                    0",
		"GCOUNT  =                    1", "TFIELDS =                    2", "TTYPE1  = 'ra'", "TFORM1  = 'D'",
		"TTYPE2  = 'n'", "TFORM2  = 'J'", "TNULL2  =                   -1", "END"} {
		card(&f, c)
	}
	f.Write(bytes.Repeat([]byte(" "), 5760-f.Len()))
	for _, v := range []any{10.5, int32(3), 11.25, int32(-1)} {
		binary.Write(&f, binary.BigEndian, v)
	}
	f.Write(make([]byte, 8640-f.Len()))
	plain := filepath.Join(dir, "t.fits")
	os.WriteFile(plain, f.Bytes(), 0o644)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(f.Bytes())
	zw.Close()
	gz := filepath.Join(dir, "t.fits.gz")
	os.WriteFile(gz, z.Bytes(), 0o644)
	for _, in := range []string{plain, gz} {
		out := filepath.Join(dir, "out.csv")
		if _, _, err := runCLI(t, "votable", "convert", in, out); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		body, _ := os.ReadFile(out)
		if got := strings.TrimSpace(string(body)); got != "ra,n\n10.5,3\n11.25," {
			t.Errorf("%s: CSV\n%s", in, got)
		}
		info, _, err := runCLI(t, "votable", "info", in)
		if err != nil || !strings.Contains(info, "2 rows, 2 columns") {
			t.Errorf("votable info %s: %v\n%s", in, err, info)
		}
		stats, _, err := runCLI(t, "votable", "stats", in)
		if err != nil || !strings.Contains(stats, "10.5") || !strings.Contains(stats, "11.25") {
			t.Errorf("votable stats %s: %v\n%s", in, err, stats)
		}
	}
}
