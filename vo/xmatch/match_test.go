package xmatch

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// field makes n random positions in a cap of radius size degrees around
// (ra0, dec0), plus, when dup > 0, near-copies of earlier rows offset by up
// to dup degrees, so that matches exist at every radius.
func field(rng *rand.Rand, n int, ra0, dec0, size, dup float64) Positions {
	p := Positions{RA: make([]float64, n), Dec: make([]float64, n)}
	for i := range n {
		if dup > 0 && i > 0 && rng.IntN(3) == 0 {
			j := rng.IntN(i)
			p.RA[i], p.Dec[i] = offset(p.RA[j], p.Dec[j], rng.Float64()*dup, rng.Float64()*360)
			continue
		}
		// Uniform in the cap: distance with density ∝ sin ρ.
		cr := 1 - rng.Float64()*(1-math.Cos(size*degToRad))
		p.RA[i], p.Dec[i] = offset(ra0, dec0, math.Acos(cr)*radToDeg, rng.Float64()*360)
	}
	return p
}

// offset moves (ra, dec) by rho degrees towards position angle pa degrees
// (north through east), with vectors so that it works at the poles.
func offset(ra, dec, rho, pa float64) (float64, float64) {
	a, d, r, t := ra*degToRad, dec*degToRad, rho*degToRad, pa*degToRad
	p := [3]float64{math.Cos(d) * math.Cos(a), math.Cos(d) * math.Sin(a), math.Sin(d)}
	east := [3]float64{-math.Sin(a), math.Cos(a), 0}
	north := [3]float64{-math.Sin(d) * math.Cos(a), -math.Sin(d) * math.Sin(a), math.Cos(d)}
	var q [3]float64
	for k := range q {
		q[k] = math.Cos(r)*p[k] + math.Sin(r)*(math.Sin(t)*east[k]+math.Cos(t)*north[k])
	}
	ra2 := math.Atan2(q[1], q[0]) * radToDeg
	if ra2 < 0 {
		ra2 += 360
	}
	return ra2, math.Atan2(q[2], math.Hypot(q[0], q[1])) * radToDeg
}

// brute computes all pairs within r (+ errors) the slow way.
func brute(a, b Positions, r float64) []Pair {
	var out []Pair
	for i := range a.RA {
		for j := range b.RA {
			lim := r
			if a.Err != nil {
				lim += errOr0(a.Err[i])
			}
			if b.Err != nil {
				lim += errOr0(b.Err[j])
			}
			if d := Separation(a.RA[i], a.Dec[i], b.RA[j], b.Dec[j]); d <= lim {
				out = append(out, Pair{int32(i), int32(j), d})
			}
		}
	}
	return out
}

// errOr0 is the documented reading of an error radius: NaN or negative is 0.
func errOr0(e float64) float64 {
	if e > 0 {
		return e
	}
	return 0
}

// bruteBest is, per A row, the nearest B row within r (lowest row on ties).
func bruteBest(a, b Positions, r float64) []int32 {
	near := make([]int32, a.Len())
	for i := range near {
		near[i] = -1
	}
	best := make([]float64, a.Len())
	for _, p := range brute(a, b, r) {
		if near[p.A] < 0 || p.Sep < best[p.A] || (p.Sep == best[p.A] && p.B < near[p.A]) {
			near[p.A], best[p.A] = p.B, p.Sep
		}
	}
	return near
}

type fieldCase struct {
	name           string
	ra0, dec0, sz  float64
	n              int
	radiusArcsec   float64
	withErrors     bool
	dupArcsecScale float64
}

var fieldCases = []fieldCase{
	{"north pole", 0, 90, 0.2, 400, 36, false, 2},
	{"south pole", 123, -90, 0.05, 400, 1, false, 2},
	{"near north pole", 10, 89.9999, 0.01, 300, 0.5, false, 2},
	{"RA 0/360", 0, 0, 0.05, 400, 1, false, 2},
	{"RA 0/360 at dec 60", 359.99, 60, 0.05, 400, 2, false, 2},
	{"tiny radius", 150, 2, 0.001, 500, 0.01, false, 2},
	{"one degree", 200, -30, 10, 500, 3600, false, 1.5},
	{"dense", 150, 2, 0.02, 1000, 1, false, 1.5},
	{"error radii", 359.995, -45, 0.02, 400, 0.3, true, 2},
	{"whole sky", 0, 90, 180, 1000, 1800, false, 1.5},
}

func (c fieldCase) data(seed uint64) (a, b Positions) {
	rng := rand.New(rand.NewPCG(seed, 7))
	r := c.radiusArcsec * arcsecToDeg
	all := field(rng, 2*c.n, c.ra0, c.dec0, c.sz, r*c.dupArcsecScale)
	a = Positions{RA: all.RA[:c.n], Dec: all.Dec[:c.n]}
	b = Positions{RA: all.RA[c.n:], Dec: all.Dec[c.n:]}
	// Shuffle B against A so that copies land in both.
	rng.Shuffle(2*c.n, func(i, j int) {
		all.RA[i], all.RA[j] = all.RA[j], all.RA[i]
		all.Dec[i], all.Dec[j] = all.Dec[j], all.Dec[i]
	})
	if c.withErrors {
		a.Err = make([]float64, a.Len())
		b.Err = make([]float64, b.Len())
		for i := range a.Err {
			a.Err[i] = rng.Float64() * r
		}
		for i := range b.Err {
			b.Err[i] = rng.Float64() * r
		}
		a.Err[0] = math.NaN()
	}
	return a, b
}

// nearBoundary tells whether a pair lies so close to its radius that the
// two exact formulas may legitimately disagree.
func nearBoundary(a, b Positions, p Pair, r float64) bool {
	lim := r
	if a.Err != nil {
		lim += errOr0(a.Err[p.A])
	}
	if b.Err != nil {
		lim += errOr0(b.Err[p.B])
	}
	return math.Abs(Separation(a.RA[p.A], a.Dec[p.A], b.RA[p.B], b.Dec[p.B])-lim) < 1e-12
}

func TestMatchAgainstBruteForce(t *testing.T) {
	ctx := context.Background()
	for _, c := range fieldCases {
		for seed := range uint64(2) {
			t.Run(fmt.Sprintf("%s/%d", c.name, seed), func(t *testing.T) {
				a, b := c.data(seed)
				r := c.radiusArcsec * arcsecToDeg
				want := brute(a, b, r)
				got, err := Match(ctx, a, b, Options{Radius: r, Find: FindAll, Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				key := func(p Pair) [2]int32 { return [2]int32{p.A, p.B} }
				gotSet := map[[2]int32]Pair{}
				for _, p := range got {
					gotSet[key(p)] = p
				}
				if len(want) == 0 {
					t.Fatalf("test data has no pair within the radius")
				}
				for _, p := range want {
					q, ok := gotSet[key(p)]
					if !ok {
						if !nearBoundary(a, b, p, r) {
							t.Errorf("pair %v missing", p)
						}
						continue
					}
					if d := math.Abs(q.Sep - p.Sep); d > 1e-13+1e-9*p.Sep {
						t.Errorf("pair %v: separation %.17g, want %.17g", key(p), q.Sep, p.Sep)
					}
					delete(gotSet, key(p))
				}
				for _, p := range gotSet {
					if !nearBoundary(a, b, p, r) {
						t.Errorf("extra pair %v", p)
					}
				}
				if !slices.IsSortedFunc(got, func(p, q Pair) int { return int(p.A - q.A) }) {
					t.Errorf("pairs are not ordered by A row")
				}

				best, err := Match(ctx, a, b, Options{Radius: r, Find: FindBest, Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				wantNear := bruteBest(a, b, r)
				gotNear := make([]int32, a.Len())
				for i := range gotNear {
					gotNear[i] = -1
				}
				for _, p := range best {
					gotNear[p.A] = p.B
				}
				for i := range wantNear {
					if wantNear[i] != gotNear[i] {
						t.Errorf("row %d: nearest %d, want %d", i, gotNear[i], wantNear[i])
					}
				}
				checkMutualAndUnique(t, a, b, r, wantNear)
			})
		}
	}
}

func checkMutualAndUnique(t *testing.T, a, b Positions, r float64, near []int32) {
	t.Helper()
	ctx := context.Background()
	back := bruteBest(b, a, r)
	var wantMutual, wantUnique []Pair
	claim := map[int32]int32{}
	sep := func(i, j int32) float64 { return Separation(a.RA[i], a.Dec[i], b.RA[j], b.Dec[j]) }
	for i, j := range near {
		if j < 0 {
			continue
		}
		if back[j] == int32(i) {
			wantMutual = append(wantMutual, Pair{A: int32(i), B: j})
		}
		if c, ok := claim[j]; !ok || sep(int32(i), j) < sep(c, j) {
			claim[j] = int32(i)
		}
	}
	for i, j := range near {
		if j >= 0 && claim[j] == int32(i) {
			wantUnique = append(wantUnique, Pair{A: int32(i), B: j})
		}
	}
	for _, tc := range []struct {
		find Find
		want []Pair
	}{{FindBestMutual, wantMutual}, {FindBestUnique, wantUnique}} {
		got, err := Match(ctx, a, b, Options{Radius: r, Find: tc.find})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%v: %d pairs, want %d", tc.find, len(got), len(tc.want))
			continue
		}
		for k := range got {
			if got[k].A != tc.want[k].A || got[k].B != tc.want[k].B {
				t.Errorf("%v: pair %d is (%d, %d), want (%d, %d)", tc.find, k, got[k].A, got[k].B, tc.want[k].A, tc.want[k].B)
				break
			}
		}
	}
}

func TestMatchEdgeCases(t *testing.T) {
	ctx := context.Background()
	nan := math.NaN()
	a := Positions{RA: []float64{0, 359.9999999, nan, 10, 180}, Dec: []float64{90, 0, 0, -90, 45}}
	b := Positions{RA: []float64{180, 0.0000001, 5, 200, 180, 720 + 180}, Dec: []float64{89.99999999, 0, nan, -89.9999999, 45, 45}}
	got, err := Match(ctx, a, b, Options{Radius: 1.0 / 3600, Find: FindAll})
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int32{{0, 0}, {1, 1}, {3, 3}, {4, 4}, {4, 5}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, p := range got {
		if [2]int32{p.A, p.B} != want[k] {
			t.Errorf("pair %d: got %v, want %v", k, p, want[k])
		}
	}
	if got[3].Sep != 0 || got[4].Sep > 1e-12 {
		t.Errorf("identical positions: separations %g %g", got[3].Sep, got[4].Sep)
	}
	// Bad input gives errors, not panics.
	for _, bad := range []struct {
		a, b Positions
		r    float64
	}{
		{Positions{RA: []float64{1}, Dec: []float64{}}, b, 1},
		{Positions{RA: []float64{1}, Dec: []float64{91}}, b, 1},
		{a, b, -1},
		{a, b, nan},
		{a, b, math.Inf(1)},
		{Positions{RA: []float64{1}, Dec: []float64{1}, Err: []float64{1, 2}}, b, 1},
	} {
		if _, err := Match(ctx, bad.a, bad.b, Options{Radius: bad.r}); err == nil {
			t.Errorf("Match(%v, r=%g): no error", bad.a, bad.r)
		}
	}
	// Empty catalogues.
	if p, err := Match(ctx, Positions{}, b, Options{Radius: 1}); err != nil || len(p) != 0 {
		t.Errorf("empty A: %v %v", p, err)
	}
	if p, err := Match(ctx, a, Positions{}, Options{Radius: 1, Find: FindBestMutual}); err != nil || len(p) != 0 {
		t.Errorf("empty B: %v %v", p, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Match(cctx, a, b, Options{Radius: 1}); err == nil {
		t.Errorf("cancelled context: no error")
	}
}

func TestSeparation(t *testing.T) {
	tiny := 30.000000001
	for _, c := range []struct {
		ra1, dec1, ra2, dec2, want float64
	}{
		{0, 0, 0, 0, 0},
		{0, 0, 180, 0, 180},
		{0, 90, 123, 90, 0},
		{0, 90, 0, -90, 180},
		{359.5, 0, 0.5, 0, 1},
		{10, 89, 190, 89, 2},
		{0, 0, 1e-10, 0, 1e-10},
		{20, 30, 20, tiny, tiny - 30},
	} {
		got := Separation(c.ra1, c.dec1, c.ra2, c.dec2)
		// Float64 degrees carry about 1e-14 degrees of absolute precision.
		if math.Abs(got-c.want) > 1e-14+1e-13*c.want {
			t.Errorf("Separation(%g %g, %g %g) = %.17g, want %g", c.ra1, c.dec1, c.ra2, c.dec2, got, c.want)
		}
		// The haversine used by the kernels agrees.
		r1, d1, r2, d2 := c.ra1*degToRad, c.dec1*degToRad, c.ra2*degToRad, c.dec2*degToRad
		h := havToRad(haversine(r1, d1, math.Cos(d1), r2, d2, math.Cos(d2))) * radToDeg
		if math.Abs(h-c.want) > 1e-14+1e-13*c.want && c.want < 90 {
			t.Errorf("haversine(%g %g, %g %g) = %.17g, want %g", c.ra1, c.dec1, c.ra2, c.dec2, h, c.want)
		}
	}
}

func TestParseAngle(t *testing.T) {
	for _, c := range []struct {
		in   string
		unit string
		want float64
		err  bool
	}{
		{"1arcsec", "deg", 1.0 / 3600, false},
		{"1.5\"", "deg", 1.5 / 3600, false},
		{"2'", "deg", 2.0 / 60, false},
		{"0.5arcmin", "", 0.5 / 60, false},
		{"0.01deg", "arcsec", 0.01, false},
		{"3mas", "deg", 3.0 / 3600 / 1000, false},
		{"2", "arcsec", 2.0 / 3600, false},
		{"2", "deg", 2, false},
		{"", "deg", 0, true},
		{"abc", "deg", 0, true},
		{"NaNarcsec", "deg", 0, true},
		{"1", "furlong", 0, true},
	} {
		got, err := ParseAngle(c.in, c.unit)
		if (err != nil) != c.err || (!c.err && math.Abs(got-c.want) > 1e-15) {
			t.Errorf("ParseAngle(%q, %q) = %g, %v; want %g (error %v)", c.in, c.unit, got, err, c.want, c.err)
		}
	}
}

func TestJoinRows(t *testing.T) {
	pairs := []Pair{{0, 1, 0.1}, {0, 2, 0.2}, {2, 0, 0.3}}
	type rp = [2]int32
	cases := map[Join][]rp{
		Join1And2: {{0, 1}, {0, 2}, {2, 0}},
		Join1Or2:  {{0, 1}, {0, 2}, {1, -1}, {2, 0}, {3, -1}, {-1, 3}},
		JoinAll1:  {{0, 1}, {0, 2}, {1, -1}, {2, 0}, {3, -1}},
		JoinAll2:  {{0, 1}, {0, 2}, {2, 0}, {-1, 3}},
		Join1Not2: {{1, -1}, {3, -1}},
		Join2Not1: {{-1, 3}},
		Join1Xor2: {{1, -1}, {3, -1}, {-1, 3}},
	}
	for j, want := range cases {
		got, err := JoinRows(pairs, 4, 4, j)
		if err != nil {
			t.Fatal(err)
		}
		var g []rp
		for _, r := range got {
			g = append(g, rp{r.A, r.B})
		}
		if !slices.Equal(g, want) {
			t.Errorf("%v: got %v, want %v", j, g, want)
		}
		if back, err := ParseJoin(j.String()); err != nil || back != j {
			t.Errorf("ParseJoin(%q) = %v, %v", j.String(), back, err)
		}
	}
	if _, err := JoinRows([]Pair{{5, 0, 0}}, 4, 4, JoinAll1); err == nil {
		t.Errorf("out-of-range pair: no error")
	}
	if _, err := JoinRows([]Pair{{2, 0, 0}, {1, 0, 0}}, 4, 4, JoinAll1); err == nil {
		t.Errorf("unordered pairs: no error")
	}
	if _, err := ParseJoin("both"); err == nil {
		t.Errorf("ParseJoin(both): no error")
	}
}

// TestZoneSorter: the bucket sort orders positions by RA (rows moved
// along) for spread, clumped, equal and short inputs.
func TestZoneSorter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var zs zoneSorter
	for _, c := range []struct {
		name string
		n    int
		ra   func(i int) float64
	}{
		{"spread", 1000, func(int) float64 { return rng.Float64() * twoPi }},
		{"clumped", 500, func(i int) float64 {
			if i%10 == 0 {
				return rng.Float64() * twoPi
			}
			return 1 + rng.Float64()*1e-9
		}},
		{"equal", 300, func(int) float64 { return 2 }},
		{"ties", 400, func(int) float64 { return float64(rng.IntN(5)) }},
		{"short", 20, func(int) float64 { return rng.Float64() }},
		{"empty", 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := make([]radec, c.n)
			r := make([]int32, c.n)
			for i := range p {
				p[i], r[i] = radec{c.ra(i), float64(i)}, int32(i)
			}
			zs.sort(p, r)
			seen := make([]bool, c.n)
			for i := range p {
				if i > 0 && p[i].ra < p[i-1].ra {
					t.Fatalf("position %d: RA %g after %g", i, p[i].ra, p[i-1].ra)
				}
				if p[i].dec != float64(r[i]) || seen[r[i]] {
					t.Fatalf("position %d: row %d does not follow its position (dec %g)", i, r[i], p[i].dec)
				}
				seen[r[i]] = true
			}
		})
	}
}

// TestStreamEqualsIndexes: Match (rows grouped by zone, blocks indexed as
// swept) gives exactly the pairs of MatchIndexes on full indexes, for the
// nearest modes, on every field case without error radii.
func TestStreamEqualsIndexes(t *testing.T) {
	ctx := context.Background()
	type pair struct {
		name string
		a, b Positions
		r    float64 // degrees
	}
	var cases []pair
	for _, c := range fieldCases {
		if !c.withErrors {
			a, b := c.data(3)
			cases = append(cases, pair{c.name, a, b, c.radiusArcsec * arcsecToDeg})
		}
	}
	sa, sb := skyPair(200_000) // many blocks swept at once
	cases = append(cases, pair{"sky 200k", sa, sb, 2.0 / 3600})
	for _, c := range cases {
		a, b, r := c.a, c.b, c.r
		for _, find := range []Find{FindBest, FindBestMutual, FindBestUnique} {
			t.Run(fmt.Sprintf("%s/%v", c.name, find), func(t *testing.T) {
				opt := Options{Radius: r, Find: find, Workers: 3}
				got, err := Match(ctx, a, b, opt)
				if err != nil {
					t.Fatal(err)
				}
				ix, err := Indexes(ctx, r, 3, a, b)
				if err != nil {
					t.Fatal(err)
				}
				want, err := MatchIndexes(ctx, ix[0], ix[1], opt)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatalf("no pair in the test data")
				}
				if !slices.Equal(got, want) {
					t.Errorf("%d pairs streamed, %d with indexes; first difference at %d", len(got), len(want),
						slices.IndexFunc(got, func(p Pair) bool { return !slices.Contains(want, p) }))
				}
			})
		}
	}
}
