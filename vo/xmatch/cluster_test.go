package xmatch

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteClusters is the straightforward recipe: every pairwise nearest
// neighbour within r becomes an edge; components by union-find; clusters
// numbered by first member.
func bruteClusters(cats []Positions, r float64) [][]int32 {
	off := []int{0}
	for _, c := range cats {
		off = append(off, off[len(off)-1]+c.Len())
	}
	uf := newUnionFind(off[len(cats)])
	for i := range cats {
		for j := range cats {
			if i == j {
				continue
			}
			for row, m := range bruteBest(cats[i], cats[j], r) {
				if m >= 0 {
					uf.union(int32(off[i]+row), int32(off[j])+m)
				}
			}
		}
	}
	ids := map[int32]int32{}
	labels := make([][]int32, len(cats))
	for k, c := range cats {
		labels[k] = make([]int32, c.Len())
		for row := range c.Len() {
			root := uf.find(int32(off[k] + row))
			id, ok := ids[root]
			if !ok {
				id = int32(len(ids))
				ids[root] = id
			}
			labels[k][row] = id
		}
	}
	return labels
}

func TestClusterAgainstBruteForce(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	r := 1.0 / 3600
	for _, fc := range []struct {
		name      string
		ra0, dec0 float64
	}{{"RA 0/360", 0, 10}, {"pole", 0, 90}, {"equator", 150, 2}} {
		t.Run(fc.name, func(t *testing.T) {
			base := field(rng, 600, fc.ra0, fc.dec0, 0.03, 0)
			cats := []Positions{base}
			for range 2 {
				var p Positions
				for i := range base.RA {
					if rng.IntN(10) < 7 {
						ra, dec := offset(base.RA[i], base.Dec[i], math.Abs(rng.NormFloat64())*0.4*r, rng.Float64()*360)
						p.RA, p.Dec = append(p.RA, ra), append(p.Dec, dec)
					}
				}
				extra := field(rng, 200, fc.ra0, fc.dec0, 0.03, 0)
				p.RA, p.Dec = append(p.RA, extra.RA...), append(p.Dec, extra.Dec...)
				cats = append(cats, p)
			}
			got, err := Cluster(ctx, cats, Options{Radius: r, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			want := bruteClusters(cats, r)
			multi, ambiguous := 0, 0
			for k := range cats {
				for row := range want[k] {
					if got.Label[k][row] != want[k][row] {
						t.Fatalf("catalogue %d row %d: cluster %d, want %d", k, row, got.Label[k][row], want[k][row])
					}
				}
			}
			for k := range got.Len() {
				cs, rs := got.Members(k)
				for m := range cs {
					if got.Label[cs[m]][rs[m]] != int32(k) {
						t.Fatalf("cluster %d lists catalogue %d row %d of cluster %d", k, cs[m], rs[m], got.Label[cs[m]][rs[m]])
					}
				}
				s := got.Summarize(k, cats)
				if s.Members != len(cs) {
					t.Fatalf("summary of cluster %d: %d members, want %d", k, s.Members, len(cs))
				}
				if s.Catalogues > 1 {
					multi++
				}
				if s.Ambiguous {
					ambiguous++
				}
				for cat, row := range s.Rep {
					if row >= 0 && Separation(s.RA, s.Dec, cats[cat].RA[row], cats[cat].Dec[row]) > 2*r {
						t.Errorf("cluster %d: representative of catalogue %d is far from the mean", k, cat)
					}
				}
			}
			if m, a := got.Counts(); m != multi || a != ambiguous {
				t.Errorf("Counts() = %d, %d; summaries say %d, %d", m, a, multi, ambiguous)
			}
			if multi < 300 {
				t.Errorf("only %d clusters span several catalogues", multi)
			}
			t.Logf("%d clusters, %d multi-catalogue, %d ambiguous, %d edges", got.Len(), multi, ambiguous, got.Edges)
		})
	}
}

func TestClusterErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Cluster(ctx, nil, Options{Radius: 1}); err == nil {
		t.Errorf("no catalogue: no error")
	}
	if _, err := Cluster(ctx, []Positions{{RA: []float64{1}, Dec: []float64{100}}}, Options{Radius: 1}); err == nil {
		t.Errorf("bad declination: no error")
	}
}

// TestSummariesChunked: Summaries over more clusters than one chunk (and on
// several goroutines) gives, in cluster order, what Summarize gives cluster
// by cluster, for every minCatalogues.
func TestSummariesChunked(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	r := 1.0 / 3600
	base := field(rng, 3*summaryChunk, 150, 2, 2, 0)
	cats := []Positions{base}
	for range 2 {
		var p Positions
		for i := range base.RA {
			if rng.IntN(10) < 6 {
				ra, dec := offset(base.RA[i], base.Dec[i], rng.Float64()*0.8*r, rng.Float64()*360)
				p.RA, p.Dec = append(p.RA, ra), append(p.Dec, dec)
			}
		}
		cats = append(cats, p)
	}
	cl, err := Cluster(context.Background(), cats, Options{Radius: r, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Len() < 2*summaryChunk {
		t.Fatalf("%d clusters: fewer than two chunks", cl.Len())
	}
	for _, minCat := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("min", minCat), func(t *testing.T) {
			kept, sums := cl.Summaries(cats, minCat)
			if len(kept) != len(sums) {
				t.Fatalf("%d clusters kept, %d summaries", len(kept), len(sums))
			}
			j := 0
			for k := range cl.Len() {
				want := cl.Summarize(k, cats)
				if want.Catalogues < minCat {
					continue
				}
				if j >= len(kept) || kept[j] != int32(k) {
					t.Fatalf("kept[%d]: want cluster %d", j, k)
				}
				got := sums[j]
				if got.RA != want.RA || got.Dec != want.Dec || got.Members != want.Members ||
					got.Catalogues != want.Catalogues || got.Ambiguous != want.Ambiguous || !slices.Equal(got.Rep, want.Rep) {
					t.Fatalf("cluster %d: Summaries %+v, Summarize %+v", k, got, want)
				}
				j++
			}
			if j != len(kept) {
				t.Errorf("%d clusters kept, want %d", len(kept), j)
			}
			if minCat == 3 && j == 0 {
				t.Error("no cluster spans three catalogues")
			}
		})
	}
}

// TestBestBothEqualsNearest: one phased sweep gives both directions'
// nearest matches exactly as two nearest calls do.
func TestBestBothEqualsNearest(t *testing.T) {
	ctx := context.Background()
	type pair struct {
		name string
		a, b Positions
		r    float64 // degrees
	}
	var cases []pair
	for _, c := range fieldCases {
		if !c.withErrors {
			a, b := c.data(5)
			cases = append(cases, pair{c.name, a, b, c.radiusArcsec * arcsecToDeg})
		}
	}
	// Whole sky, enough zones for many blocks swept at once (the phases
	// keep them apart; run under -race).
	sa, sb := skyPair(200_000)
	cases = append(cases, pair{"sky 200k", sa, sb, 2.0 / 3600})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b, r := c.a, c.b, c.r
			ix, err := Indexes(ctx, r, 2, a, b)
			if err != nil {
				t.Fatal(err)
			}
			rr := r * degToRad
			if !canSweepBoth(ix[0], ix[1], rr) {
				t.Fatalf("indexes of one height cannot be swept both ways")
			}
			var sc bothScratch
			nearA, nearB, err := bestBoth(ctx, ix[0], ix[1], rr, 2, &sc)
			if err != nil {
				t.Fatal(err)
			}
			wantA, _, err := nearestSorted(ctx, ix[0], ix[1], rr, 2)
			if err != nil {
				t.Fatal(err)
			}
			wantB, _, err := nearestSorted(ctx, ix[1], ix[0], rr, 2)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(nearA, wantA) || !slices.Equal(nearB, wantB) {
				t.Errorf("bestBoth differs from nearest: %d/%d and %d/%d matched",
					countMatched(nearA), countMatched(wantA), countMatched(nearB), countMatched(wantB))
			}
			if countMatched(wantA) == 0 {
				t.Errorf("no match in the test data")
			}
		})
	}
}
