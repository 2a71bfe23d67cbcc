package xmatch

import (
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// BenchmarkTablePositions reads 1M positions from table columns: the
// no-copy path (doubles in degrees), the copying one (a unit to scale)
// and sexagesimal strings (100k rows).
func BenchmarkTablePositions(b *testing.B) {
	a, _ := skyPair(1_000_000)
	mk := func(unit string, n int, text bool) *votable.Table {
		fr := &votable.Field{Name: "ra", Datatype: votable.Double, Unit: unit}
		fd := &votable.Field{Name: "dec", Datatype: votable.Double, Unit: unit}
		if text {
			fr = &votable.Field{Name: "ra", Datatype: votable.Char, Arraysize: "*"}
			fd = &votable.Field{Name: "dec", Datatype: votable.Char, Arraysize: "*"}
			fr.Shape, _ = votable.ParseShape("*")
			fd.Shape, _ = votable.ParseShape("*")
		}
		r, _ := votable.NewColumn(fr)
		d, _ := votable.NewColumn(fd)
		for i := range n {
			if text {
				_ = r.(*votable.Strings).AppendString("12:34:56.789", false)
				_ = d.(*votable.Strings).AppendString("-12:34:56.78", false)
				continue
			}
			r.(*votable.Scalar[float64]).Append(a.RA[i], false)
			d.(*votable.Scalar[float64]).Append(a.Dec[i], false)
		}
		return &votable.Table{Name: "t", Fields: []*votable.Field{fr, fd}, Columns: []votable.Column{r, d}}
	}
	for _, c := range []struct {
		name string
		t    *votable.Table
	}{
		{"deg-1M", mk("deg", 1_000_000, false)},
		{"arcsec-1M", mk("arcsec", 1_000_000, false)},
		{"sexagesimal-100k", mk("", 100_000, true)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := tableBlocks(c.t, Coords{}); err != nil && c.name != "arcsec-1M" {
					b.Fatal(err)
				}
			}
		})
	}
}
