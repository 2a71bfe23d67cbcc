package votable

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// benchRows is the size of the in-memory catalogue of the benchmarks: large
// enough for steady throughput, small enough for a loaded CI machine.
// scripts/bench-votable.sh measures the 1M-row files against astropy and
// STILTS.
const benchRows = 200_000

// benchCatalogue builds the benchmark catalogue of scripts/gen_catalogs.py:
// id (long), ra, dec (double, deg), three magnitudes (float), deterministic.
func benchCatalogue(tb testing.TB, n int) *Table {
	tb.Helper()
	fields := []*Field{
		{Name: "id", Datatype: Long, UCD: "meta.id;meta.main"},
		{Name: "ra", Datatype: Double, Unit: "deg", UCD: "pos.eq.ra;meta.main"},
		{Name: "dec", Datatype: Double, Unit: "deg", UCD: "pos.eq.dec;meta.main"},
		{Name: "jmag", Datatype: Float, Unit: "mag", UCD: "phot.mag;em.IR.J"},
		{Name: "hmag", Datatype: Float, Unit: "mag", UCD: "phot.mag;em.IR.H"},
		{Name: "kmag", Datatype: Float, Unit: "mag", UCD: "phot.mag;em.IR.K"},
	}
	cols := make([]Column, len(fields))
	for i, f := range fields {
		c, err := NewColumn(f)
		if err != nil {
			tb.Fatal(err)
		}
		cols[i] = c
	}
	rng := rand.New(rand.NewPCG(20240601, 1))
	round := func(v, scale float64) float64 { return math.Round(v*scale) / scale }
	for i := 0; i < n; i++ {
		cols[0].(*Scalar[int64]).Append(int64(i+1), false)
		cols[1].(*Scalar[float64]).Append(round(rng.Float64()*360, 1e10), false)
		cols[2].(*Scalar[float64]).Append(round(math.Asin(2*rng.Float64()-1)*180/math.Pi, 1e10), false)
		j := 12 + 8*rng.Float64()
		for k, m := range []float64{j, j - 0.45 + 0.15*rng.NormFloat64(), j - 0.65 + 0.2*rng.NormFloat64()} {
			cols[3+k].(*Scalar[float32]).Append(float32(round(m, 1e4)), false)
		}
	}
	return &Table{Name: "cat_a", Fields: fields, Columns: cols, NRows: -1}
}

var benchData struct {
	once  sync.Once
	table *Table
	enc   map[Serialization][]byte
}

// benchInputs returns the catalogue and its encodings, built once.
func benchInputs(tb testing.TB) (*Table, map[Serialization][]byte) {
	tb.Helper()
	benchData.once.Do(func() {
		benchData.table = benchCatalogue(tb, benchRows)
		benchData.enc = map[Serialization][]byte{}
		for _, ser := range []Serialization{TableData, Binary, Binary2} {
			var buf bytes.Buffer
			if err := WriteTable(&buf, benchData.table, ser); err != nil {
				tb.Fatal(err)
			}
			benchData.enc[ser] = buf.Bytes()
		}
	})
	return benchData.table, benchData.enc
}

// benchLoop runs op once per iteration over the encoding of the catalogue
// in ser, reporting bytes/s (of that encoding) and rows/s.
func benchLoop(b *testing.B, ser Serialization, op func(t *Table, data []byte)) {
	t, enc := benchInputs(b)
	data := enc[ser]
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		op(t, data)
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

func benchRead(b *testing.B, ser Serialization) {
	benchLoop(b, ser, func(_ *Table, data []byte) {
		doc, err := Read(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if got := doc.Tables()[0].Rows(); got != benchRows {
			b.Fatalf("%d rows, want %d", got, benchRows)
		}
	})
}

func BenchmarkReadBinary2(b *testing.B)   { benchRead(b, Binary2) }
func BenchmarkReadBinary(b *testing.B)    { benchRead(b, Binary) }
func BenchmarkReadTableData(b *testing.B) { benchRead(b, TableData) }

// benchStream reads the rows batch by batch, as `voagent votable stats`
// does, summing one column so the values are used.
func benchStream(b *testing.B, ser Serialization) {
	benchLoop(b, ser, func(_ *Table, data []byte) {
		d := NewDecoder(bytes.NewReader(data))
		defer d.Close()
		if _, err := d.NextTable(); err != nil {
			b.Fatal(err)
		}
		rows, sum := 0, 0.0
		for {
			cols, err := d.NextBatch()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			c := cols[1].(*Scalar[float64])
			c.Chunks(func(_ int, vals []float64) {
				for _, v := range vals {
					sum += v
				}
			})
			rows += c.Len()
		}
		if rows != benchRows || sum == 0 {
			b.Fatalf("%d rows, want %d", rows, benchRows)
		}
	})
}

func BenchmarkStreamBinary2(b *testing.B)   { benchStream(b, Binary2) }
func BenchmarkStreamTableData(b *testing.B) { benchStream(b, TableData) }

func benchWrite(b *testing.B, ser Serialization) {
	benchLoop(b, ser, func(t *Table, _ []byte) {
		if err := WriteTable(io.Discard, t, ser); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkWriteBinary2(b *testing.B)   { benchWrite(b, Binary2) }
func BenchmarkWriteBinary(b *testing.B)    { benchWrite(b, Binary) }
func BenchmarkWriteTableData(b *testing.B) { benchWrite(b, TableData) }

// BenchmarkReadFile reads the file named by $VOAGENT_BENCH_FILE into
// columns (ReadFile) and reports the peak Go heap and the raw size of the
// column data; scripts/bench-votable.sh runs it alone under /usr/bin/time
// for the process's peak RSS:
//
//	VOAGENT_BENCH_FILE=a_1M.binary2.vot votable.test -test.run='^$' \
//	    -test.bench='^BenchmarkReadFile$' -test.benchtime=1x
func BenchmarkReadFile(b *testing.B) {
	path := os.Getenv("VOAGENT_BENCH_FILE")
	if path == "" {
		b.Skip("set VOAGENT_BENCH_FILE to a VOTable to read")
	}
	peak := startHeapSampler()
	var raw int64
	for b.Loop() {
		doc, err := ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		raw = 0
		for _, t := range doc.Tables() {
			for _, f := range t.Fields {
				raw += int64(f.Datatype.Size()*f.Shape.Count()) * int64(t.Rows())
			}
		}
	}
	b.ReportMetric(float64(raw)/1e6, "rawMB")
	b.ReportMetric(float64(peak())/1e6, "peakHeapMB")
}

// startHeapSampler samples the live heap every millisecond until the
// returned func is called; that func returns the highest value seen.
func startHeapSampler() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak {
				peak = v
			}
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
