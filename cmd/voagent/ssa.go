package main

import (
	"github.com/spf13/cobra"

	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/ssa"
	"github.com/voagent/voagent/vo/svcparam"
)

func newSSACmd(g *globals) *cobra.Command {
	var o svcOpts
	var all svcAll
	var q ssa.Query
	var ra, dec float64
	var band, tr, download string
	cmd := &cobra.Command{
		Use:   "ssa (--url URL | --all) [--ra DEG --dec DEG] [--size DEG] [--band lo/hi] [--time start/end] [--target NAME]",
		Short: "Simple Spectral Access (SSA 1.1): find spectra, optionally download them",
		Example: `  voagent ssa --url 'http://127.0.0.1:8080/spectra/q/ssa/ssap.xml?' --ra 150 --dec 2 --size 0.5
  voagent ssa --url URL --params
  voagent ssa --url URL --ra 150 --dec 2 --size 0.5 --param FLUXCALIB=RELATIVE --download spectra/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			extra, err := o.begin(!all.all)
			if err != nil {
				return err
			}
			c := o.client()
			svc := ssa.New(o.url, c)
			if o.list && !all.all {
				ps, err := svc.Params(cmd.Context())
				if err != nil {
					return err
				}
				return svcListParams(cmd.OutOrStdout(), ps)
			}
			q.Extra, q.MaxRec = extra, o.maxrec
			if cmd.Flags().Changed("ra") || cmd.Flags().Changed("dec") {
				q.Pos = &ssa.Pos{RA: ra, Dec: dec}
			}
			if band != "" {
				iv, err := svcparam.ParseInterval(band)
				if err != nil {
					return err
				}
				q.Band = &iv
			}
			if tr != "" {
				r, err := svcparam.ParseTimeRange(tr)
				if err != nil {
					return err
				}
				q.Time = &r
			}
			if _, err := q.Params(); err != nil {
				return err
			}
			return svcDispatch(cmd, &o, &all, "ssa", download, c, q,
				func(u string) *dataset.Endpoint[ssa.Query] { return ssa.New(u, c).Endpoint }, ssa.Access)
		},
	}
	o.addFlags(cmd, true)
	all.addFlags(cmd)
	f := cmd.Flags()
	f.Float64Var(&ra, "ra", 0, "right ascension of the centre (ICRS degrees)")
	f.Float64Var(&dec, "dec", 0, "declination of the centre (ICRS degrees)")
	f.Float64Var(&q.Size, "size", 0, "diameter of the search region in degrees (0: the service's default)")
	f.StringVar(&band, "band", "", "spectral range lo/hi in metres (either side may be empty)")
	f.StringVar(&tr, "time", "", "time range start/end (ISO 8601 or MJD)")
	f.StringVar(&q.Format, "spectrum-format", "", "FORMAT: votable, fits, compliant, native, graphic, all or a MIME type")
	f.StringVar(&q.TargetName, "target", "", "TARGETNAME")
	f.StringVar(&download, "download", "", "download every spectrum found into this directory (names from the metadata)")
	return cmd
}
