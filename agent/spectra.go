package agent

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/datalink"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/registry"
	"github.com/voagent/voagent/vo/skypos"
	"github.com/voagent/voagent/vo/ssa"
	"github.com/voagent/voagent/vo/tap"
	"github.com/voagent/voagent/vo/votable"
	"github.com/voagent/voagent/vo/xmatch"
)

// Spectrum is a spectrum an ObsCore service holds near one of the
// positions of a Spectra search.
type Spectrum struct {
	// Service names the ObsCore service (its short name or title).
	Service string
	// Pos is the index of the position it was found for.
	Pos int
	// ID is its obs_publisher_did; Target its target_name.
	ID, Target string
	// Access is where to get it (access_url, access_format).
	Access dataset.Access
	// Title is its title (DataID.Title, obs_title; "" when none).
	Title string
	// Meta is the record's metadata keyed by the SSA utypes SPLAT reads
	// (without the "ssa:" prefix): DataID.Title, Target.Name,
	// Char.SpatialAxis.Coverage.Location.Value, Char.SpectralAxis.Coverage.
	// Bounds.Start/Stop/Extent, the spectral and flux axes' Unit and Ucd,
	// Access.Format, Access.Size, where the service gives them.
	Meta map[string]string
}

// ssaMetaUtypes are the SSA utypes copied from an SSA record into
// Spectrum.Meta (from its fields, else the table's PARAMs).
var ssaMetaUtypes = []string{
	"DataID.Title", "Target.Name", "Char.SpatialAxis.Coverage.Location.Value",
	"Char.SpectralAxis.Coverage.Bounds.Start", "Char.SpectralAxis.Coverage.Bounds.Stop",
	"Char.SpectralAxis.Coverage.Bounds.Extent", "Char.SpectralAxis.Coverage.Location.Value",
	"Char.SpectralAxis.Unit", "Char.SpectralAxis.Ucd", "Char.FluxAxis.Unit", "Char.FluxAxis.Ucd",
	"Access.Format", "Access.Size",
}

// ssaMeta collects the ssaMetaUtypes of an SSA record.
func ssaMeta(r dataset.Record) map[string]string {
	meta := map[string]string{}
	for _, u := range ssaMetaUtypes {
		if v := strings.TrimSpace(r.Get("utype:ssa:" + u)); v != "" {
			meta[u] = v
			continue
		}
		for _, p := range r.Table.Params {
			if p.Utype != "" && strings.EqualFold(strings.TrimPrefix(strings.ToLower(p.Utype), "ssa:"), u) && strings.TrimSpace(p.Value) != "" {
				meta[u] = strings.TrimSpace(p.Value)
				break
			}
		}
	}
	if _, ok := meta["Char.SpatialAxis.Coverage.Location.Value"]; !ok {
		ra := r.Get("utype:ssa:Char.SpatialAxis.Coverage.Location.Value.C1")
		dec := r.Get("utype:ssa:Char.SpatialAxis.Coverage.Location.Value.C2")
		if ra != "" && dec != "" {
			meta["Char.SpatialAxis.Coverage.Location.Value"] = ra + " " + dec
		}
	}
	return meta
}

// obscoreMeta maps an ObsCore record's columns to the SSA utypes.
func obscoreMeta(r dataset.Record) map[string]string {
	meta := map[string]string{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" && v != "NaN" {
			meta[k] = v
		}
	}
	set("DataID.Title", r.Get("obs_title"))
	set("Target.Name", r.Get("target_name"))
	if ra, dec := r.Get("s_ra"), r.Get("s_dec"); ra != "" && dec != "" {
		set("Char.SpatialAxis.Coverage.Location.Value", ra+" "+dec)
	}
	lo, okLo := r.Float(r.Field("em_min"))
	hi, okHi := r.Float(r.Field("em_max"))
	if okLo && okHi && hi >= lo {
		set("Char.SpectralAxis.Coverage.Bounds.Start", r.Get("em_min"))
		set("Char.SpectralAxis.Coverage.Bounds.Stop", r.Get("em_max"))
		set("Char.SpectralAxis.Coverage.Bounds.Extent", strconv.FormatFloat(hi-lo, 'g', -1, 64))
		set("Char.SpectralAxis.Unit", "m") // ObsCore: em_min, em_max in metres
	}
	set("Char.SpectralAxis.Ucd", r.Get("em_ucd"))
	set("Access.Format", r.Get("access_format"))
	if kb, ok := r.Float(r.Field("access_estsize")); ok && kb >= 0 {
		set("Access.Size", strconv.FormatInt(int64(kb*1024), 10))
	}
	return meta
}

// ErrNoUpload is the error of an ObsCore service that takes no table
// uploads, which the Spectra search needs.
var ErrNoUpload = errors.New("the service declares no inline table upload")

// FindSpectra finds the spectral services of the registry at registryURL, the
// ObsCore services (TAP, data model ObsCore) and the SSA services, and asks
// each, all at once, for the spectra within radius degrees of any of the
// positions: an ObsCore service with one query joining ivoa.obscore against
// the positions uploaded as a table, an SSA service with one query per
// position. found gets each spectrum once (the same dataset offered by
// several services, by its publisher DID or URL, is given once), a
// service's spectra as soon as the service answers. A service without
// upload support or that fails is named in the summary; the others go on.
func (a *Agent) FindSpectra(ctx context.Context, registryURL string, pos []Position, radius float64,
	found func(context.Context, Spectrum)) (fanout.Summary, error) {
	if len(pos) == 0 {
		return fanout.Summary{}, errors.New("spectra: no position to search around")
	}
	for i, p := range pos {
		if err := adql.CheckPosition(p.RA, p.Dec); err != nil {
			return fanout.Summary{}, fmt.Errorf("spectra: position %d: %w", i, err)
		}
	}
	q, err := spectraADQL(radius)
	if err != nil {
		return fanout.Summary{}, err
	}
	reg := registry.New(registryURL, registry.TAPSync(a.dal))
	obscore, err := reg.Search(ctx, registry.Constraints{ServiceTypes: []string{"tap"}, DataModels: []string{"obscore"}})
	if err != nil {
		return fanout.Summary{}, fmt.Errorf("spectra: finding ObsCore services in %s: %w", registryURL, err)
	}
	ssas, err := reg.Search(ctx, registry.Constraints{ServiceTypes: []string{"ssa"}})
	if err != nil {
		return fanout.Summary{}, fmt.Errorf("spectra: finding SSA services in %s: %w", registryURL, err)
	}
	upload := positionsTable(pos)
	var tasks []fanout.Task[[]Spectrum]
	for _, r := range obscore {
		if u := r.AccessURL("tap"); u != "" {
			tasks = append(tasks, fanout.Task[[]Spectrum]{Name: r.Name() + " (ObsCore)", Run: func(ctx context.Context) ([]Spectrum, error) {
				return a.obscoreSpectra(ctx, r.Name(), u, q, upload)
			}})
		}
	}
	for _, r := range ssas {
		if u := r.AccessURL("ssa"); u != "" {
			tasks = append(tasks, fanout.Task[[]Spectrum]{Name: r.Name() + " (SSA)", Run: func(ctx context.Context) ([]Spectrum, error) {
				return a.ssaSpectra(ctx, r.Name(), u, pos, radius)
			}})
		}
	}
	if len(tasks) == 0 {
		return fanout.Summary{}, fmt.Errorf("spectra: the registry at %s lists no ObsCore or SSA service", registryURL)
	}
	seen := map[string]bool{}
	cfg := a.Config()
	opts := fanout.Options{Concurrency: cfg.Search.Concurrency, Deadline: cfg.Search.Timeout.Duration, Logger: a.log}
	sum := fanout.Run(ctx, opts, tasks, func(r fanout.Result[[]Spectrum]) {
		for _, s := range r.Value {
			key := s.ID
			if key == "" {
				key = s.Access.URL
			}
			if ctx.Err() != nil || seen[key] {
				continue
			}
			seen[key] = true
			found(ctx, s)
		}
	})
	return sum, ctx.Err()
}

// ssaSpectra asks an SSA service for the spectra around each position,
// search.concurrency positions at a time.
func (a *Agent) ssaSpectra(ctx context.Context, name, url string, pos []Position, radius float64) ([]Spectrum, error) {
	svc := ssa.New(url, a.dal)
	perPos := make([][]Spectrum, len(pos))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	forEach(ctx, len(pos), a.Config().Search.Concurrency, func(i int) {
		p := pos[i]
		res, err := svc.Search(ctx, ssa.Query{Pos: &ssa.Pos{RA: p.RA, Dec: p.Dec}, Size: 2 * radius})
		if err != nil {
			cancel(fmt.Errorf("%s: position %d: %w", url, i, err))
			return
		}
		cols, colsErr := skypos.Find(res.Table, skypos.Options{})
		for j, r := range res.Records() {
			acc := ssa.Access(r)
			if acc.URL == "" {
				continue
			}
			// SSA's SIZE is the region's diameter, but services differ
			// (DaCHS takes it for the radius): keep what is within
			// radius of the position, when the record says where it is.
			if colsErr == nil {
				if ra, dec, ok := cols.At(res.Table, j); ok && xmatch.Separation(p.RA, p.Dec, ra, dec) > radius {
					continue
				}
			}
			meta := ssaMeta(r)
			perPos[i] = append(perPos[i], Spectrum{Service: name, Pos: i, Access: acc,
				ID: r.Get("utype:ssa:Curation.PublisherDID", "utype:ssa:DataID.CreatorDID"), Target: r.Get("utype:ssa:Target.Name"),
				Title: meta["DataID.Title"], Meta: meta})
		}
	})
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	var out []Spectrum
	for _, ss := range perPos {
		out = append(out, ss...)
	}
	return out, nil
}

// spectraADQL joins ivoa.obscore against the uploaded positions.
func spectraADQL(radius float64) (string, error) {
	if !(radius > 0 && radius <= 180) {
		return "", fmt.Errorf("spectra: radius %g deg is out of range (0, 180]", radius)
	}
	r, err := adql.Num(radius)
	if err != nil {
		return "", err
	}
	return "SELECT u.pos_id, o.obs_publisher_did, o.access_url, o.access_format, o.access_estsize, o.target_name, o.obs_title," +
		" o.s_ra, o.s_dec, o.em_min, o.em_max, o.em_ucd" +
		" FROM ivoa.obscore AS o JOIN TAP_UPLOAD.pos AS u" +
		" ON 1=CONTAINS(POINT('ICRS', o.s_ra, o.s_dec), CIRCLE('ICRS', u.ra, u.dec, " + string(r) + "))" +
		" WHERE o.dataproduct_type = 'spectrum'", nil
}

// positionsTable is the upload: pos_id, ra, dec.
func positionsTable(pos []Position) *votable.Table {
	id := &votable.Field{Name: "pos_id", Datatype: votable.Int, UCD: "meta.id;meta.main"}
	ra := &votable.Field{Name: "ra", Datatype: votable.Double, UCD: "pos.eq.ra;meta.main", Unit: "deg"}
	dec := &votable.Field{Name: "dec", Datatype: votable.Double, UCD: "pos.eq.dec;meta.main", Unit: "deg"}
	ic, rc, dc := votable.NewScalar[int32](id), votable.NewScalar[float64](ra), votable.NewScalar[float64](dec)
	for i, p := range pos {
		ic.Append(int32(i), false)
		rc.Append(p.RA, false)
		dc.Append(p.Dec, false)
	}
	return &votable.Table{Name: "pos", Fields: []*votable.Field{id, ra, dec}, Columns: []votable.Column{ic, rc, dc}}
}

// obscoreSpectra runs the join on one ObsCore service.
func (a *Agent) obscoreSpectra(ctx context.Context, name, url, q string, upload *votable.Table) ([]Spectrum, error) {
	svc := tap.New(url, a.dal, a.log)
	caps, err := svc.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if !caps.SupportsUpload(tap.UploadInline) {
		return nil, fmt.Errorf("%s: %w", url, ErrNoUpload)
	}
	doc, _, err := svc.SyncFetch(ctx, &tap.Query{ADQL: q, Uploads: []tap.Upload{{Name: "pos", Table: upload}}})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	t, err := dataset.ResultsTable(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	var out []Spectrum
	for _, r := range dataset.Records(t) {
		posID, ok := r.Float(r.Field("pos_id"))
		if !ok {
			continue
		}
		acc := dataset.Access{URL: r.Get("access_url"), Format: r.Get("access_format"), Size: -1}
		if acc.URL == "" {
			continue
		}
		acc.Name = dataset.Filename(acc.Format, r.Get("obs_title"), r.Get("obs_publisher_did"), acc.URL)
		if v, ok := r.Float(r.Field("access_estsize")); ok && v >= 0 {
			acc.Size = int64(v * 1024)
		}
		out = append(out, Spectrum{Service: name, Pos: int(posID), ID: r.Get("obs_publisher_did"),
			Target: r.Get("target_name"), Title: r.Get("obs_title"), Access: acc, Meta: obscoreMeta(r)})
	}
	return out, nil
}

// resolveDataLink replaces a spectrum's DataLink access (access_format
// application/x-votable+xml;content=datalink) by its #this link, the
// spectrum itself, so that the tool it is sent to gets the data and not
// the links table. A links document that cannot be read or has no #this
// leaves the access as it was (logged).
func (a *Agent) resolveDataLink(ctx context.Context, sp Spectrum) Spectrum {
	if !sp.Access.IsDataLink() {
		return sp
	}
	acc, err := datalink.NewClient(a.dal).Resolve(ctx, sp.Access)
	if err != nil {
		a.log.Warn("spectrum's DataLink document not resolved: sending its links URL", "url", sp.Access.URL, "err", err)
		return sp
	}
	a.log.Debug("spectrum's DataLink #this resolved", "links", sp.Access.URL, "url", acc.URL)
	sp.Meta = maps.Clone(sp.Meta)
	if sp.Meta == nil {
		sp.Meta = map[string]string{}
	}
	if acc.Format != "" {
		sp.Meta["Access.Format"] = acc.Format
	} else {
		delete(sp.Meta, "Access.Format")
	}
	if acc.Size > 0 {
		sp.Meta["Access.Size"] = strconv.FormatInt(acc.Size, 10)
	}
	sp.Access = acc
	return sp
}
