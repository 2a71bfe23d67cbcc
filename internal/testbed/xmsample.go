package testbed

import (
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/vo/votable"
)

// XmatchTable is synth.XmatchSample(n) as a table: id (1-based), ra and
// dec (ICRS degrees, UCDs pos.eq.ra;meta.main and pos.eq.dec;meta.main),
// the user's table of the cross-match tests and benchmarks.
func XmatchTable(n int) *votable.Table {
	ra, dec := synth.XmatchSample(n)
	id := &votable.Field{Name: "id", Datatype: votable.Int, UCD: "meta.id;meta.main"}
	rf := &votable.Field{Name: "ra", Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.ra;meta.main"}
	df := &votable.Field{Name: "dec", Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.dec;meta.main"}
	ic, rc, dc := votable.NewScalar[int32](id), votable.NewScalar[float64](rf), votable.NewScalar[float64](df)
	for i := range ra {
		ic.Append(int32(i+1), false)
		rc.Append(ra[i], false)
		dc.Append(dec[i], false)
	}
	return &votable.Table{Name: "xmsample", Description: "Positions near the testbed's sources (synth.XmatchSample)",
		Fields: []*votable.Field{id, rf, df}, Columns: []votable.Column{ic, rc, dc}, NRows: int64(len(ra))}
}
