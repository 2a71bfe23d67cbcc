package config

import (
	"errors"
	"strings"
	"testing"
)

// The [crossmatch] and [sed] settings: a bad value names its file line
// and key; on_load must name configured catalogues.
func TestCrossmatchSettings(t *testing.T) {
	cat := "[[catalog]]\nname = \"2MASS\"\nkind = \"scs\"\nurl = \"http://h/cone\"\n"
	tests := []struct {
		name, text string
		line       int
		key, msg   string
	}{
		{"unknown catalogue", cat + "[crossmatch]\non_load = [\"2MASS\", \"Gaia\"]\n", 6, "crossmatch.on_load", `names "Gaia", which is no [[catalog]] entry`},
		{"join", "[crossmatch]\njoin = \"1or2\"\n", 2, "crossmatch.join", `must be "all1" or "1and2"`},
		{"radius", "[crossmatch]\nradius_arcsec = 0\n", 2, "crossmatch.radius_arcsec", "out of range"},
		{"chunk", "[crossmatch]\n\nchunk_rows = 0\n", 3, "crossmatch.chunk_rows", "at least 1"},
		{"row timeout", "[crossmatch]\nrow_timeout = \"0s\"\n", 2, "crossmatch.row_timeout", "positive"},
		{"sed radius", "[sed]\nradius_arcsec = 7200\n", 2, "sed.radius_arcsec", "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.text))
			var fe *FileError
			if !errors.As(err, &fe) || fe.Line != tc.line || fe.Key != tc.key || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%v, want line %d key %q %q", err, tc.line, tc.key, tc.msg)
			}
		})
	}
	c, err := Load(writeFile(t, cat+"[crossmatch]\non_load = [\"2mass\"]\njoin = \"1and2\"\n[sed]\non_vicinity = true\n[spectra]\non_load = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.CatalogByName(c.Crossmatch.OnLoad[0]); !ok || got.Name != "2MASS" || c.Crossmatch.Join != "1and2" || !c.SED.OnVicinity || !c.Spectra.OnLoad {
		t.Errorf("settings not taken: %+v %+v", c.Crossmatch, c.SED)
	}
	d := Default()
	if len(d.Crossmatch.OnLoad) != 0 || d.Crossmatch.RadiusArcsec != 2 || d.Crossmatch.Join != "all1" || d.Crossmatch.ChunkRows != 50000 || d.SED.OnVicinity || d.Spectra.OnLoad {
		t.Errorf("defaults: %+v %+v", d.Crossmatch, d.SED)
	}
}
