package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/voagent/voagent/vo/dal"
)

// extensions maps media types to the file extensions of downloads.
var extensions = map[string]string{
	"application/fits":            ".fits",
	"image/fits":                  ".fits",
	"image/x-fits":                ".fits",
	"application/x-fits":          ".fits",
	"application/x-fits-bintable": ".fits",
	"application/x-votable+xml":   ".xml",
	"text/xml":                    ".xml",
	"application/xml":             ".xml",
	"image/jpeg":                  ".jpg",
	"image/png":                   ".png",
	"image/gif":                   ".gif",
	"text/csv":                    ".csv",
	"text/plain":                  ".txt",
	"text/tab-separated-values":   ".tsv",
	"text/html":                   ".html",
	"application/json":            ".json",
	"application/pdf":             ".pdf",
	"application/x-hdf5":          ".hdf5",
	"application/gzip":            ".gz",
	"application/x-gzip":          ".gz",
	"application/zip":             ".zip",
	"application/x-tar":           ".tar",
}

// Extension returns the file extension (with its dot) for a media type such
// as "image/fits" or "application/x-votable+xml;content=datalink", or "".
func Extension(mediaType string) string {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(mediaType, ";", 2)[0]))
	}
	if ext, ok := extensions[mt]; ok {
		return ext
	}
	if strings.HasSuffix(mt, "+xml") {
		return ".xml"
	}
	return ""
}

// Sanitize turns text into a safe file name part: letters, digits, '.', '-'
// and '_' kept, runs of anything else become one '_', at most 100 bytes, no
// leading dot.
func Sanitize(s string) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_')
		if ok {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	out := strings.Trim(b.String(), "_.")
	if len(out) > 100 {
		out = strings.TrimRight(out[:100], "_.")
	}
	return out
}

// Filename suggests the name of a downloaded dataset from its metadata: the
// first non-empty of the candidate names (a title, a publisher DID, an
// identifier, the access URL), sanitized, with the extension of the
// format's media type (or the name's own extension when the format is
// unknown). It returns "dataset" plus extension when no candidate helps.
func Filename(format string, candidates ...string) string {
	ext := Extension(format)
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		base := c
		if u, err := url.Parse(c); err == nil && u.Scheme != "" {
			// ivo://auth/path?local/id or http://host/path/file.fits
			switch {
			case u.Scheme == "ivo" && u.RawQuery != "":
				base = u.RawQuery
			case u.Path != "" && u.Path != "/":
				base = u.Path
			case u.RawQuery != "":
				base = u.RawQuery
			default:
				base = u.Host
			}
			if unq, err := url.QueryUnescape(base); err == nil {
				base = unq
			}
			base = path.Base(strings.TrimRight(base, "/"))
		}
		name := Sanitize(base)
		if name == "" {
			continue
		}
		if ext == "" {
			return name
		}
		if strings.EqualFold(filepath.Ext(name), ext) {
			return name
		}
		// Drop a wrong extension such as .fits.fz -> keep; .dat -> .fits
		return name + ext
	}
	if ext == "" {
		ext = ".dat"
	}
	return "dataset" + ext
}

// Progress is told how many bytes have been written and the expected total
// (-1 when unknown). It is called from the downloading goroutine, at most a
// few times per second and once at the end.
type Progress func(written, total int64)

// Downloaded describes a finished download.
type Downloaded struct {
	Path        string
	Bytes       int64
	ContentType string
}

// ErrNoContent is the error of a download the service answered with HTTP
// 204 No Content (a SODA cutout of a region without data): nothing is
// written.
var ErrNoContent = errors.New("the service answered HTTP 204 No Content: there is no data")

// Download fetches rawURL with c into dir under name (which is made unique
// by adding "-1", "-2" ... before the extension when the file exists) and
// returns where it went. The data is written to a temporary file first and
// renamed at the end, so a failed download leaves nothing behind. When name
// is "", it comes from the URL and the response's Content-Type; a name
// without extension gets the one of the Content-Type.
func Download(ctx context.Context, c *dal.Client, rawURL, dir, name string, progress Progress) (*Downloaded, error) {
	return downloadIn(ctx, c, rawURL, dir, name, 0o644, progress)
}

// DownloadPrivate is Download writing a file only its owner may read
// (mode 0600, from the first byte): for the files an agent hands to other
// tools of the same user through file URLs.
func DownloadPrivate(ctx context.Context, c *dal.Client, rawURL, dir, name string, progress Progress) (*Downloaded, error) {
	return downloadIn(ctx, c, rawURL, dir, name, 0o600, progress)
}

func downloadIn(ctx context.Context, c *dal.Client, rawURL, dir, name string, perm os.FileMode, progress Progress) (*Downloaded, error) {
	if dir == "" {
		dir = "."
	}
	return download(ctx, c, rawURL, dir, perm, progress, func(ctype, finalURL, disposition string) (string, error) {
		if name == "" {
			name = nameFromDisposition(disposition)
		}
		if name == "" {
			name = Filename(ctype, finalURL, rawURL)
		} else if filepath.Ext(name) == "" {
			name += Extension(ctype)
		}
		return claim(dir, filepath.Base(name), perm)
	})
}

// DownloadTo fetches rawURL into the file path, replacing it (only once
// the download is complete).
func DownloadTo(ctx context.Context, c *dal.Client, rawURL, path string, progress Progress) (*Downloaded, error) {
	return download(ctx, c, rawURL, filepath.Dir(path), 0o644, progress, func(string, string, string) (string, error) { return path, nil })
}

// download writes the response to a temporary file in dir and renames it
// to the path target chooses.
func download(ctx context.Context, c *dal.Client, rawURL, dir string, perm os.FileMode, progress Progress,
	target func(ctype, finalURL, disposition string) (string, error)) (*Downloaded, error) {
	resp, err := c.Do(ctx, &dal.Request{Op: "dataset download", URL: rawURL})
	if err != nil {
		return nil, err
	}
	defer resp.Close()
	fail := func(err error) (*Downloaded, error) { return nil, fmt.Errorf("downloading %s: %w", rawURL, err) }
	if resp.StatusCode == http.StatusNoContent {
		return fail(ErrNoContent)
	}
	tmp, err := os.CreateTemp(dir, ".voagent-download-*")
	if err != nil {
		return fail(err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	total := int64(-1)
	if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil {
		total = n
	}
	n, err := copyWithProgress(tmp, resp.Body, total, progress)
	if err != nil {
		return fail(err)
	}
	if total >= 0 && n != total {
		return fail(fmt.Errorf("got %d bytes of %d announced", n, total))
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	ctype := resp.Header.Get("Content-Type")
	final, err := target(ctype, resp.URL, resp.Header.Get("Content-Disposition"))
	if err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fail(err)
	}
	ok = true
	return &Downloaded{Path: final, Bytes: n, ContentType: ctype}, nil
}

// claim reserves a free file name in dir based on name by creating it empty.
func claim(dir, name string, perm os.FileMode) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i < 10000; i++ {
		p := filepath.Join(dir, name)
		if i > 0 {
			p = filepath.Join(dir, fmt.Sprintf("%s-%d%s", stem, i, ext))
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
		if err == nil {
			f.Close()
			return p, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("no free file name for %s in %s", name, dir)
}

func nameFromDisposition(h string) string {
	if h == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	return Sanitize(filepath.Base(params["filename"]))
}

func copyWithProgress(w io.Writer, r io.Reader, total int64, progress Progress) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	last := time.Now()
	for {
		m, err := r.Read(buf)
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
			if progress != nil && time.Since(last) > 200*time.Millisecond {
				progress(n, total)
				last = time.Now()
			}
		}
		if err == io.EOF {
			if progress != nil {
				progress(n, total)
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
