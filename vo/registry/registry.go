// Package registry finds VO services in a Registry through RegTAP (the
// relational registry, queried with ADQL on a TAP service): by service
// type (tap, scs, sia, sia2, ssa, slap), data model (obscore, epntap),
// keywords and waveband, and the tables of the resources. Results carry the
// ivoid, title, short name, wavebands and the access URL of each matching
// capability.
package registry

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/voagent/voagent/internal/lazyre"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/tap"
)

// DefaultURL is the registry TAP endpoint used when none is configured: the
// environment variable IVOA_REGISTRY (as pyvo reads it), else GAVO's
// RegTAP service.
func DefaultURL() string {
	if u := os.Getenv("IVOA_REGISTRY"); u != "" {
		return u
	}
	return "http://reg.g-vo.org/tap"
}

// QueryFunc runs an ADQL query on the TAP service at tapURL and returns
// its result (maxrec <= 0: the service default).
type QueryFunc func(ctx context.Context, tapURL, adql string, maxrec int) (*dataset.Result, error)

// TAPSync returns a QueryFunc running synchronous TAP queries with vo/tap
// over c.
func TAPSync(c *dal.Client) QueryFunc {
	return func(ctx context.Context, tapURL, adql string, maxrec int) (*dataset.Result, error) {
		q := &tap.Query{ADQL: adql}
		if maxrec > 0 {
			q.HasMaxRec, q.MaxRec = true, int64(maxrec)
		}
		doc, tr, err := tap.New(tapURL, c, nil).SyncFetch(ctx, q)
		if err != nil {
			return nil, err
		}
		t, err := dataset.ResultsTable(doc)
		if err != nil {
			return nil, &dal.Error{Op: "TAP sync query", URL: tapURL, Err: fmt.Errorf("%w: %w", dal.ErrInvalid, err)}
		}
		return &dataset.Result{Doc: doc, Table: t, Truncation: tr}, nil
	}
}

// Client queries one RegTAP service.
type Client struct {
	// URL is the registry's TAP endpoint.
	URL   string
	Query QueryFunc
	// MaxRec bounds the rows of a registry query (0: service default).
	MaxRec int
}

// New returns a registry client on the TAP service at tapURL.
func New(tapURL string, q QueryFunc) *Client { return &Client{URL: tapURL, Query: q} }

// standard IDs of the service types (lower case, as RegTAP stores them),
// and of their auxiliary capabilities.
var serviceTypes = map[string][2]string{
	"tap":        {"ivo://ivoa.net/std/tap", "ivo://ivoa.net/std/tap#aux"},
	"scs":        {"ivo://ivoa.net/std/conesearch", "ivo://ivoa.net/std/conesearch#aux"},
	"sia":        {"ivo://ivoa.net/std/sia", "ivo://ivoa.net/std/sia#aux"},
	"sia2":       {"ivo://ivoa.net/std/sia#query-2.0", "ivo://ivoa.net/std/sia#query-aux-2.0"},
	"ssa":        {"ivo://ivoa.net/std/ssa", "ivo://ivoa.net/std/ssa#aux"},
	"slap":       {"ivo://ivoa.net/std/slap", "ivo://ivoa.net/std/slap#aux"},
	"datalink":   {"ivo://ivoa.net/std/datalink#links-1.0", "ivo://ivoa.net/std/datalink#links-1.1"},
	"conesearch": {"ivo://ivoa.net/std/conesearch", "ivo://ivoa.net/std/conesearch#aux"},
	"image":      {"ivo://ivoa.net/std/sia", "ivo://ivoa.net/std/sia#aux"},
	"spectrum":   {"ivo://ivoa.net/std/ssa", "ivo://ivoa.net/std/ssa#aux"},
	"table":      {"ivo://ivoa.net/std/tap", "ivo://ivoa.net/std/tap#aux"},
}

// ServiceTypes lists the service type names Constraints accepts.
func ServiceTypes() []string {
	var out []string
	for k := range serviceTypes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ServiceType returns the short service type of a standard ID ("tap",
// "scs", "sia", "sia2", "ssa", "slap", "datalink") or "".
func ServiceType(standardID string) string {
	s := strings.ToLower(standardID)
	for _, name := range []string{"tap", "scs", "sia2", "sia", "ssa", "slap", "datalink"} {
		ids := serviceTypes[name]
		if s == ids[0] || s == ids[1] {
			return name
		}
	}
	return ""
}

// The wavebands of the VODataService vocabulary.
var wavebands = []string{"radio", "millimeter", "infrared", "optical", "uv", "euv", "x-ray", "gamma-ray", "neutrino", "gravitational-waves", "em-mm", "em-ir", "em-opt", "em-uv", "em-euv", "em-x", "em-gamma", "em-radio"}

// Constraints select resources; every set field must match (AND), values
// within one field are alternatives (OR) except Keywords, all of which
// must match.
type Constraints struct {
	// ServiceTypes: tap, scs, sia, sia2, ssa, slap, datalink (see
	// ServiceTypes for aliases).
	ServiceTypes []string
	// IncludeAux also matches auxiliary capabilities (a table served by a
	// TAP service it belongs to, DaCHS' "tap#aux").
	IncludeAux bool
	// DataModels: obscore, epntap, or another IVOA data model name
	// (matched against the capabilities' dataModel ivo-ids).
	DataModels []string
	// Keywords are matched against subjects, titles and descriptions.
	Keywords []string
	// Wavebands: radio, millimeter, infrared, optical, uv, euv, x-ray,
	// gamma-ray ...
	Wavebands []string
	// IVOIDs restricts to given resources.
	IVOIDs []string
}

// lit writes an ADQL string literal.
func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ADQL returns the RegTAP query for c: one row per matching interface.
func (c Constraints) ADQL() (string, error) {
	if len(c.ServiceTypes) == 0 && len(c.DataModels) == 0 && len(c.Keywords) == 0 && len(c.Wavebands) == 0 && len(c.IVOIDs) == 0 {
		return "", fmt.Errorf("registry search: no constraint given")
	}
	where := []string{"rr.interface.intf_role = 'std'"}
	var ids []string
	types := c.ServiceTypes
	if len(types) == 0 {
		types = []string{"tap", "scs", "sia", "sia2", "ssa", "slap"}
	}
	for _, st := range types {
		p, ok := serviceTypes[strings.ToLower(strings.TrimSpace(st))]
		if !ok {
			return "", fmt.Errorf("registry search: unknown service type %q (known: %s)", st, strings.Join(ServiceTypes(), ", "))
		}
		ids = append(ids, lit(p[0]))
		if c.IncludeAux {
			ids = append(ids, lit(p[1]))
		}
	}
	where = append(where, "rr.capability.standard_id IN ("+strings.Join(dedupe(ids), ", ")+")")
	for _, dm := range c.DataModels {
		cond, err := dataModel(dm)
		if err != nil {
			return "", err
		}
		where = append(where, cond)
	}
	for _, kw := range c.Keywords {
		kw = strings.TrimSpace(kw)
		if kw == "" {
			continue
		}
		where = append(where, fmt.Sprintf("(rr.resource.ivoid IN (SELECT s.ivoid FROM rr.res_subject AS s WHERE 1 = ivo_nocasematch(s.res_subject, %s))"+
			" OR 1 = ivo_hasword(rr.resource.res_title, %s) OR 1 = ivo_hasword(rr.resource.res_description, %s))",
			lit("%"+kw+"%"), lit(kw), lit(kw)))
	}
	if len(c.Wavebands) > 0 {
		var ors []string
		for _, wb := range c.Wavebands {
			wb = strings.ToLower(strings.TrimSpace(wb))
			if !contains(wavebands, wb) {
				return "", fmt.Errorf("registry search: unknown waveband %q (known: %s)", wb, strings.Join(wavebands[:8], ", "))
			}
			ors = append(ors, "1 = ivo_hashlist_has(rr.resource.waveband, "+lit(wb)+")")
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if len(c.IVOIDs) > 0 {
		var ls []string
		for _, id := range c.IVOIDs {
			ls = append(ls, lit(strings.ToLower(id)))
		}
		where = append(where, "rr.resource.ivoid IN ("+strings.Join(ls, ", ")+")")
	}
	return "SELECT rr.resource.ivoid, rr.resource.res_title, rr.resource.short_name, rr.resource.waveband," +
		" rr.capability.standard_id, rr.interface.access_url, rr.interface.intf_type\n" +
		"FROM rr.resource NATURAL JOIN rr.capability NATURAL JOIN rr.interface\n" +
		"WHERE " + strings.Join(where, "\n  AND ") + "\nORDER BY rr.resource.ivoid", nil
}

var dmName = lazyre.New(`^[A-Za-z][A-Za-z0-9._-]*$`)

func dataModel(dm string) (string, error) {
	dm = strings.ToLower(strings.TrimSpace(dm))
	switch dm {
	case "epntap", "epn-tap", "epncore":
		return "rr.resource.ivoid IN (SELECT t.ivoid FROM rr.res_table AS t WHERE t.table_utype LIKE 'ivo://vopdc.obspm/std/epncore#schema-2.%'" +
			" OR t.table_utype LIKE 'ivo://ivoa.net/std/epntap#table-2.%')", nil
	}
	if !dmName().MatchString(dm) {
		return "", fmt.Errorf("registry search: bad data model name %q", dm)
	}
	return "rr.resource.ivoid IN (SELECT d.ivoid FROM rr.res_detail AS d WHERE d.detail_xpath = '/capability/dataModel/@ivo-id'" +
		" AND 1 = ivo_nocasematch(d.detail_value, " + lit("ivo://ivoa.net/std/"+dm+"%") + "))", nil
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Resource is a registry record with its matching capabilities.
type Resource struct {
	IVOID     string
	Title     string
	ShortName string
	Wavebands []string
	// Capabilities are the matching interfaces, in registry order.
	Capabilities []Capability
}

// Capability is one standard interface of a resource.
type Capability struct {
	StandardID    string
	AccessURL     string
	InterfaceType string
}

// ServiceType is the capability's short service type ("tap", "sia2" ...).
func (c Capability) ServiceType() string { return ServiceType(c.StandardID) }

// AccessURL returns the access URL of the resource's first capability of
// the given service type ("" when none).
func (r Resource) AccessURL(serviceType string) string {
	for _, c := range r.Capabilities {
		if c.ServiceType() == strings.ToLower(serviceType) {
			return c.AccessURL
		}
	}
	return ""
}

// Name is the short name, else the title, else the ivoid.
func (r Resource) Name() string {
	switch {
	case r.ShortName != "":
		return r.ShortName
	case r.Title != "":
		return r.Title
	}
	return r.IVOID
}

// Search runs c against the registry and returns one Resource per ivoid,
// in ivoid order.
func (cl *Client) Search(ctx context.Context, c Constraints) ([]Resource, error) {
	q, err := c.ADQL()
	if err != nil {
		return nil, err
	}
	res, err := cl.Query(ctx, cl.URL, q, cl.MaxRec)
	if err != nil {
		return nil, fmt.Errorf("registry search at %s: %w", cl.URL, err)
	}
	return Group(res)
}

// Group turns the rows of a Search query into resources.
func Group(res *dataset.Result) ([]Resource, error) {
	t := res.Table
	col := func(name string) (int, error) {
		i := t.FieldByName(name)
		if i < 0 {
			return -1, fmt.Errorf("registry result has no %s column", name)
		}
		return i, nil
	}
	var idx [7]int
	for i, name := range []string{"ivoid", "res_title", "short_name", "waveband", "standard_id", "access_url", "intf_type"} {
		var err error
		if idx[i], err = col(name); err != nil {
			return nil, err
		}
	}
	var out []Resource
	pos := map[string]int{}
	for _, r := range res.Records() {
		id := r.String(idx[0])
		i, ok := pos[id]
		if !ok {
			i = len(out)
			pos[id] = i
			var wb []string
			for _, w := range strings.Split(r.String(idx[3]), "#") {
				if w = strings.TrimSpace(w); w != "" {
					wb = append(wb, w)
				}
			}
			out = append(out, Resource{IVOID: id, Title: r.String(idx[1]), ShortName: r.String(idx[2]), Wavebands: wb})
		}
		c := Capability{StandardID: r.String(idx[4]), AccessURL: r.String(idx[5]), InterfaceType: r.String(idx[6])}
		if !containsCap(out[i].Capabilities, c) {
			out[i].Capabilities = append(out[i].Capabilities, c)
		}
	}
	return out, nil
}

func containsCap(cs []Capability, c Capability) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// Table is a table some resource publishes, with the TAP service serving it.
type Table struct {
	IVOID     string
	Title     string
	TableName string
	Utype     string
	// TAPURL is the access URL of the TAP (or TAP#aux) capability.
	TAPURL string
}

// TableNameLike finds the tables whose name matches an ADQL LIKE pattern
// (e.g. "%epn_core"), with the TAP service serving each.
func (cl *Client) TableNameLike(ctx context.Context, pattern string) ([]Table, error) {
	q := "SELECT rr.resource.ivoid, rr.resource.res_title, rr.res_table.table_name, rr.res_table.table_utype, rr.interface.access_url\n" +
		"FROM rr.resource NATURAL JOIN rr.res_table NATURAL JOIN rr.capability NATURAL JOIN rr.interface\n" +
		"WHERE rr.res_table.table_name LIKE " + lit(pattern) +
		"\n  AND rr.capability.standard_id IN ('ivo://ivoa.net/std/tap', 'ivo://ivoa.net/std/tap#aux')" +
		"\n  AND rr.interface.intf_role = 'std'\nORDER BY rr.resource.ivoid"
	res, err := cl.Query(ctx, cl.URL, q, cl.MaxRec)
	if err != nil {
		return nil, fmt.Errorf("registry table search at %s: %w", cl.URL, err)
	}
	t := res.Table
	var idx [5]int
	for i, name := range []string{"ivoid", "res_title", "table_name", "table_utype", "access_url"} {
		if idx[i] = t.FieldByName(name); idx[i] < 0 {
			return nil, fmt.Errorf("registry table search: result has no %s column", name)
		}
	}
	var out []Table
	seen := map[Table]bool{}
	for _, r := range res.Records() {
		tb := Table{IVOID: r.String(idx[0]), Title: r.String(idx[1]), TableName: r.String(idx[2]), Utype: r.String(idx[3]), TAPURL: r.String(idx[4])}
		if !seen[tb] {
			seen[tb] = true
			out = append(out, tb)
		}
	}
	return out, nil
}
