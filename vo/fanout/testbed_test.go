package fanout_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/registry"
	"github.com/voagent/voagent/vo/scs"
	"github.com/voagent/voagent/vo/sia"
	"github.com/voagent/voagent/vo/ssa"
	"github.com/voagent/voagent/vo/svcparam"
)

// faultPaths are 20 cone search services that each misbehave differently
// ("" is a port where nothing listens).
var faultPaths = []string{
	"/hang", "/hang-body?rows=5", "/slow?rows=50&delay=1h", "/500", "/500-votable?msg=database+down",
	"/html", "/text", "/empty", "/truncated?rows=200", "/truncated-clean?rows=200",
	"/error-before?msg=bad+query", "/error-after?rows=3&msg=died+midway", "/scs-error-info?msg=SR+too+large",
	"/scs-error-param?msg=no+such+table", "/status?code=404&body=not+here&type=text/plain",
	"/retry?code=503&after=3600&times=99", "/status?code=429&body=slow+down&type=text/plain",
	"/status?code=200&body=%3CVOTABLE%3E%3CRESOURCE%3E%3CTABLE%3E%3CFIELD&type=text/xml",
	"/status?code=200&body=PK%03%04garbage&type=application/x-votable%2Bxml", "",
}

// TestTestbedPlusFaults is the acceptance test of the fan-out: one vicinity
// search over every service of the testbed's registry plus 20 faulty cone
// searches returns every good result, each within its deadline and before
// any hanging service is given up, and the summary names each faulty one.
func TestTestbedPlusFaults(t *testing.T) {
	in := testbed.Require(t)
	fs := faultsvc.New(t)
	ctx := context.Background()
	client := dal.New(dal.Options{Timeout: 2 * time.Minute, IdleTimeout: time.Minute})
	reg := registry.New(in.RegTAP, registry.TAPSync(client))
	rs, err := reg.Search(ctx, registry.Constraints{ServiceTypes: []string{"scs", "ssa", "sia", "sia2", "tap"}})
	if err != nil {
		t.Fatal(err)
	}
	a := in.Anchors[0]
	const sr = 0.02
	type check func(*dataset.Result) error
	var tasks []fanout.Task[*dataset.Result]
	checks := map[string]check{}
	good := map[string]bool{}
	rows := func(want int) check {
		return func(r *dataset.Result) error {
			if r.Table.Rows() != want {
				return fmt.Errorf("%d rows, want %d", r.Table.Rows(), want)
			}
			return nil
		}
	}
	for _, r := range rs {
		for _, c := range r.Capabilities {
			name := r.IVOID + " " + c.ServiceType()
			u := c.AccessURL
			var run func(context.Context) (*dataset.Result, error)
			switch c.ServiceType() {
			case "scs":
				var cat *testbed.Catalog
				for i := range in.Catalogs {
					if in.Catalogs[i].SCSIVOID == r.IVOID {
						cat = &in.Catalogs[i]
					}
				}
				if cat == nil {
					t.Fatalf("unknown cone search %s", r.IVOID)
				}
				checks[name] = rows(len(cat.Data.Cone(a.RA, a.Dec, sr)))
				run = func(ctx context.Context) (*dataset.Result, error) {
					res, err := scs.New(u, client).Search(ctx, scs.Query{RA: a.RA, Dec: a.Dec, SR: sr})
					if err != nil {
						return nil, err
					}
					return &res.Result, nil
				}
			case "ssa":
				n := 0
				for _, s := range in.Spectra {
					if synth.Sep(a.RA, a.Dec, s.RA, s.Dec) < 0.05 {
						n++
					}
				}
				checks[name] = rows(n)
				run = func(ctx context.Context) (*dataset.Result, error) {
					return ssa.New(u, client).Search(ctx, ssa.Query{Pos: &ssa.Pos{RA: a.RA, Dec: a.Dec}, Size: 0.1})
				}
			case "sia":
				checks[name] = func(r *dataset.Result) error { return nonEmpty(r, "accref") }
				run = func(ctx context.Context) (*dataset.Result, error) {
					return sia.New(u, client).Search(ctx, sia.Query{RA: a.RA, Dec: a.Dec, Size: []float64{0.01}})
				}
			case "sia2":
				checks[name] = func(r *dataset.Result) error { return nonEmpty(r, "access_url") }
				run = func(ctx context.Context) (*dataset.Result, error) {
					return sia.New2(u, client).Search(ctx, sia.Query2{Circles: []svcparam.Circle{{RA: a.RA, Dec: a.Dec, Radius: 0.01}}})
				}
			case "tap":
				adql := fmt.Sprintf("SELECT obs_publisher_did FROM ivoa.obscore WHERE 1=CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', %v, %v, 0.05))", a.RA, a.Dec)
				checks[name] = func(r *dataset.Result) error { return nonEmpty(r, "obs_publisher_did") }
				q := registry.TAPSync(client)
				run = func(ctx context.Context) (*dataset.Result, error) { return q(ctx, u, adql, 0) }
			default:
				continue
			}
			good[name] = true
			tasks = append(tasks, fanout.Task[*dataset.Result]{Name: name, Run: run})
		}
	}
	if len(tasks) < 7 {
		t.Fatalf("only %d good services found in the registry", len(tasks))
	}
	closed := closedPort(t)
	for i, p := range faultPaths {
		u := fs.URLOf(p)
		if p == "" {
			u = closed
		}
		name := fmt.Sprintf("fault %02d %s", i, p)
		// Interleave the faulty services with the good ones.
		tasks = append([]fanout.Task[*dataset.Result]{{Name: name, Run: func(ctx context.Context) (*dataset.Result, error) {
			res, err := scs.New(u, client).Search(ctx, scs.Query{RA: a.RA, Dec: a.Dec, SR: sr})
			if err != nil {
				return nil, err
			}
			return &res.Result, nil
		}}}, tasks...)
	}
	var order []fanout.Result[*dataset.Result]
	sum := fanout.Run(ctx, fanout.Options{Concurrency: 8, Deadline: 20 * time.Second}, tasks, func(r fanout.Result[*dataset.Result]) {
		order = append(order, r)
	})
	firstTimeout := len(order)
	for i, r := range order {
		if r.Outcome == fanout.TimedOut && i < firstTimeout {
			firstTimeout = i
		}
	}
	failed := map[string]bool{}
	for _, f := range sum.Failures {
		failed[f.Name] = true
	}
	for i, r := range order {
		if good[r.Name] {
			if r.Outcome != fanout.OK {
				t.Errorf("good service %s: %s: %v", r.Name, r.Outcome, r.Err)
				continue
			}
			if err := checks[r.Name](r.Value); err != nil {
				t.Errorf("good service %s: %v", r.Name, err)
			}
			if i > firstTimeout {
				t.Errorf("good service %s answered after a hanging service was given up", r.Name)
			}
			continue
		}
		// A faulty service: an error, or an answer that fails its check.
		if r.Outcome == fanout.OK {
			t.Errorf("faulty service %s gave no error (%d rows)", r.Name, r.Value.Table.Rows())
		}
		if !failed[r.Name] {
			t.Errorf("faulty service %s missing from the summary", r.Name)
		}
	}
	if len(order) != len(tasks) || sum.Total != len(tasks) || sum.OK != len(good) {
		t.Errorf("%d results for %d tasks; summary %v", len(order), len(tasks), sum)
	}
	t.Logf("%s", strings.SplitN(sum.String(), ";", 2)[0])
}

func nonEmpty(r *dataset.Result, col string) error {
	if r.Table.Rows() == 0 || r.Table.FieldByName(col) < 0 {
		return fmt.Errorf("%d rows, column %s at %d", r.Table.Rows(), col, r.Table.FieldByName(col))
	}
	return nil
}

// closedPort returns a URL on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/scs?"
}
