package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"

	"github.com/voagent/voagent/vo/fits"
	"github.com/voagent/voagent/vo/votable"
)

// wholeTableInput reports whether the buffered input is a table the
// streaming VOTable decoder cannot read but votable.ReadTable can, whole:
// a FITS file (gzipped or not) or a CSV file.
func wholeTableInput(br *bufio.Reader) bool {
	head, _ := br.Peek(4096)
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return false
		}
		inner := make([]byte, 9)
		n, _ := io.ReadFull(zr, inner)
		return fits.IsFITS(inner[:n])
	}
	return fits.IsFITS(head) || !looksLikeXML(br)
}

// wholeTableDocument wraps a table read whole in a document of one
// results resource.
func wholeTableDocument(t *votable.Table) *votable.Document {
	return &votable.Document{Version: votable.Version14, Resources: []*votable.Resource{{Type: "results", Tables: []*votable.Table{t}}}}
}
