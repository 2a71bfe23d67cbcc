// Package testbed gives tests the voagent test data centre: a GAVO DaCHS
// server on 127.0.0.1:8080 that testbed/setup.sh installs and fills with the
// deterministic data of package synth. Require checks that it answers and
// returns where each service lives and what it publishes, so tests can
// compute their expectations from synth instead of hard-coding results.
//
// Services (all on BaseURL):
//
//	TAP 1.1 (sync, async, uploads)   /tap
//	SCS 1.03                          /{twomass,allwise,sdss}/q/cone/scs.xml
//	SSA 1.1                           /spectra/q/ssa/ssap.xml
//	SIA 1.0 (images only)             /images/q/siap/siap.xml
//	SIA 2.0 (over ivoa.obscore)       /__system__/siap2/sitewide/siap2.xml
//	Datalink 1.0 + SODA 1.0           /spectra/q/sdl/{dlmeta,dlget}, /images/q/dl/{dlmeta,dlget}
//	ObsCore datalink (redirects)      /__system__/obscore/dl/dlmeta
//	RegTAP 1.1 subset (rr.*)          through the same TAP service
//	OAI-PMH publishing registry       /oai.xml
package testbed

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/testbed/synth"
)

// Fixed by testbed/setup.sh (/etc/gavo.rc).
const (
	// BaseURL is the DaCHS server's root.
	BaseURL = "http://127.0.0.1:8080"
	// Authority is the IVOA authority of every published identifier.
	Authority = "voagent.test"
	// Peer names the testbed in skip and failure messages.
	Peer = "dachs testbed"
)

// Catalog is one of the photometric catalogues, published through TAP and
// SCS.
type Catalog struct {
	// Name is the short name: twomass, allwise or sdss.
	Name string
	// Table is the TAP table name (schema.table).
	Table string
	// IDColumn has UCD meta.id;meta.main (SCS turns it into ID_MAIN).
	IDColumn string
	// SCS is the cone search URL (append ?RA=..&DEC=..&SR=..).
	SCS string
	// SCSIVOID is the cone search service's registry identifier.
	SCSIVOID string
	// Rows is the number of rows in the table.
	Rows int
	// Data is the generated catalogue itself (read-only).
	Data *synth.Catalog
}

// Mirror is a real service's identifier standing for a testbed catalogue.
type Mirror struct {
	// IVOID is the real service's identifier (ivo://CDS.VizieR/II/246).
	IVOID string
	// Catalog is the short name of the testbed catalogue standing in.
	Catalog string
}

// Product is one dataset (spectrum or image) in ivoa.obscore.
type Product struct {
	// PubDID is obs_publisher_did, also the datalink ID.
	PubDID string
	// AccessURL delivers the FITS file itself.
	AccessURL string
	// Datalink is the collection's datalink (dlmeta) URL for this dataset.
	Datalink string
	// RA and Dec are the target (spectra) or the image centre on the sky.
	RA, Dec float64
	// File is the FITS file name.
	File string
}

// Info describes the running testbed.
type Info struct {
	BaseURL string
	// TAP is the TAP service (sync: TAP+"/sync", async: TAP+"/async").
	TAP string
	// TAPIVOID is the TAP service's registry identifier.
	TAPIVOID string
	// RegTAP is the TAP service that has the rr schema (the same service).
	RegTAP string
	// OAIPMH is DaCHS' publishing registry endpoint.
	OAIPMH string
	// Catalogs are twomass, allwise and sdss, in that order.
	Catalogs []Catalog

	// SSA is the SSA 1.1 query URL of the spectra.
	SSA      string
	SSAIVOID string
	// SIA1 is the SIAP 1.0 query URL of the images collection.
	SIA1      string
	SIA1IVOID string
	// SIA2 is DaCHS' site-wide SIAP 2.0 query URL (images in ivoa.obscore).
	SIA2      string
	SIA2IVOID string

	// ObsCoreTable is the ObsCore table; it holds len(Spectra)+len(Images) rows.
	ObsCoreTable string
	// ObsCoreDatalink is the datalink service ObsCore rows point to; it
	// redirects (302) to the collection's own datalink service.
	ObsCoreDatalink string
	// SpectraDatalink and ImagesDatalink are the dlmeta endpoints; SODA
	// (dlget) endpoints are SpectraSODA (BAND, FLUXCALIB, FORMAT on SDM
	// VOTables) and ImagesSODA (POS, CIRCLE, POLYGON, PIXEL_n cutouts).
	SpectraDatalink, SpectraSODA string
	ImagesDatalink, ImagesSODA   string
	// SpectraTable is the SSA table also queryable by TAP.
	SpectraTable string
	// ImagesTable is the SIAP table also queryable by TAP.
	ImagesTable string
	Spectra     []Product
	Images      []Product

	// EPNTable is the EPN-TAP 2.0 table; Granules are its rows.
	EPNTable string
	Granules []synth.Granule

	// BigTable is the big narrow catalogue for streaming benchmarks; it has
	// BigRows rows (see RequireBig, it is optional) whose values
	// synth.BigRow gives.
	BigTable string
	BigRows  int64

	// Mirrors are the identifiers of real VO cone searches (those of
	// voagent's default configuration) that the testbed's RegTAP also
	// resolves, as alternate identifiers (rr.alt_identifier) of its own
	// catalogues' cone searches; see testbed/rd/rr/res/rrharvest.py.
	Mirrors []Mirror

	// Anchors are true sources at exact positions with their ids in each
	// catalogue; spectra and images are centred on them.
	Anchors []synth.Anchor
}

var (
	infoOnce sync.Once
	info     *Info
)

// Describe returns the description of the testbed without checking that it
// runs.
func Describe() *Info {
	infoOnce.Do(func() { info = describe() })
	return info
}

func describe() *Info {
	in := &Info{
		BaseURL:         BaseURL,
		TAP:             BaseURL + "/tap",
		TAPIVOID:        "ivo://" + Authority + "/tap",
		RegTAP:          BaseURL + "/tap",
		OAIPMH:          BaseURL + "/oai.xml",
		SSA:             BaseURL + "/spectra/q/ssa/ssap.xml",
		SSAIVOID:        "ivo://" + Authority + "/spectra/q/ssa",
		SIA1:            BaseURL + "/images/q/siap/siap.xml",
		SIA1IVOID:       "ivo://" + Authority + "/images/q/siap",
		SIA2:            BaseURL + "/__system__/siap2/sitewide/siap2.xml",
		SIA2IVOID:       "ivo://" + Authority + "/__system__/siap2/sitewide",
		ObsCoreTable:    "ivoa.obscore",
		ObsCoreDatalink: BaseURL + "/__system__/obscore/dl/dlmeta",
		SpectraDatalink: BaseURL + "/spectra/q/sdl/dlmeta",
		SpectraSODA:     BaseURL + "/spectra/q/sdl/dlget",
		ImagesDatalink:  BaseURL + "/images/q/dl/dlmeta",
		ImagesSODA:      BaseURL + "/images/q/dl/dlget",
		SpectraTable:    "spectra.data",
		ImagesTable:     "images.main",
		EPNTable:        "planets.epn_core",
		Granules:        synth.Granules(),
		BigTable:        "bigcat.main",
		BigRows:         synth.BigRows,
		// Gaia has no testbed counterpart: SDSS, the optical one, stands in.
		Mirrors: []Mirror{{IVOID: "ivo://CDS.VizieR/II/246", Catalog: "twomass"},
			{IVOID: "ivo://CDS.VizieR/II/328", Catalog: "allwise"}, {IVOID: "ivo://CDS.VizieR/I/355", Catalog: "sdss"}},
	}
	cats := synth.Catalogs()
	in.Anchors = synth.AnchorsIn(cats)
	for _, c := range cats {
		in.Catalogs = append(in.Catalogs, Catalog{Name: c.Name, Table: c.Table, IDColumn: c.IDColumn,
			SCS: BaseURL + "/" + c.Name + "/q/cone/scs.xml", SCSIVOID: "ivo://" + Authority + "/" + c.Name + "/q/cone",
			Rows: c.Len(), Data: c})
	}
	for _, s := range synth.Spectra() {
		in.Spectra = append(in.Spectra, product("spectra", s.File, in.SpectraDatalink, s.RA, s.Dec))
	}
	for _, im := range synth.Images() {
		in.Images = append(in.Images, product("images", im.File, in.ImagesDatalink, im.RA, im.Dec))
	}
	return in
}

func product(resdir, file, datalink string, ra, dec float64) Product {
	accref := resdir + "/data/" + file
	did := "ivo://" + Authority + "/~?" + accref
	return Product{PubDID: did, AccessURL: BaseURL + "/getproduct/" + accref,
		Datalink: datalink + "?ID=" + url.QueryEscape(did), RA: ra, Dec: dec, File: file}
}

// Catalog returns the catalogue with the given short name, or nil.
func (in *Info) Catalog(name string) *Catalog {
	for i := range in.Catalogs {
		if in.Catalogs[i].Name == name {
			return &in.Catalogs[i]
		}
	}
	return nil
}

// Client returns an HTTP client for the testbed: no proxy (loopback only)
// and the given overall timeout.
func Client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: nil}}
}

// Check reports whether the testbed's TAP service is available, with an
// error saying why not.
func Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, BaseURL+"/tap/availability", nil)
	if err != nil {
		return fmt.Errorf("building availability request: %w", err)
	}
	resp, err := Client(5 * time.Second).Do(req)
	if err != nil {
		return fmt.Errorf("no DaCHS on %s (run testbed/setup.sh as root): %w", BaseURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("reading %s/tap/availability: %w", BaseURL, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "available>true<") {
		return fmt.Errorf("%s/tap/availability answered %s: %.200s", BaseURL, resp.Status, body)
	}
	return nil
}

// Require returns the testbed's description when it answers on 127.0.0.1,
// and otherwise skips the test (fails it under VOAGENT_REQUIRE_PEERS=1).
func Require(t testing.TB) *Info {
	t.Helper()
	if err := Check(context.Background()); err != nil {
		peertest.Missing(t, Peer, err.Error())
	}
	return Describe()
}

// RequireBig is Require for tests of the big streaming table, which
// setup.sh leaves out with TESTBED_BIG_ROWS=0: it also checks that the table
// is published with all its rows.
func RequireBig(t testing.TB) *Info {
	t.Helper()
	in := Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := in.Count(ctx, in.BigTable)
	if err != nil {
		peertest.Missing(t, Peer+" "+in.BigTable, err.Error())
	}
	if n != in.BigRows {
		peertest.Missing(t, Peer+" "+in.BigTable, fmt.Sprintf("%d rows instead of %d (TESTBED_BIG_ROWS?)", n, in.BigRows))
	}
	return in
}

// Count returns the number of rows of a table, counted by the TAP service
// (a plain sync query in CSV, independent of voagent's own clients).
func (in *Info) Count(ctx context.Context, table string) (int64, error) {
	rows, err := in.QueryCSV(ctx, "SELECT COUNT(*) AS n FROM "+table)
	if err != nil {
		return 0, err
	}
	if len(rows) != 2 || len(rows[1]) != 1 {
		return 0, fmt.Errorf("counting %s: unexpected answer %q", table, rows)
	}
	var n int64
	if _, err := fmt.Sscan(rows[1][0], &n); err != nil {
		return 0, fmt.Errorf("counting %s: %w", table, err)
	}
	return n, nil
}
