// Package tabsel selects and computes the rows and columns of a table
// with expressions (github.com/expr-lang/expr): row filters ("jmag < 12
// && dec > 0"), computed columns ("gmr=g-r"), a sort key and a row limit.
//
// Columns are named as in the table: a name that is an identifier is a
// variable (jmag), any name is reachable with col("2MASS name"). Values
// are numbers (integer columns int, floating-point ones float64), bool,
// string, or arrays. A null cell is nil: a comparison or arithmetic with
// a null does not select the row (a filter) or gives null (a computed
// column); nil can be tested (jmag == nil) or replaced (jmag ?? 99).
//
// A Selection works batch by batch, so a table can be streamed through
// it unless it is sorted.
package tabsel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"

	"github.com/voagent/voagent/vo/votable"
)

// Options say what to select.
type Options struct {
	// Where is a boolean expression rows must satisfy ("" keeps all).
	Where string
	// Columns are the output columns, in order: an input column's name
	// (copied with its metadata), "name=expression" (computed), or an
	// expression (named by its text). Empty keeps every input column.
	Columns []string
	// Sort is an expression ordering the output rows (ascending; Desc
	// reverses); nulls last. "" keeps the input order.
	Sort string
	Desc bool
	// Head keeps the first Head rows (after sorting) when positive.
	Head int
}

// compiled is one expression, with the columns it reads.
type compiled struct {
	src  string
	prog *vm.Program
	refs []int // input columns read (by index)
	all  bool  // col() with a computed name: every column may be read
}

// outCol is one output column: a copy of input column in, or the
// computed expression e.
type outCol struct {
	field *votable.Field
	in    int
	e     *compiled
}

// Selection is a compiled Options for tables with given fields.
type Selection struct {
	in    []*votable.Field
	names map[string]int // input column index by name
	where *compiled
	out   []outCol
	sort  *compiled
	desc  bool
	head  int

	env  map[string]any
	cols []votable.Column // the batch being evaluated
	row  int
	kept int // rows written so far (for Head)
}

// idents are the input columns reachable as variables.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	switch s {
	case "true", "false", "nil", "and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith", "let", "if", "else", "col":
		return false
	}
	return true
}

// sample is a value of the type column f gives expressions (nil when it
// varies: arrays).
func sample(f *votable.Field) any {
	if f.Shape != nil && !f.Datatype.IsString() {
		return nil
	}
	switch f.Datatype {
	case votable.Boolean:
		return false
	case votable.UnsignedByte, votable.Short, votable.Int, votable.Long:
		return 0
	case votable.Float, votable.Double:
		return 0.0
	case votable.Char, votable.UnicodeChar:
		return ""
	}
	return nil
}

// value is row i of c as expressions see it.
func value(c votable.Column, i int) any {
	if c.IsNull(i) {
		return nil
	}
	switch x := c.(type) {
	case *votable.Scalar[float64]:
		return x.At(i)
	case *votable.Scalar[float32]:
		return float64(x.At(i))
	case *votable.Scalar[int64]:
		return int(x.At(i))
	case *votable.Scalar[int32]:
		return int(x.At(i))
	case *votable.Scalar[int16]:
		return int(x.At(i))
	case *votable.Scalar[uint8]:
		return int(x.At(i))
	case *votable.Scalar[bool]:
		return x.At(i)
	case *votable.Strings:
		return x.At(i)
	}
	return c.Value(i)
}

// Compile checks opt against the input fields and prepares it.
func Compile(fields []*votable.Field, opt Options) (*Selection, error) {
	s := &Selection{in: fields, names: map[string]int{}, desc: opt.Desc, head: opt.Head, env: map[string]any{}}
	if opt.Head < 0 {
		return nil, fmt.Errorf("head %d is negative", opt.Head)
	}
	types := map[string]any{}
	for i, f := range fields {
		if _, dup := s.names[f.Name]; !dup {
			s.names[f.Name] = i
		}
		if isIdent(f.Name) {
			types[f.Name] = sample(f)
		}
	}
	var err error
	if opt.Where != "" {
		if s.where, err = s.compile(opt.Where, types, expr.AsBool()); err != nil {
			return nil, fmt.Errorf("--where %q: %w", opt.Where, err)
		}
	}
	if opt.Sort != "" {
		if s.sort, err = s.compile(opt.Sort, types); err != nil {
			return nil, fmt.Errorf("--sort %q: %w", opt.Sort, err)
		}
	}
	if len(opt.Columns) == 0 {
		for i, f := range fields {
			s.out = append(s.out, outCol{field: f, in: i})
		}
		return s, nil
	}
	seen := map[string]bool{}
	for _, spec := range opt.Columns {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			return nil, errors.New("--columns: an empty column")
		}
		var oc outCol
		if i, ok := s.names[spec]; ok {
			oc = outCol{field: fields[i], in: i}
		} else {
			name, src := spec, spec
			if n, e, ok := strings.Cut(spec, "="); ok && isIdent(strings.TrimSpace(n)) && !strings.HasPrefix(e, "=") {
				name, src = strings.TrimSpace(n), e
			}
			c, err := s.compile(src, types)
			if err != nil {
				return nil, fmt.Errorf("--columns %q: %w", spec, err)
			}
			if i, ok := s.columnRef(c); ok {
				// A column by another name (col("2MASS"), j=jmag): copied
				// with its metadata.
				if name == spec {
					name = fields[i].Name
				}
				f := *fields[i]
				f.Name, f.ID = name, ""
				if name == fields[i].Name {
					f.ID = fields[i].ID
				}
				oc = outCol{field: &f, in: i}
				if seen[oc.field.Name] {
					return nil, fmt.Errorf("--columns: column %q given twice", oc.field.Name)
				}
				seen[oc.field.Name] = true
				s.out = append(s.out, oc)
				continue
			}
			f, err := computedField(name, c)
			if err != nil {
				return nil, fmt.Errorf("--columns %q: %w", spec, err)
			}
			oc = outCol{field: f, in: -1, e: c}
		}
		if seen[oc.field.Name] {
			return nil, fmt.Errorf("--columns: column %q given twice", oc.field.Name)
		}
		seen[oc.field.Name] = true
		s.out = append(s.out, oc)
	}
	return s, nil
}

// columnRef reports whether an expression is only an input column: its
// name, or col("name").
func (s *Selection) columnRef(c *compiled) (int, bool) {
	switch x := c.prog.Node().(type) {
	case *ast.IdentifierNode:
		i, ok := s.names[x.Value]
		return i, ok && isIdent(x.Value)
	case *ast.CallNode:
		if id, ok := x.Callee.(*ast.IdentifierNode); ok && id.Value == "col" && len(x.Arguments) == 1 {
			if str, ok := x.Arguments[0].(*ast.StringNode); ok {
				i, ok := s.names[str.Value]
				return i, ok
			}
		}
	}
	return 0, false
}

// computedField describes the column an expression makes, by the type
// the expression has.
func computedField(name string, c *compiled) (*votable.Field, error) {
	f := &votable.Field{Name: name, Description: "Computed: " + strings.TrimSpace(c.src)}
	t := c.prog.Node().Type()
	if t == nil || t.Kind() == reflect.Interface {
		// Unknown until run (col("..."), arrays): a number.
		f.Datatype = votable.Double
		return f, nil
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		f.Datatype = votable.Double
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		f.Datatype = votable.Long
	case reflect.Bool:
		f.Datatype = votable.Boolean
	case reflect.String:
		f.Datatype, f.Arraysize = votable.Char, "*"
	default:
		return nil, fmt.Errorf("the expression is of type %v: want a number, bool or string (write float(...), int(...) or string(...))", t)
	}
	if f.Arraysize != "" {
		sh, err := votable.ParseShape(f.Arraysize)
		if err != nil {
			return nil, err
		}
		f.Shape = sh
	}
	return f, nil
}

// refVisitor collects the columns an expression reads.
type refVisitor struct {
	s    *Selection
	refs map[int]bool
	all  bool
	err  error
}

func (v *refVisitor) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.IdentifierNode:
		if i, ok := v.s.names[x.Value]; ok && isIdent(x.Value) {
			v.refs[i] = true
		}
	case *ast.CallNode:
		id, ok := x.Callee.(*ast.IdentifierNode)
		if !ok || id.Value != "col" {
			return
		}
		if len(x.Arguments) != 1 {
			v.err = errors.New("col takes one column name")
			return
		}
		str, ok := x.Arguments[0].(*ast.StringNode)
		if !ok {
			v.all = true
			return
		}
		i, ok := v.s.names[str.Value]
		if !ok {
			v.err = fmt.Errorf("no column %q", str.Value)
			return
		}
		v.refs[i] = true
	}
}

func (s *Selection) compile(src string, types map[string]any, opts ...expr.Option) (*compiled, error) {
	opts = append([]expr.Option{
		expr.Env(types),
		expr.Function("col", func(params ...any) (any, error) {
			name, ok := params[0].(string)
			if !ok {
				return nil, fmt.Errorf("col wants a column name, not %v", params[0])
			}
			i, ok := s.names[name]
			if !ok {
				return nil, fmt.Errorf("no column %q", name)
			}
			return value(s.cols[i], s.row), nil
		}, new(func(string) any)),
	}, opts...)
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, unknownColumn(err, s)
	}
	v := &refVisitor{s: s, refs: map[int]bool{}}
	node := prog.Node()
	ast.Walk(&node, v)
	if v.err != nil {
		return nil, v.err
	}
	c := &compiled{src: src, prog: prog, all: v.all}
	for i := range v.refs {
		c.refs = append(c.refs, i)
	}
	sort.Ints(c.refs)
	return c, nil
}

// unknownColumn rewords expr's unknown-name error to list the columns.
func unknownColumn(err error, s *Selection) error {
	msg := err.Error()
	if !strings.Contains(msg, "unknown name") {
		return err
	}
	var names []string
	for _, f := range s.in {
		names = append(names, f.Name)
	}
	list := strings.Join(names, ", ")
	if len(list) > 300 {
		list = list[:297] + "..."
	}
	return fmt.Errorf("%w\n(columns: %s; a name that is not an identifier is written col(\"name\"))", err, list)
}

// Fields are the output columns' descriptions.
func (s *Selection) Fields() []*votable.Field {
	fs := make([]*votable.Field, len(s.out))
	for i, o := range s.out {
		fs[i] = o.field
	}
	return fs
}

// Sorted reports whether the selection sorts (and so needs every row
// before writing any).
func (s *Selection) Sorted() bool { return s.sort != nil }

// Done reports whether Head rows have been kept (no further batch is
// needed).
func (s *Selection) Done() bool { return s.head > 0 && s.sort == nil && s.kept >= s.head }

// NewColumns makes empty output columns.
func (s *Selection) NewColumns() ([]votable.Column, error) {
	cols := make([]votable.Column, len(s.out))
	for i, o := range s.out {
		c, err := votable.NewColumn(o.field)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", o.field.Name, err)
		}
		cols[i] = c
	}
	return cols, nil
}

// eval runs c on row i of the batch. null is true when the expression
// failed on a row where a column it reads is null (the result is then
// null); other failures are errors.
func (s *Selection) eval(c *compiled, first int) (v any, null bool, err error) {
	for k := range s.env {
		delete(s.env, k)
	}
	anyNull := false
	fill := func(j int) {
		col := s.cols[j]
		if col.IsNull(s.row) {
			anyNull = true
		}
		if isIdent(s.in[j].Name) {
			s.env[s.in[j].Name] = value(col, s.row)
		}
	}
	if c.all {
		for j := range s.cols {
			fill(j)
		}
	} else {
		for _, j := range c.refs {
			fill(j)
		}
	}
	v, err = expr.Run(c.prog, s.env)
	if err != nil {
		if anyNull {
			return nil, true, nil
		}
		return nil, false, fmt.Errorf("row %d: %s: %w", first+s.row+1, strings.TrimSpace(c.src), err)
	}
	if v == nil {
		return nil, true, nil
	}
	return v, false, nil
}

// Batch appends the selected rows of the input batch in (columns of the
// input fields) to out (from NewColumns); first is the number of input
// rows before this batch (for messages).
func (s *Selection) Batch(ctx context.Context, in []votable.Column, out []votable.Column, first int) error {
	if len(in) != len(s.in) {
		return fmt.Errorf("%d columns for %d fields", len(in), len(s.in))
	}
	if len(in) == 0 {
		return nil
	}
	s.cols = in
	n := in[0].Len()
	for s.row = 0; s.row < n; s.row++ {
		if s.Done() {
			return nil
		}
		if s.row&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if s.where != nil {
			v, null, err := s.eval(s.where, first)
			if err != nil {
				return err
			}
			if null || v != true {
				continue
			}
		}
		for j, o := range s.out {
			if o.e == nil {
				if err := votable.Gather(out[j], in[o.in], []int32{int32(s.row)}); err != nil {
					return err
				}
				continue
			}
			v, null, err := s.eval(o.e, first)
			if err != nil {
				return err
			}
			if err := appendValue(out[j], v, null); err != nil {
				return fmt.Errorf("row %d: column %q: %w", first+s.row+1, o.field.Name, err)
			}
		}
		s.kept++
	}
	return nil
}

// appendValue appends a computed value to a column made by computedField.
func appendValue(c votable.Column, v any, null bool) error {
	switch x := c.(type) {
	case *votable.Scalar[float64]:
		f, ok := toFloat(v)
		if !null && !ok {
			return fmt.Errorf("%v is not a number (write string(...) for a text column)", v)
		}
		x.Append(f, null)
	case *votable.Scalar[int64]:
		i, ok := v.(int)
		x.Append(int64(i), null || !ok)
	case *votable.Scalar[bool]:
		b, ok := v.(bool)
		x.Append(b, null || !ok)
	case *votable.Strings:
		str, ok := v.(string)
		return x.AppendString(str, null || !ok)
	default:
		return fmt.Errorf("unexpected column type %T", c)
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return math.NaN(), false
}

// Apply runs the selection over a whole table and returns the result
// (sorted and cut to Head when asked).
func (s *Selection) Apply(ctx context.Context, t *votable.Table) (*votable.Table, error) {
	out, err := s.NewColumns()
	if err != nil {
		return nil, err
	}
	if s.sort == nil {
		if err := s.Batch(ctx, t.Columns, out, 0); err != nil {
			return nil, err
		}
		return s.table(t, out), nil
	}
	// Sorting: keep the selected input rows with their keys, order them,
	// then build the output from the ordered rows.
	head := s.head
	s.head = 0
	defer func() { s.head = head }()
	type keyed struct {
		row  int32
		num  float64
		str  string
		null bool
	}
	var rows []keyed
	isStr := false
	if k := s.sort.prog.Node().Type(); k != nil && k.Kind() == reflect.String {
		isStr = true
	}
	s.cols = t.Columns
	n := t.Rows()
	for s.row = 0; s.row < n; s.row++ {
		if s.row&4095 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if s.where != nil {
			v, null, err := s.eval(s.where, 0)
			if err != nil {
				return nil, err
			}
			if null || v != true {
				continue
			}
		}
		v, null, err := s.eval(s.sort, 0)
		if err != nil {
			return nil, err
		}
		k := keyed{row: int32(s.row), null: null}
		if !null {
			if isStr {
				k.str, _ = v.(string)
			} else if f, ok := toFloat(v); ok && !math.IsNaN(f) {
				k.num = f
			} else if str, ok := v.(string); ok {
				k.str, isStr = str, true
			} else {
				k.null = true
			}
		}
		rows = append(rows, k)
	}
	less := func(a, b keyed) bool {
		if isStr {
			return a.str < b.str
		}
		return a.num < b.num
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.null || b.null {
			return !a.null && b.null
		}
		if s.desc {
			return less(b, a)
		}
		return less(a, b)
	})
	if head > 0 && len(rows) > head {
		rows = rows[:head]
	}
	order := make([]int32, len(rows))
	for i, r := range rows {
		order[i] = r.row
	}
	// Build the output in order: copied columns gathered, computed ones
	// evaluated row by row.
	for j, o := range s.out {
		if o.e == nil {
			if err := votable.Gather(out[j], t.Columns[o.in], order); err != nil {
				return nil, err
			}
			continue
		}
		for _, r := range order {
			s.row = int(r)
			v, null, err := s.eval(o.e, 0)
			if err != nil {
				return nil, err
			}
			if err := appendValue(out[j], v, null); err != nil {
				return nil, err
			}
		}
	}
	return s.table(t, out), nil
}

// table wraps output columns as a table described like t.
func (s *Selection) table(t *votable.Table, cols []votable.Column) *votable.Table {
	return &votable.Table{Name: t.Name, ID: t.ID, UCD: t.UCD, Utype: t.Utype, Description: t.Description, NRows: -1,
		Fields: s.Fields(), Params: t.Params, Links: t.Links, Columns: cols}
}
