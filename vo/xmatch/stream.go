package xmatch

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// zoneRows is the light form of an Index: the rows of a catalogue grouped
// by declination zone (in row order within a zone), without their
// positions. Matching against it builds each block of zones' sorted
// positions when the block is swept, from the catalogue itself, so the
// memory of a match is 4 bytes a row instead of an Index's 20.
type zoneRows struct {
	h     float64
	nz    int
	start []int32 // zone z holds rows[start[z]:start[z+1]]
	rows  []int32
	n     int // rows of the catalogue, NaN ones included
}

// validPos reports whether a position can be indexed (not NaN, finite RA).
func validPos(ra, dec float64) bool {
	return !math.IsNaN(ra) && !math.IsNaN(dec) && !math.IsInf(ra, 0)
}

// indexPos is a position as an Index holds it: radians, RA in [0, 2π).
func indexPos(ra, dec float64) radec {
	if ra < 0 || ra >= 360 {
		ra = math.Mod(ra, 360)
		if ra < 0 {
			ra += 360
		}
	}
	ra *= degToRad
	if ra >= twoPi {
		ra = 0
	}
	return radec{ra, dec * degToRad}
}

// newZoneRows groups the rows of p by zones of height h (radians): a
// counting sort on every core (zoneCountingSort).
func newZoneRows(ctx context.Context, p Positions, h float64, nworkers int) (*zoneRows, error) {
	zr := &zoneRows{h: h, n: p.Len(), nz: max(1, int(math.Ceil(math.Pi/h)))}
	start, err := zoneCountingSort(p, zr.nz, (&Index{h: h, nz: zr.nz}).zoneOf, nworkers,
		func(m int) { zr.rows = make([]int32, m) },
		func(slot int32, row int, _, _ float64) { zr.rows[slot] = int32(row) })
	if err != nil {
		return nil, err
	}
	zr.start = start
	return zr, ctx.Err()
}

// zoneCountingSort groups the rows of p that validPos accepts by zone (zone
// of the declination in radians, nz zones) with a counting sort on every
// core: each worker counts the rows of each zone in its range of rows,
// checking declinations, then alloc is called with the number of rows kept
// and each worker passes its rows, in order, to place with their slots. It
// returns the first slot of each zone and, last, the number of slots.
func zoneCountingSort(p Positions, nz int, zone func(dec float64) int, nworkers int,
	alloc func(slots int), place func(slot int32, row int, ra, dec float64)) ([]int32, error) {
	n := p.Len()
	nw := workers(nworkers)
	if n < 1<<16 {
		nw = 1
	}
	counts := make([][]int32, nw)
	bad := make([]int, nw)
	var wg sync.WaitGroup
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			count := make([]int32, nz)
			bad[w] = -1
			p.eachRange(w*n/nw, (w+1)*n/nw, func(first int, ras, decs []float64) {
				for k, dec := range decs {
					if !validPos(ras[k], dec) {
						continue
					}
					if dec < -90 || dec > 90 {
						if bad[w] < 0 {
							bad[w] = first + k
						}
						continue
					}
					count[zone(dec*degToRad)]++
				}
			})
			counts[w] = count
		}()
	}
	wg.Wait()
	for _, b := range bad {
		if b >= 0 {
			_, dec := p.at(int32(b))
			return nil, fmt.Errorf("row %d: declination %g is outside [-90, 90] degrees", b, dec)
		}
	}
	// Zone starts, and each worker's first slot in each zone.
	start := make([]int32, nz+1)
	total := int32(0)
	for z := range nz {
		start[z] = total
		for w := range nw {
			c := counts[w][z]
			counts[w][z] = total
			total += c
		}
	}
	start[nz] = total
	alloc(int(total))
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fill := counts[w]
			p.eachRange(w*n/nw, (w+1)*n/nw, func(first int, ras, decs []float64) {
				for k, dec := range decs {
					if !validPos(ras[k], dec) {
						continue
					}
					z := zone(dec * degToRad)
					place(fill[z], first+k, ras[k], dec)
					fill[z]++
				}
			})
		}()
	}
	wg.Wait()
	return start, nil
}

// blockIndex is a worker's Index of some zones of a catalogue, rebuilt for
// each block it sweeps.
type blockIndex struct {
	Index
	p  Positions
	zr *zoneRows
	zs zoneSorter
}

func newBlockIndex(p Positions, zr *zoneRows) *blockIndex {
	return &blockIndex{p: p, zr: zr,
		Index: Index{h: zr.h, nz: zr.nz, rows: zr.n, start: make([]int32, zr.nz+1)}}
}

// build makes the index hold zones [lo, hi) (clamped to the zones there
// are), each sorted by RA; the other zones' entries of start are stale.
func (bi *blockIndex) build(lo, hi int) {
	lo, hi = max(lo, 0), min(hi, bi.nz)
	bi.pos, bi.row = bi.pos[:0], bi.row[:0]
	for z := lo; z < hi; z++ {
		s0 := len(bi.pos)
		bi.start[z] = int32(s0)
		for _, r := range bi.zr.rows[bi.zr.start[z]:bi.zr.start[z+1]] {
			ra, dec := bi.p.at(r)
			bi.pos = append(bi.pos, indexPos(ra, dec))
			bi.row = append(bi.row, r)
		}
		bi.zs.sort(bi.pos[s0:], bi.row[s0:])
	}
	if lo < hi {
		bi.start[hi] = int32(len(bi.pos))
	}
}

// nearestStream is nearest of catalogues a and b grouped into zones of one
// height, at least the radius r (radians), without error radii: the zones
// of a are swept by blocks, each block's zones of a and b (its own and the
// next ones) indexed by the worker that sweeps it.
func nearestStream(ctx context.Context, pa, pb Positions, za, zb *zoneRows, r float64, nworkers int) (near []int32, sep []float64, err error) {
	near = make([]int32, pa.Len())
	sep = make([]float64, pa.Len())
	nan := math.NaN()
	for i := range near {
		near[i], sep[i] = -1, nan
	}
	nw := workers(nworkers)
	nblocks := (za.nz + zonesPerClaim - 1) / zonesPerClaim
	var next atomic.Int64
	var wg sync.WaitGroup
	for range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			la, lb := newBlockIndex(pa, za), newBlockIndex(pb, zb)
			var bestJ []int32
			var bestH []float64
			visit := func(i, j int32, h float64) {
				if h < bestH[i] || (h == bestH[i] && lb.row[j] < lb.row[bestJ[i]]) {
					bestH[i], bestJ[i] = h, j
				}
			}
			inf := math.Inf(1)
			for {
				blk := int(next.Add(1) - 1)
				if blk >= nblocks || ctx.Err() != nil {
					return
				}
				z0, z1 := blk*zonesPerClaim, min((blk+1)*zonesPerClaim, za.nz)
				la.build(z0, z1)
				if len(la.pos) == 0 {
					continue
				}
				lb.build(z0-1, z1+1)
				bestJ, bestH = bestJ[:0], bestH[:0]
				for range la.pos {
					bestJ, bestH = append(bestJ, -1), append(bestH, inf)
				}
				for z := z0; z < z1; z++ {
					sweepZone(&la.Index, &lb.Index, z, r, visit)
				}
				for i, j := range bestJ {
					if j >= 0 {
						row := la.row[i]
						near[row], sep[row] = lb.row[j], havToRad(bestH[i])*radToDeg
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return near, sep, nil
}
