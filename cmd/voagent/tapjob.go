package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/tap"
	"github.com/voagent/voagent/vo/uws"
)

// maxQueryFile bounds an ADQL query read from a file or standard input.
const maxQueryFile = 1 << 20

// readQueryArg is the ADQL text of a QUERY argument: the argument itself,
// @FILE for a file's content, or - for standard input.
func readQueryArg(stdin io.Reader, arg string) (string, error) {
	var data []byte
	var err error
	var from string
	switch {
	case arg == "-":
		from = "standard input"
		data, err = io.ReadAll(io.LimitReader(stdin, maxQueryFile+1))
	case strings.HasPrefix(arg, "@"):
		from = arg[1:]
		var f *os.File
		if f, err = os.Open(from); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxQueryFile+1))
			f.Close()
		}
	default:
		return arg, nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the query from %s: %w", from, err)
	}
	if len(data) > maxQueryFile {
		return "", fmt.Errorf("the query in %s is longer than %d bytes", from, maxQueryFile)
	}
	q := strings.TrimSpace(string(data))
	if q == "" {
		return "", fmt.Errorf("the query in %s is empty", from)
	}
	return q, nil
}

// asyncOptions are the async job options of the flags.
func (o *tapOpts) asyncOptions() (tap.AsyncOptions, error) {
	opt := tap.AsyncOptions{Keep: o.keep, ExecutionDuration: o.duration}
	if o.duration < 0 {
		return opt, fmt.Errorf("--duration %s: want a positive duration", o.duration)
	}
	if o.destruction != "" {
		t, err := parseDestruction(o.destruction, time.Now())
		if err != nil {
			return opt, err
		}
		opt.Destruction = t
	}
	return opt, nil
}

// parseDestruction reads --destruction: an RFC 3339 time or a positive
// duration from now.
func parseDestruction(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("--destruction %s is in the past", s)
		}
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d).UTC().Truncate(time.Second), nil
	}
	return time.Time{}, fmt.Errorf("--destruction %q: want an RFC 3339 time (2026-12-24T12:00:00Z) or a duration from now (48h)", s)
}

// jobJournal is the user's journal of async jobs, or nil (logged) when
// there is no state directory.
func jobJournal(log *slog.Logger) *uws.Journal {
	p, err := uws.DefaultJournalPath()
	if err != nil {
		log.Warn("no job journal", "err", err)
		return nil
	}
	return &uws.Journal{Path: p}
}

func journalAdd(j *uws.Journal, log *slog.Logger, e uws.JournalEntry) {
	if j == nil {
		return
	}
	if err := j.Add(e); err != nil {
		log.Warn("job journal", "err", err)
	}
}

func newTapJobCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "job (list | show JOBURL | wait JOBURL | fetch JOBURL | delete JOBURL...)",
		Short: "Async TAP jobs: those voagent created (the journal) or any by URL",
		Long: `Manage async TAP jobs after the run that created them: list the jobs voagent
created and has not deleted (runs killed before their cleanup, jobs kept with
--keep), show a job, wait for it, fetch its result, delete it.`,
		Example: `  voagent tap job list
  voagent tap job wait http://127.0.0.1:8080/tap/async/abc123
  voagent tap job fetch http://127.0.0.1:8080/tap/async/abc123 -o result.vot
  voagent tap job delete --orphaned`,
	}
	var timeout time.Duration
	cmd.PersistentFlags().DurationVar(&timeout, "timeout", 0, "give up after this long (default: no limit beyond the client's)")
	ctxOf := func(cmd *cobra.Command) (context.Context, context.CancelFunc) {
		if timeout > 0 {
			return context.WithTimeout(cmd.Context(), timeout)
		}
		return context.WithCancel(cmd.Context())
	}
	attach := func(jobURL string) (*tap.Job, error) {
		base, err := tap.ServiceOfJob(jobURL)
		if err != nil {
			return nil, err
		}
		svc := tap.New(base, dal.New(dal.Options{Logger: g.log}), g.log)
		return svc.Attach(jobURL, tap.AsyncOptions{Keep: true}), nil
	}
	forget := func(jobURL string) {
		if jr := jobJournal(g.log); jr != nil {
			if err := jr.Remove(jobURL); err != nil {
				g.log.Warn("job journal", "err", err)
			}
		}
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List the jobs voagent created and has not deleted, with their phase now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxOf(cmd)
			defer cancel()
			jr := jobJournal(g.log)
			if jr == nil {
				return errors.New("no job journal (no state directory)")
			}
			es, err := jr.List()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "JOB\tPHASE\tCREATED\tSTATE\tQUERY")
			for _, e := range es {
				phase := "?"
				if j, err := attach(e.URL); err == nil {
					pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
					if doc, err := j.Get(pctx); err == nil {
						phase = string(doc.Phase)
					} else {
						phase = "unreachable"
						var de *dal.Error
						if errors.As(err, &de) && de.StatusCode == 404 {
							phase = "gone"
						}
					}
					pcancel()
				}
				state := "running"
				switch {
				case e.Kept:
					state = "kept"
				case e.Orphaned():
					state = "orphaned"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.URL, phase, e.Created.Local().Format("2006-01-02 15:04:05"), state, oneLine(e.Query, 60))
			}
			return tw.Flush()
		},
	}

	show := &cobra.Command{
		Use:   "show JOBURL",
		Short: "Show a job: phase, times, parameters, results, error",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxOf(cmd)
			defer cancel()
			j, err := attach(args[0])
			if err != nil {
				return err
			}
			doc, err := j.Get(ctx)
			if err != nil {
				return err
			}
			printJob(cmd.OutOrStdout(), j.URL, doc)
			return nil
		},
	}

	wait := &cobra.Command{
		Use:   "wait JOBURL",
		Short: "Wait until the job ends; fails when it ends in ERROR or ABORTED",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxOf(cmd)
			defer cancel()
			j, err := attach(args[0])
			if err != nil {
				return err
			}
			doc, err := j.Wait(ctx)
			if doc != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", j.URL, doc.Phase)
			}
			return err
		},
	}

	var out, format string
	var del bool
	fetch := &cobra.Command{
		Use:   "fetch JOBURL [-o FILE] [--delete]",
		Short: "Wait for the job and write its result (--delete: delete the job afterwards)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxOf(cmd)
			defer cancel()
			f, err := outputFormat(cmd, out, format)
			if err != nil {
				return fmt.Errorf("--format: %w", err)
			}
			j, err := attach(args[0])
			if err != nil {
				return err
			}
			if _, err := j.Wait(ctx); err != nil {
				return err
			}
			var tr *dal.Truncation
			err = writeOutput(cmd, out, func(w io.Writer) error {
				var err error
				tr, err = tapWrite(ctx, w, f, func() (*dal.Result, error) { return j.Result(ctx) },
					func() (int64, *dal.Truncation, error) { return j.Copy(ctx, w) })
				return err
			})
			if err != nil {
				return err
			}
			if tr != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: result %s\n", tr)
			}
			if del {
				j2, _ := attach(args[0])
				if err := tapDeleteJob(ctx, j2); err != nil {
					return err
				}
				forget(args[0])
			}
			return nil
		},
	}
	fetch.Flags().StringVarP(&out, "out", "o", "-", "output file (- for stdout)")
	fetch.Flags().StringVar(&format, "format", "", "output format: votable, tabledata, binary, binary2 or csv (default from the --out extension)")
	fetch.Flags().BoolVar(&del, "delete", false, "delete the job once its result is written")

	var orphaned, all bool
	remove := &cobra.Command{
		Use:   "delete (JOBURL... | --orphaned | --all)",
		Short: "Delete jobs on their service and forget them",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := ctxOf(cmd)
			defer cancel()
			urls := args
			if orphaned || all {
				if len(args) > 0 {
					return errors.New("give JOBURLs or --orphaned/--all, not both")
				}
				jr := jobJournal(g.log)
				if jr == nil {
					return errors.New("no job journal (no state directory)")
				}
				es, err := jr.List()
				if err != nil {
					return err
				}
				for _, e := range es {
					if all || e.Orphaned() {
						urls = append(urls, e.URL)
					}
				}
			} else if len(urls) == 0 {
				return errors.New("no job: give JOBURLs, --orphaned or --all")
			}
			var errs []error
			for _, u := range urls {
				j, err := attach(u)
				if err == nil {
					err = tapDeleteJob(ctx, j)
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", u, err))
					continue
				}
				forget(u)
				fmt.Fprintf(cmd.OutOrStdout(), "deleted %s\n", u)
			}
			return errors.Join(errs...)
		},
	}
	remove.Flags().BoolVar(&orphaned, "orphaned", false, "the journal's jobs whose run is gone (killed) and that were not kept")
	remove.Flags().BoolVar(&all, "all", false, "every job of the journal, kept ones too")

	cmd.AddCommand(list, show, wait, fetch, remove)
	return cmd
}

// tapDeleteJob deletes the job; one already gone (HTTP 404) counts as deleted.
func tapDeleteJob(ctx context.Context, j *tap.Job) error {
	err := j.Delete(ctx)
	var de *dal.Error
	if errors.As(err, &de) && de.StatusCode == 404 {
		return nil
	}
	return err
}

func printJob(w io.Writer, jobURL string, j *uws.Job) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "job\t%s\n", jobURL)
	fmt.Fprintf(tw, "phase\t%s\n", j.Phase)
	for _, t := range []struct {
		name string
		t    time.Time
	}{{"created", j.CreationTime}, {"started", j.StartTime}, {"ended", j.EndTime}, {"destruction", j.Destruction}} {
		if !t.t.IsZero() {
			fmt.Fprintf(tw, "%s\t%s\n", t.name, t.t.UTC().Format(time.RFC3339))
		}
	}
	if j.ExecutionDuration > 0 {
		fmt.Fprintf(tw, "execution duration\t%s\n", j.ExecutionDuration)
	}
	for _, p := range j.Parameters {
		fmt.Fprintf(tw, "parameter %s\t%s\n", p.ID, oneLine(p.Value, 200))
	}
	for _, r := range j.Results {
		fmt.Fprintf(tw, "result %s\t%s\n", r.ID, r.Href)
	}
	if j.Error != nil {
		fmt.Fprintf(tw, "error\t%s\n", oneLine(j.Error.Message, 200))
	}
	tw.Flush()
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max-3] + "..."
	}
	return s
}

// noteOrphanedJobs says on stderr when earlier runs left jobs behind
// (killed before deleting them).
func noteOrphanedJobs(w io.Writer, log *slog.Logger) {
	jr := jobJournal(log)
	if jr == nil {
		return
	}
	es, err := jr.List()
	if err != nil {
		log.Warn("job journal", "err", err)
		return
	}
	n := 0
	for _, e := range es {
		if e.Orphaned() {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(w, "note: %d async job(s) left by earlier runs that were killed: voagent tap job list; voagent tap job delete --orphaned\n", n)
	}
}
