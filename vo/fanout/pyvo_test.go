package fanout_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/scs"
	"github.com/voagent/voagent/vo/sia"
	"github.com/voagent/voagent/vo/ssa"
)

// pyvoSimple runs pyvo's SCS, SSA and SIA clients on the testbed: argv[1]
// is a JSON list of [kind, url, ra, dec, size]; it prints per query the
// sorted identifiers (SCS, by its ID_MAIN column) or access references.
const pyvoSimple = `
import json, sys, warnings, pyvo
warnings.simplefilter("ignore")
out = []
for kind, url, ra, dec, size in json.loads(sys.argv[1]):
    if kind == "scs":
        r = pyvo.dal.SCSService(url).search(pos=(ra, dec), radius=size)
        col = r.fieldname_with_ucd("ID_MAIN") or r.fieldname_with_ucd("meta.id;meta.main")
        out.append(sorted(str(x[col]) for x in r))
    elif kind == "ssa":
        out.append(sorted(str(x.acref) for x in pyvo.dal.SSAService(url).search(pos=(ra, dec), diameter=size)))
    else:
        out.append(sorted(str(x.acref) for x in pyvo.dal.SIAService(url).search(pos=(ra, dec), size=size)))
print(json.dumps(out))
`

// TestSameAsPyvo runs the same cone, spectrum and image searches with
// voagent's clients and with pyvo's on the testbed: the same sources and
// datasets must come back.
func TestSameAsPyvo(t *testing.T) {
	in := testbed.Require(t)
	py := peertest.PythonModule(t, "pyvo")
	type query struct {
		kind, url   string
		ra, dec, sz float64
	}
	a, b := in.Anchors[1], in.Anchors[3]
	var qs []query
	for _, c := range in.Catalogs {
		qs = append(qs, query{"scs", c.SCS, a.RA, a.Dec, 0.02})
	}
	qs = append(qs, query{"ssa", in.SSA, a.RA, a.Dec, 0.1}, query{"sia", in.SIA1, b.RA, b.Dec, 0.001})
	var args [][]any
	for _, q := range qs {
		args = append(args, []any{q.kind, q.url, q.ra, q.dec, q.sz})
	}
	arg, _ := json.Marshal(args)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", pyvoSimple, string(arg)).Output()
	if err != nil {
		t.Fatalf("pyvo: %v", err)
	}
	var want [][]string
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(qs) {
		t.Fatalf("pyvo output %q: %v", out, err)
	}
	c := dal.New(dal.Options{Timeout: 3 * time.Minute, IdleTimeout: time.Minute})
	for i, q := range qs {
		var got []string
		switch q.kind {
		case "scs":
			res, err := scs.New(q.url, c).Search(ctx, scs.Query{RA: q.ra, Dec: q.dec, SR: q.sz})
			if err != nil {
				t.Fatal(err)
			}
			for j := range res.Table.Rows() {
				got = append(got, res.Source(j).ID)
			}
		case "ssa":
			res, err := ssa.New(q.url, c).Search(ctx, ssa.Query{Pos: &ssa.Pos{RA: q.ra, Dec: q.dec}, Size: q.sz})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Records() {
				got = append(got, ssa.Access(r).URL)
			}
		case "sia":
			res, err := sia.New(q.url, c).Search(ctx, sia.Query{RA: q.ra, Dec: q.dec, Size: []float64{q.sz}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Records() {
				got = append(got, sia.Access(r).URL)
			}
		}
		sort.Strings(got)
		if len(want[i]) == 0 || strings.Join(got, " ") != strings.Join(want[i], " ") {
			t.Errorf("%s %s:\nvoagent %q\npyvo    %q", q.kind, q.url, got, want[i])
		}
	}
}
