package registry

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/votable"
)

func TestADQL(t *testing.T) {
	tests := []struct {
		name    string
		c       Constraints
		has     []string
		hasNot  []string
		wantErr bool
	}{
		{"scs", Constraints{ServiceTypes: []string{"scs"}},
			[]string{"standard_id IN ('ivo://ivoa.net/std/conesearch')", "intf_role = 'std'", "NATURAL JOIN rr.interface"}, []string{"#aux"}, false},
		{"sia2 with aux", Constraints{ServiceTypes: []string{"SIA2"}, IncludeAux: true},
			[]string{"'ivo://ivoa.net/std/sia#query-2.0', 'ivo://ivoa.net/std/sia#query-aux-2.0'"}, nil, false},
		{"obscore", Constraints{DataModels: []string{"obscore"}},
			[]string{"detail_xpath = '/capability/dataModel/@ivo-id'", "'ivo://ivoa.net/std/obscore%'", "'ivo://ivoa.net/std/tap'"}, nil, false},
		{"epntap", Constraints{DataModels: []string{"epntap"}}, []string{"rr.res_table", "epntap#table-2.%"}, nil, false},
		{"keyword quoted", Constraints{Keywords: []string{"O'Brien"}}, []string{"ivo_hasword(rr.resource.res_title, 'O''Brien')", "'%O''Brien%'"}, nil, false},
		{"wavebands or", Constraints{Wavebands: []string{"Infrared", "optical"}},
			[]string{"(1 = ivo_hashlist_has(rr.resource.waveband, 'infrared') OR 1 = ivo_hashlist_has(rr.resource.waveband, 'optical'))"}, nil, false},
		{"nothing", Constraints{}, nil, nil, true},
		{"bad type", Constraints{ServiceTypes: []string{"ftp"}}, nil, nil, true},
		{"bad waveband", Constraints{Wavebands: []string{"ultraviolet'--"}}, nil, nil, true},
		{"bad datamodel", Constraints{DataModels: []string{"obs'core"}}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := tt.c.ADQL()
			if tt.wantErr {
				if err == nil {
					t.Fatalf("no error; query %s", q)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.has {
				if !strings.Contains(q, s) {
					t.Errorf("query lacks %q:\n%s", s, q)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(q, s) {
					t.Errorf("query has %q:\n%s", s, q)
				}
			}
		})
	}
}

const regDoc = `<VOTABLE version="1.4"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/><TABLE>
<FIELD name="ivoid" datatype="char" arraysize="*"/><FIELD name="res_title" datatype="char" arraysize="*"/>
<FIELD name="short_name" datatype="char" arraysize="*"/><FIELD name="waveband" datatype="char" arraysize="*"/>
<FIELD name="standard_id" datatype="char" arraysize="*"/><FIELD name="access_url" datatype="char" arraysize="*"/>
<FIELD name="intf_type" datatype="char" arraysize="*"/>
<DATA><TABLEDATA>
<TR><TD>ivo://a/tap</TD><TD>A TAP</TD><TD>atap</TD><TD>infrared#optical</TD><TD>ivo://ivoa.net/std/tap</TD><TD>http://a/tap</TD><TD>vs:paramhttp</TD></TR>
<TR><TD>ivo://a/tap</TD><TD>A TAP</TD><TD>atap</TD><TD>infrared#optical</TD><TD>ivo://ivoa.net/std/tap</TD><TD>http://a/tap</TD><TD>vs:paramhttp</TD></TR>
<TR><TD>ivo://b/cone</TD><TD>B cone</TD><TD/><TD/><TD>ivo://ivoa.net/std/conesearch</TD><TD>http://b/scs?</TD><TD>vs:paramhttp</TD></TR>
<TR><TD>ivo://b/cone</TD><TD>B cone</TD><TD/><TD/><TD>ivo://ivoa.net/std/tap#aux</TD><TD>http://b/tap</TD><TD>vs:paramhttp</TD></TR>
</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`

func fakeQuery(doc string, gotADQL *string) QueryFunc {
	return func(ctx context.Context, tapURL, adql string, maxrec int) (*dataset.Result, error) {
		*gotADQL = adql
		d, err := votable.Read(strings.NewReader(doc))
		if err != nil {
			return nil, err
		}
		tab, err := dataset.ResultsTable(d)
		if err != nil {
			return nil, err
		}
		return &dataset.Result{Doc: d, Table: tab}, nil
	}
}

func TestSearchGroups(t *testing.T) {
	var adql string
	rs, err := New("http://reg/tap", fakeQuery(regDoc, &adql)).Search(context.Background(), Constraints{ServiceTypes: []string{"tap", "scs"}, IncludeAux: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(adql, "conesearch") {
		t.Errorf("query sent: %s", adql)
	}
	if len(rs) != 2 {
		t.Fatalf("%d resources: %+v", len(rs), rs)
	}
	a, b := rs[0], rs[1]
	if a.IVOID != "ivo://a/tap" || a.Name() != "atap" || len(a.Capabilities) != 1 || strings.Join(a.Wavebands, ",") != "infrared,optical" || a.AccessURL("tap") != "http://a/tap" {
		t.Errorf("first resource %+v", a)
	}
	if b.Name() != "B cone" || len(b.Capabilities) != 2 || b.AccessURL("scs") != "http://b/scs?" || b.AccessURL("tap") != "http://b/tap" || b.AccessURL("ssa") != "" {
		t.Errorf("second resource %+v", b)
	}
}

func TestSearchErrors(t *testing.T) {
	boom := errors.New("registry down")
	c := New("http://reg/tap", func(context.Context, string, string, int) (*dataset.Result, error) { return nil, boom })
	if _, err := c.Search(context.Background(), Constraints{ServiceTypes: []string{"tap"}}); !errors.Is(err, boom) || !strings.Contains(err.Error(), "http://reg/tap") {
		t.Errorf("err %v", err)
	}
	var adql string
	bad := strings.Replace(regDoc, `name="access_url"`, `name="url"`, 1)
	if _, err := New("x", fakeQuery(bad, &adql)).Search(context.Background(), Constraints{ServiceTypes: []string{"tap"}}); err == nil || !strings.Contains(err.Error(), "access_url") {
		t.Errorf("missing column: %v", err)
	}
}

func TestServiceType(t *testing.T) {
	for id, want := range map[string]string{
		"ivo://ivoa.net/std/TAP": "tap", "ivo://ivoa.net/std/tap#aux": "tap", "ivo://ivoa.net/std/SIA#query-2.0": "sia2",
		"ivo://ivoa.net/std/sia": "sia", "ivo://ivoa.net/std/ConeSearch": "scs", "ivo://ivoa.net/std/vosi#tables": "",
	} {
		if got := ServiceType(id); got != want {
			t.Errorf("ServiceType(%s) = %q, want %q", id, got, want)
		}
	}
}
