package votable

import (
	"io"
	"os"
	"testing"
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
