package xmatch

import (
	"io"

	"github.com/voagent/voagent/vo/votable"
)

// ReadCSV reads a CSV table with a header line.
//
// Deprecated: use votable.ReadCSV, or votable.ReadTable for any format
// (this forwards to votable.ReadCSV).
func ReadCSV(r io.Reader, name string) (*votable.Table, error) { return votable.ReadCSV(r, name) }
