package votable

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// nonSpaceRunRef is nonSpaceRun one byte at a time.
func nonSpaceRunRef(src []byte) int {
	i := 0
	for i < len(src) && src[i] > ' ' {
		i++
	}
	return i
}

// TestNonSpaceRun: the word-at-a-time scan stops where the byte loop does,
// on every whitespace and control byte at every offset of a word, on bytes
// >= 0x80, and on random base64 text with line breaks.
func TestNonSpaceRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want int
	}{
		{"empty", "", 0},
		{"short", "abc", 3},
		{"word", "ABCDEFGH", 8},
		{"line", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\nQUJD", 36},
		{"space first", " ABCDEFGH", 0},
		{"tab in second word", "ABCDEFGHIJ\tKLMNOP", 10},
		{"CR LF", "ABCDEFGHIJKLMNOP\r\n", 16},
		{"high byte", "ABCDEFG\xc3\xa9HIJ", 12},
	} {
		if got := nonSpaceRun([]byte(tc.src)); got != tc.want {
			t.Errorf("%s: nonSpaceRun(%q) = %d, want %d", tc.name, tc.src, got, tc.want)
		}
	}
	for pos := 0; pos < 24; pos++ {
		for c := 0; c < 256; c++ {
			src := bytes.Repeat([]byte{'A'}, 24)
			src[pos] = byte(c)
			if got, want := nonSpaceRun(src), nonSpaceRunRef(src); got != want {
				t.Fatalf("byte %#x at %d: %d, want %d", c, pos, got, want)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r \t"
	for range 2000 {
		src := make([]byte, rng.IntN(200))
		for i := range src {
			src[i] = alphabet[rng.IntN(len(alphabet)-4*btoi(rng.IntN(4) != 0))]
		}
		var want []byte
		for _, c := range src {
			if !isSpace(c) {
				want = append(want, c)
			}
		}
		if got := appendNonSpace(nil, src); !bytes.Equal(got, want) {
			t.Fatalf("appendNonSpace(%q) = %q, want %q", src, got, want)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
