package xmatch

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Positions are the sky positions of one catalogue, in degrees (ICRS or any
// one frame shared by the catalogues being matched).
type Positions struct {
	RA, Dec []float64
	// Err, when not nil, is a per-row match radius in degrees: two rows
	// match when their separation is at most Options.Radius plus the Err
	// of each side that has one (STILTS' sky-with-errors rule). A NaN or
	// negative Err counts as 0.
	Err []float64
	// blocks, set instead of RA and Dec by the table layer, hold the
	// positions in the tables' own column storage (not copied).
	blocks []posBlock
	n      int
	// shift: every block but the last holds 1<<shift rows (uniform
	// blocks, set by the table layer), which gives at its row lookup.
	shift uint8
}

// at returns the position of row i (degrees).
func (p Positions) at(i int32) (ra, dec float64) {
	if p.blocks == nil {
		return p.RA[i], p.Dec[i]
	}
	b := &p.blocks[int(i)>>p.shift]
	k := int(i) & (1<<p.shift - 1)
	return b.ra[k], b.dec[k]
}

// posBlock is a run of rows of chunked positions, in degrees.
type posBlock struct{ ra, dec []float64 }

// Len is the number of rows.
func (p Positions) Len() int {
	if p.blocks != nil {
		return p.n
	}
	return len(p.RA)
}

// each calls fn with consecutive runs of positions (degrees), the first
// row of each run given.
func (p Positions) each(fn func(first int, ra, dec []float64)) {
	if p.blocks == nil {
		fn(0, p.RA, p.Dec)
		return
	}
	first := 0
	for _, b := range p.blocks {
		fn(first, b.ra, b.dec)
		first += len(b.ra)
	}
}

func (p Positions) check(what string) error {
	if p.blocks != nil {
		return nil // built by the table layer, consistent by construction
	}
	if len(p.RA) != len(p.Dec) {
		return fmt.Errorf("%s: %d RA values but %d Dec values", what, len(p.RA), len(p.Dec))
	}
	if p.Err != nil && len(p.Err) != len(p.RA) {
		return fmt.Errorf("%s: %d error radii for %d rows", what, len(p.Err), len(p.RA))
	}
	if len(p.RA) > math.MaxInt32-1 {
		return fmt.Errorf("%s: %d rows, more than the %d this package handles", what, len(p.RA), math.MaxInt32-1)
	}
	return nil
}

// Index is a catalogue sorted into declination zones, and by right
// ascension within a zone: the zone algorithm (Gray, Szalay et al., SDSS).
// Matching two indexes is a merge of their zones, with the work split by
// zone across cores. Rows with a NaN position are left out (they never
// match).
type Index struct {
	h     float64 // zone height (radians)
	nz    int
	start []int32 // zone z holds sorted positions start[z]..start[z+1]
	// pos are the positions (radians, RA in [0, 2π)) sorted by zone then
	// RA, row their original rows.
	pos  []radec
	row  []int32
	err  []float64 // radians, nil when the catalogue has no error radii
	rows int       // rows of the catalogue, NaN ones included
	// maxErr is the largest per-row error radius (radians).
	maxErr float64
}

// Len is the number of rows of the indexed catalogue (NaN rows included).
func (ix *Index) Len() int { return ix.rows }

// zoneOf returns the zone of a declination in radians, clamped.
func (ix *Index) zoneOf(dec float64) int {
	z := int(math.Floor((dec + halfPi) / ix.h))
	if z < 0 {
		return 0
	}
	if z >= ix.nz {
		return ix.nz - 1
	}
	return z
}

// zoneHeight picks the zone height (radians) for catalogues of up to n
// rows spread over decSpan radians of declination, matched with radii up to
// rmax radians: at least rmax (so that a match lies in the same or an
// adjacent zone) and about targetPerZone rows per zone, which keeps zones
// cheap to walk while the right ascension windows stay nearly empty.
func zoneHeight(rmax, decSpan float64, n int) float64 {
	const targetPerZone = 256
	if decSpan <= 0 {
		decSpan = 1e-6
	}
	h := decSpan * targetPerZone / float64(max(n, 1))
	h = max(h, rmax, 1e-9)
	// At most 2^22 zones (16 MB of offsets).
	h = max(h, math.Pi/(1<<22))
	return min(h, math.Pi)
}

// workers returns how many goroutines to use.
func workers(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// decSpan returns the declination range (radians) covered by the
// catalogues' finite positions.
func decSpan(cats ...Positions) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range cats {
		c.each(func(_ int, _, decs []float64) {
			for _, d := range decs {
				if d < lo {
					lo = d
				}
				if d > hi {
					hi = d
				}
			}
		})
	}
	if hi < lo {
		return 0
	}
	return (hi - lo) * degToRad
}

// eachRange is each restricted to rows [lo, hi).
func (p Positions) eachRange(lo, hi int, fn func(first int, ra, dec []float64)) {
	p.each(func(first int, ras, decs []float64) {
		a, b := max(lo, first), min(hi, first+len(ras))
		if a < b {
			fn(a, ras[a-first:b-first], decs[a-first:b-first])
		}
	})
}

// newIndex sorts p into zones of height h (radians).
func newIndex(ctx context.Context, p Positions, h float64, nworkers int) (*Index, error) {
	ix := &Index{h: h, rows: p.Len()}
	ix.nz = max(1, int(math.Ceil(math.Pi/h)))
	start, err := zoneCountingSort(p, ix.nz, ix.zoneOf, nworkers,
		func(m int) { ix.pos, ix.row = make([]radec, m), make([]int32, m) },
		func(slot int32, row int, ra, dec float64) {
			ix.pos[slot] = indexPos(ra, dec)
			ix.row[slot] = int32(row)
		})
	if err != nil {
		return nil, err
	}
	ix.start = start
	m := int(start[ix.nz])
	var wg sync.WaitGroup
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.Err != nil {
		ix.err = make([]float64, m)
	}
	// Sort each zone by RA, zones shared out between the workers.
	var next atomic.Int64
	nw := workers(nworkers)
	maxErr := make([]float64, nw)
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var zs zoneSorter
			for {
				z0 := int(next.Add(64)) - 64
				if z0 >= ix.nz || ctx.Err() != nil {
					return
				}
				for z := z0; z < min(z0+64, ix.nz); z++ {
					s0, s1 := int(ix.start[z]), int(ix.start[z+1])
					zs.sort(ix.pos[s0:s1], ix.row[s0:s1])
					if ix.err != nil {
						for k, r := range ix.row[s0:s1] {
							e := p.Err[r] * degToRad
							if !(e > 0) { // NaN or negative
								e = 0
							}
							ix.err[s0+k] = e
							maxErr[w] = max(maxErr[w], e)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, e := range maxErr {
		ix.maxErr = max(ix.maxErr, e)
	}
	if math.IsInf(ix.maxErr, 0) {
		return nil, fmt.Errorf("an error radius is infinite")
	}
	return ix, nil
}

// radec is an indexed position (radians).
type radec struct{ ra, dec float64 }

// sortByRA sorts positions by RA, moving their rows along: quicksort with
// a median-of-three pivot, insertion sort for short runs (written out
// because the generic sort with a comparison function costs twice as much
// here).
func sortByRA(p []radec, r []int32) {
	swap := func(i, j int) {
		p[i], p[j] = p[j], p[i]
		r[i], r[j] = r[j], r[i]
	}
	for len(p) > 24 {
		m := len(p) / 2
		last := len(p) - 1
		if p[m].ra < p[0].ra {
			swap(m, 0)
		}
		if p[last].ra < p[0].ra {
			swap(last, 0)
		}
		if p[last].ra < p[m].ra {
			swap(last, m)
		}
		pivot := p[m].ra
		i, j := 0, last
		for i <= j {
			for p[i].ra < pivot {
				i++
			}
			for p[j].ra > pivot {
				j--
			}
			if i <= j {
				swap(i, j)
				i++
				j--
			}
		}
		// Recurse into the smaller part, loop on the larger.
		if j+1 < len(p)-i {
			sortByRA(p[:j+1], r[:j+1])
			p, r = p[i:], r[i:]
		} else {
			sortByRA(p[i:], r[i:])
			p, r = p[:j+1], r[:j+1]
		}
	}
	for i := 1; i < len(p); i++ {
		v, w := p[i], r[i]
		j := i
		for j > 0 && p[j-1].ra > v.ra {
			p[j], r[j] = p[j-1], r[j-1]
			j--
		}
		p[j], r[j] = v, w
	}
}

// Indexes builds one zone index per catalogue with a common zone height,
// suited to matching any two of them with radius up to radius degrees (plus
// their error radii). Build them once to match the same catalogues several
// times (Cluster does).
func Indexes(ctx context.Context, radius float64, nworkers int, cats ...Positions) ([]*Index, error) {
	h, err := commonHeight(radius, cats...)
	if err != nil {
		return nil, err
	}
	out := make([]*Index, len(cats))
	for k := range cats {
		ix, err := newIndex(ctx, cats[k], h, nworkers)
		if err != nil {
			return nil, fmt.Errorf("indexing catalogue %d: %w", k+1, err)
		}
		out[k] = ix
	}
	return out, nil
}

// commonHeight checks the catalogues and the radius and returns the zone
// height for indexing them together.
func commonHeight(radius float64, cats ...Positions) (float64, error) {
	if !(radius >= 0) || math.IsInf(radius, 0) {
		return 0, fmt.Errorf("match radius %g degrees is not a finite non-negative number", radius)
	}
	n := 0
	maxErr := 0.0
	for k, c := range cats {
		if err := c.check(fmt.Sprintf("catalogue %d", k+1)); err != nil {
			return 0, err
		}
		n = max(n, c.Len())
		for _, e := range c.Err {
			if e > maxErr {
				maxErr = e
			}
		}
	}
	rmax := (radius + 2*maxErr) * degToRad
	return zoneHeight(rmax, decSpan(cats...), n), nil
}

// zoneSorter sorts the zones of an index by RA: a bucket sort over the
// zone's own RA range (a few positions a bucket), each bucket then sorted
// by sortByRA. Positions spread over RA, as a zone's are, sort in about
// linear time; clumped ones end in a few buckets, sorted as before.
type zoneSorter struct {
	p     []radec
	r     []int32
	count []int32
}

// sort sorts p by RA, moving r along.
func (zs *zoneSorter) sort(p []radec, r []int32) {
	n := len(p)
	if n <= 48 {
		sortByRA(p, r)
		return
	}
	lo, hi := p[0].ra, p[0].ra
	for _, q := range p {
		lo, hi = min(lo, q.ra), max(hi, q.ra)
	}
	if !(hi > lo) {
		return // all equal
	}
	nb := n / 4
	scale := float64(nb) / (hi - lo)
	zs.p = append(zs.p[:0], p...)
	zs.r = append(zs.r[:0], r...)
	zs.count = slices.Grow(zs.count[:0], nb+1)[:nb+1]
	clear(zs.count)
	bucket := func(ra float64) int { return min(int((ra-lo)*scale), nb-1) }
	for _, q := range zs.p {
		zs.count[bucket(q.ra)+1]++
	}
	for b := 1; b <= nb; b++ {
		zs.count[b] += zs.count[b-1]
	}
	for k, q := range zs.p {
		b := bucket(q.ra)
		p[zs.count[b]], r[zs.count[b]] = q, zs.r[k]
		zs.count[b]++
	}
	s0 := int32(0)
	for b := range nb {
		if s1 := zs.count[b]; s1-s0 > 1 {
			sortByRA(p[s0:s1], r[s0:s1])
		}
		s0 = zs.count[b]
	}
}
