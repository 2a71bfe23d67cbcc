package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/testbed"
)

func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("x"), exitError},
		{&exitCodeError{code: exitPartial, err: errors.New("2 of 3 failed")}, exitPartial},
		{fmt.Errorf("wrapped: %w", &exitCodeError{code: exitPartial, err: errors.New("x")}), exitPartial},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// TestAllKeepsAnswers: --all without --output-dir keeps every answer (in a
// directory of its own), and refuses -o rather than ignoring it;
// --download refuses -o too.
func TestAllKeepsAnswers(t *testing.T) {
	in := testbed.Require(t)
	a := in.Images[0]
	t.Chdir(t.TempDir())
	pos := []string{"--ra", fmt.Sprint(a.RA), "--dec", fmt.Sprint(a.Dec), "--size", "0.5"}
	_, _, err := runCLI(t, append([]string{"sia", "--all", "--registry", in.RegTAP}, pos...)...)
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := os.ReadDir(".")
	var files []string
	for _, d := range dirs {
		if d.IsDir() && strings.HasPrefix(d.Name(), "voagent-sia-") {
			es, _ := os.ReadDir(d.Name())
			for _, e := range es {
				files = append(files, d.Name()+"/"+e.Name())
			}
		}
	}
	if len(files) == 0 {
		t.Errorf("--all kept no answer (directory: %v)", dirs)
	}
	for _, args := range [][]string{
		append([]string{"sia", "--all", "--registry", in.RegTAP, "-o", "one.xml"}, pos...),
		append([]string{"sia", "--url", in.SIA1, "--download", "imgs", "-o", "one.xml"}, pos...),
	} {
		if _, _, err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), "-o") {
			t.Errorf("%v: error %v, want one about -o", args, err)
		}
		if _, err := os.Stat("one.xml"); err == nil {
			t.Errorf("%v wrote one.xml", args)
		}
	}
}
