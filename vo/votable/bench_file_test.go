package votable

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkStatsFile streams the file named by $VOAGENT_BENCH_FILE through
// Stats batch by batch, as `voagent votable stats` does; with -cpuprofile
// it gives the profile of that command without the process around it:
//
//	VOAGENT_BENCH_FILE=a_1M.binary2.vot go test ./vo/votable -run '^$' \
//	    -bench '^BenchmarkStatsFile$' -benchtime 10x -cpuprofile cpu.out
func BenchmarkStatsFile(b *testing.B) {
	path := os.Getenv("VOAGENT_BENCH_FILE")
	if path == "" {
		b.Skip("set VOAGENT_BENCH_FILE to a VOTable to read")
	}
	if fi, err := os.Stat(path); err == nil {
		b.SetBytes(fi.Size())
	}
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d := NewDecoder(f)
		for {
			t, err := d.NextTable()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			st := NewStats(t.Fields)
			for {
				cols, err := d.NextBatch()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				st.Add(cols)
			}
			if st.Rows == 0 {
				b.Fatal("no rows")
			}
		}
		d.Close()
		f.Close()
	}
}

// BenchmarkFloorFile measures a floor under reading $VOAGENT_BENCH_FILE:
// its bytes read whole, then on every core either the base64 of its
// STREAM decoded (BINARY, BINARY2: no rows, no columns) or, for TABLEDATA,
// every '<' counted (less than a scan). It prints t=SECONDS, the fastest
// iteration, for scripts/bench-votable.sh's limit line.
func BenchmarkFloorFile(b *testing.B) {
	path := os.Getenv("VOAGENT_BENCH_FILE")
	if path == "" {
		b.Skip("set VOAGENT_BENCH_FILE to a VOTable to read")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, fi.Size())
	dst := make([]byte, fi.Size())
	workers := runtime.GOMAXPROCS(0)
	best := time.Duration(1 << 62)
	for b.Loop() {
		t0 := time.Now()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		// Read as the decoder does, 1 MiB at a time.
		n := 0
		for n < len(buf) {
			m, err := f.Read(buf[n:min(len(buf), n+sourceBufSize)])
			n += m
			if err != nil {
				break
			}
		}
		f.Close()
		data := buf[:n]
		var wg sync.WaitGroup
		if i := bytes.Index(data, []byte("<STREAM")); i >= 0 {
			text := data[i:]
			text = text[bytes.IndexByte(text, '>')+1:]
			text = bytes.TrimSpace(text[:bytes.IndexByte(text, '<')])
			part := len(text) / workers / 4 * 4
			for w := range workers {
				lo, hi := w*part, (w+1)*part
				if w == workers-1 {
					hi = len(text)
				}
				wg.Go(func() {
					if _, err := decodeBase64(dst[lo/4*3:], text[lo:hi]); err != nil {
						b.Error(err)
					}
				})
			}
		} else {
			part := len(data) / workers
			var counts = make([]int, workers)
			for w := range workers {
				lo, hi := w*part, (w+1)*part
				if w == workers-1 {
					hi = len(data)
				}
				wg.Go(func() { counts[w] = bytes.Count(data[lo:hi], []byte("<")) })
			}
		}
		wg.Wait()
		best = min(best, time.Since(t0))
	}
	fmt.Printf("t=%.4f\n", best.Seconds())
}

// BenchmarkConvertFile reads $VOAGENT_BENCH_FILE whole and writes it as
// BINARY2 to a temporary file, as `voagent votable convert --format
// binary2` does.
func BenchmarkConvertFile(b *testing.B) {
	path := os.Getenv("VOAGENT_BENCH_FILE")
	if path == "" {
		b.Skip("set VOAGENT_BENCH_FILE to a VOTable to read")
	}
	out := b.TempDir() + "/out.vot"
	for b.Loop() {
		doc, err := ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(out)
		if err != nil {
			b.Fatal(err)
		}
		if err := Write(f, doc, Binary2); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
