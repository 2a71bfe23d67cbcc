package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/voagent/voagent/vo/votable"
)

func newVOTableCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "votable",
		Short: "Inspect, convert and summarise VOTable files",
	}
	cmd.AddCommand(newVOTableInfoCmd(), newVOTableConvertCmd(), newVOTableStatsCmd(), newVOTableSelectCmd())
	return cmd
}

// openInput opens a file, or standard input for "-".
func openInput(cmd *cobra.Command, path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(cmd.InOrStdin()), nil
	}
	return os.Open(path)
}

// tableInfo is the JSON form of one table for `votable info --json`.
type tableInfo struct {
	Index         int          `json:"index"`
	Name          string       `json:"name,omitempty"`
	ID            string       `json:"id,omitempty"`
	Rows          int64        `json:"rows"`
	Serialization string       `json:"serialization"`
	Columns       []columnInfo `json:"columns"`
	Params        []paramInfo  `json:"params,omitempty"`
	QueryStatus   string       `json:"query_status,omitempty"`
}

type columnInfo struct {
	Name      string `json:"name"`
	Datatype  string `json:"datatype"`
	Arraysize string `json:"arraysize,omitempty"`
	Unit      string `json:"unit,omitempty"`
	UCD       string `json:"ucd,omitempty"`
	XType     string `json:"xtype,omitempty"`
}

type paramInfo struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Unit  string `json:"unit,omitempty"`
	UCD   string `json:"ucd,omitempty"`
}

// streamTables reads the VOTable at path ("-" for standard input) table by
// table with constant memory: start is called with each table's metadata,
// add with each batch of its rows, end after its last batch. It returns the
// document's metadata, complete once the whole document is read.
func streamTables(cmd *cobra.Command, path string, start func(*votable.Table), add func([]votable.Column), end func(*votable.Table)) (*votable.Document, error) {
	in, err := openInput(cmd, path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	br := bufio.NewReader(in)
	if wholeTableInput(br) { // FITS or CSV: one table, read whole
		t, err := votable.ReadTable(cmd.Context(), br, path)
		if err != nil {
			return nil, err
		}
		start(t)
		add(t.Columns)
		end(t)
		return wholeTableDocument(t), nil
	}
	d := votable.NewDecoder(br)
	defer d.Close()
	for {
		t, err := d.NextTable()
		if err == io.EOF {
			return d.Document(), nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		start(t)
		if err := votable.EachBatch(cmd.Context(), d, func(cols []votable.Column) error { add(cols); return nil }); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		end(t)
	}
}

func newVOTableInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info FILE",
		Short: "List the tables of a VOTable: rows, columns with datatype, arraysize, unit, UCD",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var infos []tableInfo
			var rows int64
			doc, err := streamTables(cmd, args[0],
				func(*votable.Table) { rows = 0 },
				func(cols []votable.Column) { rows += int64(cols[0].Len()) },
				func(t *votable.Table) {
					ti := tableInfo{Index: t.Index + 1, Name: t.Name, ID: t.ID, Rows: rows, Serialization: t.Serialization.String()}
					for _, f := range t.Fields {
						ti.Columns = append(ti.Columns, columnInfo{Name: f.Name, Datatype: f.Datatype.String(), Arraysize: f.Arraysize, Unit: f.Unit, UCD: f.UCD, XType: f.XType})
					}
					for _, p := range t.Params {
						ti.Params = append(ti.Params, paramInfo{Name: p.Name, Value: p.Value, Unit: p.Unit, UCD: p.UCD})
					}
					infos = append(infos, ti)
				})
			if err != nil {
				return err
			}
			if q := doc.QueryStatus(); q != nil && len(infos) > 0 {
				infos[0].QueryStatus = q.Value
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if infos == nil {
					infos = []tableInfo{}
				}
				return enc.Encode(infos)
			}
			if len(infos) == 0 {
				fmt.Fprintln(out, "no tables")
			}
			for _, ti := range infos {
				label := ti.Name
				if label == "" {
					label = ti.ID
				}
				fmt.Fprintf(out, "Table %d %q: %d rows, %d columns, %s", ti.Index, label, ti.Rows, len(ti.Columns), ti.Serialization)
				if ti.QueryStatus != "" {
					fmt.Fprintf(out, ", QUERY_STATUS=%s", ti.QueryStatus)
				}
				fmt.Fprintln(out)
				tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "  #\tname\tdatatype\tarraysize\tunit\tucd")
				for i, c := range ti.Columns {
					fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\n", i+1, c.Name, c.Datatype, c.Arraysize, c.Unit, c.UCD)
				}
				tw.Flush()
				for _, p := range ti.Params {
					fmt.Fprintf(out, "  PARAM %s = %s %s\n", p.Name, p.Value, p.Unit)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newVOTableConvertCmd() *cobra.Command {
	var format string
	var table int
	cmd := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert a VOTable to TABLEDATA, BINARY, BINARY2 or CSV (- for stdin/stdout)",
		Long: `Convert a VOTable between serializations, keeping all of its metadata.
Without --table every table of the document is converted (in memory); with
--table N, or to CSV, only table N (default 1) is converted, streaming.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := votable.FormatFor(args[1], format)
			if err != nil {
				return fmt.Errorf("--format: %w", err)
			}
			in, err := openInput(cmd, args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			br := bufio.NewReader(in)
			in = io.NopCloser(br)
			return writeOutput(cmd, args[1], func(out io.Writer) error {
				if !looksLikeXML(br) {
					// CSV (or gzipped VOTable or CSV): read whole.
					t, err := votable.ReadTable(cmd.Context(), br, args[0])
					if err != nil {
						return err
					}
					return votable.WriteTableFormat(out, t, f)
				}
				if f.IsVOTable() && table == 0 {
					doc, err := votable.ReadContext(cmd.Context(), in)
					if err != nil {
						return fmt.Errorf("%s: %w", args[0], err)
					}
					return votable.WriteFormat(out, doc, f)
				}
				if table == 0 {
					table = 1
				}
				d := votable.NewDecoder(in)
				defer d.Close()
				if err := votable.CopyTable(cmd.Context(), d, table, out, f); err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "output format: tabledata, binary, binary2 (votable), csv or jsonl (JSON lines; default from OUT's extension: .csv, .jsonl, else binary2)")
	cmd.Flags().IntVar(&table, "table", 0, "convert only table N (1-based)")
	return cmd
}

// looksLikeXML reports whether the buffered input starts (after a BOM and
// white space) with '<'.
func looksLikeXML(br *bufio.Reader) bool {
	head, _ := br.Peek(512)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(head) > 0 && head[0] == '<'
}

func newVOTableStatsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats FILE",
		Short: "Per column: good values, nulls, min, max, mean (streaming, like stilts tpipe omode=stats)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			type colJSON struct {
				Name  string   `json:"name"`
				Good  int64    `json:"good"`
				Nulls int64    `json:"nulls"`
				Min   *float64 `json:"min,omitempty"`
				Max   *float64 `json:"max,omitempty"`
				Mean  *float64 `json:"mean,omitempty"`
			}
			type tabJSON struct {
				Index   int       `json:"index"`
				Name    string    `json:"name,omitempty"`
				Rows    int64     `json:"rows"`
				Columns []colJSON `json:"columns"`
			}
			var all []tabJSON
			out := cmd.OutOrStdout()
			var st *votable.Stats
			_, err := streamTables(cmd, args[0],
				func(t *votable.Table) { st = votable.NewStats(t.Fields) },
				func(cols []votable.Column) { st.Add(cols) },
				func(t *votable.Table) {
					tj := tabJSON{Index: t.Index + 1, Name: t.Name, Rows: st.Rows}
					for _, c := range st.Columns {
						cj := colJSON{Name: c.Name, Good: c.Good, Nulls: c.Nulls}
						if c.Numeric && c.Good > 0 {
							mn, mx, mean := c.Min, c.Max, c.Mean()
							cj.Min, cj.Max, cj.Mean = &mn, &mx, &mean
						}
						tj.Columns = append(tj.Columns, cj)
					}
					all = append(all, tj)
				})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(all)
			}
			for _, tj := range all {
				fmt.Fprintf(out, "Table %d %q: %d rows\n", tj.Index, tj.Name, tj.Rows)
				tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintln(tw, "name\tgood\tnulls\tmin\tmax\tmean\t")
				for _, c := range tj.Columns {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t\n", c.Name, c.Good, c.Nulls, fnum(c.Min), fnum(c.Max), fnum(c.Mean))
				}
				tw.Flush()
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func fnum(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return ""
	}
	return fmt.Sprintf("%.6g", *v)
}
