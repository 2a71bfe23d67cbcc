package registry

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
)

// pyvoScript runs pyvo.registry.search for each case of argv[1] (JSON) and
// prints, per case, the sorted "ivoid standard_id access_url" lines.
const pyvoScript = `
import json, sys, pyvo
out = []
for kw in json.loads(sys.argv[1]):
    r = pyvo.registry.search(**kw)
    out.append(sorted(set("%s %s %s" % (x.ivoid, x.standard_id, x.access_url) for x in r)))
print(json.dumps(out))
`

// TestSameAsPyvo compares registry searches with pyvo's on the testbed's
// RegTAP service: the same services, capabilities and access URLs.
func TestSameAsPyvo(t *testing.T) {
	in := testbed.Require(t)
	py := peertest.PythonModule(t, "pyvo")
	// pyvo 1.2's default service types (no sia2).
	all := []string{"sia", "ssa", "scs", "slap", "tap"}
	cases := []struct {
		py map[string]any
		c  Constraints
	}{
		{map[string]any{"servicetype": "scs"}, Constraints{ServiceTypes: []string{"scs"}}},
		{map[string]any{"servicetype": "ssa"}, Constraints{ServiceTypes: []string{"ssa"}}},
		{map[string]any{"servicetype": "sia"}, Constraints{ServiceTypes: []string{"sia"}}},
		{map[string]any{"servicetype": "tap", "includeaux": true}, Constraints{ServiceTypes: []string{"tap"}, IncludeAux: true}},
		{map[string]any{"datamodel": "obscore"}, Constraints{ServiceTypes: all, DataModels: []string{"obscore"}}},
		{map[string]any{"waveband": "infrared"}, Constraints{ServiceTypes: all, Wavebands: []string{"infrared"}}},
		{map[string]any{"keywords": []string{"spectra"}}, Constraints{ServiceTypes: all, Keywords: []string{"spectra"}}},
		{map[string]any{"keywords": []string{"cone", "2MASS"}, "servicetype": "scs"}, Constraints{ServiceTypes: []string{"scs"}, Keywords: []string{"cone", "2MASS"}}},
	}
	var pyArgs []map[string]any
	for _, c := range cases {
		pyArgs = append(pyArgs, c.py)
	}
	arg, _ := json.Marshal(pyArgs)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", pyvoScript, string(arg))
	cmd.Env = append(os.Environ(), "IVOA_REGISTRY="+in.RegTAP)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pyvo: %v", err)
	}
	var want [][]string
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(cases) {
		t.Fatalf("pyvo output %q: %v", out, err)
	}
	reg := New(in.RegTAP, TAPSync(dal.New(dal.Options{Timeout: 3 * time.Minute, IdleTimeout: time.Minute})))
	for i, c := range cases {
		rs, err := reg.Search(context.Background(), c.c)
		if err != nil {
			t.Errorf("%v: %v", c.py, err)
			continue
		}
		var got []string
		for _, r := range rs {
			for _, cp := range r.Capabilities {
				got = append(got, r.IVOID+" "+cp.StandardID+" "+cp.AccessURL)
			}
		}
		sort.Strings(got)
		if len(want[i]) == 0 || strings.Join(got, "\n") != strings.Join(want[i], "\n") {
			t.Errorf("%v:\nvoagent %q\npyvo    %q", c.py, got, want[i])
		}
	}
}
