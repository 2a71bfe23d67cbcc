package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/votable"
)

func TestSplitColumns(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"ra,dec", []string{"ra", "dec"}},
		{" ra , gmr=g-r ", []string{"ra", "gmr=g-r"}},
		{"m=max(g, r),id", []string{"m=max(g, r)", "id"}},
		{`x=col("a,b"),y=[1,2][0]`, []string{`x=col("a,b")`, "y=[1,2][0]"}},
		{`s='a,b'`, []string{`s='a,b'`}},
	} {
		got := splitColumns(c.in)
		if fmt.Sprint(got) != fmt.Sprint(c.want) || len(got) != len(c.want) {
			t.Errorf("splitColumns(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

const selectCSV = `id,ra,dec,g,r,2MASS
1,150.1,2.2,18.5,18.0,J1
2,150.2,2.3,17.0,16.2,J2
3,150.3,-1.0,,15.0,J3
4,150.4,2.5,19.5,18.5,J4
`

// TestVOTableSelect runs votable select on CSV and on a VOTable (streamed
// in batches of rows, and whole when sorted), to CSV and JSON lines.
func TestVOTableSelect(t *testing.T) {
	dir := t.TempDir()
	csvIn := writeFile(t, dir, "in.csv", selectCSV)
	votIn := filepath.Join(dir, "in.vot")
	if out, _, err := runCLI(t, "votable", "convert", csvIn, votIn); err != nil {
		t.Fatal(err, out)
	}
	for _, c := range []struct {
		name string
		args []string
		out  string
		want string
	}{
		{"where columns", []string{"--where", "dec > 0 && g < 19", "--columns", "id,gmr=g-r"}, "o.csv", "id,gmr\n1,0.5\n2,0.8000000000000007\n"},
		{"null left out", []string{"--where", "g > 0", "--columns", "id"}, "o.csv", "id\n1\n2\n4\n"},
		{"nil test", []string{"--where", "g == nil", "--columns", `id,col("2MASS")`}, "o.csv", "id,2MASS\n3,J3\n"},
		{"sort head", []string{"--sort", "r", "--desc", "--head", "2", "--columns", "id,r"}, "o.csv", "id,r\n4,18.5\n1,18\n"},
		{"jsonl", []string{"--where", "id == 3", "--columns", "id,g,twomass=col(\"2MASS\")"}, "o.jsonl", `{"id":3,"g":null,"twomass":"J3"}` + "\n"},
		{"head", []string{"--head", "1", "--columns", "id"}, "o.csv", "id\n1\n"},
	} {
		for _, in := range []string{csvIn, votIn} {
			out := filepath.Join(t.TempDir(), c.out)
			args := append([]string{"votable", "select", in, out}, c.args...)
			if o, stderr, err := runCLI(t, args...); err != nil {
				t.Errorf("%s (%s): %v\n%s%s", c.name, filepath.Base(in), err, o, stderr)
				continue
			}
			b, _ := os.ReadFile(out)
			if string(b) != c.want {
				t.Errorf("%s (%s): wrote %q, want %q", c.name, filepath.Base(in), b, c.want)
			}
		}
	}
	// The VOTable out keeps the columns' metadata.
	out := filepath.Join(dir, "o.vot")
	if o, _, err := runCLI(t, "votable", "select", votIn, out, "--columns", "ra,x=g*2"); err != nil {
		t.Fatal(err, o)
	}
	tab, err := votable.ReadTableFile(t.Context(), out)
	if err != nil || len(tab.Fields) != 2 || tab.Fields[1].Datatype != votable.Double || tab.Rows() != 4 {
		t.Errorf("select to VOTable: %v", err)
	}
	for _, bad := range [][]string{
		{"--where", "jmag < 3"},
		{"--where", "g +"},
		{"--columns", "id,id"},
		{"--head", "-1"},
	} {
		_, _, err := runCLI(t, append([]string{"votable", "select", votIn, filepath.Join(dir, "bad.csv")}, bad...)...)
		if err == nil {
			t.Errorf("%q: no error", bad)
		}
		if _, serr := os.Stat(filepath.Join(dir, "bad.csv")); serr == nil {
			t.Errorf("%q: a failed select left its output", bad)
		}
	}
}

// TestWhereTestbed: --where on cone (one shared path) keeps the rows the
// generator's data says, and xmatch --where filters its output.
func TestWhereTestbed(t *testing.T) {
	in := testbed.Require(t)
	a := in.Anchors[0]
	cat := in.Catalogs[0]
	decCol := ""
	for _, c := range cat.Data.Columns {
		if c.UCD == "pos.eq.dec;meta.main" {
			decCol = c.Name
		}
	}
	if decCol == "" {
		t.Fatal("no dec column in the catalogue")
	}
	want := 0
	for _, i := range cat.Data.Cone(a.RA, a.Dec, 0.05) {
		if cat.Data.Dec[i] > a.Dec {
			want++
		}
	}
	where := fmt.Sprintf("%s > %.10f", decCol, a.Dec)
	for _, f := range []string{"csv", "votable", "jsonl"} {
		p := filepath.Join(t.TempDir(), "cone."+f)
		out, _, err := runCLI(t, "cone", "--url", cat.SCS, "--pos", fmt.Sprintf("%.10f %+.10f", a.RA, a.Dec), "--radius", "3arcmin", "--where", where, "--format", f, "-o", p)
		if err != nil {
			t.Fatal(err, out)
		}
		var rows int
		switch f {
		case "votable":
			tab, err := votable.ReadTableFile(t.Context(), p)
			if err != nil {
				t.Fatal(err)
			}
			rows = tab.Rows()
		default:
			b, _ := os.ReadFile(p)
			rows = strings.Count(string(b), "\n")
			if f == "csv" {
				rows--
			}
		}
		if rows != want || want == 0 {
			t.Errorf("cone --where %q --format %s: %d rows, want %d", where, f, rows, want)
		}
	}
	if _, _, err := runCLI(t, "cone", "--url", cat.SCS, "--ra", "10", "--dec", "20", "--sr", "1arcmin", "--where", "nosuchcolumn > 1"); err == nil ||
		!strings.Contains(err.Error(), "nosuchcolumn") {
		t.Errorf("--where with an unknown column: %v", err)
	}
}

// TestXmatchWhere: --where filters the xmatch, cluster and sed outputs.
func TestXmatchWhere(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "id,ra,dec,jmag\n1,10.0,20.0,12.5\n2,30.0,-10.0,13.0\n3,200.0,5.0,14.0\n")
	b := writeFile(t, dir, "b.csv", "id,RAJ2000,DEJ2000,w1mag\n7,10.0,20.000139,11.5\n8,30.0,-10.0000833,12.0\n9,100.0,5.0,10.0\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"xmatch", a, b, "-r", "1arcsec", "--where", "Separation < 0.4"}, `"id_1":2,`},
		{[]string{"xmatch", a, b, "-r", "1arcsec", "--where", "jmag < 13"}, `"id_1":1,`},
		{[]string{"cluster", a, b, "-r", "1arcsec", "--where", "n_catalogues == 2 && jmag > 12.6"}, `"jmag":13,`},
	} {
		out := filepath.Join(t.TempDir(), "o.jsonl")
		if o, stderr, err := runCLI(t, append(c.args, "-o", out)...); err != nil {
			t.Fatalf("%q: %v\n%s%s", c.args, err, o, stderr)
		}
		b, _ := os.ReadFile(out)
		if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 1 || !strings.Contains(lines[0], c.want) {
			t.Errorf("%q wrote\n%s\nwant one row with %s", c.args, b, c.want)
		}
	}
}
