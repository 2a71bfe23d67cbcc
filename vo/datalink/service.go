package datalink

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/votable"
)

// ServiceDescriptor is a RESOURCE type="meta" utype="adhoc:service"
// (DataLink §4): how to call a service on a dataset.
type ServiceDescriptor struct {
	ID                 string
	Name               string
	Description        string
	AccessURL          string
	StandardID         string
	ResourceIdentifier string
	ContentType        string
	ExampleURL         string
	// Inputs are the GROUP name="inputParams" parameters: a fixed Value is
	// sent as it is, a Ref takes its value from the result row, and an
	// empty one is the user's to fill (within Min/Max/Options).
	Inputs []svcparam.Param
}

// IsLinks reports whether the descriptor is a DataLink {links} endpoint.
func (sd *ServiceDescriptor) IsLinks() bool {
	return strings.HasPrefix(strings.ToLower(sd.StandardID), strings.ToLower(LinksStandardID))
}

// IsSODA reports whether the descriptor is a SODA endpoint (sync or async).
func (sd *ServiceDescriptor) IsSODA() bool {
	return strings.HasPrefix(strings.ToLower(sd.StandardID), "ivo://ivoa.net/std/soda")
}

// Input returns the input parameter named name (case-insensitive), or nil.
func (sd *ServiceDescriptor) Input(name string) *svcparam.Param {
	return svcparam.Find(sd.Inputs, name)
}

// Descriptors returns every service descriptor of doc, in document order.
func Descriptors(doc *votable.Document) []*ServiceDescriptor {
	var out []*ServiceDescriptor
	var walk func([]*votable.Resource)
	walk = func(rs []*votable.Resource) {
		for _, r := range rs {
			if strings.EqualFold(r.Type, "meta") && strings.EqualFold(r.Utype, "adhoc:service") {
				out = append(out, descriptor(r))
			}
			walk(r.Resources)
		}
	}
	if doc != nil {
		walk(doc.Resources)
	}
	return out
}

func descriptor(r *votable.Resource) *ServiceDescriptor {
	sd := &ServiceDescriptor{ID: r.ID, Name: r.Name, Description: strings.TrimSpace(r.Description)}
	for _, p := range r.Params {
		switch p.Name {
		case "accessURL":
			sd.AccessURL = strings.TrimSpace(p.Value)
		case "standardID":
			sd.StandardID = strings.TrimSpace(p.Value)
		case "resourceIdentifier":
			sd.ResourceIdentifier = strings.TrimSpace(p.Value)
		case "contentType":
			sd.ContentType = strings.TrimSpace(p.Value)
		case "exampleURL":
			sd.ExampleURL = strings.TrimSpace(p.Value)
		}
	}
	for _, g := range r.Groups {
		if g.Name != "inputParams" {
			continue
		}
		for _, p := range g.Params {
			sd.Inputs = append(sd.Inputs, svcparam.FromVOTable(p))
		}
	}
	return sd
}

// Params returns the parameters of a call: the fixed values, the values
// referenced from row (row may be nil when no input has a Ref), and the
// user's values (keys compared case-insensitively). A user value for a
// parameter the descriptor does not list is an error naming the ones it
// does; so is a referenced column missing from row's table.
func (sd *ServiceDescriptor) Params(row *dataset.Record, user url.Values) (url.Values, error) {
	out := url.Values{}
	for _, in := range sd.Inputs {
		switch {
		case in.Ref != "":
			if row == nil || row.Table == nil {
				return nil, fmt.Errorf("service %s: parameter %s refers to column %q but no result row was given", sd.label(), in.Name, in.Ref)
			}
			col := row.Table.FieldByID(in.Ref)
			if col < 0 {
				col = row.Table.FieldByName(in.Ref)
			}
			if col < 0 {
				return nil, fmt.Errorf("service %s: parameter %s refers to column %q, absent from the result", sd.label(), in.Name, in.Ref)
			}
			v := row.String(col)
			if v == "" {
				return nil, fmt.Errorf("service %s: parameter %s: column %q is empty in row %d", sd.label(), in.Name, in.Ref, row.Row)
			}
			out.Set(in.Name, v)
		case in.Value != "":
			out.Set(in.Name, in.Value)
		}
	}
	var unknown []string
	for k, vs := range user {
		in := sd.Input(k)
		if in == nil {
			unknown = append(unknown, k)
			continue
		}
		out[in.Name] = append([]string(nil), vs...)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		names := make([]string, len(sd.Inputs))
		for i, in := range sd.Inputs {
			names[i] = in.Name
		}
		return nil, fmt.Errorf("service %s does not take parameter(s) %s (it takes %s)", sd.label(), strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	return out, nil
}

// URL returns the GET URL of a call (see Params).
func (sd *ServiceDescriptor) URL(row *dataset.Record, user url.Values) (string, error) {
	if sd.AccessURL == "" {
		return "", fmt.Errorf("service %s has no accessURL", sd.label())
	}
	p, err := sd.Params(row, user)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(sd.AccessURL)
	if err != nil {
		return "", fmt.Errorf("service %s: bad accessURL: %w", sd.label(), err)
	}
	q := u.Query()
	for k, vs := range p {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (sd *ServiceDescriptor) label() string {
	switch {
	case sd.ID != "":
		return sd.ID
	case sd.Name != "":
		return sd.Name
	}
	return sd.AccessURL
}

// LinksService returns the first DataLink {links} descriptor of doc (the
// one an SSA, SIA 2 or ObsCore result carries), or nil.
func LinksService(doc *votable.Document) *ServiceDescriptor {
	for _, sd := range Descriptors(doc) {
		if sd.IsLinks() {
			return sd
		}
	}
	return nil
}
