// Package datalink is a client of DataLink 1.1 {links} services and of the
// SODA 1.0 processing services they describe: links documents (fetched
// with batched IDs), links chosen by semantics (#this, #preview,
// #progenitor ... with the narrower terms of the core vocabulary), service
// descriptors (fixed, referenced and user input parameters), SODA cutouts
// (CIRCLE, POLYGON, POS, BAND, TIME, POL), and following an access URL
// whose format is "application/x-votable+xml;content=datalink" to the
// dataset itself.
package datalink

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/votable"
)

// Standard identifiers of the services involved.
const (
	// LinksStandardID prefixes the standardID of a {links} endpoint
	// ("...#links-1.0", "...#links-1.1").
	LinksStandardID = "ivo://ivoa.net/std/DataLink#links"
	// SODASync and SODAAsync are the SODA 1.0 standardIDs.
	SODASync  = "ivo://ivoa.net/std/SODA#sync-1.0"
	SODAAsync = "ivo://ivoa.net/std/SODA#async-1.0"
	// ContentDataLink is the media type of a links document.
	ContentDataLink = "application/x-votable+xml;content=datalink"
)

// Link is one row of a links document. Exactly one of AccessURL,
// ServiceDef and ErrorMessage is set in a valid row.
type Link struct {
	ID           string
	AccessURL    string
	ServiceDef   string
	ErrorMessage string
	Description  string
	// Semantics is a core term ("#this") or a full URI.
	Semantics   string
	ContentType string
	// ContentLength is in bytes, -1 when unknown.
	ContentLength    int64
	ContentQualifier string
	LocalSemantics   string
	LinkAuth         string
	LinkAuthorized   string
}

// Kind says which of the three alternatives a link is: "access",
// "service", "error" or "invalid" (none or several set).
func (l Link) Kind() string {
	n, kind := 0, "invalid"
	if l.AccessURL != "" {
		n, kind = n+1, "access"
	}
	if l.ServiceDef != "" {
		n, kind = n+1, "service"
	}
	if l.ErrorMessage != "" {
		n, kind = n+1, "error"
	}
	if n != 1 {
		return "invalid"
	}
	return kind
}

// Links is a parsed links document.
type Links struct {
	Doc   *votable.Document
	Table *votable.Table
	Rows  []Link
	// Services are the document's service descriptors, in order.
	Services []*ServiceDescriptor
}

// the mandatory columns of a links table (DataLink §3.2)
var required = []string{"ID", "access_url", "service_def", "error_message", "semantics"}

// Parse reads a links document already decoded (rows in memory).
func Parse(doc *votable.Document) (*Links, error) {
	t, err := dataset.ResultsTable(doc)
	if err != nil {
		return nil, fmt.Errorf("links document: %w", err)
	}
	for _, name := range required {
		if t.FieldByName(name) < 0 {
			return nil, fmt.Errorf("links document: no %s column", name)
		}
	}
	col := func(name string) int { return t.FieldByName(name) }
	id, acc, sdef, emsg, desc, sem := col("ID"), col("access_url"), col("service_def"), col("error_message"), col("description"), col("semantics")
	ctype, clen, cqual, lsem, lauth, lauthz := col("content_type"), col("content_length"), col("content_qualifier"), col("local_semantics"), col("link_auth"), col("link_authorized")
	l := &Links{Doc: doc, Table: t, Services: Descriptors(doc)}
	for _, r := range dataset.Records(t) {
		link := Link{
			ID: r.String(id), AccessURL: strings.TrimSpace(r.String(acc)), ServiceDef: r.String(sdef),
			ErrorMessage: r.String(emsg), Description: r.String(desc), Semantics: strings.TrimSpace(r.String(sem)),
			ContentType: r.String(ctype), ContentLength: -1, ContentQualifier: r.String(cqual),
			LocalSemantics: r.String(lsem), LinkAuth: r.String(lauth), LinkAuthorized: r.String(lauthz),
		}
		if v, ok := r.Float(clen); ok && v >= 0 {
			link.ContentLength = int64(v)
		} else if s := r.String(clen); s != "" {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
				link.ContentLength = n
			}
		}
		l.Rows = append(l.Rows, link)
	}
	return l, nil
}

// Service returns the service descriptor with the given ID, or nil.
func (l *Links) Service(id string) *ServiceDescriptor {
	for _, s := range l.Services {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// ForID returns the links of one dataset identifier.
func (l *Links) ForID(id string) []Link {
	var out []Link
	for _, r := range l.Rows {
		if r.ID == id {
			out = append(out, r)
		}
	}
	return out
}

// IDs returns the distinct dataset identifiers, in order.
func (l *Links) IDs() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range l.Rows {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r.ID)
		}
	}
	return out
}

// BySemantics returns the links whose semantics is term or, with
// narrower, a narrower term of the core vocabulary (#preview also finds
// #preview-image and #thumbnail). term may be written "#this", "this" or
// as the full vocabulary URI.
func (l *Links) BySemantics(term string, narrower bool) []Link {
	want := map[string]bool{}
	for _, t := range Terms(term, narrower) {
		want[t] = true
	}
	var out []Link
	for _, r := range l.Rows {
		if want[normTerm(r.Semantics)] {
			out = append(out, r)
		}
	}
	return out
}

// Errors returns the rows that report an error.
func (l *Links) Errors() []Link {
	var out []Link
	for _, r := range l.Rows {
		if r.Kind() == "error" || r.Kind() == "invalid" {
			out = append(out, r)
		}
	}
	return out
}

// CoreVocabulary is the namespace of the DataLink core terms.
const CoreVocabulary = "http://www.ivoa.net/rdf/datalink/core"

// narrowerTerms is the hierarchy of the core vocabulary that matters when
// picking links (a term's narrower terms, transitively listed).
var narrowerTerms = map[string][]string{
	"#calibration": {"#bias", "#dark", "#flat"},
	"#preview":     {"#preview-image", "#preview-plot", "#thumbnail"},
	"#proc":        {"#cutout"},
	"#auxiliary":   {"#weight", "#error", "#noise"},
}

// normTerm writes a core term as "#term"; other URIs stay as they are.
func normTerm(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, CoreVocabulary+"#") {
		return s[len(CoreVocabulary):]
	}
	if s != "" && !strings.HasPrefix(s, "#") && !strings.Contains(s, ":") {
		return "#" + s
	}
	return s
}

// Terms returns term (normalized) and, with narrower, its narrower terms.
func Terms(term string, narrower bool) []string {
	t := normTerm(term)
	out := []string{t}
	if narrower {
		out = append(out, narrowerTerms[t]...)
	}
	return out
}
