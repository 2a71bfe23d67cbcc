package xmatch

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// tcol describes a test column: its field and values (float64, int64,
// string or nil for null).
type tcol struct {
	f    votable.Field
	vals []any
}

func mkTable(t *testing.T, name string, cols ...tcol) *votable.Table {
	t.Helper()
	tab := &votable.Table{Name: name}
	for _, c := range cols {
		f := c.f
		if f.Datatype == votable.Char {
			f.Arraysize = "*"
			f.Shape, _ = votable.ParseShape("*")
		}
		col, err := votable.NewColumn(&f)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range c.vals {
			switch col := col.(type) {
			case *votable.Scalar[float64]:
				x, _ := v.(float64)
				col.Append(x, v == nil)
			case *votable.Scalar[int64]:
				x, _ := v.(int64)
				col.Append(x, v == nil)
			case *votable.Strings:
				x, _ := v.(string)
				if err := col.AppendString(x, v == nil); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("test column type %T", col)
			}
		}
		tab.Fields = append(tab.Fields, &f)
		tab.Columns = append(tab.Columns, col)
	}
	return tab
}

func TestTablePositions(t *testing.T) {
	for _, c := range []struct {
		name    string
		tab     []tcol
		coords  Coords
		wantRA  []float64
		wantDec []float64
		wantErr []float64
		fail    string
	}{
		{
			name: "by UCD, meta.main preferred",
			tab: []tcol{
				{votable.Field{Name: "x", Datatype: votable.Double, UCD: "pos.eq.ra"}, []any{1.0, 2.0}},
				{votable.Field{Name: "alpha", Datatype: votable.Double, UCD: "pos.eq.ra;meta.main"}, []any{10.0, 20.0}},
				{votable.Field{Name: "delta", Datatype: votable.Double, UCD: "pos.eq.dec;meta.main", Unit: "deg"}, []any{-5.0, nil}},
			},
			wantRA: []float64{10, 20}, wantDec: []float64{-5, math.NaN()},
		},
		{
			name: "by name, radians",
			tab: []tcol{
				{votable.Field{Name: "RAJ2000", Datatype: votable.Double, Unit: "rad"}, []any{math.Pi}},
				{votable.Field{Name: "DEJ2000", Datatype: votable.Double, Unit: "rad"}, []any{-math.Pi / 4}},
			},
			wantRA: []float64{180}, wantDec: []float64{-45},
		},
		{
			name: "sexagesimal strings",
			tab: []tcol{
				{votable.Field{Name: "ra", Datatype: votable.Char, Unit: "\"h:m:s\""}, []any{"12:30:00", "00 00 36.0", nil, "10.5"}},
				{votable.Field{Name: "dec", Datatype: votable.Char, Unit: "\"d:m:s\""}, []any{"-00:30:00", "+45 30 36", "1", "2"}},
			},
			wantRA: []float64{187.5, 0.15, math.NaN(), 157.5}, wantDec: []float64{-0.5, 45.51, 1, 2},
		},
		{
			name: "decimal strings, named columns, error radii in mas",
			tab: []tcol{
				{votable.Field{Name: "r", Datatype: votable.Char}, []any{"10.5"}},
				{votable.Field{Name: "d", Datatype: votable.Char}, []any{"-3.25"}},
				{votable.Field{Name: "e", Datatype: votable.Double, Unit: "mas"}, []any{3600.0}},
			},
			coords: Coords{RA: "r", Dec: "d", Err: "e"},
			wantRA: []float64{10.5}, wantDec: []float64{-3.25}, wantErr: []float64{0.001},
		},
		{
			name: "no position column",
			tab:  []tcol{{votable.Field{Name: "x", Datatype: votable.Double}, []any{1.0}}},
			fail: "has no sky position",
		},
		{
			name: "named column missing",
			tab: []tcol{
				{votable.Field{Name: "ra", Datatype: votable.Double}, []any{1.0}},
				{votable.Field{Name: "dec", Datatype: votable.Double}, []any{1.0}},
			},
			coords: Coords{Dec: "nope"},
			fail:   `no column "nope"`,
		},
		{
			name: "declination out of range",
			tab: []tcol{
				{votable.Field{Name: "ra", Datatype: votable.Double}, []any{1.0}},
				{votable.Field{Name: "dec", Datatype: votable.Double, Unit: "arcsec"}, []any{400000.0}},
			},
			fail: "outside [-90, 90]",
		},
		{
			name: "bad sexagesimal",
			tab: []tcol{
				{votable.Field{Name: "ra", Datatype: votable.Char}, []any{"12:xx:00"}},
				{votable.Field{Name: "dec", Datatype: votable.Double}, []any{1.0}},
			},
			fail: "bad field",
		},
		{
			name: "unknown unit",
			tab: []tcol{
				{votable.Field{Name: "ra", Datatype: votable.Double, Unit: "furlong"}, []any{1.0}},
				{votable.Field{Name: "dec", Datatype: votable.Double}, []any{1.0}},
			},
			fail: "unknown angle unit",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := TablePositions(mkTable(t, "t", c.tab...), c.coords)
			if c.fail != "" {
				if err == nil || !strings.Contains(err.Error(), c.fail) {
					t.Fatalf("error %v, want one containing %q", err, c.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			same := func(what string, got, want []float64) {
				if len(got) != len(want) {
					t.Fatalf("%s: %v, want %v", what, got, want)
				}
				for i := range got {
					if !(math.Abs(got[i]-want[i]) < 1e-12 || (math.IsNaN(got[i]) && math.IsNaN(want[i]))) {
						t.Errorf("%s[%d] = %.15g, want %g", what, i, got[i], want[i])
					}
				}
			}
			same("RA", p.RA, c.wantRA)
			same("Dec", p.Dec, c.wantDec)
			same("Err", p.Err, c.wantErr)
		})
	}
}

func TestMatchTablesOutput(t *testing.T) {
	a := mkTable(t, "A",
		tcol{votable.Field{Name: "id", Datatype: votable.Long, UCD: "meta.id;meta.main"}, []any{int64(1), int64(2), int64(3)}},
		tcol{votable.Field{Name: "ra", Datatype: votable.Double, UCD: "pos.eq.ra;meta.main", Unit: "deg"}, []any{10.0, 20.0, 30.0}},
		tcol{votable.Field{Name: "dec", Datatype: votable.Double, UCD: "pos.eq.dec;meta.main", Unit: "deg"}, []any{0.0, 0.0, 0.0}},
		tcol{votable.Field{Name: "name", Datatype: votable.Char}, []any{"x", nil, "z"}})
	b := mkTable(t, "B",
		tcol{votable.Field{Name: "id", Datatype: votable.Long}, []any{int64(7), int64(8)}},
		tcol{votable.Field{Name: "RA", Datatype: votable.Char, Unit: "h:m:s"}, []any{"02:00:00.0", "00:40:00"}},
		tcol{votable.Field{Name: "Dec", Datatype: votable.Char}, []any{"+00:00:00.5", "-00:00:00.3"}},
		tcol{votable.Field{Name: "flux", Datatype: votable.Double, Unit: "mJy", UCD: "phot.flux"}, []any{1.5, 2.5}})
	res, err := MatchTables(context.Background(), a, b, TableOptions{
		Options: Options{Radius: 1.0 / 3600}, Join: JoinAll1})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := res.Output.Table()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range tab.Fields {
		names = append(names, f.Name)
	}
	// Names clash case-insensitively (ra and RA), as in TOPCAT.
	wantNames := "id_1 ra_1 dec_1 name id_2 RA_2 Dec_2 flux Separation row_1 row_2"
	if strings.Join(names, " ") != wantNames {
		t.Fatalf("columns %v, want %s", names, wantNames)
	}
	if f := tab.Fields[7]; f.Unit != "mJy" || f.UCD != "phot.flux" {
		t.Errorf("flux metadata lost: %+v", f)
	}
	if tab.Rows() != 3 {
		t.Fatalf("%d rows, want 3 (all1)", tab.Rows())
	}
	// Row 1: A#1 (ra 10) has no match (B#2 is at 00:40:00 = 10 deg, -0.3"): it does.
	want := [][]any{
		{int64(1), 10.0, 0.0, "x", int64(8), "00:40:00", "-00:00:00.3", 2.5, 0.3, int32(1), int32(2)},
		{int64(2), 20.0, 0.0, nil, nil, nil, nil, nil, nil, int32(2), nil},
		{int64(3), 30.0, 0.0, "z", int64(7), "02:00:00.0", "+00:00:00.5", 1.5, 0.5, int32(3), int32(1)},
	}
	for r, row := range want {
		for c, w := range row {
			got := tab.Columns[c].Value(r)
			if g, ok := got.(float64); ok {
				if wf, ok := w.(float64); ok && math.Abs(g-wf) < 1e-9 {
					continue
				}
			}
			if got != w {
				t.Errorf("row %d column %s: %v (%T), want %v (%T)", r, names[c], got, got, w, w)
			}
		}
	}
	// Streaming in batches gives the same rows.
	cols, err := res.Output.NewColumns()
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Output.Fill(cols, 1, 3); err != nil {
		t.Fatal(err)
	}
	if cols[0].Len() != 2 || cols[0].Value(0) != int64(2) {
		t.Errorf("Fill(1, 3): %d rows, first id %v", cols[0].Len(), cols[0].Value(0))
	}
	if err := res.Output.Fill(cols, 2, 9); err == nil {
		t.Errorf("Fill beyond the end: no error")
	}
	var buf bytes.Buffer
	if err := votable.WriteTable(&buf, tab, votable.Binary2); err != nil {
		t.Fatal(err)
	}
	doc, err := votable.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back := doc.Tables()[0]; back.Rows() != 3 || back.Columns[8].Value(1) != nil {
		t.Errorf("BINARY2 round trip: %d rows, separation of unmatched row %v", back.Rows(), back.Columns[8].Value(1))
	}
}

func TestClusterTablesOutput(t *testing.T) {
	mk := func(name, mag, ucd string, ra []float64, ids []int64) *votable.Table {
		var rs, ds, ms, is []any
		for i := range ra {
			rs, ds, ms, is = append(rs, ra[i]), append(ds, 45.0), append(ms, 10.0+float64(i)), append(is, ids[i])
		}
		return mkTable(t, name,
			tcol{votable.Field{Name: "id", Datatype: votable.Long, UCD: "meta.id;meta.main"}, is},
			tcol{votable.Field{Name: "ra", Datatype: votable.Double, UCD: "pos.eq.ra;meta.main"}, rs},
			tcol{votable.Field{Name: "dec", Datatype: votable.Double, UCD: "pos.eq.dec;meta.main"}, ds},
			tcol{votable.Field{Name: mag, Datatype: votable.Double, UCD: ucd}, ms})
	}
	as := 1.0 / 3600
	tabs := []*votable.Table{
		mk("A", "jmag", "phot.mag;em.IR.J", []float64{10, 20, 30}, []int64{1, 2, 3}),
		mk("B", "w1mag", "phot.mag;em.IR.3-4um", []float64{10 + 0.2*as, 20 + 0.3*as, 20 - 0.3*as}, []int64{11, 12, 13}),
		mk("C", "bmag", "phot.mag;em.opt.B", []float64{10 - 0.2*as, 50}, []int64{21, 22}),
	}
	res, err := ClusterTables(context.Background(), tabs, ClusterOptions{Options: Options{Radius: as}, MinCatalogues: 2})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := res.Output.Table()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != 2 {
		t.Fatalf("%d clusters kept, want 2", tab.Rows())
	}
	col := func(name string) votable.Column {
		i := tab.FieldByName(name)
		if i < 0 {
			t.Fatalf("no column %s", name)
		}
		return tab.Columns[i]
	}
	if v := col("n_catalogues").Value(0); v != int16(3) {
		t.Errorf("cluster 1 spans %v catalogues, want 3", v)
	}
	if v := col("ambiguous").Value(1); v != true {
		t.Errorf("cluster 2 (two rows of B) not flagged ambiguous")
	}
	if v := col("n_members").Value(1); v != int32(3) {
		t.Errorf("cluster 2 has %v members, want 3", v)
	}
	if v := col("id_3").Value(1); v != nil {
		t.Errorf("cluster 2 has a C member %v", v)
	}
	if v := col("bmag").Value(0); v != 10.0 {
		t.Errorf("cluster 1 bmag %v", v)
	}
	if len(tab.Groups) != 3 || tab.Groups[1].Name != "B" || len(tab.Groups[1].FieldRefs) != 4 {
		t.Errorf("catalogue groups: %+v", tab.Groups)
	}
	if f := col("ra_1").Field(); f.UCD != "pos.eq.ra" {
		t.Errorf("catalogue RA keeps meta.main: %q", f.UCD)
	}
	// FIELD IDs equal the names (astropy names columns by ID).
	for _, f := range tab.Fields {
		if f.ID != "" && f.ID != f.Name {
			t.Errorf("FIELD name %q has ID %q", f.Name, f.ID)
		}
	}
	if _, err := ClusterTables(context.Background(), tabs[:1], ClusterOptions{}); err == nil {
		t.Errorf("one table: no error")
	}
}

func FuzzParseAngle(f *testing.F) {
	for _, s := range []string{"1arcsec", "1.5\"", "0.5arcmin", "2'", "3mas", "10", "1e309", "nan"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseAngle(s, "arcsec")
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("ParseAngle(%q) = %g without error", s, v)
		}
	})
}

// TestMatchTablesChunked checks the no-copy path (positions read from the
// columns' 65536-row chunks) against the plain slices, on 150k rows.
func TestMatchTablesChunked(t *testing.T) {
	ca, cb := skyPair(150_000)
	mk := func(p Positions) *votable.Table {
		fr := &votable.Field{Name: "ra", Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.ra;meta.main"}
		fd := &votable.Field{Name: "dec", Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.dec;meta.main"}
		r, d := votable.NewScalar[float64](fr), votable.NewScalar[float64](fd)
		for i := range p.RA {
			r.Append(p.RA[i], false)
			d.Append(p.Dec[i], false)
		}
		return &votable.Table{Name: "t", Fields: []*votable.Field{fr, fd}, Columns: []votable.Column{r, d}}
	}
	ta, tb := mk(ca), mk(cb)
	if pa, err := tableBlocks(ta, Coords{}); err != nil || len(pa.blocks) < 3 {
		t.Fatalf("no-copy path not taken: %d blocks, %v", len(pa.blocks), err)
	}
	ctx := context.Background()
	opt := Options{Radius: 1.0 / 3600, Find: FindAll}
	want, err := Match(ctx, ca, cb, opt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := MatchTables(ctx, ta, tb, TableOptions{Options: opt})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != len(want) || len(want) < 100_000 {
		t.Fatalf("%d pairs, want %d", len(res.Pairs), len(want))
	}
	for i := range want {
		if res.Pairs[i] != want[i] {
			t.Fatalf("pair %d: %v, want %v", i, res.Pairs[i], want[i])
		}
	}
}

func TestXMLID(t *testing.T) {
	used := map[string]bool{}
	for _, c := range []struct{ name, want string }{
		{"ra_1", "ra_1"},
		{"jmag", "jmag"},
		{"2MASS", "_2MASS"},
		{"g-r", "g-r"},
		{"a b", "a_b"},
		{"a:b", "a_b_2"},
		{"", "_"},
		{"ra_1", "ra_1_2"},
		{".x", "_.x"},
		{"é", "é"},
	} {
		if got := xmlID(c.name, used); got != c.want {
			t.Errorf("xmlID(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestOutputBatches: Batches gives the rows of Table in order, in batches
// of BatchRows, and stops at the first error of fn or of the context.
func TestOutputBatches(t *testing.T) {
	pa, pb := skyPair(150_000)
	ta, tb := benchTable(pa, 0), benchTable(pb, 1e10)
	res, err := MatchTables(context.Background(), ta, tb, TableOptions{
		Options: Options{Radius: 2.0 / 3600}, Join: JoinAll1})
	if err != nil {
		t.Fatal(err)
	}
	out := res.Output
	whole, err := out.Table()
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	err = out.Batches(context.Background(), func(cols []votable.Column, from int) error {
		if from != next {
			t.Fatalf("batch from %d, want %d", from, next)
		}
		n := cols[0].Len()
		if n != min(BatchRows, out.Len()-from) {
			t.Fatalf("batch of %d rows from %d", n, from)
		}
		for c, col := range cols {
			for _, i := range []int{0, n / 2, n - 1} {
				g, w := col.Value(i), whole.Columns[c].Value(from+i)
				if g != w && !(isNaN(g) && isNaN(w)) {
					t.Fatalf("row %d column %s: %v, want %v", from+i, out.Fields[c].Name, g, w)
				}
			}
		}
		next += n
		return nil
	})
	if err != nil || next != out.Len() || out.Len() <= 2*BatchRows {
		t.Fatalf("Batches: %v, %d of %d rows", err, next, out.Len())
	}
	stop := errors.New("stop")
	calls := 0
	if err := out.Batches(context.Background(), func([]votable.Column, int) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("fn failing: %v after %d calls", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := out.Batches(ctx, func([]votable.Column, int) error { return nil }); err == nil {
		t.Errorf("canceled context: no error")
	}
}
