package sia

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
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
	a := in.Anchors[3] // two images (J, Ks) centred here, none near
	var want []string
	for _, im := range in.Images {
		if im.RA == a.RA && im.Dec == a.Dec {
			want = append(want, im.AccessURL)
		}
	}
	sort.Strings(want)
	urls := func(rs []dataset.Record, access func(dataset.Record) dataset.Access) []string {
		var out []string
		for _, r := range rs {
			out = append(out, access(r).URL)
		}
		sort.Strings(out)
		return out
	}

	t.Run("SIA1", func(t *testing.T) {
		svc := New(in.SIA1+"?", testbedClient())
		res, err := svc.Search(ctx, Query{RA: a.RA, Dec: a.Dec, Size: []float64{0.001}})
		if err != nil {
			t.Fatal(err)
		}
		if got := urls(res.Records(), Access); len(want) == 0 || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("got %v, want %v", got, want)
		}
		ps, err := svc.Params(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p := svcparam.Find(ps, "INTERSECT"); p == nil || len(p.Options) < 4 {
			t.Errorf("INTERSECT parameter %+v", p)
		}
		acc := Access(res.Records()[0])
		d, err := dataset.Download(ctx, testbedClient(), acc.URL, t.TempDir(), acc.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if acc.Size > 0 && d.Bytes != acc.Size || !strings.HasSuffix(d.Path, ".fits") {
			t.Errorf("download %+v, access %+v", d, acc)
		}
	})
	t.Run("SIA2", func(t *testing.T) {
		svc := New2(in.SIA2+"?", testbedClient())
		res, err := svc.Search(ctx, Query2{Circles: []svcparam.Circle{{RA: a.RA, Dec: a.Dec, Radius: 0.001}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := urls(res.Records(), ObsCoreAccess); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("got %v, want %v", got, want)
		}
		// No image observes in the radio.
		res, err = svc.Search(ctx, Query2{Circles: []svcparam.Circle{{RA: a.RA, Dec: a.Dec, Radius: 0.001}}, Band: []svcparam.Interval{{Lo: 1, Hi: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Table.Rows() != 0 {
			t.Errorf("BAND 1..2 m: %d images", res.Table.Rows())
		}
	})
}
