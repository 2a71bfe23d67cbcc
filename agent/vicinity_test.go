package agent

import (
	"os"
	"strings"
	"testing"

	"github.com/voagent/voagent/config"
)

func TestConeADQL(t *testing.T) {
	tests := []struct {
		cat  config.Catalog
		want string
	}{
		{config.Catalog{Table: "allwise.source"},
			"SELECT TOP 50 * FROM allwise.source WHERE 1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 10.5, (-30), 0.01))"},
		{config.Catalog{Table: "gaia.dr3", RA: "RA_ICRS", Dec: "DE_ICRS"},
			"SELECT TOP 50 * FROM gaia.dr3 WHERE 1=CONTAINS(POINT('ICRS', RA_ICRS, DE_ICRS), CIRCLE('ICRS', 10.5, (-30), 0.01))"},
		// Names from the configuration are quoted, never pasted in.
		{config.Catalog{Table: "t; DROP TABLE x", RA: "ra) OR (1=1"},
			`SELECT TOP 50 * FROM "t; DROP TABLE x" WHERE 1=CONTAINS(POINT('ICRS', "ra) OR (1=1", dec), CIRCLE('ICRS', 10.5, (-30), 0.01))`},
	}
	for _, tc := range tests {
		got, err := coneADQL(tc.cat, Position{RA: 10.5, Dec: -30}, 0.01, 50)
		if err != nil || got != tc.want {
			t.Errorf("%+v:\n got %s, %v\nwant %s", tc.cat, got, err, tc.want)
		}
	}
	if _, err := coneADQL(config.Catalog{Table: ""}, Position{}, 0.01, 50); err == nil {
		t.Error("an empty table name was accepted")
	}
}

func TestResultFiles(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var r results
	f, err := r.create("2MASS/../../etc passwd")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if strings.Count(f.Name(), "/") != strings.Count(r.dir, "/")+1 || !strings.HasSuffix(f.Name(), "-2MASS_.._.._etc_passwd.vot") {
		t.Errorf("result file %s escapes or misnames %s", f.Name(), r.dir)
	}
	for path, want := range map[string]os.FileMode{r.dir: 0o700 | os.ModeDir, f.Name(): 0o600} {
		if st, err := os.Stat(path); err != nil || st.Mode() != want {
			t.Errorf("%s: mode %v, want %v (%v)", path, st.Mode(), want, err)
		}
	}
	if err := r.remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(r.dir); !os.IsNotExist(err) {
		t.Errorf("result directory left behind: %v", err)
	}
}
