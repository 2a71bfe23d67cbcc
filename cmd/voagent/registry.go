package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/vo/registry"
	"github.com/voagent/voagent/vo/votable"
)

func newRegistryCmd(g *globals) *cobra.Command {
	var o svcOpts
	var c registry.Constraints
	cmd := &cobra.Command{
		Use:   "registry [--type tap|scs|sia|sia2|ssa|slap] [--datamodel obscore|epntap] [--keyword WORD] [--waveband BAND]",
		Short: "Find VO services in a RegTAP registry",
		Long: `Find VO services in a RegTAP registry by service type, data model, keywords
and waveband. One line per matching capability: ivoid, service type, short
name, title and access URL. The registry is --url, else $IVOA_REGISTRY, else
` + registry.DefaultURL() + `.`,
		Example: `  voagent registry --url http://127.0.0.1:8080/tap --type scs --waveband infrared
  voagent registry --url http://127.0.0.1:8080/tap --datamodel obscore
  voagent registry --type tap --datamodel epntap --aux --format csv -o epn.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.url == "" {
				o.url = registry.DefaultURL()
			}
			asCSV, err := listingCSV(o.output, o.format)
			if err != nil {
				return err
			}
			reg := registry.New(o.url, registry.TAPSync(o.client()))
			reg.MaxRec = o.maxrec
			rs, err := reg.Search(cmd.Context(), c)
			if err != nil {
				return err
			}
			if err := writeOutput(cmd, o.output, func(w io.Writer) error {
				if asCSV {
					return writeResourcesCSV(w, rs)
				}
				return writeResources(w, rs)
			}); err != nil {
				return err
			}
			return sendCSV(cmd, g, "registry "+strings.Join(append(append([]string{}, c.ServiceTypes...), c.DataModels...), " "),
				func(w io.Writer) error { return writeResourcesCSV(w, rs) })
		},
	}
	o.addFlags(cmd, false)
	cmd.Flags().Lookup("url").Usage = "TAP endpoint of the RegTAP registry"
	cmd.Flags().Lookup("format").Usage = "output format: text (default) or csv"
	f := cmd.Flags()
	f.StringSliceVar(&c.ServiceTypes, "type", nil, "service type: "+strings.Join(registry.ServiceTypes(), ", ")+" (repeatable: any of them)")
	f.StringSliceVar(&c.DataModels, "datamodel", nil, "data model: obscore, epntap, ... (repeatable: all of them)")
	f.StringArrayVar(&c.Keywords, "keyword", nil, "keyword in subjects, titles or descriptions (repeatable: all of them)")
	f.StringSliceVar(&c.Wavebands, "waveband", nil, "waveband: radio, millimeter, infrared, optical, uv, euv, x-ray, gamma-ray (repeatable: any)")
	f.BoolVar(&c.IncludeAux, "aux", false, "include auxiliary capabilities (tables served by a shared TAP service)")
	addSendFlag(f)
	f.StringSliceVar(&c.IVOIDs, "ivoid", nil, "restrict to these resources")
	return cmd
}

// listingCSV reports whether a listing is written as CSV (--format csv, or
// an output file named *.csv) rather than as text.
func listingCSV(path, flag string) (bool, error) {
	switch strings.ToLower(flag) {
	case "":
		f, err := votable.FormatFor(path, "")
		return f == votable.FormatCSV, err
	case "text":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, fmt.Errorf("unknown --format %q (want text or csv)", flag)
}

func writeResources(w io.Writer, rs []registry.Resource) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "IVOID\tTYPE\tSHORT NAME\tTITLE\tACCESS URL")
	for _, r := range rs {
		for _, c := range r.Capabilities {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.IVOID, c.ServiceType(), r.ShortName, r.Title, c.AccessURL)
		}
	}
	return tw.Flush()
}

func writeResourcesCSV(w io.Writer, rs []registry.Resource) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"ivoid", "service_type", "standard_id", "short_name", "title", "waveband", "access_url"})
	for _, r := range rs {
		for _, c := range r.Capabilities {
			cw.Write([]string{r.IVOID, c.ServiceType(), c.StandardID, r.ShortName, r.Title, strings.Join(r.Wavebands, "#"), c.AccessURL})
		}
	}
	cw.Flush()
	return cw.Error()
}
