package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/voagent/voagent/internal/lazyre"
	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/tap"
	"github.com/voagent/voagent/vo/uws"
	"github.com/voagent/voagent/vo/votable"
)

type tapOpts struct {
	log          *slog.Logger
	out          string
	format       string
	async        bool
	keep         bool
	uploads      []string
	maxrec       int64
	timeout      time.Duration
	send         string
	name         string
	capabilities bool
	tables       bool
	examples     bool
	partition    string
	key          string
	parts        int
	concurrency  int
	duration     time.Duration
	destruction  string
	where        string
}

func newTapCmd(g *globals) *cobra.Command {
	o := &tapOpts{log: g.log}
	cmd := &cobra.Command{
		Use:   "tap URL [QUERY]",
		Short: "Run an ADQL query on a TAP service (sync or async), or show its metadata",
		Long: `Run an ADQL query on the TAP service at URL (its base URL, the parent of
/sync and /async) and write the result to --out (default stdout).

With --format votable (the default) the service's VOTable is written unchanged
while its DALI status is checked; with --format csv (or tabledata, binary,
binary2) the VOTable is decoded as it downloads and written in that format. A result the service cut short (OVERFLOW) is
reported on stderr, saying whether your --maxrec or the service's own limit
stopped it.

QUERY is the ADQL text, @FILE to read it from a file, or - to read it from
standard input.

--async runs the query as a UWS job (with progress on a terminal); the job is
deleted afterwards, also on errors and on Ctrl-C, unless --keep (then its URL
is printed: "voagent tap job wait|fetch|delete JOBURL" resumes it).
--duration and --destruction ask for the job's EXECUTIONDURATION and
DESTRUCTION. Every job voagent creates is noted in a journal
($XDG_STATE_HOME/voagent/jobs.json) until deleted, so that the jobs of a
killed run show in "voagent tap job list" and can be deleted or fetched.
The output file is written under a temporary name and renamed when complete.
--upload name=FILE sends a local VOTable, queried as TAP_UPLOAD.name.
--partition TABLE splits SELECT * FROM TABLE [WHERE QUERY] on the table's
primary key (UCD meta.id;meta.main, or --key) into --parts async jobs and
concatenates their results.
--send topcat sends the result to TOPCAT (table.load.votable) over SAMP;
--send all sends it to every client that takes tables; --name names the table
there (default "TAP" and the queried table, else the service's host).
--capabilities, --tables and --examples print the service's metadata.`,
		Example: `  voagent tap http://127.0.0.1:8080/tap "SELECT TOP 10 * FROM twomass.psc"
  voagent tap http://127.0.0.1:8080/tap "SELECT * FROM bigcat.main" --async --maxrec 2000000 -o big.vot
  voagent tap http://127.0.0.1:8080/tap --upload pois=pois.vot --format csv \
    "SELECT p.*, m.designation FROM TAP_UPLOAD.pois AS p JOIN twomass.psc AS m ON 1=CONTAINS(POINT('ICRS', m.ra, m.dec), CIRCLE('ICRS', p.ra, p.dec, 0.001))"
  voagent tap http://127.0.0.1:8080/tap --partition bigcat.main --parts 8 "mag < 12"`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, g, args) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "out", "o", "-", "output file (- for stdout)")
	f.StringVar(&o.format, "format", "", "output format: votable (the service's document), tabledata, binary, binary2, csv or jsonl (JSON lines; default from the --out extension: .csv, .jsonl, else votable)")
	f.BoolVar(&o.async, "async", false, "run the query as an async (UWS) job")
	f.BoolVar(&o.keep, "keep", false, "keep async jobs on the service instead of deleting them")
	f.StringArrayVar(&o.uploads, "upload", nil, "upload a VOTable file as TAP_UPLOAD.name: name=FILE (repeatable)")
	f.Int64Var(&o.maxrec, "maxrec", -1, "MAXREC: maximum number of rows (0: metadata only; default: the service's limit)")
	f.DurationVar(&o.timeout, "timeout", 0, "give up after this long (default: no limit beyond the client's)")
	addSendFlagVar(f, &o.send, &o.name)
	f.BoolVar(&o.capabilities, "capabilities", false, "print the service's capabilities (languages, limits, upload methods)")
	f.BoolVar(&o.tables, "tables", false, "list the service's tables")
	f.BoolVar(&o.examples, "examples", false, "list the service's example queries")
	f.StringVar(&o.partition, "partition", "", "split a query on TABLE's primary key into async jobs")
	f.StringVar(&o.key, "key", "", "the numeric key column for --partition (default: UCD meta.id;meta.main)")
	f.IntVar(&o.parts, "parts", 4, "number of parts for --partition")
	f.IntVar(&o.concurrency, "concurrency", 2, "jobs run at once for --partition")
	f.DurationVar(&o.duration, "duration", 0, "async: ask for this run-time limit (EXECUTIONDURATION, e.g. 2h; the service may grant less)")
	f.StringVar(&o.destruction, "destruction", "", "async: ask for this destruction time (RFC 3339, or a duration from now such as 48h)")
	cmd.AddCommand(newTapJobCmd(g))
	addWhereFlag(cmd, &o.where)
	return cmd
}

func (o *tapOpts) run(cmd *cobra.Command, g *globals, args []string) (err error) {
	if o.send != "" {
		f, err := outputFormat(cmd, o.out, o.format)
		if err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		if !f.IsVOTable() {
			return fmt.Errorf("--send sends a VOTable: drop --format %s", f)
		}
		if o.out == "" || o.out == "-" {
			// Kept after a send: the receiver may read it later.
			f, err := sentFile("voagent-tap-")
			if err != nil {
				return err
			}
			f.Close()
			o.out = f.Name()
			defer func() {
				if err != nil {
					os.Remove(o.out)
				}
			}()
		}
	}
	if err = o.query(cmd, args); err != nil || o.send == "" {
		return err
	}
	name := o.name
	if name == "" {
		name = tapTableName(args, o.partition)
	}
	msg, err := tableRequest(o.out, name)
	if err != nil {
		return err
	}
	return sampSend(cmd, g, sendOptions{to: sendTarget(o.send), timeout: time.Minute}, msg)
}

// tapFrom finds the first table of a FROM clause.
var tapFrom = lazyre.New(`(?i)\bFROM\s+("[^"]+"|[\w.]+)`)

// tapTableName is the default name of a sent TAP result: "TAP" and the
// queried table, else the service's host.
func tapTableName(args []string, partition string) string {
	if partition != "" {
		return "TAP " + partition
	}
	if len(args) > 1 {
		if m := tapFrom().FindStringSubmatch(args[1]); m != nil {
			return "TAP " + m[1]
		}
	}
	if u, err := url.Parse(args[0]); err == nil && u.Host != "" {
		return "TAP " + u.Host
	}
	return "TAP result"
}

// query runs what the command line asks for and writes the result.
func (o *tapOpts) query(cmd *cobra.Command, args []string) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	svc := tap.New(args[0], dal.New(dal.Options{Logger: o.log}), o.log)
	// Whatever happens, leave no job behind (unless --keep).
	defer svc.Cleanup(context.WithoutCancel(ctx))
	switch {
	case o.capabilities:
		return writeOutput(cmd, o.out, func(w io.Writer) error { return tapPrintCapabilities(ctx, svc, w) })
	case o.tables:
		return writeOutput(cmd, o.out, func(w io.Writer) error { return tapPrintTables(ctx, svc, w) })
	case o.examples:
		return writeOutput(cmd, o.out, func(w io.Writer) error { return tapPrintExamples(ctx, svc, w) })
	case o.partition != "":
		return o.runPartition(ctx, cmd, svc, args)
	}
	if len(args) < 2 {
		return errors.New("missing QUERY (or one of --capabilities, --tables, --examples, --partition)")
	}
	f, err := outputFormat(cmd, o.out, o.format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	text, err := readQueryArg(cmd.InOrStdin(), args[1])
	if err != nil {
		return err
	}
	q := &tap.Query{ADQL: text, HasMaxRec: o.maxrec >= 0, MaxRec: o.maxrec}
	opt, err := o.asyncOptions()
	if err != nil {
		return err
	}
	for _, u := range o.uploads {
		name, file, ok := strings.Cut(u, "=")
		if !ok || name == "" || file == "" {
			return fmt.Errorf("--upload %q: want name=FILE", u)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("--upload %s: %w", name, err)
		}
		if !looksLikeXML(bufio.NewReader(bytes.NewReader(data))) {
			// CSV (or gzipped): converted to a VOTable before it goes.
			t, err := votable.ReadTable(cmd.Context(), bytes.NewReader(data), file)
			if err != nil {
				return fmt.Errorf("--upload %s: %w", name, err)
			}
			q.Uploads = append(q.Uploads, tap.Upload{Name: name, Table: t})
			continue
		}
		q.Uploads = append(q.Uploads, tap.Upload{Name: name, VOTable: data})
	}
	progress := newTapProgress(cmd.ErrOrStderr(), o.log)
	defer progress.finish()
	var tr *dal.Truncation
	err = writeOutput(cmd, o.out, func(w io.Writer) error {
		w = progress.counting(w)
		if !o.async {
			progress.phase("running query")
			var err error
			tr, err = o.tapWriteWhere(ctx, w, f, func() (*dal.Result, error) { return svc.Sync(ctx, q) },
				func() (int64, *dal.Truncation, error) { return svc.SyncCopy(ctx, q, w) })
			return err
		}
		noteOrphanedJobs(cmd.ErrOrStderr(), o.log)
		opt.Progress = progress.jobPhase
		job, err := svc.Submit(ctx, q, opt)
		if err != nil {
			return err
		}
		jr := jobJournal(o.log)
		journalAdd(jr, o.log, uws.JournalEntry{URL: job.URL, Service: args[0], Query: text, Output: o.out,
			Created: time.Now().UTC(), PID: os.Getpid(), Kept: o.keep})
		defer func() {
			if job.Close(ctx) == nil && !o.keep && jr != nil {
				if err := jr.Remove(job.URL); err != nil {
					o.log.Warn("job journal", "err", err)
				}
			}
		}()
		if o.keep {
			fmt.Fprintf(cmd.ErrOrStderr(), "job: %s\n", job.URL)
		}
		if _, err := job.Wait(ctx); err != nil {
			return err
		}
		progress.phase("downloading")
		tr, err = o.tapWriteWhere(ctx, w, f, func() (*dal.Result, error) { return job.Result(ctx) },
			func() (int64, *dal.Truncation, error) { return job.Copy(ctx, w) })
		return err
	})
	progress.finish()
	if err != nil {
		return err
	}
	if tr != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: result %s\n", tr)
	}
	return nil
}

// tapWrite copies the VOTable as the service sent it (FormatVOTable), or
// decodes the stream and writes it in format f.
func tapWrite(ctx context.Context, w io.Writer, f votable.Format, stream func() (*dal.Result, error), copyRaw func() (int64, *dal.Truncation, error)) (*dal.Truncation, error) {
	if f == votable.FormatVOTable {
		_, tr, err := copyRaw()
		return tr, err
	}
	r, err := stream()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	err = votable.CopyTable(ctx, r, 1, w, f)
	return r.Truncation(), err
}

func (o *tapOpts) runPartition(ctx context.Context, cmd *cobra.Command, svc *tap.Service, args []string) error {
	opt, err := o.asyncOptions()
	if err != nil {
		return err
	}
	p := tap.Partition{Table: o.partition, Key: o.key, Parts: o.parts, Concurrency: o.concurrency, Async: opt}
	if len(args) == 2 {
		where, err := readQueryArg(cmd.InOrStdin(), args[1])
		if err != nil {
			return err
		}
		p.Where = adql.Raw(where) // the user's own ADQL condition
	}
	if o.maxrec > 0 {
		p.MaxRec = o.maxrec
	}
	f, err := outputFormat(cmd, o.out, o.format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	res, err := svc.RunPartitioned(ctx, p)
	stderr := cmd.ErrOrStderr()
	if res != nil {
		for _, part := range res.Parts {
			switch {
			case part.Err != nil:
				fmt.Fprintf(stderr, "part %d failed: %v\n", part.Index+1, part.Err)
			case part.Truncation != nil:
				fmt.Fprintf(stderr, "part %d: %d rows, %s: use more --parts or a higher --maxrec\n", part.Index+1, part.Rows, part.Truncation)
			default:
				fmt.Fprintf(stderr, "part %d: %d rows\n", part.Index+1, part.Rows)
			}
		}
	}
	if err != nil {
		return err
	}
	if err := whereDoc(ctx, res.Document, o.where); err != nil {
		return err
	}
	return writeOutput(cmd, o.out, func(w io.Writer) error { return votable.WriteFormat(w, res.Document, f) })
}

// tapProgress shows what an async job is doing, on a terminal only.
type tapProgress struct {
	bar   *progressbar.ProgressBar
	log   *slog.Logger
	start time.Time
}

func newTapProgress(w io.Writer, log *slog.Logger) *tapProgress {
	p := &tapProgress{start: time.Now(), log: log}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionShowBytes(true),
			progressbar.OptionSpinnerType(14), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowElapsedTimeOnFinish(), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetDescription("connecting"))
	}
	return p
}

func (p *tapProgress) phase(s string) {
	if p.bar != nil {
		p.bar.Describe(s)
	}
}

func (p *tapProgress) jobPhase(j *uws.Job, elapsed time.Duration) {
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("job %s %s", j.ID, j.Phase))
		p.bar.Add(0)
		return
	}
	p.log.Debug("TAP job phase", "job", j.ID, "phase", j.Phase, "elapsed", elapsed.Round(time.Millisecond))
}

func (p *tapProgress) counting(w io.Writer) io.Writer {
	if p.bar == nil {
		return w
	}
	return io.MultiWriter(w, p.bar)
}

func (p *tapProgress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}

func tapPrintCapabilities(ctx context.Context, svc *tap.Service, w io.Writer) error {
	c, err := svc.Capabilities(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range c.Languages {
		fmt.Fprintf(tw, "language\t%s %s\n", l.Name, strings.Join(l.Versions, ", "))
	}
	limit := func(name string, l tap.Limit) {
		for _, v := range append(append([]tap.LimitValue{}, l.Defaults...), l.Hards...) {
			kind := "hard"
			if len(l.Defaults) > 0 && v == l.Defaults[0] {
				kind = "default"
			}
			mode := v.Mode
			if mode == "" {
				mode = "all modes"
			}
			fmt.Fprintf(tw, "%s\t%s %d %s (%s)\n", name, kind, v.Value, v.Unit, mode)
		}
	}
	limit("output limit", c.OutputLimit)
	limit("upload limit", c.UploadLimit)
	limit("execution duration (s)", c.ExecutionDuration)
	limit("retention period (s)", c.RetentionPeriod)
	for _, u := range c.UploadMethods {
		fmt.Fprintf(tw, "upload method\t%s\n", u)
	}
	for _, f := range c.OutputFormats {
		fmt.Fprintf(tw, "output format\t%s %s\n", f.MIME, strings.Join(f.Aliases, ", "))
	}
	for _, d := range c.DataModels {
		fmt.Fprintf(tw, "data model\t%s\n", d.IvoID)
	}
	return tw.Flush()
}

func tapPrintTables(ctx context.Context, svc *tap.Service, w io.Writer) error {
	schemas, err := svc.Tables(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range schemas {
		for _, t := range s.Tables {
			key := ""
			if pk := t.PrimaryKey(); pk != nil {
				key = "key " + pk.Name
			}
			fmt.Fprintf(tw, "%s\t%d columns\t%s\t%s\n", t.Name, len(t.Columns), key, tapFirstLine(t.Description))
		}
	}
	return tw.Flush()
}

func tapPrintExamples(ctx context.Context, svc *tap.Service, w io.Writer) error {
	ex, err := svc.Examples(ctx)
	if err != nil {
		return err
	}
	for _, e := range ex {
		fmt.Fprintf(w, "-- %s (%s)\n%s\n\n", e.Name, e.ID, e.Query)
	}
	return nil
}

func tapFirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
