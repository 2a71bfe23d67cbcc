package agent

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"

	"github.com/voagent/voagent/vo/fits"
	"github.com/voagent/voagent/vo/votable"
)

// readTableDocument reads a table sent to the agent: a VOTable document,
// or a FITS file (table.load.fits) whose first BINTABLE is wrapped in a
// document of one results resource; either may be gzipped.
func readTableDocument(ctx context.Context, r io.Reader) (*votable.Document, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(9)
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading gzipped table: %w", err)
		}
		defer zr.Close()
		return readTableDocument(ctx, zr)
	}
	if !fits.IsFITS(head) {
		return votable.ReadContext(ctx, br)
	}
	t, err := votable.ReadFITS(ctx, br, 0)
	if err != nil {
		return nil, err
	}
	return &votable.Document{Version: votable.Version14,
		Resources: []*votable.Resource{{Type: "results", Tables: []*votable.Table{t}}}}, nil
}
