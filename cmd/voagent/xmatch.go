package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/voagent/voagent/vo/sed"
	"github.com/voagent/voagent/vo/tabsel"
	"github.com/voagent/voagent/vo/votable"
	"github.com/voagent/voagent/vo/xmatch"
)

// xmReadTable reads the first table of a VOTable (any serialization) or a
// CSV file with a header, either possibly gzipped.
func xmReadTable(ctx context.Context, path string) (*votable.Table, error) {
	return votable.ReadTableFile(ctx, path)
}

// xmReadTables reads the files concurrently.
func xmReadTables(ctx context.Context, paths []string) ([]*votable.Table, error) {
	tabs := make([]*votable.Table, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tabs[i], errs[i] = xmReadTable(ctx, p)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return tabs, nil
}

// xmLimitMemory bounds the Go heap to factor times the size of the input
// columns (unless GOMEMLIMIT is set): the garbage collector then runs often
// enough that the transient index and match arrays do not double the
// footprint of the tables, at a small CPU cost.
func xmLimitMemory(tabs []*votable.Table, factor float64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var bytes int64
	for _, t := range tabs {
		for i, c := range t.Columns {
			f := t.Fields[i]
			n := int64(c.Len())
			if s, ok := c.(*votable.Strings); ok {
				for r := range c.Len() {
					bytes += int64(len(s.Bytes(r)))
				}
				continue
			}
			bytes += n * int64(max(f.Datatype.Size(), 1)*max(f.Shape.Count(), 1))
		}
	}
	debug.SetMemoryLimit(max(int64(factor*float64(bytes)), 64<<20))
}

// xmWriteOutput writes out to path ("-" for standard output) in the
// format of its extension (CSV for .csv, else a BINARY2 VOTable), in
// batches.
func xmWriteOutput(ctx context.Context, cmd *cobra.Command, path string, out *xmatch.Output) error {
	f, err := outputFormat(cmd, path, "")
	if err != nil {
		return err
	}
	meta := out.TableMeta()
	// --where: each batch filtered before it is written.
	var sel *tabsel.Selection
	var kept []votable.Column
	if where, _ := cmd.Flags().GetString("where"); where != "" {
		if sel, err = tabsel.Compile(meta.Fields, tabsel.Options{Where: where}); err != nil {
			return err
		}
		if kept, err = sel.NewColumns(); err != nil {
			return err
		}
	}
	err = writeOutput(cmd, path, func(w io.Writer) error {
		bw, err := votable.NewBatchWriter(w, nil, meta, f)
		if err != nil {
			return err
		}
		// The next batch is filled while this one is written.
		err = out.Batches(ctx, func(cols []votable.Column, from int) error {
			if sel == nil {
				return bw.WriteBatch(cols)
			}
			for _, c := range kept {
				c.Reset()
			}
			if err := sel.Batch(ctx, cols, kept, from); err != nil {
				return err
			}
			return bw.WriteBatch(kept)
		})
		if err != nil {
			return err
		}
		return bw.Close()
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// The Go memory bounds of the commands, in input columns: a best match
// holds the tables, its zone lists (4 bytes a row) and nearest arrays (12
// bytes a row), then the pairs and two batches of output columns, within
// 1.5 times the tables (the aim for the peak RSS, less the
// process's own 20 MB); --find all and clustering keep zone indexes (20
// bytes a row) and their pairs or union-find.
const (
	xmMemBest  = 1.5
	xmMemOther = 2
)

// xmStats prints the machine-readable timing line the benchmark scripts
// read: RESULT {"t": match seconds, "count": rows, ...}.
func xmStats(cmd *cobra.Command, stats map[string]any) {
	b, _ := json.Marshal(stats)
	fmt.Fprintf(cmd.OutOrStdout(), "RESULT %s\n", b)
}

func secondsSince(t time.Time) float64 { return time.Since(t).Seconds() }

// xmCPUTime is the process's user+system CPU time in seconds: on a loaded
// machine it measures the cost of a step better than the wall clock.
func xmCPUTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// xmResult is what a matching command computed.
type xmResult struct {
	out   *xmatch.Output
	count int            // pairs or clusters
	extra map[string]any // more figures for the log and --stats
}

// xmPipeline reads the input tables (concurrently), bounds memory, runs
// compute, writes its output (or prints the row count without --out) and
// logs the timings; --stats prints them as a RESULT line.
func xmPipeline(cmd *cobra.Command, g *globals, name string, paths []string, out string, stats bool, memFactor float64,
	compute func(context.Context, []*votable.Table) (*xmResult, error)) error {
	ctx := cmd.Context()
	if prof, _ := cmd.Flags().GetString("cpuprofile"); prof != "" {
		f, err := os.Create(prof)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	tabs, err := xmReadTables(ctx, paths)
	if err != nil {
		return err
	}
	xmLimitMemory(tabs, memFactor)
	tRead := secondsSince(t0)
	t1, c1 := time.Now(), xmCPUTime()
	res, err := compute(ctx, tabs)
	if err != nil {
		return err
	}
	tCompute, cCompute := secondsSince(t1), xmCPUTime()-c1
	t2 := time.Now()
	if out != "" {
		if err := xmWriteOutput(ctx, cmd, out, res.out); err != nil {
			return err
		}
	}
	figures := map[string]any{"t": tCompute, "t_cpu": cCompute, "count": res.count, "rows": res.out.Len(),
		"read": tRead, "write": secondsSince(t2), "wall": secondsSince(t0)}
	if err := sendTable(cmd, g, out, name+" of "+strings.Join(baseNames(paths), ", "), func(p string) error {
		return xmWriteOutput(ctx, cmd, p, res.out)
	}); err != nil {
		return err
	}
	for k, v := range res.extra {
		figures[k] = v
	}
	attrs := []any{"tables", len(tabs)}
	for _, k := range []string{"count", "rows", "read", "t", "write"} {
		attrs = append(attrs, k, figures[k])
	}
	g.log.Info(name, attrs...)
	switch {
	case stats:
		xmStats(cmd, figures)
	case out == "":
		fmt.Fprintf(cmd.OutOrStdout(), "rows: %d\n", res.out.Len())
	}
	return nil
}

func newXmatchCmd(g *globals) *cobra.Command {
	var (
		radius, find, join, out string
		ra1, dec1, err1         string
		ra2, dec2, err2         string
		workers                 int
		stats                   bool
	)
	cmd := &cobra.Command{
		Use:   "xmatch TABLE1 TABLE2",
		Short: "Cross-match two tables on the sky (VOTable or CSV in, VOTable BINARY2 or CSV out)",
		Long: `Cross-match two tables by sky position.

--find best         for each row of TABLE1, its nearest TABLE2 row within the radius
                    (astropy match_to_catalog_sky, STILTS find=best1)
--find best-mutual  pairs that are each other's nearest (symmetric)
--find best-unique  STILTS find=best: each TABLE1 row's nearest, then the closest
                    claim on each TABLE2 row
--find all          every pair within the radius (astropy search_around_sky)
--join              1and2 (pairs), 1or2, all1, all2, 1not2, 2not1, 1xor2 as in STILTS

Positions are found by UCD (pos.eq.ra/dec;meta.main) or usual names, or named
with --ra1/--dec1/--ra2/--dec2; --err1/--err2 name per-row error radii (added to
--radius). The output has both tables' columns (clashing names get _1/_2), the
separation in arcsec and the input row numbers. Without --out, prints the row count.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := xmatch.ParseAngle(radius, "arcsec")
			if err != nil {
				return fmt.Errorf("--radius: %w", err)
			}
			f, err := xmatch.ParseFind(find)
			if err != nil {
				return fmt.Errorf("--find: %w", err)
			}
			j, err := xmatch.ParseJoin(join)
			if err != nil {
				return fmt.Errorf("--join: %w", err)
			}
			mem := float64(xmMemBest)
			if f == xmatch.FindAll || err1 != "" || err2 != "" { // full indexes
				mem = xmMemOther
			}
			return xmPipeline(cmd, g, "xmatch", args, out, stats, mem, func(ctx context.Context, tabs []*votable.Table) (*xmResult, error) {
				res, err := xmatch.MatchTables(ctx, tabs[0], tabs[1], xmatch.TableOptions{
					Options: xmatch.Options{Radius: r, Find: f, Workers: workers},
					Join:    j,
					A:       xmatch.Coords{RA: ra1, Dec: dec1, Err: err1},
					B:       xmatch.Coords{RA: ra2, Dec: dec2, Err: err2},
				})
				if err != nil {
					return nil, err
				}
				return &xmResult{out: res.Output, count: len(res.Pairs)}, nil
			})
		},
	}
	fl := cmd.Flags()
	xmCommonFlags(fl, &radius, &out, &workers, &stats, "match radius", "match", "pairs")
	fl.StringVar(&find, "find", "best", "best, best-mutual, best-unique or all")
	fl.StringVar(&join, "join", "1and2", "rows output: 1and2, 1or2, all1, all2, 1not2, 2not1, 1xor2")
	fl.StringVar(&ra1, "ra1", "", "RA column of table 1 (default: by UCD or name)")
	fl.StringVar(&dec1, "dec1", "", "Dec column of table 1")
	fl.StringVar(&err1, "err1", "", "per-row error radius column of table 1 (unit from the column, arcsec by default)")
	fl.StringVar(&ra2, "ra2", "", "RA column of table 2")
	fl.StringVar(&dec2, "dec2", "", "Dec column of table 2")
	fl.StringVar(&err2, "err2", "", "per-row error radius column of table 2")
	return cmd
}

func newClusterCmd(g *globals) *cobra.Command {
	var (
		radius, out string
		minCats     int
		workers     int
		stats       bool
	)
	cmd := &cobra.Command{
		Use:   "cluster TABLE1 TABLE2 [TABLE3...]",
		Short: "Group the sources of several tables into clusters by pairwise best sky matches",
		Long: `Link every ordered pair of tables by best match within the radius (N(N-1)
asymmetric matches), gather the linked rows with union-find, and write one row
per cluster: cluster_id, mean ra/dec, n_members, n_catalogues, ambiguous (a table
has several members; its columns show the member nearest the mean), then each
table's columns. Feed the result to 'voagent sed'. Without --out, prints the
number of clusters.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := xmatch.ParseAngle(radius, "arcsec")
			if err != nil {
				return fmt.Errorf("--radius: %w", err)
			}
			return xmPipeline(cmd, g, "cluster", args, out, stats, xmMemOther, func(ctx context.Context, tabs []*votable.Table) (*xmResult, error) {
				res, err := xmatch.ClusterTables(ctx, tabs, xmatch.ClusterOptions{
					Options:       xmatch.Options{Radius: r, Workers: workers},
					MinCatalogues: minCats,
				})
				if err != nil {
					return nil, err
				}
				multi, amb := res.Clusters.Counts()
				return &xmResult{out: res.Output, count: res.Clusters.Len(), extra: map[string]any{
					"clusters": res.Clusters.Len(), "multi_catalogue": multi, "ambiguous": amb,
					"edges": res.Clusters.Edges}}, nil
			})
		},
	}
	fl := cmd.Flags()
	xmCommonFlags(fl, &radius, &out, &workers, &stats, "link radius", "cluster", "clusters")
	fl.IntVar(&minCats, "min-catalogues", 1, "keep clusters spanning at least this many tables (1: all, singletons included)")
	return cmd
}

// xmCommonFlags registers the flags the xmatch and cluster commands share.
func xmCommonFlags(fl *pflag.FlagSet, radius, out *string, workers *int, stats *bool, radiusWhat, step, counted string) {
	fl.StringVarP(radius, "radius", "r", "1arcsec", radiusWhat+": 1arcsec, 0.5arcmin, 0.001deg, 3mas (a bare number is arcsec)")
	fl.StringVarP(out, "out", "o", "", "output file (.csv for CSV, else VOTable BINARY2; - for standard output)")
	fl.IntVar(workers, "workers", 0, "goroutines for matching (default: all cores)")
	fl.BoolVar(stats, "stats", false, fmt.Sprintf(`print timings as RESULT {"t": %s s, "count": %s, ...}`, step, counted))
	fl.String("cpuprofile", "", "write a CPU profile (go tool pprof) to this file")
	fl.String("where", "", whereHelp)
	addSendFlag(fl)
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

func newSEDCmd(g *globals) *cobra.Command {
	var (
		out, plotPath, bandsPath string
		panels, replace, fit     bool
		maxPlot                  int
	)
	cmd := &cobra.Command{
		Use:   "sed TABLE",
		Short: "Build approximate SEDs from the magnitude columns of a table (e.g. voagent cluster's output)",
		Long: `Map each magnitude column (UCD phot.mag;em.*, or a known name) to a band and its
effective wavelength, and collect per row the (wavelength, magnitude, catalogue)
points. --out writes the SED table (one row per source and band; plot mag against
wavelength in TOPCAT), --plot a PNG (one overview, or --panels one per source).
--bands FILE adds band rules, one per line: NAME | WAVELENGTH_UM | UCD [| GLOBS]
(--replace-bands to use only those).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			bands := sed.DefaultBands
			if bandsPath != "" {
				f, err := os.Open(bandsPath)
				if err != nil {
					return fmt.Errorf("--bands: %w", err)
				}
				bands, err = sed.ParseBands(f, !replace)
				f.Close()
				if err != nil {
					return fmt.Errorf("--bands %s: %w", bandsPath, err)
				}
			}
			t, err := xmReadTable(ctx, args[0])
			if err != nil {
				return err
			}
			for _, c := range sed.Columns(t, bands) {
				g.log.Debug("sed column", "use", c)
			}
			sources, err := sed.Extract(t, bands)
			if err != nil {
				return err
			}
			if fit {
				report := cmd.OutOrStdout()
				if out == "-" {
					report = cmd.ErrOrStderr()
				}
				if err := sed.FitSources(sources, report); err != nil {
					return err
				}
			}
			if out != "" || sendTo(cmd) != "" {
				st, err := sed.Table(sources)
				if err != nil {
					return err
				}
				if out != "" {
					if err := xmWriteTable(cmd, out, st); err != nil {
						return err
					}
				}
				if err := sendTable(cmd, g, out, "SEDs of "+filepath.Base(args[0]), func(p string) error { return xmWriteTable(cmd, p, st) }); err != nil {
					return err
				}
			}
			if plotPath != "" {
				f, err := os.Create(plotPath)
				if err != nil {
					return err
				}
				if err := sed.Plot(f, sources, sed.PlotOptions{Panels: panels, Max: maxPlot,
					Title: "SEDs from " + filepath.Base(args[0])}); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
			}
			points := 0
			for _, s := range sources {
				points += len(s.Points)
			}
			g.log.Info("sed", "sources", len(sources), "points", points, "columns", len(sed.Columns(t, bands)))
			if out == "" && plotPath == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "rows: %d\n", points)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&out, "out", "o", "", "SED table (.csv for CSV, else VOTable BINARY2; - for standard output)")
	fl.StringVar(&plotPath, "plot", "", "PNG file of the SEDs")
	fl.BoolVar(&panels, "panels", false, "one panel per source instead of one overview")
	fl.IntVar(&maxPlot, "max", 0, "most sources plotted (default 20, 12 with --panels)")
	fl.StringVar(&bandsPath, "bands", "", "file of band rules added before the defaults")
	fl.BoolVar(&replace, "replace-bands", false, "use only the rules of --bands")
	fl.String("where", "", whereHelp)
	fl.BoolVar(&fit, "fit", false, "fit a blackbody and a power law to each SED (flux densities from the bands' zero points, no extinction correction); results printed and written as PARAMs of the SED table")
	addSendFlag(fl)
	return cmd
}

// xmWriteTable writes a whole in-memory table in the format of path's
// extension (CSV for .csv, else a BINARY2 VOTable).
func xmWriteTable(cmd *cobra.Command, path string, t *votable.Table) error {
	f, err := outputFormat(cmd, path, "")
	if err != nil {
		return err
	}
	if where, _ := cmd.Flags().GetString("where"); where != "" {
		if t, err = selectTable(cmd.Context(), t, tabsel.Options{Where: where}); err != nil {
			return err
		}
	}
	if err := writeOutput(cmd, path, func(w io.Writer) error { return votable.WriteTableFormat(w, t, f) }); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
