package registry

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
)

func TestTestbed(t *testing.T) {
	in := testbed.Require(t)
	ctx := context.Background()
	reg := New(in.RegTAP, TAPSync(dal.New(dal.Options{Timeout: 3 * time.Minute, IdleTimeout: time.Minute})))
	ids := func(rs []Resource) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.IVOID)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	sorted := func(s ...string) string { sort.Strings(s); return strings.Join(s, " ") }
	for typ, want := range map[string]string{
		"scs":  sorted(in.Catalogs[0].SCSIVOID, in.Catalogs[1].SCSIVOID, in.Catalogs[2].SCSIVOID),
		"ssa":  sorted(in.SSAIVOID),
		"sia":  sorted(in.SIA1IVOID),
		"sia2": sorted(in.SIA2IVOID),
		"tap":  sorted(in.TAPIVOID),
	} {
		t.Run(typ, func(t *testing.T) {
			rs, err := reg.Search(ctx, Constraints{ServiceTypes: []string{typ}})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(rs); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
			for _, r := range rs {
				u := r.AccessURL(typ)
				if !strings.HasPrefix(u, in.BaseURL+"/") || r.Title == "" || r.ShortName == "" {
					t.Errorf("%s: access URL %q, title %q, short name %q", r.IVOID, u, r.Title, r.ShortName)
				}
			}
		})
	}
	t.Run("obscore", func(t *testing.T) {
		rs, err := reg.Search(ctx, Constraints{DataModels: []string{"obscore"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ids(rs), in.TAPIVOID) {
			t.Errorf("obscore services %s lack %s", ids(rs), in.TAPIVOID)
		}
	})
	t.Run("epntap", func(t *testing.T) {
		rs, err := reg.Search(ctx, Constraints{DataModels: []string{"epntap"}, ServiceTypes: []string{"tap"}, IncludeAux: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			t.Fatal("no EPN-TAP resource")
		}
		for _, r := range rs {
			if r.AccessURL("tap") != in.TAP {
				t.Errorf("%s: TAP at %q, want %s", r.IVOID, r.AccessURL("tap"), in.TAP)
			}
		}
	})
	t.Run("waveband and keyword", func(t *testing.T) {
		all, err := reg.Search(ctx, Constraints{ServiceTypes: []string{"scs"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, wb := range []string{"infrared", "optical"} {
			rs, err := reg.Search(ctx, Constraints{ServiceTypes: []string{"scs"}, Wavebands: []string{wb}})
			if err != nil {
				t.Fatal(err)
			}
			// Exactly the cone searches that declare the waveband.
			var want []string
			for _, r := range all {
				for _, w := range r.Wavebands {
					if strings.EqualFold(w, wb) {
						want = append(want, r.IVOID)
					}
				}
			}
			if got := ids(rs); len(want) == 0 || got != sorted(want...) {
				t.Errorf("waveband %s: got %s, want %v", wb, got, want)
			}
		}
		// A word of one title finds that resource.
		word := strings.Fields(all[0].Title)[len(strings.Fields(all[0].Title))-1]
		rs, err := reg.Search(ctx, Constraints{ServiceTypes: []string{"scs"}, Keywords: []string{word}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ids(rs), all[0].IVOID) {
			t.Errorf("keyword %q: %s lacks %s", word, ids(rs), all[0].IVOID)
		}
	})
}
