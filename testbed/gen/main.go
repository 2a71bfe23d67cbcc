// Command gen writes the voagent testbed's synthetic data (catalogue CSVs and
// FITS files) for testbed/setup.sh. With -big it writes the big streaming
// catalogue as COPY input to standard output instead.
//
//	go run ./testbed/gen -out /var/gavo/inputs
//	go run ./testbed/gen -big 1000000 | psql -c "COPY bigcat.main FROM STDIN (FORMAT csv)"
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/voagent/voagent/internal/testbed/synth"
)

func main() {
	out := flag.String("out", "", "directory to write the resource data below (one subdirectory per resource)")
	big := flag.Int64("big", 0, "write this many rows of bigcat.main as CSV to standard output instead")
	flag.Parse()
	if err := run(*out, *big); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string, big int64) error {
	switch {
	case big > 0:
		return synth.WriteBig(os.Stdout, big)
	case out != "":
		return synth.WriteAll(out)
	default:
		return fmt.Errorf("give -out DIR or -big N")
	}
}
