// Package xmatch cross-matches sky catalogues: nearest or all counterparts
// within a radius (fixed or per row), STILTS-style joins that keep the
// unmatched rows, and clusters of sources across N catalogues (pairwise best
// matches walked with union-find).
//
// The core works on plain slices of positions in degrees (Positions); the
// table layer (MatchTables, ClusterTables) finds the positions of VOTable
// tables by UCD or name and builds the joined output tables.
//
// Matching semantics, compared with the usual tools:
//
//   - FindBest: for each row of A, the nearest row of B within the radius
//     (asymmetric; several A rows may share a B row). Same as astropy's
//     match_to_catalog_sky followed by a cut on the separation, scipy's
//     cKDTree.query with distance_upper_bound, and STILTS tmatch2 find=best1.
//   - FindBestMutual: pairs that are each other's nearest within the radius
//     (symmetric). Same as the astropy two-call recipe (A→B and B→A,
//     keeping pairs that agree).
//   - FindBestUnique: each A row's nearest B row, then for each B row claimed
//     by several A rows only the closest claim is kept. This is what STILTS
//     tmatch2 find=best does (3.4); it is not symmetric (swapping the tables
//     changes the result in dense fields) and keeps pairs that are not
//     mutual nearest neighbours: a B row whose own nearest A row is matched
//     elsewhere still gets its A row.
//   - FindAll: every pair within the radius. Same as astropy's
//     search_around_sky and STILTS find=all.
//
// Separations are exact (haversine for the comparisons, which does not
// lose precision at tiny angles), right ascensions wrap at 0/360 and the
// poles are handled (a zone touching a pole is searched whole).
package xmatch

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// Find selects which pairs a match keeps.
type Find int

// The match modes; see the package documentation.
const (
	FindBest Find = iota
	FindBestMutual
	FindBestUnique
	FindAll
)

// String returns the CLI name of the mode.
func (f Find) String() string {
	switch f {
	case FindBest:
		return "best"
	case FindBestMutual:
		return "best-mutual"
	case FindBestUnique:
		return "best-unique"
	case FindAll:
		return "all"
	}
	return fmt.Sprintf("Find(%d)", int(f))
}

// ParseFind maps a CLI name ("best", "best1", "best-mutual", "mutual",
// "best-unique", "stilts-best", "all") to a Find.
func ParseFind(s string) (Find, error) {
	switch s {
	case "best", "best1", "nearest":
		return FindBest, nil
	case "best-mutual", "mutual":
		return FindBestMutual, nil
	case "best-unique", "stilts-best":
		return FindBestUnique, nil
	case "all":
		return FindAll, nil
	}
	return 0, fmt.Errorf("unknown match mode %q (want best, best-mutual, best-unique or all)", s)
}

// Options tune a match.
type Options struct {
	// Radius is the match radius in degrees, added to the per-row error
	// radii when the catalogues have them.
	Radius float64
	// Find selects the pairs kept (FindBest by default).
	Find Find
	// Workers is the number of goroutines (0: GOMAXPROCS).
	Workers int
}

// Pair is one match: row A of the first catalogue, row B of the second, and
// their separation in degrees.
type Pair struct {
	A, B int32
	Sep  float64
}

// Match cross-matches catalogues a and b and returns the pairs, ordered by
// A row, then separation, then B row. The nearest modes without error
// radii run without full indexes (rows grouped by zone, each block of
// zones indexed while it is swept): besides the positions they hold 8
// bytes a row of the two catalogues and 12 bytes a row of a.
func Match(ctx context.Context, a, b Positions, opt Options) ([]Pair, error) {
	h, err := commonHeight(opt.Radius, a, b)
	if err != nil {
		return nil, err
	}
	if a.Err == nil && b.Err == nil && opt.Find != FindAll {
		return matchStream(ctx, a, b, h, opt)
	}
	// One index at a time, dropping each catalogue's positions once indexed
	// so that, when the caller keeps none, peak memory stays low.
	ia, err := newIndex(ctx, a, h, opt.Workers)
	if err != nil {
		return nil, fmt.Errorf("indexing catalogue 1: %w", err)
	}
	a = Positions{}
	ib, err := newIndex(ctx, b, h, opt.Workers)
	if err != nil {
		return nil, fmt.Errorf("indexing catalogue 2: %w", err)
	}
	b = Positions{}
	return MatchIndexes(ctx, ia, ib, opt)
}

// matchStream is Match by nearest matches without Index: the catalogues
// are grouped by zone (4 bytes a row) and each block of zones is indexed
// as it is swept.
func matchStream(ctx context.Context, a, b Positions, h float64, opt Options) ([]Pair, error) {
	za, err := newZoneRows(ctx, a, h, opt.Workers)
	if err != nil {
		return nil, fmt.Errorf("indexing catalogue 1: %w", err)
	}
	zb, err := newZoneRows(ctx, b, h, opt.Workers)
	if err != nil {
		return nil, fmt.Errorf("indexing catalogue 2: %w", err)
	}
	r := opt.Radius * degToRad
	near, sep, err := nearestStream(ctx, a, b, za, zb, r, opt.Workers)
	if err != nil {
		return nil, err
	}
	var back []int32
	if opt.Find == FindBestMutual {
		if back, _, err = nearestStream(ctx, b, a, zb, za, r, opt.Workers); err != nil {
			return nil, err
		}
	}
	return bestPairs(opt.Find, near, sep, back, b.Len())
}

// bestPairs keeps the pairs of a nearest match (near and sep by A row,
// back the nearest A row of each B row for FindBestMutual) that the mode
// wants, ordered by A row.
func bestPairs(find Find, near []int32, sep []float64, back []int32, nb int) ([]Pair, error) {
	switch find {
	case FindBest:
		out := make([]Pair, 0, countMatched(near))
		for i, j := range near {
			if j >= 0 {
				out = append(out, Pair{int32(i), j, sep[i]})
			}
		}
		return out, nil
	case FindBestMutual:
		var out []Pair
		for i, j := range near {
			if j >= 0 && back[j] == int32(i) {
				out = append(out, Pair{int32(i), j, sep[i]})
			}
		}
		return out, nil
	case FindBestUnique:
		// For each B row, the closest A row claiming it (lowest A row on ties).
		claim := make([]int32, nb)
		for j := range claim {
			claim[j] = -1
		}
		for i, j := range near {
			if j < 0 {
				continue
			}
			if c := claim[j]; c < 0 || sep[i] < sep[c] {
				claim[j] = int32(i)
			}
		}
		var out []Pair
		for i, j := range near {
			if j >= 0 && claim[j] == int32(i) {
				out = append(out, Pair{int32(i), j, sep[i]})
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown match mode %v", find)
}

// MatchIndexes matches two indexed catalogues (any radius: the index only
// sets how the work is cut up, and Indexes picks the best cut for a radius).
func MatchIndexes(ctx context.Context, a, b *Index, opt Options) ([]Pair, error) {
	if !(opt.Radius >= 0) || math.IsInf(opt.Radius, 0) {
		return nil, fmt.Errorf("match radius %g degrees is not a finite non-negative number", opt.Radius)
	}
	r := opt.Radius * degToRad
	if opt.Find == FindAll {
		return allPairs(ctx, a, b, r, opt.Workers)
	}
	if opt.Find != FindBest && opt.Find != FindBestMutual && opt.Find != FindBestUnique {
		return nil, fmt.Errorf("unknown match mode %v", opt.Find)
	}
	near, sep, err := nearest(ctx, a, b, r, opt.Workers)
	if err != nil {
		return nil, err
	}
	var back []int32
	if opt.Find == FindBestMutual {
		if back, _, err = nearest(ctx, b, a, r, opt.Workers); err != nil {
			return nil, err
		}
	}
	return bestPairs(opt.Find, near, sep, back, b.rows)
}

func countMatched(near []int32) int {
	n := 0
	for _, j := range near {
		if j >= 0 {
			n++
		}
	}
	return n
}

// nearest returns, for each row of a, its nearest row of b within the
// radius (-1 when none) and the separation in degrees (NaN when none).
// Equal separations go to the lowest B row.
func nearest(ctx context.Context, a, b *Index, r float64, nworkers int) (near []int32, sep []float64, err error) {
	bestJ, bestH, err := nearestSorted(ctx, a, b, r, nworkers)
	if err != nil {
		return nil, nil, err
	}
	// By A row: one pass scattering the sorted order back.
	near = make([]int32, a.rows)
	sep = make([]float64, a.rows)
	nan := math.NaN()
	for i := range near {
		near[i], sep[i] = -1, nan
	}
	for i, j := range bestJ {
		if j >= 0 {
			row := a.row[i]
			near[row], sep[row] = b.row[j], havToRad(bestH[i])*radToDeg
		}
	}
	return near, sep, nil
}

// nearestSorted is nearest in the sorted orders of the indexes: for each
// position i of a, the position of b of its nearest match (-1 when none)
// and the haversine of their separation. Kept by position rather than by
// row, the best matches are updated in sequence during the sweep instead
// of at random rows.
func nearestSorted(ctx context.Context, a, b *Index, r float64, nworkers int) (bestJ []int32, bestH []float64, err error) {
	bestJ = make([]int32, len(a.pos))
	bestH = make([]float64, len(a.pos))
	inf := math.Inf(1)
	for i := range bestJ {
		bestJ[i], bestH[i] = -1, inf
	}
	// Every position of a is visited by one goroutine only.
	err = sweep(ctx, a, b, r, nworkers, func(int) visitFunc {
		return func(i, j int32, h float64) {
			if h < bestH[i] || (h == bestH[i] && b.row[j] < b.row[bestJ[i]]) {
				bestH[i], bestJ[i] = h, j
			}
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return bestJ, bestH, nil
}

// allPairs returns every pair within the radius, by A row, separation, B row.
func allPairs(ctx context.Context, a, b *Index, r float64, nworkers int) ([]Pair, error) {
	nw := workers(nworkers)
	parts := make([][]Pair, nw)
	err := sweep(ctx, a, b, r, nw, func(w int) visitFunc {
		return func(i, j int32, h float64) {
			parts[w] = append(parts[w], Pair{a.row[i], b.row[j], h})
		}
	})
	if err != nil {
		return nil, err
	}
	// Counting sort by A row, then sort each A row's few pairs.
	start := make([]int32, a.rows+1)
	total := 0
	for _, p := range parts {
		total += len(p)
		for _, q := range p {
			start[q.A+1]++
		}
	}
	for i := 1; i <= a.rows; i++ {
		start[i] += start[i-1]
	}
	out := make([]Pair, total)
	fill := slices.Clone(start[:a.rows])
	for w, p := range parts {
		for _, q := range p {
			q.Sep = havToRad(q.Sep) * radToDeg
			out[fill[q.A]] = q
			fill[q.A]++
		}
		parts[w] = nil
	}
	for i := range a.rows {
		if s := out[start[i]:start[i+1]]; len(s) > 1 {
			slices.SortFunc(s, func(p, q Pair) int {
				if p.Sep != q.Sep {
					if p.Sep < q.Sep {
						return -1
					}
					return 1
				}
				return int(p.B - q.B)
			})
		}
	}
	return out, nil
}
