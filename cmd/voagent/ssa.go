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
	var pf *posFlags
	var band, tr, download string
	cmd := &cobra.Command{
		Use:   "ssa (--url URL | --all) [--ra RA --dec DEC | --pos POS] [--size DEG | --radius R] [--band lo/hi] [--time start/end] [--target NAME]",
		Short: "Simple Spectral Access (SSA 1.1): find spectra, optionally download them",
		Example: `  voagent ssa --url 'http://127.0.0.1:8080/spectra/q/ssa/ssap.xml?' --ra 150 --dec 2 --size 0.5
  voagent ssa --url URL --pos "10:00:28.6 +02:12:21" --radius 15arcmin
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
			if pf.given() {
				ra, dec, err := pf.position(cmd.Context())
				if err != nil {
					return err
				}
				q.Pos = &ssa.Pos{RA: ra, Dec: dec}
			}
			if r, ok, err := pf.radiusDeg(); err != nil {
				return err
			} else if ok {
				q.Size = 2 * r
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
	pf = addPosFlags(cmd, posSpec{Radius: true, RadiusUnit: "deg", RadiusHelp: "radius of the search region (SIZE is twice it; instead of --size)"})
	addWhereFlag(cmd, &o.where)
	addSendFlag(f)
	o.label = "SSA"
	f.Float64Var(&q.Size, "size", 0, "diameter of the search region in degrees (0: the service's default)")
	cmd.MarkFlagsMutuallyExclusive("size", "radius")
	f.StringVar(&band, "band", "", "spectral range lo/hi in metres (either side may be empty)")
	f.StringVar(&tr, "time", "", "time range start/end (ISO 8601 or MJD)")
	f.StringVar(&q.Format, "spectrum-format", "", "FORMAT: votable, fits, compliant, native, graphic, all or a MIME type")
	f.StringVar(&q.TargetName, "target", "", "TARGETNAME")
	f.StringVar(&download, "download", "", "download every spectrum found into this directory (names from the metadata)")
	return cmd
}
