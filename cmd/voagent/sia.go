package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/vo/datalink"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/sia"
	"github.com/voagent/voagent/vo/svcparam"
)

func newSIACmd(g *globals) *cobra.Command {
	var o svcOpts
	var all svcAll
	var q sia.Query
	var v2 bool
	var verb int
	var download string
	var pf *posFlags
	var circles, polygons, bands, times, pols, collections, dptypes []string
	cmd := &cobra.Command{
		Use:   "sia --url URL --ra DEG --dec DEG --size DEG[,DEG] | --v2 --circle 'RA DEC R' ...",
		Short: "Simple Image Access (SIA 1.0, or 2.0 with --v2): find images, optionally download them",
		Example: `  voagent sia --url 'http://127.0.0.1:8080/images/q/siap/siap.xml?' --ra 150 --dec 2 --size 0.1 -o images.xml
  voagent sia --url URL --ra 150 --dec 2 --size 0.1 --download imgs/
  voagent sia --url URL --params
  voagent sia --v2 --url 'http://127.0.0.1:8080/__system__/siap2/sitewide/siap2.xml?' --circle '150 2 0.1' --band '1e-6 3e-6'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			extra, err := o.begin(!all.all)
			if err != nil {
				return err
			}
			c := o.client()
			if !v2 {
				svc := sia.New(o.url, c)
				if o.list {
					ps, err := svc.Params(cmd.Context())
					if err != nil {
						return err
					}
					return svcListParams(cmd.OutOrStdout(), ps)
				}
				q.Extra, q.MaxRec = extra, o.maxrec
				if err := pf.siaPosition(cmd.Context(), &q.RA, &q.Dec, &q.Size); err != nil {
					return err
				}
				if cmd.Flags().Changed("verb") {
					q.Verb, q.VerbSet = verb, true
				}
				if _, err := q.Params(); err != nil {
					return err
				}
				return svcDispatch(cmd, &o, &all, "sia", download, c, q,
					func(u string) *dataset.Endpoint[sia.Query] { return sia.New(u, c).Endpoint }, sia.Access)
			}
			if o.list {
				return fmt.Errorf("--params: SIA 2 services describe their parameters in their capabilities, not with FORMAT=METADATA")
			}
			q2 := sia.Query2{Extra: extra, MaxRec: o.maxrec, Pol: pols, Collection: collections, DPType: dptypes}
			if ci, err := pf.circle(cmd.Context()); err != nil {
				return err
			} else if ci != nil {
				q2.Circles = append(q2.Circles, *ci)
			}
			for _, s := range circles {
				ci, err := datalink.ParseCircle(s)
				if err != nil {
					return fmt.Errorf("--circle: %w", err)
				}
				q2.Circles = append(q2.Circles, *ci)
			}
			for _, s := range polygons {
				p, err := datalink.ParsePolygon(s)
				if err != nil {
					return fmt.Errorf("--polygon: %w", err)
				}
				q2.Polygons = append(q2.Polygons, p)
			}
			for _, s := range bands {
				iv, err := svcparam.ParseInterval(s)
				if err != nil {
					return fmt.Errorf("--band: %w", err)
				}
				q2.Band = append(q2.Band, iv)
			}
			for _, s := range times {
				tr, err := svcparam.ParseTimeRange(s)
				if err != nil {
					return fmt.Errorf("--time: %w", err)
				}
				q2.Time = append(q2.Time, tr)
			}
			if _, err := q2.Params(); err != nil {
				return err
			}
			return svcDispatch(cmd, &o, &all, "sia2", download, c, q2,
				func(u string) *dataset.Endpoint[sia.Query2] { return sia.New2(u, c).Endpoint }, sia.ObsCoreAccess)
		},
	}
	o.addFlags(cmd, true)
	all.addFlags(cmd)
	f := cmd.Flags()
	f.BoolVar(&v2, "v2", false, "the service speaks SIA 2.0")
	f.StringVar(&download, "download", "", "download every image found into this directory (names from the metadata)")
	pf = addPosFlags(cmd, posSpec{Radius: true, RadiusUnit: "deg", RadiusHelp: "radius of the region (SIA 1: SIZE is twice it; SIA 2: a CIRCLE with --pos or --ra/--dec)"})
	addWhereFlag(cmd, &o.where)
	addSendFlag(f)
	o.label = "SIA"
	f.Float64SliceVar(&q.Size, "size", nil, "SIA 1: size of the region in degrees (one value, or RA,Dec extents)")
	f.StringVar(&q.Format, "image-format", "", "SIA 1: FORMAT (image/fits, ALL, GRAPHIC ...)")
	f.StringVar(&q.Intersect, "intersect", "", "SIA 1: COVERS, ENCLOSED, CENTER or OVERLAPS")
	f.IntVar(&verb, "verb", 0, "SIA 1: verbosity 0..3")
	f.StringArrayVar(&circles, "circle", nil, "SIA 2: POS=CIRCLE 'ra dec radius' (repeatable)")
	f.StringArrayVar(&polygons, "polygon", nil, "SIA 2: POS=POLYGON 'ra1 dec1 ra2 dec2 ...' (repeatable)")
	f.StringArrayVar(&bands, "band", nil, "SIA 2: wavelength range 'lo hi' in metres (repeatable)")
	f.StringArrayVar(&times, "time", nil, "SIA 2: time range 'start/end' (ISO 8601 or MJD; repeatable)")
	f.StringArrayVar(&pols, "pol", nil, "SIA 2: polarization state (repeatable)")
	f.StringArrayVar(&collections, "collection", nil, "SIA 2: collection (repeatable)")
	f.StringArrayVar(&dptypes, "dptype", nil, "SIA 2: data product type, image or cube (repeatable)")
	return cmd
}
