package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/votable"
)

// TestCrossmatchCLI: 'voagent crossmatch' without a running agent joins a
// file with the testbed's 2MASS through TAP upload, and with its SDSS by
// cone search, writing the joined table; the same rows match both ways as
// in the whole catalogue (the agent package checks them one by one).
func TestCrossmatchCLI(t *testing.T) {
	in := testbed.Require(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "voagent.toml")
	os.WriteFile(cfg, []byte(`[[catalog]]
name = "2MASS"
kind = "tap"
url = "`+in.TAP+`"
table = "`+in.Catalogs[0].Table+`"
[[catalog]]
name = "2MASS-cones"
kind = "scs"
url = "`+in.Catalogs[0].SCS+`"
`), 0o600)
	sample := filepath.Join(dir, "sample.vot")
	if err := votable.CreateFile(sample, func(w io.Writer) error { return votable.WriteTable(w, testbed.XmatchTable(200), votable.TableData) }); err != nil {
		t.Fatal(err)
	}
	var matched []int
	for _, cat := range []string{"2MASS", "2MASS-cones"} {
		out := filepath.Join(dir, cat+".csv")
		stdout, stderr, err := runCLI(t, "crossmatch", cat, "--config", cfg, "--table", sample, "--radius", "2arcsec", "--join", "1and2", "--out", out)
		if err != nil {
			t.Fatalf("%s: %v\n%s", cat, err, stderr)
		}
		if !strings.Contains(stdout, " of 200 rows matched within 2\"") {
			t.Errorf("%s: %q", cat, stdout)
		}
		tab, err := votable.ReadTableFile(context.Background(), out)
		if err != nil {
			t.Fatal(err)
		}
		if tab.FieldByName("sep_arcsec") < 0 || tab.Rows() == 0 || tab.Rows() >= 200 {
			t.Errorf("%s: %d rows", cat, tab.Rows())
		}
		matched = append(matched, tab.Rows())
	}
	if matched[0] != matched[1] {
		t.Errorf("TAP upload matched %d rows, cone search %d", matched[0], matched[1])
	}
	if _, _, err := runCLI(t, "crossmatch", "Gaia", "--config", cfg, "--table", sample); err == nil || !strings.Contains(err.Error(), `no catalogue "Gaia"`) {
		t.Errorf("unknown catalogue: %v", err)
	}
	if _, _, err := runCLI(t, "crossmatch", "2MASS", "--config", cfg); err == nil || !strings.Contains(err.Error(), "--table") {
		t.Errorf("no table and no agent: %v", err)
	}
}
