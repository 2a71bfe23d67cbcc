package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/tabsel"
	"github.com/voagent/voagent/vo/votable"
)

// whereHelp describes --where for every command that has it.
const whereHelp = `keep the rows for which this expression is true, e.g. 'jmag < 12 && dec > 0' (columns by name; col("2MASS name") for names that are not identifiers; a null in a comparison leaves the row out, test nulls with == nil or replace them with ?? value)`

// addWhereFlag declares --where on a command that writes a table.
func addWhereFlag(cmd *cobra.Command, where *string) {
	cmd.Flags().StringVar(where, "where", "", whereHelp)
}

// splitColumns splits a --columns list at the commas outside brackets and
// quotes: "ra,dec,gmr=g-r,m=max(g, r)" is four columns.
func splitColumns(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '(' || r == '[' || r == '{':
			depth++
		case r == ')' || r == ']' || r == '}':
			depth--
		case r == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// selectTable applies a selection to a whole table: the one shared path
// of --where (and votable select without streaming).
func selectTable(ctx context.Context, t *votable.Table, opt tabsel.Options) (*votable.Table, error) {
	s, err := tabsel.Compile(t.Fields, opt)
	if err != nil {
		return nil, err
	}
	out, err := s.Apply(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("selecting rows of %s: %w", t.Label(), err)
	}
	return out, nil
}

// whereDoc keeps the rows of doc's result table (votable.ResultTable) for
// which where is true, in place: the rest of the document (INFOs, PARAMs,
// other tables) is kept. An empty where does nothing.
func whereDoc(ctx context.Context, doc *votable.Document, where string) error {
	if where == "" {
		return nil
	}
	t := votable.ResultTable(doc)
	if t == nil {
		return errors.New("--where: the answer holds no table with data")
	}
	return whereTable(ctx, t, where)
}

// whereTable keeps the rows of t for which where is true, in place (its
// metadata unchanged). An empty where does nothing.
func whereTable(ctx context.Context, t *votable.Table, where string) error {
	if where == "" || t == nil {
		return nil
	}
	out, err := selectTable(ctx, t, tabsel.Options{Where: where})
	if err != nil {
		return err
	}
	t.Columns = out.Columns
	t.NRows = -1
	return nil
}

func newVOTableSelectCmd() *cobra.Command {
	var (
		opt     tabsel.Options
		columns string
		format  string
		table   int
	)
	cmd := &cobra.Command{
		Use:   "select IN OUT [--where EXPR] [--columns a,b,name=EXPR] [--sort EXPR [--desc]] [--head N]",
		Short: "Filter rows and select or compute columns of a table (- for stdin/stdout)",
		Long: `Reads a table (VOTable in any serialization, or CSV with a header; gzipped too),
keeps the rows for which --where is true, writes the --columns asked for (input
columns by name, or computed as name=expression), sorted by --sort and cut to the
first --head rows, as VOTable, CSV or JSON lines (--format, else OUT's extension).

Expressions are those of github.com/expr-lang/expr: arithmetic (+ - * / % **), comparisons,
&& || !, in, matches, startsWith, contains, functions such as abs, max, min, len, float,
int, string, and the ?? operator. Columns are variables by name; a name that is not an
identifier (2MASS, "B-V") is written col("B-V"). Integer columns are int, floating-point
ones float64, booleans bool, text string.

Nulls: a null cell is nil. A comparison or arithmetic with a null leaves the row out
of --where (so "g > 19" and "!(g > 19)" both leave out rows where g is null) and gives
null in a computed column; test nulls with "g == nil", replace them with "g ?? 99".

A VOTable is streamed (memory bounded by a batch of rows) unless --sort is given;
--head stops reading once it has its rows.`,
		Example: `  voagent votable select cone.xml bright.xml --where 'jmag < 12'
  voagent votable select sdss.vot colours.csv --columns 'objid,ra,dec,gmr=g-r,umg=u-g' --where 'r < 19'
  voagent votable select t.vot - --columns 'id,col("2MASS name")' --sort 'jmag' --head 10 --format jsonl`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt.Columns = splitColumns(columns)
			f, err := outputFormat(cmd, args[1], format)
			if err != nil {
				return fmt.Errorf("--format: %w", err)
			}
			in, err := openInput(cmd, args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			br := bufio.NewReader(in)
			write := func(out io.Writer) error { return selectStream(cmd.Context(), br, args[0], table, opt, out, f) }
			if sendFlag(cmd) != "" && (args[1] == "-" || !f.IsVOTable()) {
				// Sent as well: the selection goes to a VOTable file first.
				tmp, err := sentFile("voagent-select-")
				if err != nil {
					return err
				}
				tmp.Close()
				if err := votable.CreateFile(tmp.Name(), func(w io.Writer) error {
					return selectStream(cmd.Context(), br, args[0], table, opt, w, votable.FormatBinary2)
				}); err != nil {
					return err
				}
				in, err := os.Open(tmp.Name())
				if err != nil {
					return err
				}
				defer in.Close()
				if err := writeOutput(cmd, args[1], func(out io.Writer) error {
					return selectStream(cmd.Context(), bufio.NewReader(in), tmp.Name(), 1, tabsel.Options{}, out, f)
				}); err != nil {
					return err
				}
				return sendVOTableFile(cmd, nil, tmp.Name(), "selection of "+filepath.Base(args[0]))
			}
			if err := writeOutput(cmd, args[1], write); err != nil {
				return err
			}
			return sendVOTableFile(cmd, nil, args[1], "selection of "+filepath.Base(args[0]))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opt.Where, "where", "", whereHelp)
	fl.StringVar(&columns, "columns", "", `output columns, comma-separated: input columns by name, name=expression for computed ones ("ra,dec,gmr=g-r"); default every input column`)
	fl.StringVar(&opt.Sort, "sort", "", "sort the rows by this expression (a column name, or e.g. 'g-r'); nulls last")
	fl.BoolVar(&opt.Desc, "desc", false, "with --sort: descending")
	fl.IntVar(&opt.Head, "head", 0, "keep only the first N rows (after --sort)")
	fl.StringVar(&format, "format", "", "output format: tabledata, binary, binary2 (votable), csv or jsonl (default from OUT's extension: .csv, .jsonl, else votable)")
	fl.IntVar(&table, "table", 1, "the table of the document to read (1-based; VOTable)")
	addSendFlag(fl)
	return cmd
}

// selectStream runs a selection from a table file to out: batch by batch
// through the VOTable decoder when the input is XML and unsorted, else on
// the whole table.
func selectStream(ctx context.Context, br *bufio.Reader, name string, table int, opt tabsel.Options, out io.Writer, f votable.Format) error {
	if table < 1 {
		return fmt.Errorf("--table %d: tables are counted from 1", table)
	}
	if !looksLikeXML(br) || opt.Sort != "" {
		var t *votable.Table
		var err error
		if looksLikeXML(br) && table > 1 {
			t, err = nthTable(ctx, br, table)
		} else {
			t, err = votable.ReadTable(ctx, br, name)
		}
		if err != nil {
			return err
		}
		res, err := selectTable(ctx, t, opt)
		if err != nil {
			return err
		}
		return votable.WriteTableFormat(out, res, f)
	}
	d := votable.NewDecoder(br)
	defer d.Close()
	if err := selectCopy(ctx, d, table, opt, out, f); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// selectCopy streams table n (1-based) of s through a selection to out in
// format f, batch by batch (the selection must not sort), stopping once
// --head rows are written, and reads the stream to its end otherwise.
func selectCopy(ctx context.Context, s votable.TableStream, n int, opt tabsel.Options, out io.Writer, f votable.Format) error {
	var t *votable.Table
	for i := 1; i <= n; i++ {
		var err error
		if t, err = s.NextTable(); err == io.EOF {
			return fmt.Errorf("no table %d", n)
		} else if err != nil {
			return err
		}
	}
	sel, err := tabsel.Compile(t.Fields, opt)
	if err != nil {
		return err
	}
	if sel.Sorted() {
		return errors.New("a sorted selection cannot be streamed")
	}
	cols, err := sel.NewColumns()
	if err != nil {
		return err
	}
	var res *votable.Resource
	if r, ok := s.(interface{ Resource() *votable.Resource }); ok {
		res = r.Resource()
	}
	ot := &votable.Table{Name: t.Name, ID: t.ID, Description: t.Description, NRows: -1, Fields: sel.Fields(), Params: t.Params}
	bw, err := votable.NewBatchWriter(out, res, ot, f)
	if err != nil {
		return err
	}
	first := 0
	for !sel.Done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := s.NextBatch()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := sel.Batch(ctx, batch, cols, first); err != nil {
			return err
		}
		if len(batch) > 0 {
			first += batch[0].Len()
		}
		if err := bw.WriteBatch(cols); err != nil {
			return err
		}
		for _, c := range cols {
			c.Reset()
		}
	}
	return bw.Close()
}

// nthTable reads table n (1-based) of a VOTable whole.
func nthTable(ctx context.Context, r io.Reader, n int) (*votable.Table, error) {
	doc, err := votable.ReadContext(ctx, r)
	if err != nil {
		return nil, err
	}
	ts := doc.Tables()
	if n > len(ts) {
		return nil, fmt.Errorf("no table %d (the document has %d)", n, len(ts))
	}
	return ts[n-1], nil
}

// tapWriteWhere is tapWrite with --where: the answer is decoded and
// filtered as it streams (through selectCopy), in any output format.
func (o *tapOpts) tapWriteWhere(ctx context.Context, w io.Writer, f votable.Format, stream func() (*dal.Result, error), copyRaw func() (int64, *dal.Truncation, error)) (*dal.Truncation, error) {
	if o.where == "" {
		return tapWrite(ctx, w, f, stream, copyRaw)
	}
	r, err := stream()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	err = selectCopy(ctx, r, 1, tabsel.Options{Where: o.where}, w, f)
	return r.Truncation(), err
}
