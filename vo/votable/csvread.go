package votable

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadCSV reads a CSV table with a header line (RFC 4180, as TOPCAT and
// astropy write it) into a table: a column is long when every non-empty
// cell is an integer, double when every one is a number, char otherwise;
// empty cells are null. CSV carries no UCDs or units, so positions are
// then found by column name (vo/skypos). Lines starting with # are
// comments. The table is named name.
func ReadCSV(r io.Reader, name string) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading CSV %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	newReader := func() *csv.Reader {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.ReuseRecord = true
		cr.Comment = '#'
		return cr
	}
	// Pass 1: header and column types.
	cr := newReader()
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("CSV %s is empty (no header line)", name)
		}
		return nil, fmt.Errorf("CSV %s header: %w", name, err)
	}
	header = append([]string(nil), header...)
	const (
		isInt = iota
		isFloat
		isString
	)
	kind := make([]int, len(header))
	rows := 0
	err = eachRecord(cr, name, func(rec []string) error {
		rows++
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if v == "" || kind[i] == isString {
				continue
			}
			if kind[i] == isInt {
				if _, err := strconv.ParseInt(v, 10, 64); err == nil {
					continue
				}
				kind[i] = isFloat
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				kind[i] = isString
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	t := &Table{Name: name, NRows: int64(rows)}
	for i, h := range header {
		f := &Field{Name: strings.TrimSpace(h)}
		if f.Name == "" {
			f.Name = "col" + strconv.Itoa(i+1)
		}
		switch kind[i] {
		case isInt:
			f.Datatype = Long
		case isFloat:
			f.Datatype = Double
		default:
			f.Datatype, f.Arraysize = Char, "*"
			f.Shape, _ = ParseShape("*")
		}
		c, err := NewColumn(f)
		if err != nil {
			return nil, err
		}
		t.Fields = append(t.Fields, f)
		t.Columns = append(t.Columns, c)
	}
	// Pass 2: values.
	cr = newReader()
	if _, err := cr.Read(); err != nil {
		return nil, err
	}
	err = eachRecord(cr, name, func(rec []string) error {
		for i, col := range t.Columns {
			v := strings.TrimSpace(rec[i])
			switch c := col.(type) {
			case *Scalar[int64]:
				x, _ := strconv.ParseInt(v, 10, 64)
				c.Append(x, v == "")
			case *Scalar[float64]:
				x, _ := strconv.ParseFloat(v, 64)
				c.Append(x, v == "")
			case *Strings:
				if err := c.AppendString(rec[i], false); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// eachRecord calls fn for every remaining record of cr.
func eachRecord(cr *csv.Reader, name string, fn func(rec []string) error) error {
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("CSV %s: %w", name, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}
