package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/datalink"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/registry"
	"github.com/voagent/voagent/vo/scs"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/votable"
)

// svcOpts are the flags shared by the simple-service commands (cone, sia,
// ssa, datalink, soda, epntap).
type svcOpts struct {
	url     string
	output  string
	format  string
	timeout time.Duration
	params  []string
	list    bool
	maxrec  int
	where   string // --where (declared by the commands that write a table)
	label   string // what the command searches ("cone search"), for --send's name
}

func (o *svcOpts) addFlags(cmd *cobra.Command, withParams bool) {
	f := cmd.Flags()
	f.StringVar(&o.url, "url", "", "access URL of the service")
	f.StringVarP(&o.output, "output", "o", "-", "output file (- for stdout)")
	f.StringVar(&o.format, "format", "", "output format: votable (the service's document, unchanged), tabledata, binary, binary2, csv or jsonl (JSON lines; default from the file extension: .csv, .jsonl, else votable)")
	f.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up on the service after this long")
	f.IntVar(&o.maxrec, "maxrec", 0, "maximum number of records (0: the service's default)")
	if withParams {
		f.StringArrayVar(&o.params, "param", nil, "extra parameter key=value, sent as it is (repeatable)")
		f.BoolVar(&o.list, "params", false, "list the parameters the service accepts (FORMAT=METADATA) and exit")
	}
}

// client returns the HTTP client of the command.
func (o *svcOpts) client() *dal.Client {
	return dal.New(dal.Options{Timeout: o.timeout})
}

// extra parses the --param flags.
func (o *svcOpts) extra() (url.Values, error) {
	v := url.Values{}
	for _, p := range o.params {
		k, val, err := svcparam.ParseAssignment(p)
		if err != nil {
			return nil, err
		}
		v.Add(k, val)
	}
	return v, nil
}

// needURL checks that --url was given.
func (o *svcOpts) needURL() error {
	if o.url == "" {
		return fmt.Errorf("--url is required (the service's access URL)")
	}
	return nil
}

// begin checks --url (unless the command runs on every registered
// service) and parses the --param flags.
func (o *svcOpts) begin(needURL bool) (url.Values, error) {
	if needURL {
		if err := o.needURL(); err != nil {
			return nil, err
		}
	}
	return o.extra()
}

// outFormat is the output format: --format, else from the file extension.
func (o *svcOpts) outFormat(cmd *cobra.Command) (votable.Format, error) {
	return outputFormat(cmd, o.output, o.format)
}

// outputFormat is the format a table goes out in: flag when given, else
// by path's extension; to a terminal (path "" or "-" on a terminal) CSV
// rather than a binary VOTable, which is no use on a screen.
func outputFormat(cmd *cobra.Command, path, flag string) (votable.Format, error) {
	f, err := votable.FormatFor(path, flag)
	if err == nil && flag == "" && (path == "" || path == "-") && isTerminal(cmd.OutOrStdout()) {
		return votable.FormatCSV, nil
	}
	return f, err
}

// lineStart is what starts a line written after progress: on a terminal a
// carriage return and a cleared line (the progress line is overwritten),
// else nothing.
func lineStart(w io.Writer) string {
	if isTerminal(w) {
		return "\r\033[K"
	}
	return ""
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// writeOutput calls fn with the command's standard output when path is ""
// or "-", else with the file path (removed again when fn fails).
func writeOutput(cmd *cobra.Command, path string, fn func(w io.Writer) error) error {
	if path == "" || path == "-" {
		return fn(cmd.OutOrStdout())
	}
	return votable.CreateFile(path, fn)
}

// svcRun writes a query's answer: the service's VOTable by copy, or
// another format by reading it.
func (o *svcOpts) svcRun(cmd *cobra.Command, copyFn func(context.Context, io.Writer) (int64, *dal.Truncation, error),
	searchFn func(context.Context) (*dataset.Result, error)) error {
	f, err := o.outFormat(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	var tr *dal.Truncation
	var doc *votable.Document // the answer decoded, for --send
	send := sendFlag(cmd) != ""
	err = writeOutput(cmd, o.output, func(w io.Writer) error {
		if f == votable.FormatVOTable && o.where == "" && !send {
			var err error
			_, tr, err = copyFn(ctx, w)
			return err
		}
		r, err := searchFn(ctx)
		if err != nil {
			return err
		}
		tr = r.Truncation
		if err := whereTable(ctx, r.Table, o.where); err != nil {
			return err
		}
		doc = r.Doc
		return votable.WriteFormat(w, r.Doc, f)
	})
	if err == nil && tr != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning: result", tr)
	}
	if err != nil {
		return err
	}
	return sendTable(cmd, nil, o.output, o.sendName(), func(p string) error { return writeVOTableFile(p, doc) })
}

// sendName is the default --name of what a service command sends: what
// it searched and the service's host.
func (o *svcOpts) sendName() string {
	label := o.label
	if label == "" {
		label = "VO search"
	}
	if u, err := url.Parse(o.url); err == nil && u.Host != "" {
		return label + " " + u.Host
	}
	return label
}

// svcListParams prints service parameters (FORMAT=METADATA).
func svcListParams(w io.Writer, ps []svcparam.Param) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tUNIT\tDEFAULT\tRANGE/OPTIONS\tDESCRIPTION")
	for _, p := range ps {
		typ := p.Datatype
		if p.Arraysize != "" {
			typ += "[" + p.Arraysize + "]"
		}
		if p.XType != "" {
			typ += " " + p.XType
		}
		rng := ""
		if p.Min != "" || p.Max != "" {
			rng = p.Min + ".." + p.Max
		}
		var opts []string
		for _, o := range p.Options {
			opts = append(opts, o.Value)
		}
		if len(opts) > 0 {
			rng = strings.Join(opts, "|")
			if len(rng) > 50 {
				rng = rng[:47] + "..."
			}
		}
		desc := strings.Join(strings.Fields(p.Description), " ")
		if len(desc) > 70 {
			desc = desc[:67] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, typ, p.Unit, p.Value, rng, desc)
	}
	return tw.Flush()
}

// svcProgress prints download progress on stderr, rewriting one line
// (with \r): on a terminal only, else nothing.
func svcProgress(cmd *cobra.Command, name string) dataset.Progress {
	w := cmd.ErrOrStderr()
	if !isTerminal(w) {
		return nil
	}
	return func(done, total int64) {
		if total > 0 {
			fmt.Fprintf(w, "\r%s: %s of %s (%d%%)   ", name, svcBytes(done), svcBytes(total), done*100/total)
		} else {
			fmt.Fprintf(w, "\r%s: %s   ", name, svcBytes(done))
		}
	}
}

func svcBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// svcDownload downloads the datasets of records into dir, one after the
// other, reporting progress and going on after a failure.
func svcDownload(cmd *cobra.Command, c *dal.Client, dir string, accesses []dataset.Access, resolve func(context.Context, dataset.Access) (dataset.Access, error)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	failed := 0
	for _, a := range accesses {
		if a.URL == "" {
			continue
		}
		if resolve != nil {
			var err error
			if a, err = resolve(cmd.Context(), a); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "error:", err)
				failed++
				continue
			}
		}
		d, err := dataset.Download(cmd.Context(), c, a.URL, dir, a.Name, svcProgress(cmd, a.Name))
		if err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), lineStart(cmd.ErrOrStderr())+"error:", err)
			failed++
			if cmd.Context().Err() != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "%s%s: %s\n", lineStart(cmd.ErrOrStderr()), d.Path, svcBytes(d.Bytes))
		if err := sendFile(cmd, nil, d.Path, d.ContentType, a.Name); err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), "error:", err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d downloads failed", failed, len(accesses))
	}
	return nil
}

// svcSearchDownload runs a search and downloads the dataset of every record
// found (following DataLink access URLs).
func svcSearchDownload(cmd *cobra.Command, c *dal.Client, dir, where string, search func(context.Context) (*dataset.Result, error),
	access func(dataset.Record) dataset.Access) error {
	r, err := search(cmd.Context())
	if err != nil {
		return err
	}
	if err := whereTable(cmd.Context(), r.Table, where); err != nil {
		return err
	}
	var as []dataset.Access
	for _, rec := range r.Records() {
		as = append(as, access(rec))
	}
	return svcDownload(cmd, c, dir, as, datalink.NewClient(c).Resolve)
}

// svcAll are the flags of an all-services search: every service of one
// type in a registry is queried at once.
type svcAll struct {
	all      bool
	registry string
	outDir   string
	parallel int
}

func (a *svcAll) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&a.all, "all", false, "query every service of this type in the registry at once, instead of --url")
	f.StringVar(&a.registry, "registry", "", "with --all: RegTAP endpoint (default $IVOA_REGISTRY or "+registry.DefaultURL()+")")
	f.StringVar(&a.outDir, "output-dir", "", "with --all: write each service's answer to DIR/<short name>.xml (default: a new voagent-TYPE-TIME directory); exit status 1 when every service failed, 3 when some did")
	f.IntVar(&a.parallel, "parallel", 8, "with --all: services queried at once")
}

// svcFanOut runs search on every registered service of serviceType, each
// under the command's --timeout, reporting each answer as it arrives and a
// summary at the end; it fails only when no service answered.
func svcFanOut(cmd *cobra.Command, o *svcOpts, a *svcAll, serviceType string, search func(ctx context.Context, accessURL string) (*dataset.Result, error)) error {
	regURL := a.registry
	if regURL == "" {
		regURL = registry.DefaultURL()
	}
	if o.output != "" && o.output != "-" {
		return fmt.Errorf("-o names one file: with --all every service's answer goes to --output-dir DIR")
	}
	if a.outDir == "" {
		// Every answer is kept: in a directory of its own when none is named.
		a.outDir = fmt.Sprintf("voagent-%s-%s", serviceType, time.Now().Format("20060102-150405"))
		fmt.Fprintf(cmd.ErrOrStderr(), "answers go to %s/ (--output-dir to choose)\n", a.outDir)
	}
	if err := os.MkdirAll(a.outDir, 0o755); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	var werr error
	sum, err := registry.FanOut(cmd.Context(), registry.New(regURL, registry.TAPSync(o.client())), serviceType,
		fanout.Options{Concurrency: a.parallel, Deadline: o.timeout}, search, func(r fanout.Result[*dataset.Result]) {
			if r.Err != nil {
				fmt.Fprintf(out, "%s: %s: %v\n", r.Name, r.Outcome, r.Err)
				return
			}
			if err := whereTable(cmd.Context(), r.Value.Table, o.where); err != nil {
				fmt.Fprintf(out, "%s: --where: %v\n", r.Name, err)
				if werr == nil {
					werr = err
				}
				return
			}
			note := ""
			if r.Value.Truncation != nil {
				note = " (" + r.Value.Truncation.String() + ")"
			}
			fmt.Fprintf(out, "%s: %d rows in %s%s\n", r.Name, r.Value.Table.Rows(), r.Elapsed.Round(time.Millisecond), note)
			path := filepath.Join(a.outDir, dataset.Sanitize(r.Name)+".xml")
			if err := writeVOTableFile(path, r.Value.Doc); err != nil && werr == nil {
				werr = err
			}
			if err := sendTable(cmd, nil, path, r.Name, func(p string) error { return writeVOTableFile(p, r.Value.Doc) }); err != nil {
				fmt.Fprintf(out, "%s: --send: %v\n", r.Name, err)
				if werr == nil {
					werr = err
				}
			}
		})
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), sum)
	if werr != nil {
		return werr
	}
	if sum.OK == 0 {
		return fmt.Errorf("no %s service answered", serviceType)
	}
	if failed := sum.Total - sum.OK; failed > 0 {
		return &exitCodeError{code: exitPartial, err: fmt.Errorf("%d of %d %s services failed (the answers of the others are in %s)", failed, sum.Total, serviceType, a.outDir)}
	}
	return nil
}

// writeVOTableFile writes doc to path as a BINARY2 VOTable.
func writeVOTableFile(path string, doc *votable.Document) error {
	return votable.CreateFile(path, func(w io.Writer) error { return votable.WriteFormat(w, doc, votable.FormatVOTable) })
}

// svcDispatch runs a simple query (SIA, SSA) the way the flags ask: on
// every registered service (--all), downloading the datasets found
// (--download), or writing the answer (--output, --format).
func svcDispatch[Q dataset.Parameters](cmd *cobra.Command, o *svcOpts, all *svcAll, serviceType, download string, c *dal.Client,
	q Q, endpoint func(accessURL string) *dataset.Endpoint[Q], access func(dataset.Record) dataset.Access) error {
	if all.all {
		return svcFanOut(cmd, o, all, serviceType, func(ctx context.Context, u string) (*dataset.Result, error) {
			return endpoint(u).Search(ctx, q)
		})
	}
	ep := endpoint(o.url)
	search := func(ctx context.Context) (*dataset.Result, error) { return ep.Search(ctx, q) }
	if download != "" {
		if o.output != "" && o.output != "-" {
			return fmt.Errorf("--download writes the datasets into %s: -o %s would not be written; drop one", download, o.output)
		}
		return svcSearchDownload(cmd, c, download, o.where, search, access)
	}
	return o.svcRun(cmd, func(ctx context.Context, w io.Writer) (int64, *dal.Truncation, error) { return ep.Copy(ctx, q, w) }, search)
}

func newConeCmd(g *globals) *cobra.Command {
	var o svcOpts
	var all svcAll
	var q scs.Query
	var pf *posFlags
	cmd := &cobra.Command{
		Use:   "cone (--url URL | --all) (--ra RA --dec DEC | --pos POS) --radius R",
		Short: "Simple Cone Search (SCS 1.03): sources within a radius of a position",
		Example: `  voagent cone --url 'http://127.0.0.1:8080/twomass/q/cone/scs.xml?' --ra 10 --dec 20 --sr 0.05 -o near.xml
  voagent cone --url URL --pos "10:00:28.6 +02:12:21" --radius 36arcsec
  voagent cone --url URL --pos M31 --radius 2arcmin -o m31.csv
  voagent cone --url URL --ra 10 --dec 20 --sr 0.05 --format csv --param jmag=10/12
  voagent cone --all --registry http://127.0.0.1:8080/tap --ra 150 --dec 2 --sr 0.02 --output-dir near/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			extra, err := o.begin(!all.all)
			if err != nil {
				return err
			}
			q.Extra, q.MaxRec = extra, o.maxrec
			if q.RA, q.Dec, err = pf.position(cmd.Context()); err != nil {
				return err
			}
			sr, ok, err := pf.radiusDeg()
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("--radius (or --sr) is required")
			}
			q.SR = sr
			if _, err := q.Params(); err != nil {
				return err
			}
			if all.all {
				c := o.client()
				return svcFanOut(cmd, &o, &all, "scs", func(ctx context.Context, u string) (*dataset.Result, error) {
					r, err := scs.New(u, c).Search(ctx, q)
					if err != nil {
						return nil, err
					}
					return &r.Result, nil
				})
			}
			svc := scs.New(o.url, o.client())
			return o.svcRun(cmd,
				func(ctx context.Context, w io.Writer) (int64, *dal.Truncation, error) { return svc.Copy(ctx, q, w) },
				func(ctx context.Context) (*dataset.Result, error) {
					r, err := svc.Search(ctx, q)
					if err != nil {
						return nil, err
					}
					return &r.Result, nil
				})
		},
	}
	o.addFlags(cmd, false)
	all.addFlags(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&o.params, "param", nil, "extra parameter key=value, sent as it is (repeatable)")
	pf = addPosFlags(cmd, posSpec{Radius: true, RadiusUnit: "deg", RadiusHelp: "search radius (0: metadata only)", Aliases: []string{"sr"}})
	addWhereFlag(cmd, &o.where)
	addSendFlag(f)
	o.label = "cone search"
	f.IntVar(&q.Verb, "verb", 0, "verbosity 1..3 (0: the service's default)")
	return cmd
}
