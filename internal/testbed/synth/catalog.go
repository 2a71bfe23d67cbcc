// Package synth generates the voagent testbed's data deterministically: three
// overlapping photometric catalogues shaped like 2MASS, AllWISE and SDSS, a
// large narrow catalogue for streaming benchmarks, FITS spectra, images and
// planetary granules. testbed/setup.sh writes them to disk with
// `go run ./testbed/gen` and loads them into DaCHS; tests call the same
// functions to compute what the data centre must answer.
package synth

import (
	"fmt"
	"math"
	"sort"
)

// The field shared by the three photometric catalogues: a disk of FieldRadius
// degrees around (FieldRA, FieldDec), ICRS.
const (
	FieldRA     = 150.0
	FieldDec    = 2.0
	FieldRadius = 1.0
	// NTruth is the number of true sources in the field; each catalogue
	// detects a subset of them and adds a few spurious sources of its own.
	NTruth = 40000
	// Seed seeds every random draw of the generator.
	Seed = 20240611
)

// Anchor is a true source at an exact, documented position that every
// photometric catalogue contains without positional noise. Spectra and images
// are centred on anchors.
type Anchor struct {
	TruthID   int
	RA, Dec   float64
	Name      string
	TwoMASS   string // 2MASS designation (twomass.psc.designation)
	AllWISE   string // AllWISE designation (allwise.source.designation)
	SDSSObjID int64  // SDSS objid (sdss.photoobj.objid)
}

// anchorPositions are the exact positions of truth sources 1..len.
var anchorPositions = [][2]float64{
	{150.0, 2.0},
	{150.01, 2.01},
	{149.98, 1.995},
	{150.2, 2.1},
	{149.7, 1.8},
}

// Column describes one column of a generated table as published by DaCHS.
type Column struct {
	Name string
	// Type is the DaCHS (SQL) type: text, double precision, real, integer,
	// bigint, smallint.
	Type string
	Unit string
	UCD  string
	// Decimals is the number of decimals written for floating-point values.
	Decimals int
}

// Catalog is one generated photometric catalogue.
type Catalog struct {
	// Name is the short name (twomass, allwise, sdss); it is also the DaCHS
	// resource directory and the schema.
	Name string
	// Table is the fully qualified table name in TAP.
	Table string
	// IDColumn is the column with UCD meta.id;meta.main.
	IDColumn string
	Columns  []Column
	// Rows holds one value per column: string, int64, float64 or nil (NULL).
	Rows [][]any
	// RA, Dec and TruthID repeat columns of Rows for convenience; TruthID is
	// 0 for spurious sources.
	RA, Dec []float64
	TruthID []int
}

// ColumnIndex returns the index of the named column, or -1.
func (c *Catalog) ColumnIndex(name string) int {
	for i, col := range c.Columns {
		if col.Name == name {
			return i
		}
	}
	return -1
}

// Len returns the number of rows.
func (c *Catalog) Len() int { return len(c.Rows) }

// truth is one true source with its intrinsic photometry.
type truth struct {
	id      int
	ra, dec float64
	star    bool
	k       float64 // 2MASS Ks
	jk, hk  float64 // J-K, H-K colours
	kw1     float64 // K-W1
	w12     float64 // W1-W2
	w23     float64 // W2-W3
	rj      float64 // r-J
	ur, gr  float64 // u-r, g-r
	ri, iz  float64 // r-i, i-z
}

// truths returns the true sources: the anchors first, then uniformly in the
// field.
func truths() []truth {
	r := newRNG(Seed)
	out := make([]truth, NTruth)
	for i := range out {
		t := truth{id: i + 1}
		if i < len(anchorPositions) {
			t.ra, t.dec = anchorPositions[i][0], anchorPositions[i][1]
		} else {
			rad := FieldRadius * math.Sqrt(r.float())
			th := 2 * math.Pi * r.float()
			t.dec = FieldDec + rad*math.Sin(th)
			t.ra = FieldRA + rad*math.Cos(th)/math.Cos(t.dec*math.Pi/180)
		}
		t.star = r.float() < 0.6
		t.k = r.uniform(9, 15.5)
		if i < len(anchorPositions) {
			t.star, t.k = true, 10+float64(i)
		}
		if t.star {
			t.jk = r.uniform(0.1, 1.0)
			t.rj = r.uniform(0.5, 2.0)
		} else {
			t.jk = r.uniform(0.8, 1.6)
			t.rj = r.uniform(1.5, 3.0)
		}
		t.hk = t.jk * r.uniform(0.25, 0.45)
		t.kw1 = r.uniform(-0.1, 0.6)
		t.w12 = r.uniform(-0.1, 0.8)
		t.w23 = r.uniform(0.0, 3.0)
		t.ur = r.uniform(1.0, 3.0)
		t.gr = r.uniform(0.2, 1.2)
		t.ri = r.uniform(0.05, 0.6)
		t.iz = r.uniform(0.0, 0.4)
		out[i] = t
	}
	return out
}

// survey describes how one catalogue observes the truth.
type survey struct {
	detect   float64 // probability a true source is detected
	sigma    float64 // positional noise per axis, arcsec
	spurious int     // extra sources not in the truth list
	seed     uint64
}

// observe returns, per detected source, (truth id, ra, dec); spurious sources
// have truth id 0. Anchors are always detected without noise.
func (s survey) observe(ts []truth) (ids []int, ras, decs []float64) {
	r := newRNG(Seed ^ s.seed)
	for _, t := range ts {
		det := r.float() < s.detect
		nra, ndec := r.normal(), r.normal()
		if t.id <= len(anchorPositions) {
			ids, ras, decs = append(ids, t.id), append(ras, t.ra), append(decs, t.dec)
			continue
		}
		if !det {
			continue
		}
		dec := t.dec + s.sigma*ndec/3600
		ra := t.ra + s.sigma*nra/3600/math.Cos(t.dec*math.Pi/180)
		ids, ras, decs = append(ids, t.id), append(ras, round(ra, 7)), append(decs, round(dec, 7))
	}
	for i := 0; i < s.spurious; i++ {
		rad := FieldRadius * math.Sqrt(r.float())
		th := 2 * math.Pi * r.float()
		dec := FieldDec + rad*math.Sin(th)
		ra := FieldRA + rad*math.Cos(th)/math.Cos(dec*math.Pi/180)
		ids, ras, decs = append(ids, 0), append(ras, round(ra, 7)), append(decs, round(dec, 7))
	}
	return ids, ras, decs
}

// sexa splits a non-negative angle in units (hours or degrees) into whole
// units, minutes and seconds, truncating as survey designations do.
func sexa(v float64) (int, int, float64) {
	d := int(v)
	m := int((v - float64(d)) * 60)
	s := (v - float64(d) - float64(m)/60) * 3600
	return d, m, s
}

// designation2MASS formats a 2MASS-style designation hhmmssss+ddmmsss
// (truncated, like the survey's).
func designation2MASS(ra, dec float64) string {
	h, m, s := sexa(ra / 15)
	sign := '+'
	if dec < 0 {
		sign = '-'
	}
	d, dm, ds := sexa(math.Abs(dec))
	return fmt.Sprintf("%02d%02d%04d%c%02d%02d%03d", h, m, int(s*100), sign, d, dm, int(ds*10))
}

// designationWISE formats an AllWISE-style designation Jhhmmss.ss+ddmmss.s.
func designationWISE(ra, dec float64) string {
	h, m, s := sexa(ra / 15)
	sign := '+'
	if dec < 0 {
		sign = '-'
	}
	d, dm, ds := sexa(math.Abs(dec))
	return fmt.Sprintf("J%02d%02d%05.2f%c%02d%02d%04.1f", h, m, math.Floor(s*100)/100, sign, d, dm, math.Floor(ds*10)/10)
}

// sdssObjIDBase is added to the row index to form SDSS-like objids.
const sdssObjIDBase = 1237650000000000000

// magErr is a survey-like photometric error growing towards the limit.
func magErr(mag, limit float64) float64 {
	return round(0.015+0.2*math.Exp(1.2*(mag-limit)), 3)
}

// noisy returns mag plus Gaussian noise of its error, rounded.
func noisy(r *rng, mag, err float64) float64 { return round(mag+err*r.normal(), 3) }

// Catalogs returns the three photometric catalogues (twomass, allwise, sdss),
// always the same.
func Catalogs() []*Catalog {
	ts := truths()
	return []*Catalog{twoMASS(ts), allWISE(ts), sdss(ts)}
}

// CatalogByName returns one of Catalogs() by short name, or nil.
func CatalogByName(name string) *Catalog {
	for _, c := range Catalogs() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// dedupe drops rows whose id (column 0) repeats an earlier one, keeping the
// primary key unique; designations truncated to 0.1 arcsec rarely collide.
func (c *Catalog) dedupe() {
	seen := make(map[any]bool, len(c.Rows))
	n := 0
	for i, row := range c.Rows {
		if seen[row[0]] {
			continue
		}
		seen[row[0]] = true
		c.Rows[n], c.RA[n], c.Dec[n], c.TruthID[n] = row, c.RA[i], c.Dec[i], c.TruthID[i]
		n++
	}
	c.Rows, c.RA, c.Dec, c.TruthID = c.Rows[:n], c.RA[:n], c.Dec[:n], c.TruthID[:n]
}

// fill observes the truth with survey s and appends one row per detection,
// made by row (given the detection's index, truth id and position), then
// drops repeated ids.
func (c *Catalog) fill(ts []truth, s survey, row func(r *rng, i, id int, ra, dec float64) []any) *Catalog {
	ids, ras, decs := s.observe(ts)
	r := newRNG(Seed ^ (s.seed + 10))
	for i, id := range ids {
		c.Rows = append(c.Rows, row(r, i, id, ras[i], decs[i]))
		c.RA, c.Dec, c.TruthID = append(c.RA, ras[i]), append(c.Dec, decs[i]), append(c.TruthID, id)
	}
	c.dedupe()
	return c
}

func nullable(id int) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

func twoMASS(ts []truth) *Catalog {
	c := &Catalog{Name: "twomass", Table: "twomass.psc", IDColumn: "designation",
		Columns: []Column{
			{Name: "designation", Type: "text", UCD: "meta.id;meta.main"},
			{Name: "ra", Type: "double precision", Unit: "deg", UCD: "pos.eq.ra;meta.main", Decimals: 7},
			{Name: "dec", Type: "double precision", Unit: "deg", UCD: "pos.eq.dec;meta.main", Decimals: 7},
			{Name: "err_maj", Type: "real", Unit: "arcsec", UCD: "phys.angSize.smajAxis", Decimals: 2},
			{Name: "err_min", Type: "real", Unit: "arcsec", UCD: "phys.angSize.sminAxis", Decimals: 2},
			{Name: "err_ang", Type: "smallint", Unit: "deg", UCD: "pos.posAng"},
			{Name: "j_m", Type: "real", Unit: "mag", UCD: "phot.mag;em.IR.J", Decimals: 3},
			{Name: "j_msigcom", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.IR.J", Decimals: 3},
			{Name: "h_m", Type: "real", Unit: "mag", UCD: "phot.mag;em.IR.H", Decimals: 3},
			{Name: "h_msigcom", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.IR.H", Decimals: 3},
			{Name: "k_m", Type: "real", Unit: "mag", UCD: "phot.mag;em.IR.K", Decimals: 3},
			{Name: "k_msigcom", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.IR.K", Decimals: 3},
			{Name: "ph_qual", Type: "text", UCD: "meta.code.qual"},
			{Name: "truth_id", Type: "integer", UCD: "meta.id.cross"},
		}}
	s := survey{detect: 0.75, sigma: 0.08, spurious: 600, seed: 1}
	return c.fill(ts, s, func(r *rng, _, id int, ra, dec float64) []any {
		var j, h, k float64
		if id > 0 {
			t := ts[id-1]
			k, j, h = t.k, t.k+t.jk, t.k+t.hk
		} else {
			k = r.uniform(14.5, 15.8)
			j, h = k+r.uniform(0, 1), k+r.uniform(0, 0.4)
		}
		je, he, ke := magErr(j, 16.5), magErr(h, 16), magErr(k, 15.5)
		q := []byte("AAA")
		for b, e := range []float64{je, he, ke} {
			switch {
			case e > 0.2:
				q[b] = 'C'
			case e > 0.1:
				q[b] = 'B'
			}
		}
		row := []any{designation2MASS(ra, dec), ra, dec,
			round(0.06+0.1*r.float(), 2), round(0.06+0.05*r.float(), 2), int64(r.float() * 180),
			noisy(r, j, je), je, noisy(r, h, he), he, noisy(r, k, ke), ke, string(q), nullable(id)}
		if id > 0 && id <= len(anchorPositions) { // anchors: exact photometry
			row[6], row[8], row[10] = round(j, 3), round(h, 3), round(k, 3)
		}
		return row
	})
}

func allWISE(ts []truth) *Catalog {
	c := &Catalog{Name: "allwise", Table: "allwise.source", IDColumn: "designation",
		Columns: []Column{
			{Name: "designation", Type: "text", UCD: "meta.id;meta.main"},
			{Name: "ra", Type: "double precision", Unit: "deg", UCD: "pos.eq.ra;meta.main", Decimals: 7},
			{Name: "dec", Type: "double precision", Unit: "deg", UCD: "pos.eq.dec;meta.main", Decimals: 7},
			{Name: "sigra", Type: "real", Unit: "arcsec", UCD: "stat.error;pos.eq.ra", Decimals: 3},
			{Name: "sigdec", Type: "real", Unit: "arcsec", UCD: "stat.error;pos.eq.dec", Decimals: 3},
			{Name: "w1mpro", Type: "real", Unit: "mag", UCD: "phot.mag;em.IR.3-4um", Decimals: 3},
			{Name: "w1sigmpro", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.IR.3-4um", Decimals: 3},
			{Name: "w2mpro", Type: "real", Unit: "mag", UCD: "phot.mag;em.IR.4-8um", Decimals: 3},
			{Name: "w2sigmpro", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.IR.4-8um", Decimals: 3},
			{Name: "w3mpro", Type: "real", Unit: "mag", UCD: "phot.mag;em.IR.8-15um", Decimals: 3},
			{Name: "w3sigmpro", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.IR.8-15um", Decimals: 3},
			{Name: "w4mpro", Type: "real", Unit: "mag", UCD: "phot.mag;em.IR.15-30um", Decimals: 3},
			{Name: "w4sigmpro", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.IR.15-30um", Decimals: 3},
			{Name: "cc_flags", Type: "text", UCD: "meta.code"},
			{Name: "truth_id", Type: "integer", UCD: "meta.id.cross"},
		}}
	s := survey{detect: 0.85, sigma: 0.25, spurious: 700, seed: 2}
	return c.fill(ts, s, func(r *rng, _, id int, ra, dec float64) []any {
		var w1, w2, w3 float64
		if id > 0 {
			t := ts[id-1]
			w1 = t.k - t.kw1
			w2 = w1 - t.w12
			w3 = w2 - t.w23
		} else {
			w1 = r.uniform(15, 16.8)
			w2, w3 = w1-r.uniform(0, 0.5), w1-r.uniform(0, 2)
		}
		w4 := w3 - r.uniform(0, 2)
		e1, e2, e3, e4 := magErr(w1, 17), magErr(w2, 15.8), magErr(w3, 11.5), magErr(w4, 8)
		row := []any{designationWISE(ra, dec), ra, dec,
			round(0.04+0.3*r.float(), 3), round(0.04+0.3*r.float(), 3),
			noisy(r, w1, e1), e1, noisy(r, w2, e2), e2, noisy(r, w3, e3), e3, noisy(r, w4, e4), e4,
			"0000", nullable(id)}
		// Faint in W3/W4: no detection, NULL like the real catalogue's
		// upper limits.
		if e3 > 0.35 {
			row[9], row[10] = nil, nil
		}
		if e4 > 0.35 {
			row[11], row[12] = nil, nil
		}
		if id > 0 && id <= len(anchorPositions) {
			row[5], row[7] = round(w1, 3), round(w2, 3)
		}
		return row
	})
}

func sdss(ts []truth) *Catalog {
	c := &Catalog{Name: "sdss", Table: "sdss.photoobj", IDColumn: "objid",
		Columns: []Column{
			{Name: "objid", Type: "bigint", UCD: "meta.id;meta.main"},
			{Name: "ra", Type: "double precision", Unit: "deg", UCD: "pos.eq.ra;meta.main", Decimals: 7},
			{Name: "dec", Type: "double precision", Unit: "deg", UCD: "pos.eq.dec;meta.main", Decimals: 7},
			{Name: "type", Type: "smallint", UCD: "src.class.starGalaxy"},
			{Name: "u", Type: "real", Unit: "mag", UCD: "phot.mag;em.opt.U", Decimals: 3},
			{Name: "err_u", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.opt.U", Decimals: 3},
			{Name: "g", Type: "real", Unit: "mag", UCD: "phot.mag;em.opt.B", Decimals: 3},
			{Name: "err_g", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.opt.B", Decimals: 3},
			{Name: "r", Type: "real", Unit: "mag", UCD: "phot.mag;em.opt.R", Decimals: 3},
			{Name: "err_r", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.opt.R", Decimals: 3},
			{Name: "i", Type: "real", Unit: "mag", UCD: "phot.mag;em.opt.I", Decimals: 3},
			{Name: "err_i", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.opt.I", Decimals: 3},
			{Name: "z", Type: "real", Unit: "mag", UCD: "phot.mag;em.opt.I", Decimals: 3},
			{Name: "err_z", Type: "real", Unit: "mag", UCD: "stat.error;phot.mag;em.opt.I", Decimals: 3},
			{Name: "truth_id", Type: "integer", UCD: "meta.id.cross"},
		}}
	s := survey{detect: 0.8, sigma: 0.03, spurious: 800, seed: 3}
	return c.fill(ts, s, func(r *rng, i, id int, ra, dec float64) []any {
		var rm, typ float64
		var t truth
		if id > 0 {
			t = ts[id-1]
			rm = t.k + t.jk + t.rj
			typ = 3
			if t.star {
				typ = 6
			}
		} else {
			rm = r.uniform(21, 22.5)
			t = truth{ur: 1.5, gr: 0.5, ri: 0.2, iz: 0.1}
			typ = 3
		}
		u, g, i2, z := rm+t.ur, rm+t.gr, rm-t.ri, rm-t.ri-t.iz
		eu, eg, er, ei, ez := magErr(u, 22), magErr(g, 22.2), magErr(rm, 22.2), magErr(i2, 21.3), magErr(z, 20.5)
		row := []any{int64(sdssObjIDBase + i), ra, dec, int64(typ),
			noisy(r, u, eu), eu, noisy(r, g, eg), eg, noisy(r, rm, er), er,
			noisy(r, i2, ei), ei, noisy(r, z, ez), ez, nullable(id)}
		if id > 0 && id <= len(anchorPositions) {
			row[8] = round(rm, 3)
		}
		return row
	})
}

// Anchors returns the anchor sources with their ids in each catalogue.
func Anchors() []Anchor { return AnchorsIn(Catalogs()) }

// AnchorsIn is Anchors for catalogues already generated by Catalogs.
func AnchorsIn(cats []*Catalog) []Anchor {
	out := make([]Anchor, len(anchorPositions))
	for i, p := range anchorPositions {
		a := Anchor{TruthID: i + 1, RA: p[0], Dec: p[1], Name: fmt.Sprintf("VOA-%d", i+1)}
		for _, c := range cats {
			for k, id := range c.TruthID {
				if id != i+1 {
					continue
				}
				switch c.Name {
				case "twomass":
					a.TwoMASS = c.Rows[k][0].(string)
				case "allwise":
					a.AllWISE = c.Rows[k][0].(string)
				case "sdss":
					a.SDSSObjID = c.Rows[k][0].(int64)
				}
			}
		}
		out[i] = a
	}
	return out
}

// Sep returns the angular distance in degrees between two positions (haversine).
func Sep(ra1, dec1, ra2, dec2 float64) float64 {
	const d2r = math.Pi / 180
	sd := math.Sin((dec2 - dec1) * d2r / 2)
	sa := math.Sin((ra2 - ra1) * d2r / 2)
	h := sd*sd + math.Cos(dec1*d2r)*math.Cos(dec2*d2r)*sa*sa
	return 2 * math.Asin(math.Min(1, math.Sqrt(h))) / d2r
}

// Cone returns the indices of the rows of c within radius degrees of
// (ra, dec), nearest first.
func (c *Catalog) Cone(ra, dec, radius float64) []int {
	var idx []int
	var d []float64
	for i := range c.RA {
		if s := Sep(ra, dec, c.RA[i], c.Dec[i]); s <= radius {
			idx = append(idx, i)
			d = append(d, s)
		}
	}
	sort.Sort(byDist{idx, d})
	return idx
}

type byDist struct {
	idx []int
	d   []float64
}

func (b byDist) Len() int           { return len(b.idx) }
func (b byDist) Less(i, j int) bool { return b.d[i] < b.d[j] }
func (b byDist) Swap(i, j int) {
	b.idx[i], b.idx[j] = b.idx[j], b.idx[i]
	b.d[i], b.d[j] = b.d[j], b.d[i]
}
