package synth

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// WriteCSV writes the catalogue as CSV with a header line of column names;
// NULLs are empty fields.
func (c *Catalog) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	names := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		names[i] = col.Name
	}
	if err := cw.Write(names); err != nil {
		return fmt.Errorf("writing %s header: %w", c.Name, err)
	}
	rec := make([]string, len(c.Columns))
	for _, row := range c.Rows {
		for i, v := range row {
			rec[i] = formatValue(v)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("writing %s: %w", c.Name, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// WriteBig writes rows 1..n of bigcat.main as header-less CSV (id,ra,dec,mag),
// the input of PostgreSQL's COPY.
func WriteBig(w io.Writer, n int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	buf := make([]byte, 0, 64)
	for id := int64(1); id <= n; id++ {
		ra, dec, mag := BigRow(id)
		buf = strconv.AppendInt(buf[:0], id, 10)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, ra, 'f', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, dec, 'f', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, mag, 'f', -1, 64)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("writing bigcat row %d: %w", id, err)
		}
	}
	return bw.Flush()
}

// WriteAll writes every data file of the testbed below dir, one
// subdirectory per DaCHS resource: twomass/data/twomass.csv (likewise
// allwise, sdss), spectra/data/*.fits, images/data/*.fits and
// planets/data/*.fits. Existing files are overwritten with identical
// content.
func WriteAll(dir string) error {
	cats := Catalogs()
	for _, c := range cats {
		if err := writeFile(filepath.Join(dir, c.Name, "data", c.Name+".csv"), c.WriteCSV); err != nil {
			return err
		}
	}
	for _, s := range Spectra() {
		err := writeFile(filepath.Join(dir, "spectra", "data", s.File), func(w io.Writer) error {
			return writeFITS(w, []int{SpecNPix}, s.Flux(), s.cards())
		})
		if err != nil {
			return err
		}
	}
	for _, im := range Images() {
		err := writeFile(filepath.Join(dir, "images", "data", im.File), func(w io.Writer) error {
			return writeFITS(w, []int{ImageNPix, ImageNPix}, im.Pixels(cats[0]), im.cards())
		})
		if err != nil {
			return err
		}
	}
	for _, g := range Granules() {
		err := writeFile(filepath.Join(dir, "planets", "data", g.File()), func(w io.Writer) error {
			pix := make([]float32, 8*8)
			for i := range pix {
				pix[i] = float32(i)
			}
			return writeFITS(w, []int{8, 8}, pix, g.cards())
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes path atomically (temp file + rename) with fill.
func writeFile(path string, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating directory for %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := fill(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := errors.Join(f.Chmod(0o644), f.Close()); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
