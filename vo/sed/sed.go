package sed

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/skypos"
	"github.com/voagent/voagent/vo/votable"
	"github.com/voagent/voagent/vo/xmatch"
)

// Point is one photometric measurement of an SED.
type Point struct {
	// Wavelength is the band's effective wavelength in micrometres.
	Wavelength float64
	Mag        float64
	// MagErr is the magnitude's 1-sigma error, 0 when the table has none.
	MagErr float64
	Band   string
	// Catalogue is the label of the catalogue the column came from (the
	// GROUP of a cluster table), or "" when unknown.
	Catalogue string
	Column    string
}

// Source is the SED of one table row, points by increasing wavelength.
type Source struct {
	// ID is the row's identifier (the meta.id;meta.main column, else the
	// 1-based row number), as text.
	ID      string
	Row     int
	RA, Dec float64
	Points  []Point
	// Fits are the models FitSources fitted (none until it is called).
	Fits []Fit
}

// photColumn is a magnitude column recognised in a table.
type photColumn struct {
	col       votable.Column
	err       votable.Column // the magnitude's error column, or nil
	band      Band
	catalogue string
}

// Columns lists the magnitude columns of t that bands recognises, with the
// band and catalogue of each (for a report of what was used).
func Columns(t *votable.Table, bands Bands) []string {
	var out []string
	for _, pc := range photColumns(t, bands) {
		s := fmt.Sprintf("%s -> %s (%g um)", pc.col.Field().Name, pc.band.Name, pc.band.Wavelength)
		if pc.catalogue != "" {
			s += " from " + pc.catalogue
		}
		out = append(out, s)
	}
	return out
}

func photColumns(t *votable.Table, bands Bands) []photColumn {
	// Catalogue of each field, from the table's GROUPs of FIELDrefs.
	catOf := map[string]string{}
	for _, g := range t.Groups {
		for _, r := range g.FieldRefs {
			catOf[r.Ref] = g.Name
		}
	}
	var out []photColumn
	for i, f := range t.Fields {
		if i >= len(t.Columns) {
			break
		}
		if !xmatch.IsNumericScalar(t.Columns[i]) {
			continue
		}
		b, ok := bands.Lookup(f.Name, f.UCD)
		if !ok {
			continue
		}
		out = append(out, photColumn{col: t.Columns[i], err: errorColumn(t, i, catOf), band: b, catalogue: catOf[f.ID]})
	}
	return sdssContext(out)
}

// sdssFor is the SDSS band a Johnson R or I column is read as when its
// catalogue has SDSS columns too.
var sdssFor = map[string]string{"Johnson R": "SDSS r", "Johnson I": "SDSS i"}

// sdssContext reads as SDSS r and i the columns taken for Johnson R and
// I (UCDs em.opt.R and em.opt.I, or names r and i) in a catalogue that
// has SDSS u, g or z columns: VizieR and DaCHS write SDSS magnitudes with
// the UCDs of the Johnson bands, and a catalogue does not mix the two
// systems.
func sdssContext(pcs []photColumn) []photColumn {
	sdss := map[string]bool{}
	for _, pc := range pcs {
		switch pc.band.Name {
		case "SDSS u", "SDSS g", "SDSS z":
			sdss[pc.catalogue] = true
		}
	}
	for i, pc := range pcs {
		if name, ok := sdssFor[pc.band.Name]; ok && sdss[pc.catalogue] {
			for _, b := range DefaultBands {
				if b.Name == name {
					pcs[i].band = Band{Name: b.Name, UCD: pc.band.UCD, Columns: pc.band.Columns, Wavelength: b.Wavelength}
					break
				}
			}
		}
	}
	return pcs
}

// errorColumn finds the error column of magnitude column i: by name
// (e_Jmag, Jmag_err, err_Jmag, psfMagErr_u, w1sigmpro, j_msigcom ...),
// else the only stat.error;phot.mag column with the same em word in the
// same catalogue.
func errorColumn(t *votable.Table, i int, catOf map[string]string) votable.Column {
	f := t.Fields[i]
	n := strings.ToLower(f.Name)
	names := []string{"e_" + n, n + "_err", n + "err", "err_" + n, n + "_error", n + "_sigma", "sigma_" + n}
	if strings.Contains(n, "mag") {
		names = append(names, strings.Replace(n, "mag", "magerr", 1), strings.Replace(n, "mag", "mag_err", 1))
	}
	if strings.HasSuffix(n, "mpro") {
		names = append(names, strings.TrimSuffix(n, "mpro")+"sigmpro")
	}
	if strings.HasSuffix(n, "_m") {
		names = append(names, n+"sigcom", n+"sig")
	}
	numeric := func(j int) bool { return j != i && j < len(t.Columns) && xmatch.IsNumericScalar(t.Columns[j]) }
	for _, want := range names {
		for j, g := range t.Fields {
			if strings.ToLower(g.Name) == want && numeric(j) {
				return t.Columns[j]
			}
		}
	}
	em, _ := emWord(f.UCD)
	if em == "" {
		return nil
	}
	found := -1
	for j, g := range t.Fields {
		words := strings.Split(strings.ToLower(g.UCD), ";")
		gem, _ := emWord(g.UCD)
		if !numeric(j) || strings.TrimSpace(words[0]) != "stat.error" || !strings.Contains(strings.ToLower(g.UCD), "phot.mag") ||
			gem != em || catOf[g.ID] != catOf[f.ID] {
			continue
		}
		if found >= 0 {
			return nil // ambiguous
		}
		found = j
	}
	if found < 0 {
		return nil
	}
	return t.Columns[found]
}

// Extract builds the SED of every row of t that has at least one finite
// magnitude. Positions (ICRS degrees) come from the columns vo/skypos
// finds (NaN when there are none or a row's are null), the identifier
// from the meta.id;meta.main column.
func Extract(t *votable.Table, bands Bands) ([]Source, error) {
	if len(t.Columns) != len(t.Fields) {
		return nil, fmt.Errorf("%s has no data", t.Label())
	}
	pcs := photColumns(t, bands)
	if len(pcs) == 0 {
		return nil, fmt.Errorf("%s has no magnitude column that a band rule recognises (UCD phot.mag;em.* or a known name)", t.Label())
	}
	idc := t.FieldByUCD("meta.id;meta.main")
	// A table without positions still has SEDs (at NaN positions).
	pos, posErr := skypos.Find(t, skypos.Options{})
	var out []Source
	for row := range t.Rows() {
		s := Source{Row: row, RA: math.NaN(), Dec: math.NaN()}
		for _, pc := range pcs {
			m, ok := votable.Float64(pc.col, row)
			if !ok || math.IsNaN(m) || math.IsInf(m, 0) {
				continue
			}
			p := Point{Wavelength: pc.band.Wavelength, Mag: m, Band: pc.band.Name,
				Catalogue: pc.catalogue, Column: pc.col.Field().Name}
			if pc.err != nil {
				if e, ok := votable.Float64(pc.err, row); ok && e > 0 && !math.IsInf(e, 0) {
					p.MagErr = e
				}
			}
			s.Points = append(s.Points, p)
		}
		if len(s.Points) == 0 {
			continue
		}
		sort.SliceStable(s.Points, func(i, j int) bool { return s.Points[i].Wavelength < s.Points[j].Wavelength })
		s.ID = strconv.Itoa(row + 1)
		if idc >= 0 {
			if v := t.Columns[idc].Value(row); v != nil {
				s.ID = fmt.Sprint(v)
			}
		}
		if posErr == nil {
			if ra, dec, ok := pos.At(t, row); ok {
				s.RA, s.Dec = ra, dec
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Table builds the SED table: one row per source and band, with columns
// source (the source identifier), ra, dec, band, catalogue, column,
// wavelength (um, em.wl), mag (phot.mag) and mag_err (null when the
// table has no error for it); the fits of FitSources are PARAMs (named
// with a suffix _<source> when several sources were fitted). In TOPCAT, plot mag against
// wavelength (log X, flipped Y) with one subset per source.
func Table(sources []Source) (*votable.Table, error) {
	fields := []*votable.Field{
		{Name: "source", Datatype: votable.Char, Arraysize: "*", UCD: "meta.id;meta.main", Description: "Source (cluster) identifier"},
		{Name: "ra", Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.ra;meta.main", Description: "Source right ascension"},
		{Name: "dec", Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.dec;meta.main", Description: "Source declination"},
		{Name: "band", Datatype: votable.Char, Arraysize: "*", UCD: "instr.bandpass", Description: "Photometric band"},
		{Name: "catalogue", Datatype: votable.Char, Arraysize: "*", UCD: "meta.dataset", Description: "Catalogue of the measurement"},
		{Name: "column", Datatype: votable.Char, Arraysize: "*", UCD: "meta.ref", Description: "Column the magnitude was read from"},
		{Name: "wavelength", Datatype: votable.Double, Unit: "um", UCD: "em.wl.effective", Description: "Effective wavelength of the band"},
		{Name: "mag", Datatype: votable.Double, Unit: "mag", UCD: "phot.mag", Description: "Magnitude"},
		{Name: "mag_err", Datatype: votable.Double, Unit: "mag", UCD: "stat.error;phot.mag", Description: "1-sigma error of the magnitude"},
	}
	cols := make([]votable.Column, len(fields))
	for i, f := range fields {
		if f.Arraysize != "" {
			f.Shape, _ = votable.ParseShape(f.Arraysize)
		}
		c, err := votable.NewColumn(f)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	src, ra, dec := cols[0].(*votable.Strings), cols[1].(*votable.Scalar[float64]), cols[2].(*votable.Scalar[float64])
	band, cat, col := cols[3].(*votable.Strings), cols[4].(*votable.Strings), cols[5].(*votable.Strings)
	wl, mag, magErr := cols[6].(*votable.Scalar[float64]), cols[7].(*votable.Scalar[float64]), cols[8].(*votable.Scalar[float64])
	for _, s := range sources {
		for _, p := range s.Points {
			for _, e := range []error{src.AppendString(s.ID, false), band.AppendString(p.Band, false),
				cat.AppendString(p.Catalogue, p.Catalogue == ""), col.AppendString(p.Column, false)} {
				if e != nil {
					return nil, e
				}
			}
			ra.Append(s.RA, math.IsNaN(s.RA))
			dec.Append(s.Dec, math.IsNaN(s.Dec))
			wl.Append(p.Wavelength, false)
			mag.Append(p.Mag, false)
			magErr.Append(p.MagErr, !(p.MagErr > 0))
		}
	}
	n := int64(0)
	if len(cols) > 0 {
		n = int64(cols[0].Len())
	}
	return &votable.Table{Name: "sed", Description: "Approximate SEDs: one row per source and band",
		Fields: fields, Columns: cols, NRows: n, Serialization: votable.Binary2, Params: fitParams(sources)}, nil
}
