package hub

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestCalcstormProfile runs JSAMP's calcstorm (10 clients x 100 queries in
// each mode listed in VOAGENT_HUB_CALCSTORM, e.g. "sync,async,notify")
// against an in-process hub, so that `go test -cpuprofile` records the hub's
// own CPU profile under that load (the clients run in a JVM of their own and
// are not in the profile). Bench-only: skipped unless the variable is set.
//
//	VOAGENT_HUB_CALCSTORM=sync,async,notify go test -run TestCalcstormProfile \
//	    -cpuprofile /tmp/hub.prof ./samp/hub && go tool pprof -top /tmp/hub.prof
func TestCalcstormProfile(t *testing.T) {
	modes := os.Getenv("VOAGENT_HUB_CALCSTORM")
	if modes == "" {
		t.Skip("set VOAGENT_HUB_CALCSTORM=sync,async,notify to profile the hub under calcstorm")
	}
	j, jar := java(t)
	h := startHub(t, Options{Logger: quietLogger(t)})
	for _, mode := range strings.Split(modes, ",") {
		out, err := runPeer(t, 5*time.Minute, hubEnv(h), j, "-classpath", jar, "org.astrogrid.samp.JSamp",
			"calcstorm", "-nclient", "10", "-nquery", "100", "-mode", mode)
		if err != nil || !strings.Contains(out, "Elapsed time") || strings.Contains(out, "Exception") {
			t.Fatalf("calcstorm -mode %s failed (%v):\n%s", mode, err, out)
		}
		t.Logf("%s: %s", mode, strings.TrimSpace(out))
	}
}
