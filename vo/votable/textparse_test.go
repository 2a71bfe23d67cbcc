package votable

import (
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
