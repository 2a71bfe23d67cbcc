// Command xmsample writes testbed.XmatchTable as a VOTable (TABLEDATA):
// the table of positions near the testbed's sources that the cross-match
// tests and scripts/bench-crossmatch.sh match against the testbed's
// catalogues.
//
//	go run ./internal/testbed/xmsample -n 2000 -o sample.vot
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/votable"
)

func main() {
	n := flag.Int("n", 2000, "rows")
	out := flag.String("o", "xmsample.vot", "output VOTable")
	flag.Parse()
	if err := votable.CreateFile(*out, func(w io.Writer) error {
		return votable.WriteTable(w, testbed.XmatchTable(*n), votable.TableData)
	}); err != nil {
		fmt.Fprintln(os.Stderr, "xmsample:", err)
		os.Exit(1)
	}
}
