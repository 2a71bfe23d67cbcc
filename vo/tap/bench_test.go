package tap

import (
	"context"

	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/dal"
)

// BenchmarkTestbedBig streams the testbed's 1M-row table (bigcat.main)
// through a sync TAP query: decoded batch by batch ("decode"), or copied
// raw to a file while the DALI status is checked ("copy"). It reports the
// time to the first row and the throughput; scripts/bench-vo.sh compares
// them with pyvo on the same query.
func BenchmarkTestbedBig(b *testing.B) {
	in := testbed.RequireBig(b)
	s := New(in.TAP, dal.New(dal.Options{}), nil)
	q := &Query{ADQL: "SELECT * FROM " + in.BigTable, HasMaxRec: true, MaxRec: in.BigRows}
	if m := os.Getenv("VOAGENT_BENCH_QUERY"); m != "" {
		q.ADQL = m
	}
	ctx := context.Background()
	b.Run("decode", func(b *testing.B) {
		var first, total time.Duration
		var rows int64
		for b.Loop() {
			start := time.Now()
			r, err := s.Sync(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.NextTable(); err != nil {
				b.Fatal(err)
			}
			n := int64(0)
			for {
				cols, err := r.NextBatch()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					first += time.Since(start)
				}
				n += int64(cols[0].Len())
			}
			r.Close()
			total += time.Since(start)
			rows = n
		}
		if rows != in.BigRows {
			b.Fatalf("%d rows, want %d", rows, in.BigRows)
		}
		b.ReportMetric(first.Seconds()/float64(b.N), "s-first-row")
		b.ReportMetric(float64(rows)*float64(b.N)/total.Seconds(), "rows/s")
	})
	b.Run("copy", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "big.vot")
		var bytes int64
		var total time.Duration
		for b.Loop() {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			n, tr, err := s.SyncCopy(ctx, q, f)
			total += time.Since(start)
			f.Close()
			if err != nil || tr != nil && !tr.ByCaller {
				b.Fatal(err, tr)
			}
			bytes = n
		}
		b.ReportMetric(float64(bytes)*float64(b.N)/total.Seconds()/1e6, "MB/s")
		b.ReportMetric(float64(in.BigRows)*float64(b.N)/total.Seconds(), "rows/s")
	})
}
