package xmatch

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a loaded machine it
// says more about the cost of an operation than the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds a cpu-ms/op metric to a benchmark started at c0.
func reportCPU(b *testing.B, c0 time.Duration) {
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// skyPair makes the benchmark catalogues: A uniform on the sphere, B a 70%
// subset of A moved by 0.3 arcsec (Gaussian per axis) plus 30% unrelated
// sources, like the reference generator.
func skyPair(n int) (a, b Positions) {
	rng := rand.New(rand.NewPCG(20240601, uint64(n)))
	uniform := func(p *Positions, k int) {
		for range k {
			p.RA = append(p.RA, rng.Float64()*360)
			p.Dec = append(p.Dec, math.Asin(2*rng.Float64()-1)*radToDeg)
		}
	}
	uniform(&a, n)
	for i := range n {
		if rng.IntN(10) < 7 {
			rho := math.Hypot(rng.NormFloat64(), rng.NormFloat64()) * 0.3 / 3600
			ra, dec := offset(a.RA[i], a.Dec[i], rho, rng.Float64()*360)
			b.RA, b.Dec = append(b.RA, ra), append(b.Dec, dec)
		}
	}
	uniform(&b, n-b.Len())
	rng.Shuffle(b.Len(), func(i, j int) {
		b.RA[i], b.RA[j] = b.RA[j], b.RA[i]
		b.Dec[i], b.Dec[j] = b.Dec[j], b.Dec[i]
	})
	return a, b
}

// BenchmarkMatch runs 100k and 1M (and 10M with XMATCH_BENCH_10M=1: about
// 3 GB of memory) to show the N log N growth.
func BenchmarkMatch(b *testing.B) {
	ctx := context.Background()
	sizes := []int{100_000, 1_000_000}
	if os.Getenv("XMATCH_BENCH_10M") == "1" {
		sizes = append(sizes, 10_000_000)
	}
	for _, n := range sizes {
		ca, cb := skyPair(n)
		for _, find := range []Find{FindBest, FindAll, FindBestMutual} {
			b.Run(fmt.Sprintf("%s/%d", find, n), func(b *testing.B) {
				count := 0
				c0 := cpuTime()
				for b.Loop() {
					p, err := Match(ctx, ca, cb, Options{Radius: 1.0 / 3600, Find: find})
					if err != nil {
						b.Fatal(err)
					}
					count = len(p)
				}
				reportCPU(b, c0)
				b.ReportMetric(float64(count), "pairs")
			})
		}
	}
}

func BenchmarkIndex(b *testing.B) {
	ctx := context.Background()
	ca, _ := skyPair(1_000_000)
	c0 := cpuTime()
	for b.Loop() {
		if _, err := Indexes(ctx, 1.0/3600, 0, ca); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, c0)
}

// BenchmarkCluster clusters 3 x 100k and 3 x 1M catalogues: A, B (a 70%
// perturbed subset of A plus unrelated sources) and another perturbed copy
// of A.
func BenchmarkCluster(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100_000, 1_000_000} {
		ca, cb := skyPair(n)
		rng := rand.New(rand.NewPCG(1, 2))
		var c3 Positions
		for i := range ca.RA {
			ra, dec := offset(ca.RA[i], ca.Dec[i], math.Abs(rng.NormFloat64())*0.4/3600, rng.Float64()*360)
			c3.RA, c3.Dec = append(c3.RA, ra), append(c3.Dec, dec)
		}
		cats := []Positions{ca, cb, c3}
		b.Run(fmt.Sprintf("3x%d", n), func(b *testing.B) {
			c0 := cpuTime()
			for b.Loop() {
				if _, err := Cluster(ctx, cats, Options{Radius: 1.0 / 3600}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, c0)
		})
	}
}
