package tap

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/votable"
)

// Partition describes a query split on a table's primary key into ranges,
// each run as an async job (course workflow 18: when the hard output limit
// bites, partition the table by its identifier).
type Partition struct {
	// Table is the table name as the service lists it ("lbcat.main").
	Table string
	// Key is the numeric column to split on; "" takes the column with UCD
	// meta.id;meta.main from the table metadata.
	Key string
	// Select is the ADQL select list ("" for *).
	Select adql.Expr
	// Where is an extra condition (ADQL built with package adql).
	Where adql.Expr
	// Parts is the number of ranges (default 4); Concurrency how many jobs
	// run at once (default 2).
	Parts, Concurrency int
	// MaxRec, when positive, is sent as each part's MAXREC (raise it above
	// the service's default limit; see Capabilities.OutputLimit).
	MaxRec int64
	// Async are the options of each part's job.
	Async AsyncOptions
}

// PartResult is the outcome of one part.
type PartResult struct {
	Index int
	// Query is the ADQL text the part ran.
	Query string
	Rows  int64
	// Truncation is set when the part overflowed: split into more parts.
	Truncation *dal.Truncation
	Err        error
}

// Partitioned is the concatenated result of a partitioned query.
type Partitioned struct {
	// Document holds the first successful part's metadata and one table
	// with the rows of every successful part, in key order.
	Document *votable.Document
	Parts    []PartResult
}

// Table returns the result table (nil when every part failed).
func (p *Partitioned) Table() *votable.Table {
	if p.Document == nil || len(p.Document.Tables()) == 0 {
		return nil
	}
	return p.Document.Tables()[0]
}

// Failed returns the parts that failed.
func (p *Partitioned) Failed() []PartResult {
	var out []PartResult
	for _, r := range p.Parts {
		if r.Err != nil {
			out = append(out, r)
		}
	}
	return out
}

// Truncated returns the parts that overflowed.
func (p *Partitioned) Truncated() []PartResult {
	var out []PartResult
	for _, r := range p.Parts {
		if r.Truncation != nil {
			out = append(out, r)
		}
	}
	return out
}

// RunPartitioned finds the key's range (a sync MIN/MAX query), splits it
// into p.Parts ranges, runs them concurrently as async jobs (each deleted
// afterwards unless kept) and concatenates the results. Parts that fail are
// reported in the result's Parts (see Failed); the error is non-nil only
// when nothing could be run or every part failed.
func (s *Service) RunPartitioned(ctx context.Context, p Partition) (*Partitioned, error) {
	op := "partitioned TAP query on " + p.Table
	fail := func(err error) (*Partitioned, error) {
		var e *dal.Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, &dal.Error{Op: op, URL: s.URL, Err: err}
	}
	if p.Parts <= 0 {
		p.Parts = 4
	}
	if p.Concurrency <= 0 {
		p.Concurrency = 2
	}
	table, err := adql.TableName(p.Table)
	if err != nil {
		return fail(err)
	}
	key := p.Key
	if key == "" {
		meta, err := s.Table(ctx, p.Table)
		if err != nil {
			return fail(err)
		}
		pk := meta.PrimaryKey()
		if pk == nil {
			return fail(fmt.Errorf("table %s has no column with UCD meta.id;meta.main: give the key column", p.Table))
		}
		key = pk.Name
	}
	keyCol, err := adql.TableName(key) // a column name may come quoted from TAP_SCHEMA
	if err != nil {
		return fail(err)
	}
	queries, err := s.partQueries(ctx, p, table, keyCol)
	if err != nil {
		return fail(err)
	}
	res := &Partitioned{Parts: make([]PartResult, len(queries))}
	docs := make([]*votable.Document, len(queries))
	sem := make(chan struct{}, p.Concurrency)
	var wg sync.WaitGroup
	for i, q := range queries {
		res.Parts[i] = PartResult{Index: i, Query: q}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				res.Parts[i].Err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			query := &Query{ADQL: q, HasMaxRec: p.MaxRec > 0, MaxRec: p.MaxRec}
			doc, tr, err := s.AsyncFetch(ctx, query, p.Async)
			res.Parts[i].Truncation, res.Parts[i].Err = tr, err
			if err == nil {
				docs[i] = doc
				if t := doc.Tables(); len(t) > 0 {
					res.Parts[i].Rows = int64(t[0].Rows())
				}
			}
			s.log.Debug("partition part done", "part", i, "rows", res.Parts[i].Rows, "err", err)
		}()
	}
	wg.Wait()
	var out *votable.Table
	for i, d := range docs {
		if d == nil || len(d.Tables()) == 0 {
			continue
		}
		t := d.Tables()[0]
		if out == nil {
			res.Document, out = d, t
			continue
		}
		if err := votable.AppendColumns(out.Columns, t.Columns); err != nil {
			res.Parts[i].Err = fmt.Errorf("concatenating part %d: %w", i, err)
		}
		docs[i] = nil // release
	}
	if res.Document == nil {
		var errs []error
		for _, r := range res.Parts {
			errs = append(errs, fmt.Errorf("part %d: %w", r.Index, r.Err))
		}
		return res, &dal.Error{Op: op, URL: s.URL, Err: fmt.Errorf("every part failed: %w", errors.Join(errs...))}
	}
	return res, nil
}

// partQueries reads the key's range and writes one query per part.
func (s *Service) partQueries(ctx context.Context, p Partition, table, key adql.Expr) ([]string, error) {
	where := ""
	if p.Where != "" {
		where = " WHERE " + string(p.Where)
	}
	doc, _, err := s.SyncFetch(ctx, &Query{ADQL: fmt.Sprintf("SELECT MIN(%s) AS lo, MAX(%s) AS hi FROM %s%s", key, key, table, where)})
	if err != nil {
		return nil, fmt.Errorf("finding the range of %s: %w", key, err)
	}
	t, err := onlyTable(doc)
	if err != nil || t.Rows() != 1 || len(t.Columns) != 2 {
		return nil, fmt.Errorf("finding the range of %s: unexpected result", key)
	}
	sel := p.Select
	if sel == "" {
		sel = "*"
	}
	build := func(lo, hi adql.Expr, last bool) string {
		return fmt.Sprintf("SELECT %s FROM %s WHERE %s", sel, table, adql.And(adql.Range(key, lo, hi, last), p.Where))
	}
	if t.Columns[0].IsNull(0) || t.Columns[1].IsNull(0) {
		return []string{fmt.Sprintf("SELECT %s FROM %s%s", sel, table, where)}, nil // empty table
	}
	var out []string
	if lo, hi, ok := ints(t.Columns[0], t.Columns[1]); ok {
		n := int64(p.Parts)
		span := hi - lo + 1
		if span < n {
			n = max(span, 1)
		}
		step := (span + n - 1) / n
		for i := int64(0); i < n; i++ {
			a, b := lo+i*step, lo+(i+1)*step
			last := i == n-1 || b > hi
			if last {
				b = hi
			}
			out = append(out, build(adql.Int(a), adql.Int(b), last))
			if last {
				break
			}
		}
		return out, nil
	}
	lo, ok1 := votable.Float64(t.Columns[0], 0)
	hi, ok2 := votable.Float64(t.Columns[1], 0)
	if !ok1 || !ok2 || math.IsNaN(lo) || math.IsNaN(hi) {
		return nil, fmt.Errorf("key %s is not numeric: give a numeric key column", key)
	}
	step := (hi - lo) / float64(p.Parts)
	for i := range p.Parts {
		a, b := lo+float64(i)*step, lo+float64(i+1)*step
		last := i == p.Parts-1
		if last {
			b = hi
		}
		ea, err := adql.Num(a)
		if err != nil {
			return nil, err
		}
		eb, err := adql.Num(b)
		if err != nil {
			return nil, err
		}
		out = append(out, build(ea, eb, last))
	}
	return out, nil
}

// ints reads two integer cells.
func ints(a, b votable.Column) (int64, int64, bool) {
	get := func(c votable.Column) (int64, bool) {
		switch c := c.(type) {
		case *votable.Scalar[int64]:
			return c.At(0), true
		case *votable.Scalar[int32]:
			return int64(c.At(0)), true
		case *votable.Scalar[int16]:
			return int64(c.At(0)), true
		case *votable.Scalar[uint8]:
			return int64(c.At(0)), true
		}
		return 0, false
	}
	x, ok1 := get(a)
	y, ok2 := get(b)
	return x, y, ok1 && ok2
}
