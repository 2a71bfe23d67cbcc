package epntap

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/votable"
)

func TestQuery(t *testing.T) {
	tests := []struct {
		table, target string
		top           int
		want          string
		err           bool
	}{
		{"planets.epn_core", "Mars", 0, "SELECT * FROM planets.epn_core WHERE LOWER(target_name) = 'mars'", false},
		{"vvex.epn_core", "67P/Churyumov-Gerasimenko", 10, "SELECT TOP 10 * FROM vvex.epn_core WHERE LOWER(target_name) = '67p/churyumov-gerasimenko'", false},
		{"a.epn_core", "O'Neil", 0, "SELECT * FROM a.epn_core WHERE LOWER(target_name) = 'o''neil'", false},
		{"a.epn_core; DROP TABLE x", "Mars", 0, "", true},
		{"a.other", "Mars", 0, "", true},
		{"a.epn_core", " ", 0, "", true},
	}
	for _, tt := range tests {
		got, err := Query(tt.table, tt.target, tt.top)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Query(%q, %q) = %q, %v; want %q", tt.table, tt.target, got, err, tt.want)
		}
	}
}

func table(t *testing.T, doc string) *dataset.Result {
	t.Helper()
	d, err := votable.Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := dataset.ResultsTable(d)
	if err != nil {
		t.Fatal(err)
	}
	return &dataset.Result{Doc: d, Table: tab}
}

const glotsDoc = `<VOTABLE version="1.4"><RESOURCE type="results"><TABLE>
<FIELD name="ivoid" datatype="char" arraysize="*"/><FIELD name="access_url" datatype="char" arraysize="*"/><FIELD name="table_name" datatype="char" arraysize="*"/>
<DATA><TABLEDATA>
<TR><TD>ivo://a/tap</TD><TD>http://a/tap</TD><TD>apis.epn_core</TD></TR>
<TR><TD>ivo://a/tap</TD><TD>http://a/tap/</TD><TD>apis.epn_core</TD></TR>
<TR><TD>ivo://b/tap</TD><TD>http://b/tap</TD><TD>b.epn_core; drop</TD></TR>
<TR><TD>ivo://c/tap</TD><TD>http://c/tap</TD><TD>vvex.epn_core</TD></TR>
</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`

func TestFromGloTSAndSearch(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	q := func(ctx context.Context, tapURL, adql string, maxrec int) (*dataset.Result, error) {
		mu.Lock()
		asked = append(asked, tapURL+" "+adql)
		mu.Unlock()
		switch tapURL {
		case "http://glots/tap":
			return table(t, glotsDoc), nil
		case "http://a/tap":
			return table(t, `<VOTABLE><RESOURCE type="results"><TABLE><FIELD name="granule_uid" datatype="char" arraysize="*"/><DATA><TABLEDATA><TR><TD>g1</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`), nil
		}
		<-ctx.Done() // c hangs
		return nil, ctx.Err()
	}
	svcs, err := FromGloTS(context.Background(), q, "http://glots/tap")
	if err != nil {
		t.Fatal(err)
	}
	if len(svcs) != 2 || svcs[0].Table != "apis.epn_core" || svcs[1].TAPURL != "http://c/tap" {
		t.Fatalf("services %+v (the duplicate and the bad name must go)", svcs)
	}
	if !strings.Contains(asked[0], "glots.tables") {
		t.Errorf("GloTS query %q", asked[0])
	}
	got := map[string]fanout.Outcome{}
	sum, err := Search(context.Background(), q, svcs, "Mars", 5, fanout.Options{Deadline: 200 * time.Millisecond}, func(r fanout.Result[Result]) {
		got[r.Name] = r.Outcome
		if r.Outcome == fanout.OK && r.Value.Table.Rows() != 1 {
			t.Errorf("%s: %d rows", r.Name, r.Value.Table.Rows())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["ivo://a/tap"] != fanout.OK || got["ivo://c/tap"] != fanout.TimedOut || sum.OK != 1 || len(sum.Failures) != 1 {
		t.Errorf("outcomes %v, summary %v", got, sum)
	}
	if _, err := Search(context.Background(), q, []Service{{Table: "x; y"}}, "Mars", 0, fanout.Options{}, nil); err == nil {
		t.Error("a bad table name must be refused")
	}
}

func TestDiscoveryErrors(t *testing.T) {
	boom := errors.New("down")
	q := func(context.Context, string, string, int) (*dataset.Result, error) { return nil, boom }
	if _, err := FromGloTS(context.Background(), q, "http://x"); !errors.Is(err, boom) {
		t.Errorf("GloTS: %v", err)
	}
	if _, err := FromTAPSchema(context.Background(), q, "http://x"); !errors.Is(err, boom) {
		t.Errorf("TAP_SCHEMA: %v", err)
	}
}
