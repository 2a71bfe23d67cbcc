package scs

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
)

// testbedClient has the generous timeouts a loaded 2-core machine needs.
func testbedClient() *dal.Client {
	return dal.New(dal.Options{Timeout: 3 * time.Minute, IdleTimeout: time.Minute})
}

// TestTestbed runs cone searches on the DaCHS testbed's three SCS 1.03
// services and compares the sources with the generator's.
func TestTestbed(t *testing.T) {
	in := testbed.Require(t)
	a := in.Anchors[1]
	const sr = 0.02
	for _, c := range in.Catalogs {
		t.Run(c.Name, func(t *testing.T) {
			res, err := New(c.SCS+"?", testbedClient()).Search(context.Background(), Query{RA: a.RA, Dec: a.Dec, SR: sr})
			if err != nil {
				t.Fatal(err)
			}
			if res.Columns.ID < 0 || res.Table.Fields[res.Columns.ID].Name != c.IDColumn {
				t.Fatalf("ID column %d, want %s", res.Columns.ID, c.IDColumn)
			}
			want := c.Data.Cone(a.RA, a.Dec, sr)
			var got, wantIDs []string
			for i := range res.Table.Rows() {
				got = append(got, res.Source(i).ID)
			}
			for _, k := range want {
				wantIDs = append(wantIDs, fmt.Sprint(c.Data.Rows[k][0]))
			}
			sort.Strings(got)
			sort.Strings(wantIDs)
			if len(want) == 0 || strings.Join(got, ",") != strings.Join(wantIDs, ",") {
				t.Errorf("%d sources %v, generator has %d: %v", len(got), got, len(wantIDs), wantIDs)
			}
			// The anchor itself is there at its exact position.
			found := false
			for i := range res.Table.Rows() {
				if s := res.Source(i); s.RA == a.RA && s.Dec == a.Dec {
					found = true
				}
			}
			if !found {
				t.Errorf("anchor at %v %v not among the sources", a.RA, a.Dec)
			}
		})
	}
	t.Run("metadata", func(t *testing.T) {
		res, err := New(in.Catalogs[0].SCS, testbedClient()).Search(context.Background(), Query{RA: a.RA, Dec: a.Dec, SR: 0})
		if err != nil {
			t.Fatal(err)
		}
		if res.Table.Rows() != 0 || len(res.Table.Fields) == 0 {
			t.Errorf("SR=0: %d rows, %d fields; want the columns only", res.Table.Rows(), len(res.Table.Fields))
		}
	})
	t.Run("service error", func(t *testing.T) {
		// DaCHS answers a missing SR with an SCS "Error" INFO.
		_, err := New(in.Catalogs[0].SCS, testbedClient()).Search(context.Background(), Query{RA: a.RA, Dec: a.Dec, SR: 1, Extra: map[string][]string{"SR": {"not-a-number"}}})
		if err == nil {
			t.Fatal("no error for SR=not-a-number")
		}
	})
}
