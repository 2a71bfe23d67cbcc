package xmatch

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/votable"
)

// Output is a result table whose rows are built on demand from the input
// tables: write it in batches (constant memory: Fill into reused columns,
// then votable.TableWriter.WriteBatch) or materialize it with Table.
type Output struct {
	// Name and Description become the table's.
	Name, Description string
	Fields            []*votable.Field
	// Groups (catalogue groups of a cluster table) go to the table.
	Groups []*votable.Group
	n      int
	// fill appends rows [from, to) to cols, one per field.
	fill func(cols []votable.Column, from, to int) error
}

// Len is the number of rows.
func (o *Output) Len() int { return o.n }

// NewColumns makes empty columns for the fields, to pass to Fill.
func (o *Output) NewColumns() ([]votable.Column, error) {
	cols := make([]votable.Column, len(o.Fields))
	for i, f := range o.Fields {
		c, err := votable.NewColumn(f)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return cols, nil
}

// Fill resets cols and fills them with rows [from, to).
func (o *Output) Fill(cols []votable.Column, from, to int) error {
	if from < 0 || to > o.n || from > to {
		return fmt.Errorf("rows %d to %d of a table of %d", from, to, o.n)
	}
	if len(cols) != len(o.Fields) {
		return fmt.Errorf("%d columns for %d fields", len(cols), len(o.Fields))
	}
	for _, c := range cols {
		c.Reset()
	}
	return o.fill(cols, from, to)
}

// BatchRows is the number of rows of the batches of Batches.
const BatchRows = 1 << 16

// Batches fills the whole output in batches of BatchRows rows and calls fn
// with each, in order (from is the batch's first row). The next batch is
// filled on another goroutine while fn works on the current one; cols are
// reused once fn returns, so fn must not keep them.
func (o *Output) Batches(ctx context.Context, fn func(cols []votable.Column, from int) error) error {
	type batch struct {
		cols []votable.Column
		from int
		err  error
	}
	const sets = 2
	free := make(chan []votable.Column, sets)
	for range sets {
		cols, err := o.NewColumns()
		if err != nil {
			return err
		}
		free <- cols
	}
	full := make(chan batch, sets)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(full)
		for from := 0; from < o.n; from += BatchRows {
			var cols []votable.Column
			select {
			case cols = <-free:
			case <-stop:
				return
			}
			err := ctx.Err()
			if err == nil {
				err = o.Fill(cols, from, min(from+BatchRows, o.n))
			}
			full <- batch{cols, from, err}
			if err != nil {
				return
			}
		}
	}()
	var err error
	for b := range full {
		if err = b.err; err == nil {
			err = fn(b.cols, b.from)
		}
		if err != nil {
			break
		}
		free <- b.cols
	}
	close(stop)
	<-done
	return err
}

// TableMeta returns the table's metadata without data.
func (o *Output) TableMeta() *votable.Table {
	return &votable.Table{Name: o.Name, Description: o.Description, Fields: o.Fields,
		Groups: o.Groups, NRows: -1, Serialization: votable.Binary2}
}

// Table materializes the whole output.
func (o *Output) Table() (*votable.Table, error) {
	cols, err := o.NewColumns()
	if err != nil {
		return nil, err
	}
	if err := o.Fill(cols, 0, o.n); err != nil {
		return nil, err
	}
	t := o.TableMeta()
	t.Columns = cols
	t.NRows = int64(o.n)
	return t, nil
}

// copyField copies a field's metadata under a new name, without the
// references (ID, ref) that would dangle in another document.
func copyField(f *votable.Field, name string) *votable.Field {
	g := *f
	g.Name, g.ID, g.Ref = name, "", ""
	return &g
}

// uniqueNames renames clashing names with suffixes: a name present in
// several groups gets suffix(k) in group k, and any remaining clash gets
// "_" appended. Names compare case-insensitively, as VOTable readers such
// as TOPCAT look them up. Groups are lists of names; the result has the
// same shape.
func uniqueNames(groups [][]string, suffix func(k int) string) [][]string {
	count := map[string]int{}
	for _, g := range groups {
		seen := map[string]bool{}
		for _, n := range g {
			if l := strings.ToLower(n); !seen[l] {
				count[l]++
				seen[l] = true
			}
		}
	}
	used := map[string]bool{}
	out := make([][]string, len(groups))
	for k, g := range groups {
		out[k] = make([]string, len(g))
		for i, n := range g {
			m := n
			if count[strings.ToLower(n)] > 1 {
				m = n + suffix(k)
			}
			for used[strings.ToLower(m)] {
				m += "_"
			}
			used[strings.ToLower(m)] = true
			out[k][i] = m
		}
	}
	return out
}

// tableGather gathers all columns of one input table.
type tableGather struct {
	t          *votable.Table
	cells      []cellGather
	sorted     []sortedGather // nil entries: no sorted form
	order, tmp []int32
}

// sortedGatherRows is the table size (rows) from which rows listed out of
// order are read in sorted order: smaller columns stay in the caches.
const sortedGatherRows = 1 << 17

func newTableGather(t *votable.Table) (*tableGather, error) {
	if len(t.Columns) != len(t.Fields) {
		return nil, fmt.Errorf("%s has no data", t.Label())
	}
	g := &tableGather{t: t, cells: make([]cellGather, len(t.Columns)), sorted: make([]sortedGather, len(t.Columns))}
	for i, c := range t.Columns {
		g.cells[i], g.sorted[i] = newCellGather(c)
	}
	return g, nil
}

// gather appends the listed rows of every column (-1 gives a null row).
func (g *tableGather) gather(dst []votable.Column, rows []int32) error {
	var order []int32
	if g.t.Rows() >= sortedGatherRows && len(rows) > 1024 {
		var shuffled bool
		if g.order, g.tmp, shuffled = rowOrder(rows, g.order, g.tmp); shuffled {
			order = g.order
		}
	}
	for i, cell := range g.cells {
		var err error
		if order != nil && g.sorted[i] != nil {
			err = g.sorted[i](dst[i], rows, order)
		} else {
			err = cell(dst[i], rows)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", g.t.Label(), err)
		}
	}
	return nil
}

// appendFloats appends values to a double column, NaN as null.
func appendFloats(dst votable.Column, vals []float64) error {
	d, ok := dst.(*votable.Scalar[float64])
	if !ok {
		return fmt.Errorf("want a double column, got %T", dst)
	}
	for _, v := range vals {
		d.Append(v, math.IsNaN(v))
	}
	return nil
}

// appendRowNumbers appends 1-based row numbers (null for -1) to an int column.
func appendRowNumbers(dst votable.Column, rows []int32) error {
	d, ok := dst.(*votable.Scalar[int32])
	if !ok {
		return fmt.Errorf("want an int column, got %T", dst)
	}
	for _, r := range rows {
		d.Append(r+1, r < 0)
	}
	return nil
}

func suffixNumber(k int) string { return "_" + strconv.Itoa(k+1) }
