package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/vo/datalink"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/votable"
)

// fetchLinks reads the links document: the URL itself (an access URL of
// format ...;content=datalink) when no IDs are given, else the {links}
// endpoint asked about the IDs in batches.
func fetchLinks(cmd *cobra.Command, c *datalink.Client, endpoint string, ids []string) (*datalink.Links, error) {
	if len(ids) == 0 {
		return c.Fetch(cmd.Context(), endpoint)
	}
	return c.Links(cmd.Context(), endpoint, ids, nil)
}

func newDataLinkCmd(g *globals) *cobra.Command {
	var o svcOpts
	var ids, semantics []string
	var exact bool
	var download, from string
	var rows []int
	cmd := &cobra.Command{
		Use:   "datalink (--url LINKS-URL [--id ID ...] | --from RESULTS.xml [--rows N,...]) [--semantics #preview] [--download DIR]",
		Short: "List the DataLink links of datasets, pick them by semantics, download them",
		Example: `  voagent datalink --url http://127.0.0.1:8080/spectra/q/sdl/dlmeta --id 'ivo://voagent.test/~?spectra/data/spec01.fits'
  voagent datalink --url 'http://127.0.0.1:8080/spectra/q/sdl/dlmeta?ID=...' --semantics '#preview' --download previews/
  voagent ssa --url URL --ra 150 --dec 2 --size 0.1 -o spectra.xml && voagent datalink --from spectra.xml --semantics '#this' --download spectra/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			hc := o.client()
			c := datalink.NewClient(hc)
			var l *datalink.Links
			var err error
			if from != "" {
				l, err = linksOfFile(cmd, c, from, rows)
			} else {
				if err := o.needURL(); err != nil {
					return err
				}
				l, err = fetchLinks(cmd, c, o.url, ids)
			}
			if err != nil {
				return err
			}
			links := l.Rows
			if len(semantics) > 0 {
				links = nil
				for _, s := range semantics {
					links = append(links, l.BySemantics(s, !exact)...)
				}
			}
			if download != "" {
				if o.output != "" && o.output != "-" {
					return fmt.Errorf("--download writes the links into %s: -o %s would not be written; drop one", download, o.output)
				}
				var as []dataset.Access
				var bad []datalink.Link
				for _, r := range links {
					if k := r.Kind(); k == "error" || k == "invalid" {
						bad = append(bad, r)
						continue
					}
					if r.AccessURL == "" {
						continue
					}
					as = append(as, dataset.Access{URL: r.AccessURL, Format: r.ContentType, Size: r.ContentLength,
						Name: dataset.Filename(r.ContentType, r.ID+"_"+strings.TrimPrefix(r.Semantics, "#"), r.AccessURL)})
				}
				if len(links) == 0 {
					if errs := l.Errors(); len(errs) > 0 {
						return linkErrors(errs)
					}
					return fmt.Errorf("no link to download (%d links, none with the semantics asked for)", len(l.Rows))
				}
				err := svcDownload(cmd, hc, download, as, c.Resolve)
				if len(bad) > 0 {
					return errors.Join(err, linkErrors(bad))
				}
				return err
			}
			if err := writeOutput(cmd, o.output, func(w io.Writer) error { return writeLinks(w, l, links) }); err != nil {
				return err
			}
			return sendCSV(cmd, nil, "DataLink links", func(w io.Writer) error { return writeLinksCSV(w, links) })
		},
	}
	o.addFlags(cmd, false)
	f := cmd.Flags()
	f.StringArrayVar(&ids, "id", nil, "dataset identifier (repeatable; sent in batches); without it --url is a complete links URL")
	f.StringArrayVar(&semantics, "semantics", nil, "only links with this semantics (#this, #preview, #progenitor ...; repeatable)")
	f.BoolVar(&exact, "exact", false, "match --semantics exactly, without the narrower terms of the core vocabulary")
	f.StringVar(&download, "download", "", "download the selected links into this directory")
	f.StringVar(&from, "from", "", "a VOTable of query results (SSA, SIA 2, ObsCore) whose DataLink service descriptor gives the links of its rows")
	f.IntSliceVar(&rows, "rows", nil, "with --from: the rows to ask about (0-based; default all)")
	addSendFlag(f)
	return cmd
}

// linksOfFile fetches the links of rows of a saved query result through
// the DataLink service descriptor it carries.
func linksOfFile(cmd *cobra.Command, c *datalink.Client, path string, rows []int) (*datalink.Links, error) {
	doc, err := votable.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tab, err := dataset.ResultsTable(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		for i := range tab.Rows() {
			rows = append(rows, i)
		}
	}
	for _, r := range rows {
		if r < 0 || r >= tab.Rows() {
			return nil, fmt.Errorf("%s: no row %d (the table has %d)", path, r, tab.Rows())
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: the result table is empty", path)
	}
	return c.LinksFor(cmd.Context(), &dataset.Result{Doc: doc, Table: tab}, rows)
}

func writeLinks(w io.Writer, l *datalink.Links, rows []datalink.Link) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEMANTICS\tCONTENT TYPE\tLENGTH\tLINK\tDESCRIPTION")
	for _, r := range rows {
		link := r.AccessURL
		switch r.Kind() {
		case "service":
			link = "service " + r.ServiceDef
			if sd := l.Service(r.ServiceDef); sd != nil {
				var names []string
				for _, in := range sd.Inputs {
					if in.Value == "" && in.Ref == "" {
						names = append(names, in.Name)
					}
				}
				link += " (" + sd.StandardID + "; " + strings.Join(names, ",") + ")"
			}
		case "error":
			link = "ERROR " + r.ErrorMessage
		case "invalid":
			link = "INVALID ROW"
		}
		length := ""
		if r.ContentLength >= 0 {
			length = svcBytes(r.ContentLength)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Semantics, r.ContentType, length, link, r.Description)
	}
	return tw.Flush()
}

func newSODACmd(g *globals) *cobra.Command {
	var o svcOpts
	var id, service, circle, polygon, pos string
	var pf *posFlags
	var bands, times, pols []string
	var list bool
	cmd := &cobra.Command{
		Use:   "soda --url LINKS-URL [--id ID] [--circle 'RA DEC R'|--polygon ...|--pos ...] [--band 'lo hi'] [--time a/b] -o FILE",
		Short: "SODA cutout or processing through a DataLink service descriptor",
		Long: `Fetch the links document of one dataset, find its SODA service descriptor
(the one of --service, else the first SODA one), and call it with the cutout
parameters (CIRCLE, POLYGON, POS, BAND, TIME, POL, plus --param for the
service's own), writing the result to --output (a name from the dataset when
-o is a directory).`,
		Example: `  voagent soda --url http://127.0.0.1:8080/spectra/q/sdl/dlmeta --id 'ivo://voagent.test/~?spectra/data/spec01.fits' --band '5e-7 6e-7' -o cut.xml
  voagent soda --url LINKS --id ID --list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.needURL(); err != nil {
				return err
			}
			var err error
			cut := datalink.Cutout{Pos: pos, Pol: pols}
			if cut.Circle, err = pf.circle(cmd.Context()); err != nil {
				return err
			}
			if circle != "" && cut.Circle != nil {
				return fmt.Errorf("give --circle or --ra/--dec with --radius, not both")
			}
			if circle != "" {
				if cut.Circle, err = datalink.ParseCircle(circle); err != nil {
					return fmt.Errorf("--circle: %w", err)
				}
			}
			if polygon != "" {
				if cut.Polygon, err = datalink.ParsePolygon(polygon); err != nil {
					return fmt.Errorf("--polygon: %w", err)
				}
			}
			for _, b := range bands {
				iv, err := svcparam.ParseInterval(b)
				if err != nil {
					return fmt.Errorf("--band: %w", err)
				}
				cut.Band = append(cut.Band, iv)
			}
			for _, t := range times {
				tr, err := svcparam.ParseTimeRange(t)
				if err != nil {
					return fmt.Errorf("--time: %w", err)
				}
				cut.Time = append(cut.Time, tr)
			}
			extra, err := o.extra()
			if err != nil {
				return err
			}
			p := url.Values{}
			if cut.Circle != nil || cut.Polygon != nil || cut.Pos != "" || len(cut.Band)+len(cut.Time)+len(cut.Pol) > 0 {
				if p, err = cut.Params(); err != nil {
					return err
				}
			}
			dataset.SetExtra(p, extra)
			hc := o.client()
			var ids []string
			if id != "" {
				ids = []string{id}
			}
			l, err := fetchLinks(cmd, datalink.NewClient(hc), o.url, ids)
			if err != nil {
				return err
			}
			sd, err := pickSODA(l, service)
			if err != nil {
				return err
			}
			if list {
				fmt.Fprintf(cmd.OutOrStdout(), "service %s (%s) at %s\n", sd.ID, sd.StandardID, sd.AccessURL)
				return svcListParams(cmd.OutOrStdout(), sd.Inputs)
			}
			target, err := sd.URL(nil, p)
			if err != nil {
				return err
			}
			// The dataset's name without extension: Download adds the one
			// of the media type the service answers with.
			base := dataset.Filename("", id, target)
			name := strings.TrimSuffix(base, filepath.Ext(base)) + "_cutout"
			var d *dataset.Downloaded
			switch {
			case o.output == "" || o.output == "-":
				d, err = dataset.Download(cmd.Context(), hc, target, ".", name, svcProgress(cmd, name))
			case strings.HasSuffix(o.output, "/"):
				d, err = dataset.Download(cmd.Context(), hc, target, o.output, name, svcProgress(cmd, name))
			default:
				d, err = dataset.DownloadTo(cmd.Context(), hc, target, o.output, svcProgress(cmd, o.output))
			}
			if errors.Is(err, dataset.ErrNoContent) {
				return fmt.Errorf("the region has no data: the SODA service answered HTTP 204 No Content for %s; nothing written", target)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s%s: %s (%s)\n", lineStart(cmd.ErrOrStderr()), d.Path, svcBytes(d.Bytes), d.ContentType)
			return sendFile(cmd, g, d.Path, d.ContentType, filepath.Base(d.Path))
		},
	}
	o.addFlags(cmd, false)
	f := cmd.Flags()
	f.StringArrayVar(&o.params, "param", nil, "further service parameter key=value (repeatable)")
	f.StringVar(&id, "id", "", "dataset identifier (without it --url is a complete links URL)")
	f.StringVar(&service, "service", "", "ID of the service descriptor to use (default: the first SODA one)")
	f.StringVar(&circle, "circle", "", "CIRCLE 'ra dec radius' (degrees)")
	f.StringVar(&polygon, "polygon", "", "POLYGON 'ra1 dec1 ra2 dec2 ...' (degrees)")
	f.StringVar(&pos, "pos", "", "POS 'CIRCLE ...', 'RANGE ...' or 'POLYGON ...'")
	f.StringArrayVar(&bands, "band", nil, "BAND wavelength range 'lo hi' in metres (repeatable)")
	f.StringArrayVar(&times, "time", nil, "TIME range 'start/end' (ISO 8601 or MJD; repeatable)")
	f.StringArrayVar(&pols, "pol", nil, "POL state (repeatable)")
	f.BoolVar(&list, "list", false, "list the parameters of the service descriptor and exit")
	pf = addPosFlags(cmd, posSpec{NoPos: true, Radius: true, RadiusUnit: "deg", RadiusHelp: "with --ra/--dec: the radius of a CIRCLE cutout"})
	addSendFlag(f)
	return cmd
}

// pickSODA chooses the service descriptor to call.
func pickSODA(l *datalink.Links, id string) (*datalink.ServiceDescriptor, error) {
	if id != "" {
		if sd := l.Service(id); sd != nil {
			return sd, nil
		}
		return nil, fmt.Errorf("the links document has no service descriptor %q", id)
	}
	for _, sd := range l.Services {
		if sd.IsSODA() {
			return sd, nil
		}
	}
	for _, r := range l.BySemantics("#proc", true) {
		if sd := l.Service(r.ServiceDef); sd != nil {
			return sd, nil
		}
	}
	if errs := l.Errors(); len(errs) > 0 {
		return nil, linkErrors(errs)
	}
	return nil, fmt.Errorf("the links document offers no SODA service")
}

// linkErrors is the error of the error rows of a links document: the
// service's own messages (a NotFoundFault for an unknown ID).
func linkErrors(errs []datalink.Link) error {
	var msgs []string
	for _, e := range errs {
		msg := e.ErrorMessage
		if msg == "" {
			msg = "an invalid links row (no access_url, service_def or error_message, or several)"
		}
		msgs = append(msgs, e.ID+": "+msg)
	}
	return fmt.Errorf("the DataLink service answered with errors: %s", strings.Join(msgs, "; "))
}
