package epntap

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/registry"
)

func TestTestbed(t *testing.T) {
	in := testbed.Require(t)
	ctx := context.Background()
	q := registry.TAPSync(dal.New(dal.Options{Timeout: 3 * time.Minute, IdleTimeout: time.Minute}))
	fromReg, err := FromRegistry(ctx, registry.New(in.RegTAP, q))
	if err != nil {
		t.Fatal(err)
	}
	fromTAP, err := FromTAPSchema(ctx, q, in.TAP)
	if err != nil {
		t.Fatal(err)
	}
	for name, svcs := range map[string][]Service{"registry": fromReg, "TAP_SCHEMA": fromTAP} {
		if len(svcs) != 1 || svcs[0].Table != in.EPNTable || svcs[0].TAPURL != in.TAP {
			t.Errorf("%s: services %+v, want %s at %s", name, svcs, in.EPNTable, in.TAP)
		}
	}
	for _, asked := range []string{"Mars", "Jupiter", "Pluto", "mars", "JUPITER"} {
		target := asked
		want := 0
		for _, g := range in.Granules {
			if strings.EqualFold(g.Target, asked) {
				target = g.Target
				want++
			}
		}
		var rows []Result
		sum, err := Search(ctx, q, fromReg, asked, 0, fanout.Options{Deadline: 2 * time.Minute}, func(r fanout.Result[Result]) {
			if r.Err != nil {
				t.Errorf("%s: %v", r.Name, r.Err)
				return
			}
			rows = append(rows, r.Value)
		})
		if err != nil {
			t.Fatal(err)
		}
		if sum.OK != 1 || len(rows) != 1 || rows[0].Table.Rows() != want {
			t.Errorf("%s: summary %v; want %d granules", target, sum, want)
			continue
		}
		for _, r := range rows[0].Records() {
			if r.Get("target_name") != target || r.Get("granule_uid") == "" {
				t.Errorf("%s: row with target %q uid %q", target, r.Get("target_name"), r.Get("granule_uid"))
			}
		}
	}
}
