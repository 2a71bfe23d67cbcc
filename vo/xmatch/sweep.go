package xmatch

import (
	"context"
	"math"
	"sort"
	"sync"
	"sync/atomic"
)

// visitFunc receives a pair of sorted positions (i in the first index, j in
// the second) lying within their match radius, with the haversine of their
// separation.
type visitFunc func(i, j int32, hav float64)

// zonesPerClaim is how many zones of the first index a worker takes at a time.
const zonesPerClaim = 16

// sweep calls visit for every pair of rows of a and b within radius
// (radians) plus their error radii. The zones of a are shared out between
// nworkers goroutines; each gets its own visit function from newVisit, and
// every call for one position i of a comes from the same goroutine, in
// increasing i within a zone.
func sweep(ctx context.Context, a, b *Index, radius float64, nworkers int, newVisit func(w int) visitFunc) error {
	return sweepClaims(ctx, a, b, radius, nworkers, newVisit, false)
}

// sweepPhased is sweep in two phases: first the even blocks of
// zonesPerClaim zones of a, then the odd ones. When the zones of both
// indexes have the same height, at least the match radius, a zone of a
// only meets the zones of b next to it, so the blocks running at the same
// time meet disjoint zones of b: each position of b is visited by one
// goroutine at a time, and the visit may update per-position state of b
// without locks.
func sweepPhased(ctx context.Context, a, b *Index, radius float64, nworkers int, newVisit func(w int) visitFunc) error {
	return sweepClaims(ctx, a, b, radius, nworkers, newVisit, true)
}

func sweepClaims(ctx context.Context, a, b *Index, radius float64, nworkers int, newVisit func(w int) visitFunc, phased bool) error {
	nw := workers(nworkers)
	visits := make([]visitFunc, nw)
	for w := range nw {
		visits[w] = newVisit(w)
	}
	nblocks := (a.nz + zonesPerClaim - 1) / zonesPerClaim
	phases, step := 1, 1
	if phased {
		phases, step = 2, 2
	}
	for phase := range phases {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range nw {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					blk := int(next.Add(1)-1)*step + phase
					if blk >= nblocks || ctx.Err() != nil {
						return
					}
					for za := blk * zonesPerClaim; za < min((blk+1)*zonesPerClaim, a.nz); za++ {
						sweepZone(a, b, za, radius, visits[w])
					}
				}
			}()
		}
		wg.Wait()
	}
	return ctx.Err()
}

// sweepZone matches the positions of zone za of a against the zones of b
// that may hold matches.
func sweepZone(a, b *Index, za int, radius float64, visit visitFunc) {
	a0, a1 := a.start[za], a.start[za+1]
	if a0 == a1 || len(b.pos) == 0 {
		return
	}
	rmax := radius + a.maxErr + b.maxErr
	decLo := float64(za)*a.h - halfPi
	decHi := min(decLo+a.h, halfPi)
	// Declination range of the points actually in the zone (the clamped
	// last zone may hold the pole).
	for i := a0; i < a1; i++ {
		decLo = min(decLo, a.pos[i].dec)
		decHi = max(decHi, a.pos[i].dec)
	}
	zb0 := b.zoneOf(decLo - rmax)
	zb1 := b.zoneOf(decHi + rmax)
	// Half-width in RA of the window that holds every match of a point of
	// this zone: asin(sin r / cos δ) at the zone's most extreme δ.
	ext := max(math.Abs(decLo-rmax), math.Abs(decHi+rmax))
	full := ext >= halfPi || math.Sin(rmax) >= math.Cos(ext) || rmax >= halfPi
	dra := 0.0
	if !full {
		dra = math.Asin(math.Sin(rmax)/math.Cos(ext))*(1+1e-9) + 1e-12
		full = dra >= math.Pi
	}
	fixedHav := radToHav(radius)
	pairHav := func(i, j int32) float64 {
		if a.err == nil && b.err == nil {
			return fixedHav
		}
		r := radius
		if a.err != nil {
			r += a.err[i]
		}
		if b.err != nil {
			r += b.err[j]
		}
		return radToHav(r)
	}
	check := func(i, j int32, ra, dec, cd float64) {
		dd := b.pos[j].dec - dec
		if dd > rmax || dd < -rmax {
			return
		}
		h := haversine(ra, dec, cd, b.pos[j].ra, b.pos[j].dec, math.Cos(b.pos[j].dec))
		if h <= pairHav(i, j) {
			visit(i, j, h)
		}
	}
	for zb := zb0; zb <= zb1; zb++ {
		b0, b1 := b.start[zb], b.start[zb+1]
		if b0 == b1 {
			continue
		}
		if full {
			for i := a0; i < a1; i++ {
				ra, dec := a.pos[i].ra, a.pos[i].dec
				cd := math.Cos(dec)
				for j := b0; j < b1; j++ {
					check(i, j, ra, dec, cd)
				}
			}
			continue
		}
		bpos := b.pos[b0:b1]
		// Declination range of zone zb: points of a farther than rmax from
		// it have no match there (most points of a only need their own zone).
		zbLo, zbHi := float64(zb)*b.h-halfPi, float64(zb+1)*b.h-halfPi
		if zb == 0 {
			zbLo = math.Inf(-1)
		}
		if zb == b.nz-1 {
			zbHi = math.Inf(1)
		}
		lo := b0
		for i := a0; i < a1; i++ {
			ra, dec := a.pos[i].ra, a.pos[i].dec
			if dec+rmax < zbLo || dec-rmax > zbHi {
				continue
			}
			cd := math.NaN() // computed when a candidate shows up
			lower, upper := ra-dra, ra+dra
			for lo < b1 && b.pos[lo].ra < lower {
				lo++
			}
			for j := lo; j < b1 && b.pos[j].ra <= upper; j++ {
				if cd != cd {
					cd = math.Cos(dec)
				}
				check(i, j, ra, dec, cd)
			}
			if lower < 0 { // the window wraps below RA 0: its top end
				w := lower + twoPi
				k := b0 + int32(sort.Search(len(bpos), func(n int) bool { return bpos[n].ra >= w }))
				for j := max(k, lo); j < b1; j++ {
					if cd != cd {
						cd = math.Cos(dec)
					}
					check(i, j, ra, dec, cd)
				}
			}
			if upper >= twoPi { // the window wraps above 2π: its bottom end
				w := upper - twoPi
				for j := b0; j < b1 && b.pos[j].ra <= w && b.pos[j].ra < lower; j++ {
					if cd != cd {
						cd = math.Cos(dec)
					}
					check(i, j, ra, dec, cd)
				}
			}
		}
	}
}
