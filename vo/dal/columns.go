package dal

import (
	"fmt"

	"github.com/voagent/voagent/vo/votable"
)

// AppendColumns appends the rows of src to dst, column by column; both must
// come from tables with the same fields (same datatypes and shapes). It is
// how a streamed result is collected, or results of several queries
// concatenated.
func AppendColumns(dst, src []votable.Column) error {
	if len(dst) != len(src) {
		return fmt.Errorf("appending rows: %d columns to a table of %d", len(src), len(dst))
	}
	for i := range dst {
		if err := appendColumn(dst[i], src[i]); err != nil {
			return fmt.Errorf("appending rows to column %q: %w", dst[i].Field().Name, err)
		}
	}
	return nil
}

func appendColumn(dst, src votable.Column) error {
	switch d := dst.(type) {
	case *votable.Strings:
		s, ok := src.(*votable.Strings)
		if !ok {
			return mismatch(dst, src)
		}
		for i := range s.Len() {
			if err := d.Append(s.Bytes(i), s.IsNull(i)); err != nil {
				return err
			}
		}
		return nil
	case *votable.Scalar[bool]:
		return appendScalar(d, src)
	case *votable.Scalar[uint8]:
		return appendScalar(d, src)
	case *votable.Scalar[int16]:
		return appendScalar(d, src)
	case *votable.Scalar[int32]:
		return appendScalar(d, src)
	case *votable.Scalar[int64]:
		return appendScalar(d, src)
	case *votable.Scalar[float32]:
		return appendScalar(d, src)
	case *votable.Scalar[float64]:
		return appendScalar(d, src)
	case *votable.Scalar[complex64]:
		return appendScalar(d, src)
	case *votable.Scalar[complex128]:
		return appendScalar(d, src)
	case *votable.Array[bool]:
		return appendArray(d, src)
	case *votable.Array[uint8]:
		return appendArray(d, src)
	case *votable.Array[int16]:
		return appendArray(d, src)
	case *votable.Array[int32]:
		return appendArray(d, src)
	case *votable.Array[int64]:
		return appendArray(d, src)
	case *votable.Array[float32]:
		return appendArray(d, src)
	case *votable.Array[float64]:
		return appendArray(d, src)
	case *votable.Array[complex64]:
		return appendArray(d, src)
	case *votable.Array[complex128]:
		return appendArray(d, src)
	}
	return mismatch(dst, src)
}

func mismatch(dst, src votable.Column) error {
	return fmt.Errorf("cannot append a %T column to a %T column", src, dst)
}

func appendScalar[T votable.Number](d *votable.Scalar[T], src votable.Column) error {
	s, ok := src.(*votable.Scalar[T])
	if !ok {
		return mismatch(d, src)
	}
	s.Chunks(func(first int, vals []T) {
		for j, v := range vals {
			d.Append(v, s.IsNull(first+j))
		}
	})
	return nil
}

func appendArray[T votable.Number](d *votable.Array[T], src votable.Column) error {
	s, ok := src.(*votable.Array[T])
	if !ok {
		return mismatch(d, src)
	}
	for i := range s.Len() {
		if err := d.Append(s.At(i), s.IsNull(i)); err != nil {
			return err
		}
	}
	return nil
}
