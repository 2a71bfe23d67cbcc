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

// Clusters is the partition of the rows of N catalogues into groups of
// sources linked by pairwise best matches (course workflow 10).
type Clusters struct {
	// Label gives, per catalogue and row, the index of the row's cluster.
	Label [][]int32
	// Start, Cat and Row list the members of every cluster: cluster k holds
	// the rows Row[Start[k]:Start[k+1]] of catalogues Cat[Start[k]:Start[k+1]],
	// ordered by catalogue then row. Clusters are numbered in order of their
	// first member (catalogue 1's rows first).
	Start []int32
	Cat   []int32
	Row   []int32
	// Edges is the number of links found (best matches within the radius,
	// counted once per direction and pair of catalogues).
	Edges int
}

// Len is the number of clusters.
func (c *Clusters) Len() int { return len(c.Start) - 1 }

// Members returns the catalogues and rows of cluster k (not to be modified).
func (c *Clusters) Members(k int) (cats, rows []int32) {
	return c.Cat[c.Start[k]:c.Start[k+1]], c.Row[c.Start[k]:c.Start[k+1]]
}

// Cluster links every ordered pair of catalogues by best match (for each
// row of catalogue i, its nearest row of catalogue j within the radius:
// N(N-1) asymmetric matches) and gathers the linked rows with union-find.
// Every row belongs to exactly one cluster; an isolated row (or one with a
// NaN position) is a cluster of its own. A cluster may hold several rows of
// one catalogue (see Summary.Ambiguous): they are kept apart in Members,
// never merged into one.
func Cluster(ctx context.Context, cats []Positions, opt Options) (*Clusters, error) {
	if len(cats) == 0 {
		return nil, fmt.Errorf("no catalogue to cluster")
	}
	ix, err := Indexes(ctx, opt.Radius, opt.Workers, cats...)
	if err != nil {
		return nil, err
	}
	return ClusterIndexes(ctx, ix, opt)
}

// ClusterIndexes clusters catalogues indexed together by Indexes.
func ClusterIndexes(ctx context.Context, ix []*Index, opt Options) (*Clusters, error) {
	// Rows are numbered across the catalogues by off, indexed positions
	// (sorted order, NaN rows left out) by offp. The union-find runs on
	// positions: the two ends of a link lie at nearby positions of their
	// indexes, so its memory accesses stay local.
	off := make([]int, len(ix)+1)
	offp := make([]int32, len(ix)+1)
	for k, x := range ix {
		off[k+1] = off[k] + x.rows
		offp[k+1] = offp[k] + int32(len(x.pos))
	}
	if off[len(ix)] > math.MaxInt32-1 {
		return nil, fmt.Errorf("%d rows in all: more than %d", off[len(ix)], math.MaxInt32-1)
	}
	uf := newUnionFind(int(offp[len(ix)]))
	r := opt.Radius * degToRad
	if !(r >= 0) || math.IsInf(r, 0) {
		return nil, fmt.Errorf("match radius %g degrees is not a finite non-negative number", opt.Radius)
	}
	edges := 0
	var scratch bothScratch
	link := func(i, j int, near []int32) {
		for p, q := range near {
			if q >= 0 {
				uf.union(offp[i]+int32(p), offp[j]+q)
				edges++
			}
		}
	}
	for i := range ix {
		for j := range ix {
			if i == j {
				continue
			}
			a, b := ix[i], ix[j]
			if i < j && canSweepBoth(a, b, r) {
				// Both directions in one sweep, the second pair (j, i) skipped.
				nearA, nearB, err := bestBoth(ctx, a, b, r, opt.Workers, &scratch)
				if err != nil {
					return nil, fmt.Errorf("matching catalogues %d and %d: %w", i+1, j+1, err)
				}
				link(i, j, nearA)
				link(j, i, nearB)
				continue
			}
			if i > j && canSweepBoth(b, a, r) {
				continue // done with the pair (j, i)
			}
			near, _, err := nearestSorted(ctx, a, b, r, opt.Workers)
			if err != nil {
				return nil, fmt.Errorf("matching catalogue %d to %d: %w", i+1, j+1, err)
			}
			link(i, j, near)
		}
	}
	c := &Clusters{Label: make([][]int32, len(ix)), Edges: edges}
	np := int(offp[len(ix)])
	// Every position to its root; first[root]: the lowest global row of
	// the root's set (its first member, which numbers the cluster).
	root := uf.parent
	first := make([]int32, np)
	nclusters := off[len(ix)] - np // rows left out of the indexes
	for g := range np {
		root[g] = uf.find(int32(g))
		first[g] = math.MaxInt32
		if root[g] == int32(g) {
			nclusters++
		}
	}
	for k, x := range ix {
		for p, row := range x.row {
			g := offp[k] + int32(p)
			first[root[g]] = min(first[root[g]], int32(off[k])+row)
		}
	}
	// head, by global row: 0 for a row of an indexed position that is not
	// its set's first member, -1 for a row left out of the indexes (a NaN
	// position: a cluster of its own), else the set's root + 1.
	head := make([]int32, off[len(ix)])
	for i := range head {
		head[i] = -1
	}
	for k, x := range ix {
		for _, row := range x.row {
			head[int32(off[k])+row] = 0
		}
	}
	for g := range np {
		if root[g] == int32(g) {
			head[first[g]] = int32(g) + 1
		}
	}
	// Number the clusters in order of their first member; cid (reusing
	// first) maps a root to its cluster.
	cid := first
	size := make([]int32, 0, nclusters)
	for k, x := range ix {
		c.Label[k] = make([]int32, x.rows)
		for row, h := range head[off[k]:off[k+1]] {
			switch {
			case h > 0:
				cid[h-1] = int32(len(size))
				size = append(size, uf.size[h-1])
			case h < 0:
				c.Label[k][row] = int32(len(size))
				size = append(size, 1)
			}
		}
	}
	for k, x := range ix {
		lab := c.Label[k]
		for p, row := range x.row {
			lab[row] = cid[root[offp[k]+int32(p)]]
		}
	}
	c.Start = make([]int32, len(size)+1)
	for k, s := range size {
		c.Start[k+1] = c.Start[k] + s
	}
	c.Cat = make([]int32, off[len(ix)])
	c.Row = make([]int32, off[len(ix)])
	fill := make([]int32, len(size))
	copy(fill, c.Start[:len(size)])
	for k := range ix {
		for row, l := range c.Label[k] {
			p := fill[l]
			c.Cat[p], c.Row[p] = int32(k), int32(row)
			fill[l]++
		}
	}
	return c, nil
}

// canSweepBoth reports whether bestBoth can match a and b with radius r
// (radians): zones of one height, at least the radius, and no error
// radii (whose sums could round differently in the two directions).
func canSweepBoth(a, b *Index, r float64) bool {
	return a.h == b.h && a.nz == b.nz && a.h >= r && a.err == nil && b.err == nil
}

// bestBoth is nearest both ways in one sweep (canSweepBoth must hold): for
// each sorted position of a, the sorted position of b of its nearest
// match, and for each position of b, that of a (-1 when none). Equal
// separations go to the lowest row, as in nearest: the result is the same
// as nearest(a, b) and nearest(b, a), whose haversines are the same
// numbers.
// bothScratch holds bestBoth's arrays, reused from one pair of
// catalogues to the next.
type bothScratch struct {
	nearA, nearB []int32
	hA, hB       []float64
}

func bestBoth(ctx context.Context, a, b *Index, r float64, nworkers int, sc *bothScratch) (nearA, nearB []int32, err error) {
	grow := func(x []int32, n int) []int32 { return slices.Grow(x[:0], n)[:n] }
	growF := func(x []float64, n int) []float64 { return slices.Grow(x[:0], n)[:n] }
	sc.nearA, sc.nearB = grow(sc.nearA, len(a.pos)), grow(sc.nearB, len(b.pos))
	sc.hA, sc.hB = growF(sc.hA, len(a.pos)), growF(sc.hB, len(b.pos))
	nearA, nearB, hA, hB := sc.nearA, sc.nearB, sc.hA, sc.hB
	inf := math.Inf(1)
	for i := range nearA {
		nearA[i], hA[i] = -1, inf
	}
	for j := range nearB {
		nearB[j], hB[j] = -1, inf
	}
	err = sweepPhased(ctx, a, b, r, nworkers, func(int) visitFunc {
		return func(i, j int32, h float64) {
			if h < hA[i] || (h == hA[i] && b.row[j] < b.row[nearA[i]]) {
				hA[i], nearA[i] = h, j
			}
			if h < hB[j] || (h == hB[j] && a.row[i] < a.row[nearB[j]]) {
				hB[j], nearB[j] = h, i
			}
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return nearA, nearB, nil
}

// unionFind is a disjoint-set forest with union by size and path halving.
type unionFind struct {
	parent []int32
	size   []int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if u.size[ra] < u.size[rb] {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.size[ra] += u.size[rb]
}

// Summary describes one cluster.
type Summary struct {
	// RA and Dec are the mean position in degrees (the normalised mean of
	// the members' unit vectors); NaN for a cluster of NaN positions.
	RA, Dec float64
	// Members is the number of rows, Catalogues the number of catalogues
	// they come from.
	Members, Catalogues int
	// Ambiguous is true when the cluster holds more than one row of some
	// catalogue.
	Ambiguous bool
	// Rep gives, per catalogue, the member row closest to the mean
	// position (-1 when the catalogue has no member).
	Rep []int32
}

// Summarize computes the Summary of cluster k given the catalogues'
// positions.
func (c *Clusters) Summarize(k int, cats []Positions) Summary {
	var sc summaryScratch
	return c.summarize(k, cats, &sc, make([]int32, len(cats)))
}

// summaryScratch holds the per-catalogue buffers of summarize, reused
// from one cluster to the next.
type summaryScratch struct {
	seen []int
	best []float64
}

// summarize fills a Summary whose Rep is rep (len(cats) entries).
func (c *Clusters) summarize(k int, cats []Positions, sc *summaryScratch, rep []int32) Summary {
	if len(sc.seen) != len(cats) {
		sc.seen, sc.best = make([]int, len(cats)), make([]float64, len(cats))
	}
	seen, best := sc.seen, sc.best
	s := Summary{Rep: rep}
	for i := range rep {
		rep[i], seen[i] = -1, 0
	}
	cs, rs := c.Members(k)
	var x, y, z float64
	n := 0
	for m, cat := range cs {
		ra, dec := cats[cat].at(rs[m])
		ra, dec = ra*degToRad, dec*degToRad
		seen[cat]++
		if math.IsNaN(ra) || math.IsNaN(dec) {
			continue
		}
		sd, cd := math.Sincos(dec)
		sr, cr := math.Sincos(ra)
		x, y, z = x+cd*cr, y+cd*sr, z+sd
		n++
	}
	s.Members = len(cs)
	for _, v := range seen {
		if v > 0 {
			s.Catalogues++
		}
		if v > 1 {
			s.Ambiguous = true
		}
	}
	if n == 0 {
		s.RA, s.Dec = math.NaN(), math.NaN()
	} else {
		s.RA = math.Atan2(y, x) * radToDeg
		if s.RA < 0 {
			s.RA += 360
		}
		s.Dec = math.Atan2(z, math.Hypot(x, y)) * radToDeg
	}
	for m, cat := range cs {
		if !s.Ambiguous {
			rep[cat] = rs[m] // one member per catalogue: no choice to make
			continue
		}
		ra, dec := cats[cat].at(rs[m])
		d := Separation(s.RA, s.Dec, ra, dec)
		if rep[cat] < 0 || d < best[cat] || (math.IsNaN(best[cat]) && !math.IsNaN(d)) {
			rep[cat], best[cat] = rs[m], d
		}
	}
	return s
}

// Summaries computes the Summary of every cluster; minCatalogues > 1 keeps
// only the clusters spanning that many catalogues. It returns the kept
// clusters' numbers and summaries, in cluster order. Large sets of
// clusters are summarised in chunks on every core.
func (c *Clusters) Summaries(cats []Positions, minCatalogues int) ([]int32, []Summary) {
	n := c.Len()
	workers := runtime.GOMAXPROCS(0)
	if n < 2*summaryChunk || workers < 2 {
		return c.summaries(cats, minCatalogues, 0, n)
	}
	nchunk := (n + summaryChunk - 1) / summaryChunk
	kept := make([][]int32, nchunk)
	sums := make([][]Summary, nchunk)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, nchunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= nchunk {
					return
				}
				kept[i], sums[i] = c.summaries(cats, minCatalogues, i*summaryChunk, min(n, (i+1)*summaryChunk))
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, k := range kept {
		total += len(k)
	}
	allKept := make([]int32, 0, total)
	allSums := make([]Summary, 0, total)
	for i := range kept {
		allKept = append(allKept, kept[i]...)
		allSums = append(allSums, sums[i]...)
	}
	return allKept, allSums
}

// summaryChunk is the number of clusters one goroutine of Summaries
// summarises at a time.
const summaryChunk = 32768

// summaries is Summaries over clusters [from, to).
func (c *Clusters) summaries(cats []Positions, minCatalogues, from, to int) ([]int32, []Summary) {
	var sc summaryScratch
	reps := make([]int32, len(cats)*(to-from))
	kept := make([]int32, 0, to-from)
	sums := make([]Summary, 0, to-from)
	used := 0
	for k := from; k < to; k++ {
		s := c.summarize(k, cats, &sc, reps[used:used+len(cats)])
		if s.Catalogues >= minCatalogues {
			kept = append(kept, int32(k))
			sums = append(sums, s)
			used += len(cats)
		}
	}
	return kept, sums
}

// kept lists the clusters spanning at least minCatalogues catalogues.
func (c *Clusters) kept(minCatalogues int) []int32 {
	out := make([]int32, 0, c.Len())
	for k := range c.Len() {
		if minCatalogues > 1 && c.catalogues(k) < minCatalogues {
			continue
		}
		out = append(out, int32(k))
	}
	return out
}

// catalogues is the number of catalogues with members in cluster k.
func (c *Clusters) catalogues(k int) int {
	cats, _ := c.Members(k)
	n := 0
	for m, cat := range cats { // ordered by catalogue
		if m == 0 || cat != cats[m-1] {
			n++
		}
	}
	return n
}

// Counts returns the number of clusters spanning several catalogues and
// the number of ambiguous ones (several rows of one catalogue).
func (c *Clusters) Counts() (multiCatalogue, ambiguous int) {
	for k := range c.Len() {
		cats, _ := c.Members(k)
		// Members are ordered by catalogue.
		n, amb := 0, false
		for m, cat := range cats {
			if m == 0 || cat != cats[m-1] {
				n++
			} else {
				amb = true
			}
		}
		if n > 1 {
			multiCatalogue++
		}
		if amb {
			ambiguous++
		}
	}
	return multiCatalogue, ambiguous
}
