package votable

import (
	"fmt"
	"math"
)

// Gather appends the listed rows of src to dst, a column of the same type;
// a negative row appends a null.
func Gather(dst, src Column, rows []int32) error {
	if rows == nil {
		rows = []int32{}
	}
	return gather(dst, src, rows)
}

// gather is Gather, appending every row of src when rows is nil.
func gather(dst, src Column, rows []int32) error {
	switch s := src.(type) {
	case *Strings:
		d, ok := dst.(*Strings)
		if !ok {
			return mismatch(dst, src)
		}
		return gatherCells(s.Len(), rows, func(r int) error { return d.Append(s.Bytes(r), s.IsNull(r)) },
			func() error { return d.Append(nil, true) })
	case *Scalar[bool]:
		return gatherScalar(dst, s, rows)
	case *Scalar[uint8]:
		return gatherScalar(dst, s, rows)
	case *Scalar[int16]:
		return gatherScalar(dst, s, rows)
	case *Scalar[int32]:
		return gatherScalar(dst, s, rows)
	case *Scalar[int64]:
		return gatherScalar(dst, s, rows)
	case *Scalar[float32]:
		return gatherScalar(dst, s, rows)
	case *Scalar[float64]:
		return gatherScalar(dst, s, rows)
	case *Scalar[complex64]:
		return gatherScalar(dst, s, rows)
	case *Scalar[complex128]:
		return gatherScalar(dst, s, rows)
	case *Array[bool]:
		return gatherArray(dst, s, rows)
	case *Array[uint8]:
		return gatherArray(dst, s, rows)
	case *Array[int16]:
		return gatherArray(dst, s, rows)
	case *Array[int32]:
		return gatherArray(dst, s, rows)
	case *Array[int64]:
		return gatherArray(dst, s, rows)
	case *Array[float32]:
		return gatherArray(dst, s, rows)
	case *Array[float64]:
		return gatherArray(dst, s, rows)
	case *Array[complex64]:
		return gatherArray(dst, s, rows)
	case *Array[complex128]:
		return gatherArray(dst, s, rows)
	}
	return fmt.Errorf("column %q: unsupported column type %T", src.Field().Name, src)
}

// AppendColumns appends every row of src to dst, column by column (both
// with the same fields).
func AppendColumns(dst, src []Column) error {
	if len(dst) != len(src) {
		return fmt.Errorf("appending rows: %d columns to a table of %d", len(src), len(dst))
	}
	for i := range dst {
		if err := gather(dst[i], src[i], nil); err != nil {
			return fmt.Errorf("appending rows to column %q: %w", dst[i].Field().Name, err)
		}
	}
	return nil
}

func mismatch(dst, src Column) error {
	return fmt.Errorf("cannot append a %T column to a %T column", src, dst)
}

// gatherCells calls cell for each listed row (every row of n when rows is
// nil) and null for each negative one.
func gatherCells(n int, rows []int32, cell func(int) error, null func() error) error {
	if rows == nil {
		for r := 0; r < n; r++ {
			if err := cell(r); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range rows {
		var err error
		if r < 0 {
			err = null()
		} else {
			err = cell(int(r))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// nullValue is the value stored in a null cell: NaN for floats.
func nullValue[T Number]() T {
	var z T
	switch p := any(&z).(type) {
	case *float64:
		*p = math.NaN()
	case *float32:
		*p = float32(math.NaN())
	}
	return z
}

func gatherScalar[T Number](dst Column, s *Scalar[T], rows []int32) error {
	d, ok := dst.(*Scalar[T])
	if !ok {
		return mismatch(dst, s)
	}
	if rows == nil {
		s.Chunks(func(first int, vals []T) {
			nulls := s.nulls[first>>chunkShift]
			for j, v := range vals {
				d.Append(v, nulls.get(j))
			}
		})
		return nil
	}
	null := nullValue[T]()
	for _, r := range rows {
		if r < 0 {
			d.Append(null, true)
		} else {
			d.Append(s.At(int(r)), s.IsNull(int(r)))
		}
	}
	return nil
}

func gatherArray[T Number](dst Column, s *Array[T], rows []int32) error {
	d, ok := dst.(*Array[T])
	if !ok {
		return mismatch(dst, s)
	}
	return gatherCells(s.Len(), rows, func(r int) error { return d.Append(s.At(r), s.IsNull(r)) },
		func() error { return d.Append(nil, true) })
}
