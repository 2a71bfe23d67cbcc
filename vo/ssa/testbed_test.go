package ssa

import (
	"context"
	"github.com/voagent/voagent/internal/peertest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
)

func testbedClient() *dal.Client {
	return dal.New(dal.Options{Timeout: 3 * time.Minute, IdleTimeout: time.Minute})
}

func TestTestbed(t *testing.T) {
	in := testbed.Require(t)
	ctx := context.Background()
	svc := New(in.SSA+"?", testbedClient())
	a := in.Anchors[0]
	const size = 0.1
	res, err := svc.Search(ctx, Query{Pos: &Pos{RA: a.RA, Dec: a.Dec}, Size: size})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]testbed.Product{}
	for _, s := range in.Spectra {
		if synth.Sep(a.RA, a.Dec, s.RA, s.Dec) < size/2 {
			want[s.AccessURL] = s
		}
	}
	var got []string
	for _, rec := range res.Records() {
		acc := Access(rec)
		got = append(got, acc.URL)
		if _, ok := want[acc.URL]; !ok {
			t.Errorf("unexpected spectrum %s", acc.URL)
		}
		if acc.Format != "application/fits" || !strings.HasSuffix(acc.Name, ".fits") || acc.Size <= 0 {
			t.Errorf("access %+v", acc)
		}
	}
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("got %v, want %d spectra", got, len(want))
	}

	t.Run("metadata and custom parameters", func(t *testing.T) {
		ps, err := svc.Params(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"POS", "SIZE", "BAND", "TIME", "FORMAT", "TARGETNAME", "FLUXCALIB"} {
			if svcparam.Find(ps, name) == nil {
				t.Errorf("FORMAT=METADATA does not list %s", name)
			}
		}
		// A service-specific parameter passed by name: DaCHS' WILDTARGET
		// (a shell pattern on the target name).
		if svcparam.Find(ps, "WILDTARGET") == nil {
			peertest.Missing(t, "dachs testbed SSA", "no WILDTARGET parameter to try")
		}
		all, err := svc.Search(ctx, Query{Pos: &Pos{RA: a.RA, Dec: a.Dec}, Size: 2})
		if err != nil {
			t.Fatal(err)
		}
		name := all.Records()[0].Get("utype:ssa:Target.Name")
		if name == "" {
			peertest.Missing(t, "dachs testbed SSA", "spectra carry no target name")
		}
		sel, err := svc.Search(ctx, Query{Pos: &Pos{RA: a.RA, Dec: a.Dec}, Size: 2, Extra: url.Values{"WILDTARGET": {name}}})
		if err != nil {
			t.Fatal(err)
		}
		if sel.Table.Rows() == 0 || sel.Table.Rows() > all.Table.Rows() {
			t.Errorf("WILDTARGET=%s: %d rows of %d", name, sel.Table.Rows(), all.Table.Rows())
		}
		for _, r := range sel.Records() {
			if r.Get("utype:ssa:Target.Name") != name {
				t.Errorf("WILDTARGET=%s returned target %q", name, r.Get("utype:ssa:Target.Name"))
			}
		}
	})

	t.Run("band and time", func(t *testing.T) {
		// Every testbed spectrum covers the optical; none covers 1 metre.
		opt, err := svc.Search(ctx, Query{Pos: &Pos{RA: a.RA, Dec: a.Dec}, Size: 2, Band: &svcparam.Interval{Lo: 5e-7, Hi: 5.5e-7}})
		if err != nil {
			t.Fatal(err)
		}
		radio, err := svc.Search(ctx, Query{Pos: &Pos{RA: a.RA, Dec: a.Dec}, Size: 2, Band: &svcparam.Interval{Lo: 1, Hi: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if opt.Table.Rows() == 0 || radio.Table.Rows() != 0 {
			t.Errorf("BAND optical: %d rows, radio: %d rows", opt.Table.Rows(), radio.Table.Rows())
		}
		// The testbed's spectra were taken in 2020 and 2021.
		span := func(s string) *svcparam.TimeRange {
			r, err := svcparam.ParseTimeRange(s)
			if err != nil {
				t.Fatal(err)
			}
			return &r
		}
		all, err := svc.Search(ctx, Query{Pos: &Pos{RA: a.RA, Dec: a.Dec}, Size: 2, Time: span("2019-06-01/2022-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		none, err := svc.Search(ctx, Query{Pos: &Pos{RA: a.RA, Dec: a.Dec}, Size: 2, Time: span("1990-01-01/1991-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		if all.Table.Rows() != opt.Table.Rows() || none.Table.Rows() != 0 {
			t.Errorf("TIME 2019..2022: %d rows (want %d), 1990: %d rows (want 0)", all.Table.Rows(), opt.Table.Rows(), none.Table.Rows())
		}
	})

	t.Run("download", func(t *testing.T) {
		dir := t.TempDir()
		acc := Access(res.Records()[0])
		d, err := dataset.Download(ctx, testbedClient(), acc.URL, dir, acc.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(d.Path)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(d.Path) != dir || int64(len(b)) != acc.Size || !strings.HasPrefix(string(b), "SIMPLE  =") {
			t.Errorf("downloaded %s: %d bytes (announced %d), starts %.10q", d.Path, len(b), acc.Size, b)
		}
		// A second download of the same record gets a new name.
		d2, err := dataset.Download(ctx, testbedClient(), acc.URL, dir, acc.Name, nil)
		if err != nil || d2.Path == d.Path {
			t.Errorf("second download %v %v", d2, err)
		}
	})
}
