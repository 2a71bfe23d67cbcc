// Package sesamefake is a local stand-in for CDS Sesame for tests: it
// answers GET <url>?<name> in Sesame's XML output format (the shape of the
// answers recorded in vo/nameres/testdata, from Sesame's documentation),
// knowing a few objects, and counts the requests it was asked.
package sesamefake

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
)

// Object is what the fake knows of a name.
type Object struct {
	RA, Dec float64
	OName   string // main name ("M  31")
	OType   string // object type ("AGN")
}

// Known are the objects a Server knows by default, keyed by their names
// in lower case with single spaces (their SIMBAD positions).
var Known = map[string]Object{
	"m31":     {RA: 10.68470833, Dec: 41.26875, OName: "M  31", OType: "AGN"},
	"ngc 253": {RA: 11.88799971, Dec: -25.28821944, OName: "NGC   253", OType: "SBG"},
	"ic434":   {RA: 85.25, Dec: -2.5, OName: "IC 434", OType: "HII"},
	"cosmos":  {RA: 150.11916667, Dec: 2.20583333, OName: "NAME COSMOS Field", OType: "Cl*"},
}

// Server is a running fake; its URL is the resolver URL to configure.
type Server struct {
	*httptest.Server
	// Objects are the names known (Known when made by Start).
	Objects map[string]Object
	hits    atomic.Int64
}

// Start runs a fake Sesame on loopback knowing Known; Close stops it.
func Start() *Server {
	s := &Server{Objects: Known}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// ResolverURL is the URL to give a resolver (its path mimics Sesame's).
func (s *Server) ResolverURL() string { return s.Server.URL + "/cgi-bin/nph-sesame/-oxp/SNV" }

// Hits is the number of requests answered.
func (s *Server) Hits() int64 { return s.hits.Load() }

func esc(v string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(v))
	return b.String()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	name, err := url.QueryUnescape(strings.ReplaceAll(r.URL.RawQuery, "+", "%2B"))
	if err != nil || strings.TrimSpace(name) == "" {
		http.Error(w, "bad query", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="http://cdsweb.u-strasbg.fr/xml/sesame.xsl"?>
<Sesame xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://vizier.u-strasbg.fr/xml/sesame_4x.xsd">
<Target option="SNV">
  <name>%s</name>
`, esc(name))
	o, ok := s.Objects[strings.ToLower(strings.Join(strings.Fields(name), " "))]
	if !ok {
		fmt.Fprint(w, `  <Resolver name="S=Simbad"><INFO>*** nothing found ***</INFO></Resolver>
  <Resolver name="N=NED"><INFO>*** nothing found ***</INFO></Resolver>
  <Resolver name="V=VizieR"><INFO>*** nothing found ***</INFO></Resolver>
</Target>
</Sesame>
`)
		return
	}
	fmt.Fprintf(w, `  <!-- Q1 #1 -->
  <Resolver name="Sca=Simbad (CDS, via client/server)">
    <INFO>from cache</INFO>
    <otype>%s</otype>
    <jradeg>%.8f</jradeg>
    <jdedeg>%+.8f</jdedeg>
    <oname>%s</oname>
  </Resolver>
</Target>
</Sesame>
`, esc(o.OType), o.RA, o.Dec, esc(o.OName))
}
