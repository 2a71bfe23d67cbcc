package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/scs"
	"github.com/voagent/voagent/vo/sia"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/tap"
	"github.com/voagent/voagent/vo/votable"
	"github.com/voagent/voagent/vo/xmatch"
)

// Position is a sky position in ICRS degrees.
type Position struct{ RA, Dec float64 }

// String writes the position as "RA,Dec" in degrees.
func (p Position) String() string { return fmt.Sprintf("%.5f,%+.5f", p.RA, p.Dec) }

// Found is one service's answer to a vicinity search.
type Found struct {
	// Catalog is the catalogue's or image service's configured name.
	Catalog string
	// Table is a catalogue's result, kept in the agent's table store (so
	// that a row highlighted in it later is found) and written to a file
	// (Table.URL); nil for an image service.
	Table *Table
	// Images are the FITS images an image service found; the first is the
	// one containing the position whose centre is nearest to it (by the
	// record's footprint: ObsCore s_region, else its centre and size).
	// Empty when no image contains the position (then Note says so).
	Images []dataset.Access
	// ImageURL is the file URL of the first of Images, downloaded to the
	// result directory (Aladin reads file URLs, while it takes an http URL
	// for a HiPS and fails on a plain FITS file).
	ImageURL string
	// Note is what the service's answer lacked, for the user (an image
	// service whose images do not contain the position).
	Note string
	// Truncation is set when the catalogue returned only part of the rows
	// in the cone (vicinity.maxrec or a limit of the service).
	Truncation *dal.Truncation
	// Err is why the service gave no answer (then only Catalog is set);
	// Elapsed is how long the service took.
	Err     error
	Elapsed time.Duration
}

// VicinityOptions adjust one vicinity search.
type VicinityOptions struct {
	// RadiusArcsec replaces every configured radius when positive.
	RadiusArcsec float64
}

// FindVicinity searches every configured catalogue and image service
// around pos, at most search.concurrency at once and each within
// search.timeout, and passes each service's outcome to found as soon as it
// arrives (from one goroutine at a time): an answer, or a Found whose Err
// says why there is none. Once ctx is done nothing more is passed on. One
// service failing never loses the others' answers; the summary names the
// failures.
func (a *Agent) FindVicinity(ctx context.Context, pos Position, opt VicinityOptions, found func(context.Context, Found)) (fanout.Summary, error) {
	if err := adql.CheckPosition(pos.RA, pos.Dec); err != nil {
		return fanout.Summary{}, fmt.Errorf("vicinity search: %w", err)
	}
	cfg := a.Config()
	var tasks []fanout.Task[Found]
	for _, cat := range cfg.Catalogs {
		tasks = append(tasks, fanout.Task[Found]{Name: cat.Name, Run: func(ctx context.Context) (Found, error) {
			return a.searchCatalog(ctx, cfg, cat, pos, opt)
		}})
	}
	for _, svc := range cfg.Images {
		tasks = append(tasks, fanout.Task[Found]{Name: svc.Name, Run: func(ctx context.Context) (Found, error) {
			return a.searchImages(ctx, cfg, svc, pos, opt)
		}})
	}
	opts := fanout.Options{Concurrency: cfg.Search.Concurrency, Deadline: cfg.Search.Timeout.Duration, Logger: a.log}
	sum := fanout.Run(ctx, opts, tasks, func(r fanout.Result[Found]) {
		if ctx.Err() != nil {
			return
		}
		f := r.Value
		f.Catalog, f.Err, f.Elapsed = r.Name, r.Err, r.Elapsed
		found(ctx, f)
	})
	return sum, context.Cause(ctx)
}

// radiusDeg is the cone radius of svc in degrees.
func radiusDeg(cfg config.Config, svc config.Catalog, opt VicinityOptions) float64 {
	switch {
	case opt.RadiusArcsec > 0:
		return opt.RadiusArcsec / 3600
	case svc.RadiusArcsec > 0:
		return svc.RadiusArcsec / 3600
	}
	return cfg.Search.RadiusArcsec / 3600
}

// searchImages asks an image service for the images covering the cone
// around pos, keeps the FITS ones and downloads the one that contains pos
// with its centre nearest to pos (none when no image contains pos).
func (a *Agent) searchImages(ctx context.Context, cfg config.Config, svc config.Catalog, pos Position, opt VicinityOptions) (Found, error) {
	r := radiusDeg(cfg, svc, opt)
	var res *dataset.Result
	var access func(dataset.Record) dataset.Access
	var err error
	switch svc.Kind {
	case "sia":
		res, err = sia.New(svc.URL, a.dal).Search(ctx, sia.Query{RA: pos.RA, Dec: pos.Dec, Size: []float64{2 * r}, MaxRec: cfg.Vicinity.MaxRec})
		access = sia.Access
	case "sia2":
		res, err = sia.New2(svc.URL, a.dal).Search(ctx, sia.Query2{Circles: []svcparam.Circle{{RA: pos.RA, Dec: pos.Dec, Radius: r}},
			MaxRec: cfg.Vicinity.MaxRec})
		access = sia.ObsCoreAccess
	default:
		err = fmt.Errorf("unknown image service kind %q", svc.Kind)
	}
	if err != nil {
		return Found{}, fmt.Errorf("%s (%s %s): %w", svc.Name, svc.Kind, svc.URL, err)
	}
	f := Found{Catalog: svc.Name, Truncation: res.Truncation}
	// The image sent is the one containing pos whose centre is nearest;
	// the others are listed but not downloaded.
	best, bestSep, rejected := -1, 0.0, 0
	for _, rec := range res.Records() {
		acc := access(rec)
		if acc.URL == "" || acc.IsDataLink() || !strings.Contains(strings.ToLower(acc.Format), "fits") {
			continue
		}
		fp, ferr := sia.RecordFootprint(rec)
		if ferr != nil || !fp.Contains(pos.RA, pos.Dec) {
			rejected++
			a.log.Debug("image does not contain the position", "images", svc.Name, "image", acc.Name, "pos", pos.String(), "err", ferr)
			f.Images = append(f.Images, acc)
			continue
		}
		sep := xmatch.Separation(fp.RA, fp.Dec, pos.RA, pos.Dec)
		f.Images = append(f.Images, acc)
		if best < 0 || sep < bestSep {
			best, bestSep = len(f.Images)-1, sep
		}
	}
	if best < 0 {
		if len(f.Images) > 0 {
			f.Note = fmt.Sprintf("none of the %d FITS images found contains %s: none sent", rejected, pos)
		}
		f.Images = nil
		return f, nil
	}
	f.Images[0], f.Images[best] = f.Images[best], f.Images[0]
	dir, err := a.results.path()
	if err != nil {
		return Found{}, err
	}
	img := f.Images[0]
	ext := filepath.Ext(img.Name)
	if ext == "" {
		ext = dataset.Extension(img.Format)
	}
	name := a.results.name(svc.Name+"-"+strings.TrimSuffix(img.Name, ext), ext)
	d, err := dataset.DownloadPrivate(ctx, a.dal, img.URL, dir, name, nil)
	if err != nil {
		return Found{}, fmt.Errorf("%s: downloading %s: %w", svc.Name, img.URL, err)
	}
	f.ImageURL = profile.FileURL(d.Path)
	return f, nil
}

// searchCatalog runs the cone around pos in one catalogue, writes the
// service's VOTable to a result file and stores the table.
func (a *Agent) searchCatalog(ctx context.Context, cfg config.Config, cat config.Catalog, pos Position, opt VicinityOptions) (Found, error) {
	radius := radiusDeg(cfg, cat, opt)
	if cat.URL == "" && cat.IVOID != "" {
		u, err := a.resolveCone(ctx, cfg, cat)
		if err != nil {
			return Found{}, err
		}
		cat.URL = u
	}
	// The file is created by the first bytes of the answer: a catalogue
	// that never answers, or a search superseded before it did, leaves
	// nothing on disk.
	f := &lazyFile{r: &a.results, label: cat.Name, max: int64(cfg.Search.MaxAnswerMB) << 20}
	tr, err := a.copyCone(ctx, cat, pos, radius, cfg.Vicinity.MaxRec, f.max, f)
	path, cerr := f.close()
	if err == nil {
		err = cerr
	}
	if err == nil && path == "" {
		err = errors.New("the service answered nothing")
	}
	if errors.Is(err, dal.ErrTooLarge) {
		err = fmt.Errorf("%w (search.max_answer_mb = %d)", err, cfg.Search.MaxAnswerMB)
	}
	if err != nil {
		if path != "" {
			os.Remove(path) // a failed or superseded search leaves no file
		}
		return Found{}, fmt.Errorf("%s (%s %s): %w", cat.Name, cat.Kind, cat.URL, err)
	}
	doc, err := votable.ReadFile(path)
	if err != nil {
		os.Remove(path)
		return Found{}, fmt.Errorf("%s: reading the result: %w", cat.Name, err)
	}
	tables := doc.Tables()
	if len(tables) == 0 {
		os.Remove(path)
		return Found{}, fmt.Errorf("%s: the result has no table", cat.Name)
	}
	t := &Table{
		ID:       a.newID(safeName(cat.Name)),
		URL:      profile.FileURL(path),
		Name:     fmt.Sprintf("%s within %g\" of %s", cat.Name, radius*3600, pos),
		Sender:   cfg.SAMP.Name,
		Ours:     true,
		Data:     tables[0],
		Document: doc,
		Received: time.Now(),
	}
	if info, err := os.Stat(path); err == nil {
		t.Bytes = info.Size()
	}
	a.hold(t)
	return Found{Catalog: cat.Name, Table: t, Truncation: tr}, nil
}

// lazyFile is a result file created at the first Write, holding at most
// max bytes (when max > 0).
type lazyFile struct {
	r     *results
	label string
	max   int64
	n     int64
	f     *os.File
}

// errAnswerTooLarge is the failure of an answer past search.max_answer_mb.
var errAnswerTooLarge = errors.New("the answer is larger than search.max_answer_mb")

func (l *lazyFile) Write(p []byte) (int, error) {
	if l.max > 0 && l.n+int64(len(p)) > l.max {
		return 0, fmt.Errorf("%w (%d MB)", errAnswerTooLarge, l.max>>20)
	}
	l.n += int64(len(p))
	if l.f == nil {
		if len(p) == 0 {
			return 0, nil
		}
		f, err := l.r.create(l.label)
		if err != nil {
			return 0, err
		}
		l.f = f
	}
	return l.f.Write(p)
}

// close closes the file if one was created, and returns its path ("" when
// nothing was written).
func (l *lazyFile) close() (string, error) {
	if l.f == nil {
		return "", nil
	}
	return l.f.Name(), l.f.Close()
}

// copyCone sends the cone query to the catalogue and writes the first table
// of its answer to w, reading no more than maxrec rows: a catalogue that
// ignores MAXREC and would answer without end is cut there, and the result
// marked truncated. A cone search answer is read up to maxBytes.
func (a *Agent) copyCone(ctx context.Context, cat config.Catalog, pos Position, radius float64, maxrec int, maxBytes int64, w io.Writer) (*dal.Truncation, error) {
	var res *dal.Result
	switch cat.Kind {
	case "scs":
		p, err := scs.Query{RA: pos.RA, Dec: pos.Dec, SR: radius, MaxRec: maxrec}.Params()
		if err != nil {
			return nil, err
		}
		req := dataset.NewRequest("cone search", cat.URL, p)
		req.MaxBytes = maxBytes
		if res, err = a.dal.Stream(ctx, req); err != nil {
			return nil, err
		}
	case "tap":
		q, err := coneADQL(cat, pos, radius, maxrec)
		if err != nil {
			return nil, err
		}
		if res, err = tap.New(cat.URL, a.dal, a.log).Sync(ctx, &tap.Query{ADQL: q, HasMaxRec: true, MaxRec: int64(maxrec)}); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown catalogue kind %q", cat.Kind)
	}
	defer res.Close()
	res.StopAfter(int64(maxrec))
	if err := votable.CopyTable(ctx, res, 1, w, votable.FormatBinary2); err != nil {
		return nil, err
	}
	return res.Truncation(), nil
}

// coneADQL is SELECT TOP maxrec * FROM table WHERE the row is in the cone.
func coneADQL(cat config.Catalog, pos Position, radius float64, maxrec int) (string, error) {
	raName, decName := cat.RA, cat.Dec
	if raName == "" {
		raName = "ra"
	}
	if decName == "" {
		decName = "dec"
	}
	table, err := adql.TableName(cat.Table)
	if err != nil {
		return "", err
	}
	ra, err1 := adql.Col(raName)
	dec, err2 := adql.Col(decName)
	if err := errors.Join(err1, err2); err != nil {
		return "", err
	}
	cone, err := adql.Cone(ra, dec, pos.RA, pos.Dec, radius)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("SELECT TOP %d * FROM %s WHERE %s", maxrec, table, cone), nil
}
