package xmatch

import (
	"context"
	"io"
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

// benchTable makes a catalogue table like scripts/gen_catalogs.py's: id
// (long), ra, dec (double) and three float magnitudes.
func benchTable(p Positions, idBase int64) *votable.Table {
	fields := []*votable.Field{
		{Name: "id", Datatype: votable.Long, UCD: "meta.id;meta.main"},
		{Name: "ra", Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.ra;meta.main"},
		{Name: "dec", Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.dec;meta.main"},
		{Name: "m1", Datatype: votable.Float}, {Name: "m2", Datatype: votable.Float}, {Name: "m3", Datatype: votable.Float},
	}
	t := &votable.Table{Name: "t", Fields: fields}
	for _, f := range fields {
		c, _ := votable.NewColumn(f)
		t.Columns = append(t.Columns, c)
	}
	for i := range p.Len() {
		t.Columns[0].(*votable.Scalar[int64]).Append(idBase+int64(i), false)
		t.Columns[1].(*votable.Scalar[float64]).Append(p.RA[i], false)
		t.Columns[2].(*votable.Scalar[float64]).Append(p.Dec[i], false)
		for k := 3; k < 6; k++ {
			t.Columns[k].(*votable.Scalar[float32]).Append(float32(10+i%7+k), false)
		}
	}
	t.NRows = int64(p.Len())
	return t
}

// BenchmarkJoinedOutput builds the output of a 1M x 1M best match in
// batches (fill), and fills and writes it as BINARY2 to io.Discard.
func BenchmarkJoinedOutput(b *testing.B) {
	pa, pb := skyPair(1_000_000)
	ta, tb := benchTable(pa, 0), benchTable(pb, 1e10)
	res, err := MatchTables(context.Background(), ta, tb, TableOptions{Options: Options{Radius: 1.0 / 3600}})
	if err != nil {
		b.Fatal(err)
	}
	out := res.Output
	b.Run("fill", func(b *testing.B) {
		cols, _ := out.NewColumns()
		for b.Loop() {
			for from := 0; from < out.Len(); from += 1 << 16 {
				if err := out.Fill(cols, from, min(from+1<<16, out.Len())); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			bw, err := votable.NewBatchWriter(io.Discard, nil, out.TableMeta(), votable.FormatBinary2)
			if err != nil {
				b.Fatal(err)
			}
			if err := out.Batches(context.Background(), func(cols []votable.Column, _ int) error {
				return bw.WriteBatch(cols)
			}); err != nil {
				b.Fatal(err)
			}
			if err := bw.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
