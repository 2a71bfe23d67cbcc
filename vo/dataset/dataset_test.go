package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/votable"
)

func TestFilename(t *testing.T) {
	tests := []struct {
		format string
		cands  []string
		want   string
	}{
		{"image/fits", []string{"VOA field 150.000+2.000 J 2019-11-01"}, "VOA_field_150.000_2.000_J_2019-11-01.fits"},
		{"application/fits", []string{"", "ivo://voagent.test/~?spectra/data/spec01.fits"}, "spec01.fits"},
		{"", []string{"http://h/getproduct/a/b/img.fits?preview=True"}, "img.fits"},
		{"image/png", []string{"http://h/getproduct/a/b/img.fits?preview=True"}, "img.fits.png"},
		{"application/x-votable+xml;content=datalink", []string{"../../etc/passwd"}, "etc_passwd.xml"},
		{"text/csv", []string{"...", "  "}, "dataset.csv"},
		{"", nil, "dataset.dat"},
		{"image/fits", []string{strings.Repeat("x", 300)}, strings.Repeat("x", 100) + ".fits"},
	}
	for _, tt := range tests {
		if got := Filename(tt.format, tt.cands...); got != tt.want {
			t.Errorf("Filename(%q, %q) = %q, want %q", tt.format, tt.cands, got, tt.want)
		}
	}
}

func FuzzFilename(f *testing.F) {
	f.Add("image/fits", "ivo://a/b?c/d.fits")
	f.Add("", "../../x y\x00z")
	f.Fuzz(func(t *testing.T, format, cand string) {
		n := Filename(format, cand)
		if n == "" || strings.ContainsAny(n, "/\\\x00") || strings.HasPrefix(n, ".") || n != filepath.Base(n) {
			t.Fatalf("Filename(%q, %q) = %q", format, cand, n)
		}
	})
}

func TestDownloadFaults(t *testing.T) {
	fs := faultsvc.New(t)
	c := dal.New(dal.Options{Retries: -1, Timeout: 30 * time.Second, IdleTimeout: 10 * time.Second})
	dir := t.TempDir()
	ctx := context.Background()
	d, err := Download(ctx, c, fs.URLOf("/ok?rows=2"), dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(d.Path, ".xml") || d.Bytes == 0 {
		t.Errorf("download %+v", d)
	}
	var calls int
	d2, err := Download(ctx, c, fs.URLOf("/ok?rows=2"), dir, filepath.Base(d.Path), func(done, total int64) { calls++ })
	if err != nil || d2.Path == d.Path || calls == 0 {
		t.Errorf("second download %+v %v (progress calls %d)", d2, err, calls)
	}
	for _, p := range []string{"/truncated?rows=500", "/500", "/hang-body?rows=5"} {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := Download(ctx, c, fs.URLOf(p), dir, "bad.xml", nil)
		cancel()
		if err == nil {
			t.Errorf("%s: no error", p)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("failed downloads left files behind: %v", names)
	}
	if _, err := Download(ctx, c, fs.URLOf("/ok"), filepath.Join(dir, "missing", "dir"), "x", nil); err == nil || errors.Is(err, dal.ErrService) {
		t.Errorf("download into a missing directory: %v", err)
	}
}

func TestRecordLookups(t *testing.T) {
	doc, err := votable.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/ssa/result.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ResultsTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	r := Record{Table: tab, Row: 0}
	if r.Field("utype:ssa:Access.Reference") != r.Field("AcRef") || r.Field("AcRef") < 0 {
		t.Errorf("utype lookup %d, name lookup %d", r.Field("utype:ssa:Access.Reference"), r.Field("AcRef"))
	}
	if r.Field("ucd:meta.ref.url") != r.Field("AcRef") {
		t.Errorf("UCD lookup %d", r.Field("ucd:meta.ref.url"))
	}
	if r.Field("nope", "utype:nope") != -1 || r.String(-1) != "" {
		t.Error("missing fields found")
	}
	if v, ok := r.Float(r.Field("DataLength")); !ok || v <= 0 {
		t.Errorf("DataLength %v %v", v, ok)
	}
}

func TestDownloadToReplaces(t *testing.T) {
	fs := faultsvc.New(t)
	c := dal.New(dal.Options{Retries: -1, Timeout: 30 * time.Second})
	p := filepath.Join(t.TempDir(), "out.xml")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := DownloadTo(context.Background(), c, fs.URLOf("/500"), p, nil); err == nil {
		t.Fatal("no error from HTTP 500")
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("a failed download changed the file: %q", b)
	}
	d, err := DownloadTo(context.Background(), c, fs.URLOf("/ok?rows=1"), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); d.Path != p || !strings.Contains(string(b), "<VOTABLE") {
		t.Errorf("replaced file %s: %.40q", d.Path, b)
	}
}

// Download leaves a file others may read; DownloadPrivate one only its
// owner may, whatever the umask.
func TestDownloadModes(t *testing.T) {
	fs := faultsvc.New(t)
	c := dal.New(dal.Options{Retries: -1, Timeout: 30 * time.Second, IdleTimeout: 10 * time.Second})
	dir := t.TempDir()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		dl   func(context.Context, *dal.Client, string, string, string, Progress) (*Downloaded, error)
		want os.FileMode
	}{
		{"Download", Download, 0o644},
		{"DownloadPrivate", DownloadPrivate, 0o600},
	} {
		d, err := tc.dl(ctx, c, fs.URLOf("/ok?rows=2"), dir, tc.name+".xml", nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if st, err := os.Stat(d.Path); err != nil || st.Mode().Perm() != tc.want {
			t.Errorf("%s: %s has mode %v, want %v (%v)", tc.name, d.Path, st.Mode().Perm(), tc.want, err)
		}
	}
}
