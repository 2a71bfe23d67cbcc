package xmatch

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/vo/votable"
)

// peerData is a set of generated catalogues shared by the peer tests.
type peerData struct {
	dir  string
	tags []string // "sky" (uniform, 10k rows) and "dense" (5k rows in 0.2 deg)
}

var (
	peerOnce sync.Once
	peerSet  peerData
	peerErr  error
)

// generated runs scripts/gen_catalogs.py once per test binary.
func generated(t *testing.T) peerData {
	t.Helper()
	py := peertest.PythonModule(t, "numpy")
	peerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "xmatch-peer")
		if err != nil {
			peerErr = err
			return
		}
		script, _ := filepath.Abs("../../scripts/gen_catalogs.py")
		for _, args := range [][]string{
			{"--n", "10k", "--tag", "sky"},
			{"--n", "5k", "--field", "box", "--size", "0.2", "--tag", "dense"},
		} {
			cmd := exec.Command(py, append([]string{script, "--outdir", dir, "--formats", "binary2,csv"}, args...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				peerErr = fmt.Errorf("gen_catalogs.py %v: %v\n%s", args, err, out)
				return
			}
		}
		peerSet = peerData{dir: dir, tags: []string{"sky", "dense"}}
	})
	if peerErr != nil {
		t.Fatal(peerErr)
	}
	return peerSet
}

func TestMain(m *testing.M) {
	code := m.Run()
	if peerSet.dir != "" {
		os.RemoveAll(peerSet.dir)
	}
	os.Exit(code)
}

func (d peerData) file(cat, tag, ext string) string {
	if ext == "csv" {
		return filepath.Join(d.dir, cat+"_"+tag+".csv")
	}
	return filepath.Join(d.dir, cat+"_"+tag+".binary2.vot")
}

// loadPositions reads a generated catalogue through the table layer: the
// VOTable (by UCD) for catalogue a, the CSV (by name) for the others, so
// that both readers are exercised.
func loadPositions(t *testing.T, d peerData, cat, tag string) Positions {
	t.Helper()
	var tab *votable.Table
	if cat == "a" {
		doc, err := votable.ReadFile(d.file(cat, tag, "vot"))
		if err != nil {
			t.Fatal(err)
		}
		tab = doc.Tables()[0]
	} else {
		f, err := os.Open(d.file(cat, tag, "csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if tab, err = votable.ReadCSV(f, cat); err != nil {
			t.Fatal(err)
		}
	}
	p, err := TablePositions(tab, Coords{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// astropyScript computes, with astropy, the reference results for one tag
// and radius: nearest A->B (match_to_catalog_sky, sep < r), mutual best
// pairs (the two-call recipe), all pairs (search_around_sky) and the
// clusters of A, B, C (6 match_to_catalog_sky calls, union-find, clusters
// numbered by first member).
const astropyScript = `
import json, sys
import numpy as np
from astropy.table import Table
from astropy.coordinates import SkyCoord, search_around_sky
import astropy.units as u
d, tag, r = sys.argv[1], sys.argv[2], float(sys.argv[3]) * u.arcsec
cs = []
for c in "abc":
    t = Table.read(f"{d}/{c}_{tag}.csv", format="ascii.csv", guess=False)
    cs.append(SkyCoord(np.asarray(t["ra"], float), np.asarray(t["dec"], float), unit="deg"))
a, b, c = cs
idx, sep, _ = a.match_to_catalog_sky(b)
ok = sep < r
idx2, sep2, _ = b.match_to_catalog_sky(a)
ok2 = sep2 < r
ia = np.nonzero(ok)[0]
mutual = ia[ok2[idx[ia]] & (idx2[idx[ia]] == ia)]
i1, i2, _, _ = search_around_sky(a, b, r)
sizes = [len(x) for x in cs]
off = np.cumsum([0] + sizes)
parent = list(range(off[-1]))
def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
for i in range(3):
    for j in range(3):
        if i != j:
            k, s, _ = cs[i].match_to_catalog_sky(cs[j])
            for p in np.nonzero(s < r)[0].tolist():
                rp, rq = find(off[i] + p), find(off[j] + int(k[p]))
                if rp != rq:
                    parent[rq] = rp
ids, labels = {}, []
for x in range(off[-1]):
    labels.append(ids.setdefault(find(x), len(ids)))
json.dump(dict(nearest=[[int(i), int(idx[i])] for i in ia],
               mutual=[[int(i), int(idx[i])] for i in mutual],
               all=sorted([int(p), int(q)] for p, q in zip(i1, i2)),
               sep=[float(sep[i].arcsec) for i in ia],
               labels=labels), sys.stdout)
`

type pairList [][2]int32

func pairsOf(ps []Pair) pairList {
	out := make(pairList, len(ps))
	for i, p := range ps {
		out[i] = [2]int32{p.A, p.B}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

func comparePairs(t *testing.T, what string, got, want pairList) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d pairs, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("%s: pair %d is %v, want %v", what, i, got[i], want[i])
			return
		}
	}
}

func TestAgainstAstropy(t *testing.T) {
	py := peertest.PythonModule(t, "astropy")
	d := generated(t)
	ctx := context.Background()
	for _, tag := range d.tags {
		cats := []Positions{loadPositions(t, d, "a", tag), loadPositions(t, d, "b", tag), loadPositions(t, d, "c", tag)}
		radii := []float64{1}
		if tag == "dense" {
			radii = []float64{0.5, 1, 3}
		}
		for _, rArcsec := range radii {
			t.Run(fmt.Sprintf("%s/%garcsec", tag, rArcsec), func(t *testing.T) {
				out, err := exec.Command(py, "-c", astropyScript, d.dir, tag, strconv.FormatFloat(rArcsec, 'g', -1, 64)).Output()
				if err != nil {
					t.Fatalf("astropy: %v", err)
				}
				var ref struct {
					Nearest, Mutual, All pairList
					Sep                  []float64
					Labels               []int32
				}
				if err := json.Unmarshal(out, &ref); err != nil {
					t.Fatalf("astropy output: %v", err)
				}
				r := rArcsec / 3600
				opt := Options{Radius: r}
				for _, c := range []struct {
					find Find
					want pairList
				}{{FindBest, ref.Nearest}, {FindBestMutual, ref.Mutual}, {FindAll, ref.All}} {
					opt.Find = c.find
					got, err := Match(ctx, cats[0], cats[1], opt)
					if err != nil {
						t.Fatal(err)
					}
					comparePairs(t, c.find.String(), pairsOf(got), c.want)
					if c.find == FindBest && len(got) == len(ref.Sep) {
						for i, p := range got {
							if d := p.Sep*3600 - ref.Sep[i]; d > 1e-9 || d < -1e-9 {
								t.Errorf("pair %v: separation %.12g arcsec, astropy %.12g", p, p.Sep*3600, ref.Sep[i])
								break
							}
						}
					}
				}
				cl, err := Cluster(ctx, cats, Options{Radius: r})
				if err != nil {
					t.Fatal(err)
				}
				k := 0
				for c := range cats {
					for row, l := range cl.Label[c] {
						if l != ref.Labels[k] {
							t.Fatalf("catalogue %d row %d: cluster %d, astropy recipe %d", c, row, l, ref.Labels[k])
						}
						k++
					}
				}
				t.Logf("best %d, mutual %d, all %d, clusters %d", len(ref.Nearest), len(ref.Mutual), len(ref.All), cl.Len())
			})
		}
	}
}

// stiltsPairs runs stilts tmatch2 on the CSV files and returns the
// 0-based row pairs (ids are row+offset, so the rows are recovered).
func stiltsPairs(t *testing.T, stilts string, d peerData, tag string, rArcsec float64, find, join string) pairList {
	t.Helper()
	out := filepath.Join(t.TempDir(), "m.csv")
	keep := "id_1 id_2" // with only one table's columns out, the id keeps its name
	if join == "1not2" || join == "2not1" {
		keep = "id"
	}
	cmd := exec.Command(stilts, "tmatch2",
		"in1="+d.file("a", tag, "csv"), "ifmt1=csv", "in2="+d.file("b", tag, "csv"), "ifmt2=csv",
		"matcher=sky", "params="+strconv.FormatFloat(rArcsec, 'g', -1, 64), "values1=ra dec", "values2=ra dec",
		"find="+find, "join="+join, "ocmd=keepcols '"+keep+"'", "ofmt=csv", "out="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("stilts: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ps pairList
	for _, r := range recs[1:] {
		p := [2]int32{-1, -1}
		for _, cell := range r {
			if cell == "" {
				continue
			}
			v, err := strconv.ParseInt(cell, 10, 64)
			if err != nil {
				t.Fatalf("stilts output: %v", err)
			}
			if v > 10_000_000_000 { // ids of b are 1e10 + row
				p[1] = int32(v - 10_000_000_000 - 1)
			} else {
				p[0] = int32(v - 1)
			}
		}
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i][0] != ps[j][0] {
			return ps[i][0] < ps[j][0]
		}
		return ps[i][1] < ps[j][1]
	})
	return ps
}

func TestAgainstSTILTS(t *testing.T) {
	stilts := peertest.Command(t, "stilts")
	d := generated(t)
	ctx := context.Background()
	for _, tag := range d.tags {
		a, b := loadPositions(t, d, "a", tag), loadPositions(t, d, "b", tag)
		const rArcsec = 1.0
		type stiltsCase struct {
			find       string
			mode       Find
			stiltsJoin string
			join       Join
		}
		cases := []stiltsCase{{"best1", FindBest, "1and2", Join1And2}}
		if tag == "dense" { // where the modes differ
			cases = []stiltsCase{
				{"best1", FindBest, "1and2", Join1And2},
				{"best", FindBestUnique, "1and2", Join1And2},
				{"all", FindAll, "1and2", Join1And2},
				{"best", FindBestUnique, "1or2", Join1Or2},
				{"best1", FindBest, "1not2", Join1Not2},
				{"best", FindBestUnique, "2not1", Join2Not1},
			}
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/find=%s/join=%s", tag, c.find, c.stiltsJoin), func(t *testing.T) {
				want := stiltsPairs(t, stilts, d, tag, rArcsec, c.find, c.stiltsJoin)
				pairs, err := Match(ctx, a, b, Options{Radius: rArcsec / 3600, Find: c.mode})
				if err != nil {
					t.Fatal(err)
				}
				rows, err := JoinRows(pairs, a.Len(), b.Len(), c.join)
				if err != nil {
					t.Fatal(err)
				}
				comparePairs(t, c.mode.String()+"/"+c.join.String(), pairsOf(rows), want)
			})
		}
	}
}
