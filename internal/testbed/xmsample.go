package testbed

import (
	"github.com/voagent/voagent/internal/testbed/synth"
	vot "github.com/voagent/voagent/vo/votable"
)

// XmatchTable is synth.XmatchSample(n) as a table: id (1-based), ra and
// dec (ICRS degrees, UCDs pos.eq.ra;meta.main and pos.eq.dec;meta.main),
// the user's table of the cross-match tests and benchmarks.
func XmatchTable(n int) *vot.Table {
	ra, dec := synth.XmatchSample(n)
	id := &vot.Field{Name: "id", Datatype: vot.Int, UCD: "meta.id;meta.main"}
	rf := &vot.Field{Name: "ra", Datatype: vot.Double, Unit: "deg", UCD: "pos.eq.ra;meta.main"}
	df := &vot.Field{Name: "dec", Datatype: vot.Double, Unit: "deg", UCD: "pos.eq.dec;meta.main"}
	ic, rc, dc := vot.NewScalar[int32](id), vot.NewScalar[float64](rf), vot.NewScalar[float64](df)
	for i := range ra {
		ic.Append(int32(i+1), false)
		rc.Append(ra[i], false)
		dc.Append(dec[i], false)
	}
	return &vot.Table{Name: "xmsample", Description: "Positions near the testbed's sources (synth.XmatchSample)",
		Fields: []*vot.Field{id, rf, df}, Columns: []vot.Column{ic, rc, dc}, NRows: int64(len(ra))}
}
