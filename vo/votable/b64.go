package votable

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// A BINARY/BINARY2 stream is base64 text, decoded here in chunks on every
// core: one goroutine (the producer) copies the text out of the source
// without its white space, in chunks of b64ChunkChars characters (a
// multiple of 4, so each chunk decodes on its own); worker goroutines
// decode the chunks; the row parser takes the decoded chunks in order.
// At most b64InFlight chunks exist at once, which bounds the memory.
const (
	b64ChunkChars = 4 << 16 // 256 KiB of text, 192 KiB decoded
	b64InFlight   = 8
)

// binJob is one chunk of the stream: its base64 text and, once done has
// been signalled, its decoded bytes (or the error that ends the stream).
type binJob struct {
	enc  []byte
	b    []byte
	err  error         // io.EOF at the end of the stream
	done chan struct{} // one token when b and err are set
}

// b64Pairs maps two base64 characters (the first in the low byte) to their
// 12 bits; 0xffff marks a pair with a character outside the alphabet.
var b64Pairs = sync.OnceValue(func() *[1 << 16]uint16 {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var one [256]uint16
	for i := range one {
		one[i] = 0xffff
	}
	for i := 0; i < len(alphabet); i++ {
		one[alphabet[i]] = uint16(i)
	}
	t := new([1 << 16]uint16)
	for i := range t {
		a, b := one[i&0xff], one[i>>8]
		if a == 0xffff || b == 0xffff {
			t[i] = 0xffff
		} else {
			t[i] = a<<6 | b
		}
	}
	return t
})

// decodeBase64 decodes src (base64 text without white space) into dst,
// which holds at least base64.StdEncoding.DecodedLen(len(src)) bytes, and
// returns the bytes written. The bulk goes eight characters at a time
// through a table of character pairs; the last quantum (padding, or a
// length that is not a multiple of 4) and any text with a character
// outside the alphabet go through encoding/base64, which then reports the
// error exactly as it would for the whole text.
func decodeBase64(dst, src []byte) (int, error) {
	lut := b64Pairs()
	si, di := 0, 0
	var bad uint16
	// Keep the last 8 characters (a padded quantum) for the exact decoder;
	// dst needs 2 bytes of slack for the 8-byte stores.
	for len(src)-si >= 24 && len(dst)-di >= 20 {
		x := binary.LittleEndian.Uint64(src[si:])
		y := binary.LittleEndian.Uint64(src[si+8:])
		a, b, c, d := lut[uint16(x)], lut[uint16(x>>16)], lut[uint16(x>>32)], lut[x>>48]
		e, f, g, h := lut[uint16(y)], lut[uint16(y>>16)], lut[uint16(y>>32)], lut[y>>48]
		bad |= a | b | c | d | e | f | g | h
		binary.BigEndian.PutUint64(dst[di:], (uint64(a)<<36|uint64(b)<<24|uint64(c)<<12|uint64(d))<<16)
		binary.BigEndian.PutUint64(dst[di+6:], (uint64(e)<<36|uint64(f)<<24|uint64(g)<<12|uint64(h))<<16)
		si += 16
		di += 12
	}
	if bad&0xf000 != 0 {
		return decodeBase64Std(dst, src)
	}
	m, err := decodeBase64Std(dst[di:], src[si:])
	if err != nil {
		if ce, ok := err.(base64.CorruptInputError); ok {
			err = ce + base64.CorruptInputError(si)
		}
	}
	return di + m, err
}

// decodeBase64Std decodes with encoding/base64, tolerating missing padding.
func decodeBase64Std(dst, src []byte) (int, error) {
	if len(src)%4 != 0 {
		return base64.RawStdEncoding.Decode(dst, trimPad(src))
	}
	return base64.StdEncoding.Decode(dst, src)
}

// decodeStreamParallel runs the producer of a plain (not gzipped) base64
// STREAM: it hands chunks of text to the workers and, in the same order,
// to the row parser through order; the last job carries io.EOF or the error
// that ends the stream. It leaves the source at the '<' after the text.
func decodeStreamParallel(src *source, order chan<- *binJob, free chan *binJob, stop chan struct{}) {
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *binJob, b64InFlight)
	defer close(jobs)
	for range workers {
		go func() {
			for j := range jobs {
				n, err := decodeBase64(j.b[:cap(j.b)], j.enc)
				j.b = j.b[:n]
				if err != nil {
					j.err = fmt.Errorf("invalid base64 in STREAM: %w", err)
				}
				j.done <- struct{}{}
			}
		}()
	}
	send := func(j *binJob, decode bool) bool {
		select {
		case order <- j:
		case <-stop:
			return false
		}
		if !decode {
			j.done <- struct{}{}
			return true
		}
		select {
		case jobs <- j:
			return true
		case <-stop:
			return false
		}
	}
	finish := func(err error) {
		j := &binJob{err: err, done: make(chan struct{}, 1)}
		send(j, false)
	}
	ended := false
	for !ended {
		var j *binJob
		select {
		case j = <-free:
		default:
			j = &binJob{enc: make([]byte, 0, b64ChunkChars), b: make([]byte, 0, b64ChunkChars/4*3+8), done: make(chan struct{}, 1)}
		}
		j.enc, j.b, j.err = j.enc[:0], j.b[:0], nil
		for len(j.enc) < b64ChunkChars && !ended {
			w := src.window()
			if len(w) == 0 {
				if !src.more() {
					finish(fmt.Errorf("document ends inside STREAM: %w", src.readErr()))
					return
				}
				continue
			}
			chunk := w
			if room := b64ChunkChars - len(j.enc); len(chunk) > room {
				chunk = chunk[:room]
			}
			if k := bytes.IndexByte(chunk, '<'); k >= 0 {
				chunk = chunk[:k]
				ended = true
			}
			j.enc = appendNonSpace(j.enc, chunk)
			src.advance(len(chunk))
		}
		// Each chunk but the last is b64ChunkChars characters: the source
		// bytes copied never exceed the room left.
		if len(j.enc) == 0 {
			break
		}
		if !send(j, true) {
			return
		}
	}
	finish(io.EOF)
}
