package votable

import (
	"math/bits"
	"strconv"
	"testing"
)

func TestEightDigits(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"00000000", 0, true},
		{"12345678", 12345678, true},
		{"99999999", 99999999, true},
		{"90000001", 90000001, true},
		{"1234567.", 0, false},
		{"/2345678", 0, false}, // '/' is '0'-1
		{"1234567:", 0, false}, // ':' is '9'+1
		{"12e45678", 0, false},
		{"1234 678", 0, false},
		{"\x3f1234567", 0, false},
	}
	for _, tt := range tests {
		got, ok := eightDigits([]byte(tt.in))
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("eightDigits(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// Every position of every digit.
	for pos := range 8 {
		for d := byte('0'); d <= '9'; d++ {
			b := []byte("31415926")
			b[pos] = d
			want, _ := strconv.ParseUint(string(b), 10, 64)
			if got, ok := eightDigits(b); !ok || got != want {
				t.Errorf("eightDigits(%q) = %d, %v; want %d", b, got, ok, want)
			}
		}
	}
}

func TestZeroBytes(t *testing.T) {
	// The lowest zero byte is found wherever it is, whatever is above.
	for pos := range 8 {
		for _, above := range []byte{0, 1, 0x80, 0xff} {
			var b [8]byte
			for k := range b {
				b[k] = 0x41
				if k > pos {
					b[k] = above
				}
			}
			b[pos] = 0
			v := uint64(0)
			for k := 7; k >= 0; k-- {
				v = v<<8 | uint64(b[k])
			}
			m := zeroBytes(v)
			if got := bits.TrailingZeros64(m) >> 3; m == 0 || got != pos {
				t.Errorf("zeroBytes(%#x): lowest zero byte %d, want %d", v, got, pos)
			}
		}
	}
	if m := zeroBytes(0x0102030405060708); m != 0 {
		t.Errorf("zeroBytes of no zero byte = %#x, want 0", m)
	}
}
