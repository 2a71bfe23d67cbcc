package votable

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/voagent/voagent/vo/fits"
)

// ReadTableFile reads the first table of a file in any format ReadTable
// knows; the table is named after the file (without directory and
// extension) unless the file names it.
func ReadTableFile(ctx context.Context, path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading table: %w", err)
	}
	defer f.Close()
	t, err := ReadTable(ctx, f, filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("reading table %s: %w", path, err)
	}
	return t, nil
}

// ReadTable reads the first table of r, whatever its format, told by its
// content (then name's extension): a VOTable (any serialization), a CSV
// file with a header line (see ReadCSV), or a FITS file's first binary
// table (see ReadFITS), each possibly gzipped. name is the file name (for messages, the
// format when the content cannot tell, and the table's name when the
// file gives none: name without its extension).
func ReadTable(ctx context.Context, r io.Reader, name string) (*Table, error) {
	base := strings.TrimSuffix(name, ".gz")
	ext := strings.ToLower(filepath.Ext(base))
	label := strings.TrimSuffix(filepath.Base(base), filepath.Ext(base))
	size := inputSize(r)
	br := bufio.NewReader(r)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading gzipped %s: %w", name, err)
		}
		defer zr.Close()
		return ReadTable(ctx, zr, base)
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case fits.IsFITS(head):
		t, err := ReadFITS(ctx, br, size)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if t.Name == "" {
			t.Name = label
		}
		return t, nil
	case ext == ".fits" || ext == ".fit" || ext == ".fts":
		return nil, fmt.Errorf("%s is not a FITS file (it does not start with SIMPLE  =)", name)
	case bytes.HasPrefix(text, []byte("<")):
		doc, err := ReadContext(ctx, br)
		if err != nil {
			return nil, fmt.Errorf("reading VOTable %s: %w", name, err)
		}
		tabs := doc.Tables()
		if len(tabs) == 0 {
			return nil, fmt.Errorf("VOTable %s has no TABLE", name)
		}
		t := tabs[0]
		if t.Name == "" && t.ID == "" {
			t.Name = label
		}
		return t, nil
	case ext == ".xml" || ext == ".vot" || ext == ".votable":
		return nil, fmt.Errorf("%s is not a VOTable (it does not start with an XML element)", name)
	case len(text) == 0:
		return nil, fmt.Errorf("%s is empty", name)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ReadCSV(br, label)
}
