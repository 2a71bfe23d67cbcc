package tabsel

import (
	"context"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// The table of the tests: a null g in row 3, a null name in row 4, a
// column whose name is not an identifier.
const csvTable = `id,ra,dec,g,r,name,2MASS
1,150.1,2.2,18.5,18.0,a,J1
2,150.2,2.3,17.0,16.2,b,J2
3,150.3,-1.0,,15.0,c,J3
4,150.4,2.5,19.5,18.5,,J4
5,150.5,2.6,16.0,15.9,e,
`

func table(t *testing.T) *votable.Table {
	t.Helper()
	tab, err := votable.ReadTable(context.Background(), strings.NewReader(csvTable), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// render writes a table as CSV rows (no header) for comparisons.
func render(t *testing.T, tab *votable.Table) string {
	t.Helper()
	var b strings.Builder
	if err := votable.WriteCSV(&b, tab); err != nil {
		t.Fatal(err)
	}
	head, rows, _ := strings.Cut(b.String(), "\n")
	if rows == "" {
		return head
	}
	return head + "|" + strings.ReplaceAll(strings.TrimSuffix(rows, "\n"), "\n", "|")
}

func TestSelect(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  Options
		want string // header|row|row...
		err  string
	}{
		{name: "all", opt: Options{}, want: "id,ra,dec,g,r,name,2MASS|1,150.1,2.2,18.5,18,a,J1|2,150.2,2.3,17,16.2,b,J2|3,150.3,-1,,15,c,J3|4,150.4,2.5,19.5,18.5,,J4|5,150.5,2.6,16,15.9,e,"},
		{name: "where", opt: Options{Where: "dec > 0 && g < 19", Columns: []string{"id"}}, want: "id|1|2|5"},
		{name: "null comparison not selected", opt: Options{Where: "g > 0", Columns: []string{"id"}}, want: "id|1|2|4|5"},
		{name: "null negated not selected either", opt: Options{Where: "!(g > 0)", Columns: []string{"id"}}, want: "id"},
		{name: "nil test", opt: Options{Where: "g == nil", Columns: []string{"id"}}, want: "id|3"},
		{name: "nil default", opt: Options{Where: "(g ?? 99) > 19", Columns: []string{"id"}}, want: "id|3|4"},
		{name: "computed", opt: Options{Columns: []string{"id", "gmr=g-r", "bright = r < 16"}}, want: "id,gmr,bright|1,0.5,F|2,0.8000000000000007,F|3,,T|4,1,F|5,0.09999999999999964,T"},
		{name: "computed string", opt: Options{Columns: []string{"label=name + '-' + string(id)"}, Head: 2}, want: "label|a-1|b-2"},
		{name: "col()", opt: Options{Where: `col("2MASS") != nil && col("2MASS") matches "^J[12]$"`, Columns: []string{"id", "2MASS"}}, want: "id,2MASS|1,J1|2,J2"},
		{name: "col() computed", opt: Options{Columns: []string{`x=col("g") * 2`}, Head: 1}, want: "x|37"},
		{name: "string null", opt: Options{Where: `name startsWith "a" || name == "e"`, Columns: []string{"id"}}, want: "id|1|5"},
		{name: "head", opt: Options{Head: 2, Columns: []string{"id"}}, want: "id|1|2"},
		{name: "sort", opt: Options{Sort: "g", Columns: []string{"id", "g"}}, want: "id,g|5,16|2,17|1,18.5|4,19.5|3,"},
		{name: "sort desc head", opt: Options{Sort: "g - r", Desc: true, Head: 2, Columns: []string{"id"}}, want: "id|4|2"},
		{name: "sort string where", opt: Options{Where: "id > 1", Sort: "name", Desc: true, Columns: []string{"name"}}, want: "name|e|c|b|"},
		{name: "metadata kept", opt: Options{Columns: []string{"ra"}, Head: 1}, want: "ra|150.1"},
		{name: "unknown column", opt: Options{Where: "jmag < 3"}, err: "unknown name jmag"},
		{name: "unknown col()", opt: Options{Where: `col("jmag") < 3`}, err: `no column "jmag"`},
		{name: "not bool", opt: Options{Where: "g + 1"}, err: "--where"},
		{name: "syntax", opt: Options{Columns: []string{"x=g +"}}, err: "--columns"},
		{name: "twice", opt: Options{Columns: []string{"id", "id"}}, err: "given twice"},
		{name: "type error found when compiled", opt: Options{Where: `name > 3`}, err: "mismatched types string and int"},
		{name: "type error on a non-null row", opt: Options{Where: `col("name") > 3`}, err: "row 1"},
		{name: "negative head", opt: Options{Head: -1}, err: "negative"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab := table(t)
			s, err := Compile(tab.Fields, c.opt)
			var out *votable.Table
			if err == nil {
				out, err = s.Apply(context.Background(), tab)
			}
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v; want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := render(t, out); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestSelectBatches: a streamed table (batches of 2 rows) gives what the
// whole table gives, and Head stops early.
func TestSelectBatches(t *testing.T) {
	tab := table(t)
	opt := Options{Where: "g < 19", Columns: []string{"id", "gmr=g-r"}}
	whole, err := Compile(tab.Fields, opt)
	if err != nil {
		t.Fatal(err)
	}
	want, err := whole.Apply(context.Background(), tab)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Compile(tab.Fields, opt)
	out, _ := s.NewColumns()
	for first := 0; first < tab.Rows(); first += 2 {
		batch := make([]votable.Column, len(tab.Columns))
		for j, c := range tab.Columns {
			nc, _ := votable.NewColumn(c.Field())
			var rows []int32
			for i := first; i < first+2 && i < tab.Rows(); i++ {
				rows = append(rows, int32(i))
			}
			if err := votable.Gather(nc, c, rows); err != nil {
				t.Fatal(err)
			}
			batch[j] = nc
		}
		if err := s.Batch(context.Background(), batch, out, first); err != nil {
			t.Fatal(err)
		}
	}
	got := &votable.Table{Fields: s.Fields(), Columns: out}
	if render(t, got) != render(t, want) {
		t.Errorf("batches %s\nwhole %s", render(t, got), render(t, want))
	}
	h, _ := Compile(tab.Fields, Options{Head: 1})
	hout, _ := h.NewColumns()
	if err := h.Batch(context.Background(), tab.Columns, hout, 0); err != nil || hout[0].Len() != 1 || !h.Done() {
		t.Errorf("head 1: %d rows, done %v, %v", hout[0].Len(), h.Done(), err)
	}
}

func FuzzSelect(f *testing.F) {
	for _, s := range []string{"g > 1", "g - r", `col("2MASS")`, "name + 'x'", "g ?? 1", "(", "id in [1,2]", "len(name) > 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, e string) {
		tab, err := votable.ReadTable(context.Background(), strings.NewReader(csvTable), "t.csv")
		if err != nil {
			t.Fatal(err)
		}
		for _, opt := range []Options{{Where: e}, {Columns: []string{"x=" + e}}, {Sort: e}} {
			s, err := Compile(tab.Fields, opt)
			if err != nil {
				continue
			}
			out, err := s.Apply(context.Background(), tab)
			if err != nil {
				continue
			}
			if out.Rows() > tab.Rows() {
				t.Fatalf("%+v: %d rows out of %d", opt, out.Rows(), tab.Rows())
			}
		}
	})
}
