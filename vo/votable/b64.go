package votable

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"runtime"

	asmb64 "github.com/segmentio/asm/base64"
)

// A BINARY/BINARY2 stream is base64 text, decoded here in chunks on every
// core: one goroutine (the producer) copies the text out of the source
// without its white space, in chunks of b64ChunkChars characters (a
// multiple of 4, so each chunk decodes on its own); worker goroutines
// decode the chunks; the row parser takes the decoded chunks in order.
// At most b64InFlight chunks exist at once, which bounds the memory.
const (
	b64ChunkChars = 4 << 15 // 128 KiB of text, 96 KiB decoded
	b64InFlight   = 4
)

// binJob is one chunk of the stream: its base64 text and, once done has
// been signalled, its decoded bytes (or the error that ends the stream).
type binJob struct {
	enc  []byte
	b    []byte
	err  error         // io.EOF at the end of the stream
	done chan struct{} // one token when b and err are set
}

// decodeBase64 decodes src (base64 text without white space) into dst,
// which holds at least base64.StdEncoding.DecodedLen(len(src)) bytes, and
// returns the bytes written. The bulk goes through segmentio/asm's
// vectorised decoder (AVX2 on amd64, NEON on arm64, encoding/base64
// elsewhere); text it refuses goes through encoding/base64 again, which
// then reports the error exactly as it would for the whole text.
func decodeBase64(dst, src []byte) (int, error) {
	var n int
	var err error
	if len(src)%4 != 0 {
		n, err = asmb64.RawStdEncoding.Decode(dst, trimPad(src))
	} else {
		n, err = asmb64.StdEncoding.Decode(dst, src)
	}
	if err != nil {
		return decodeBase64Std(dst, src)
	}
	return n, nil
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
				n, err := decodeBase64(j.b[len(j.b):cap(j.b)], j.enc)
				j.b = j.b[:len(j.b)+n]
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
	const fastBytes = b64ChunkChars / 4 * 3 // decoded bytes of a chunk
	ended := false
	for !ended {
		var j *binJob
		select {
		case j = <-free:
		default:
			j = &binJob{enc: make([]byte, 0, b64ChunkChars), b: make([]byte, 0, 2*fastBytes+8), done: make(chan struct{}, 1)}
		}
		j.enc, j.b, j.err = j.enc[:0], j.b[:0], nil
		// Text without line breaks is decoded here, straight from the
		// source's buffer (fast): whole quanta, so any text it decodes
		// without an error is decoded right. From the first text it
		// refuses (other white space, padding, an error) or that has line
		// breaks (which encoding/base64 skips, but slowly), the rest of
		// the chunk, up to b64ChunkChars characters, is copied without its
		// white space for a worker to decode (slow).
		slow := false
		for !ended && (slow && len(j.enc) < b64ChunkChars || !slow && len(j.b) < fastBytes) {
			w := src.window()
			chunk, end := w, false
			if k := bytes.IndexByte(chunk, '<'); k >= 0 {
				chunk, end = chunk[:k], true
			}
			if len(chunk) == 0 && !end || !slow && len(chunk) < 4 && !end {
				// Nothing, or a quantum split by the buffer's end: read on.
				if !src.more() {
					finish(fmt.Errorf("document ends inside STREAM: %w", src.readErr()))
					return
				}
				continue
			}
			room := b64ChunkChars - len(j.enc)
			if !slow {
				room = (fastBytes - len(j.b)) / 3 * 4
			}
			if len(chunk) > room {
				chunk, end = chunk[:room], false
			}
			if !slow {
				q := len(chunk) &^ 3
				if q > 0 && bytes.IndexByte(chunk[:q], '\n') < 0 {
					n, err := asmb64.StdEncoding.Decode(j.b[len(j.b):cap(j.b)], chunk[:q])
					if err == nil {
						j.b = j.b[:len(j.b)+n]
						src.advance(q)
						ended = end && q == len(chunk)
						continue
					}
				}
				slow = true
				if len(chunk) > b64ChunkChars {
					chunk, end = chunk[:b64ChunkChars], false
				}
			}
			j.enc = appendNonSpace(j.enc, chunk)
			src.advance(len(chunk))
			ended = end
		}
		if len(j.enc) == 0 && len(j.b) == 0 {
			break
		}
		if !send(j, len(j.enc) > 0) {
			return
		}
	}
	finish(io.EOF)
}
