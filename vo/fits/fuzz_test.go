package fits

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// FuzzRead reads arbitrary bytes as a FITS file: no input may panic, hang
// or allocate beyond the bounds; every cell of a table read decodes or
// gives an error. Seeded with valid files of every column kind.
func FuzzRead(f *testing.F) {
	cols := []string{"TTYPE1 = 'ok'", "TFORM1 = 'L'", "TFORM2 = 'J'", "TNULL2 = -1", "TFORM3 = '4A'",
		"TFORM4 = 'I'", "TSCAL4 = 0.5", "TZERO4 = 10.0", "TFORM5 = '1PD(3)'", "TFORM6 = '3X'",
		"TFORM7 = 'K'", "TZERO7 = 9223372036854775808"}
	rows := be("T", int32(7), "ab\x00x", int16(4), int32(0), int32(0), uint8(0xa0), int64(5),
		"\x00", int32(-1), "abcd", int16(0), int32(3), int32(0), uint8(0x40), int64(-1))
	f.Add(file(28, 2, 24, cols, append(rows, be(1.5, -2.0, 3.25)...)))
	f.Add(file(36, 1, 48, []string{"TFORM1 = 'QJ'", "TFORM2 = 'PA'", "TFORM3 = 'C'", "TFORM4 = 'B'", "TZERO4 = -128"},
		be(int64(2), int64(0), int32(3), int32(8), float32(1), float32(2), uint8(3), int32(5), int32(-5), "abc", make([]byte, 37))))
	f.Add(file(12, 1, 0, []string{"TFORM1 = '6I'", "TDIM1 = '(2,3)'"}, be(make([]byte, 12))))
	f.Add(file(32, 1, 0, []string{"TFORM1 = 'M'", "TFORM2 = 'D'", "TFORM3 = 'E'", "TFORM4 = 'I'", "TZERO4 = 32768", "TFORM5 = 'J'", "TZERO5 = 2147483648"},
		make([]byte, 34)))
	f.Add(header("SIMPLE = T", "BITPIX = 16", "NAXIS = 2", "NAXIS1 = 2", "NAXIS2 = 2"))
	f.Fuzz(func(t *testing.T, data []byte) {
		timer := time.AfterFunc(5*time.Second, func() { panic("FuzzRead: an input took more than 5 s") })
		defer timer.Stop()
		tab, err := Read(context.Background(), bytes.NewReader(data), Options{Size: int64(len(data)), MaxBytes: 1 << 24})
		if err != nil {
			return
		}
		if int64(tab.Rows)*int64(tab.RowLen) > int64(len(data)) {
			t.Fatalf("%d rows of %d bytes from %d bytes", tab.Rows, tab.RowLen, len(data))
		}
		for r := 0; r < tab.Rows && r < 1000; r++ {
			for _, c := range tab.Columns {
				_, _ = tab.Value(r, c)
			}
		}
	})
}
