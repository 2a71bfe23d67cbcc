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
		// Bounded on the decompressed side, as the file or answer was.
		return readTableDocument(ctx, &capReader{r: zr, left: maxTableBytes})
	}
	if !fits.IsFITS(head) {
		return votable.ReadLimit(ctx, br, maxTableBytes)
	}
	t, err := votable.ReadFITS(ctx, br, 0)
	if err != nil {
		return nil, err
	}
	return &votable.Document{Version: votable.Version14,
		Resources: []*votable.Resource{{Type: "results", Tables: []*votable.Table{t}}}}, nil
}

// capReader fails past left bytes (rather than ending, as io.LimitReader
// does, which would make a valid document of a cut one).
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, _ := io.ReadFull(c.r, one[:]); n > 0 {
			return 0, fmt.Errorf("the decompressed table is larger than %d bytes", int64(maxTableBytes))
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
