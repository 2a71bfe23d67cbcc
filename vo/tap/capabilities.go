package tap

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/voagent/voagent/internal/xmlguard"
	"github.com/voagent/voagent/vo/dal"
)

// metaLimit bounds metadata documents (capabilities, tables, examples).
const metaLimit = 256 << 20

// Standard identifiers.
const (
	StandardTAP       = "ivo://ivoa.net/std/TAP"
	UploadInline      = "ivo://ivoa.net/std/TAPRegExt#upload-inline"
	UploadHTTP        = "ivo://ivoa.net/std/TAPRegExt#upload-http"
	UploadHTTPS       = "ivo://ivoa.net/std/TAPRegExt#upload-https"
	UploadFTP         = "ivo://ivoa.net/std/TAPRegExt#upload-ftp"
	OutputVOTableBin  = "ivo://ivoa.net/std/TAPRegExt#output-votable-binary"
	OutputVOTableBin2 = "ivo://ivoa.net/std/TAPRegExt#output-votable-binary2"
	OutputVOTableTD   = "ivo://ivoa.net/std/TAPRegExt#output-votable-td"
)

// Capabilities is what a TAP service's VOSI capabilities say about it.
type Capabilities struct {
	// Capabilities lists every capability (VOSI, TAP, DataLink ...).
	Capabilities []Capability
	// The TAPRegExt content of the TAP capability:
	Languages         []Language
	OutputFormats     []OutputFormat
	UploadMethods     []string // ivo-ids
	DataModels        []DataModel
	RetentionPeriod   Limit // seconds
	ExecutionDuration Limit // seconds
	OutputLimit       Limit // rows or bytes (see Unit)
	UploadLimit       Limit // rows or bytes
}

// Capability is one capability element.
type Capability struct {
	StandardID string
	Type       string // xsi:type, e.g. "tr:TableAccess"
	Interfaces []Interface
}

// Interface is an interface of a capability.
type Interface struct {
	Type       string // xsi:type, e.g. "vs:ParamHTTP"
	Role       string
	Version    string
	AccessURLs []string
}

// Language is a query language with its versions.
type Language struct {
	Name     string
	Versions []string
	// Features maps a feature type ivo-id to the forms declared.
	Features map[string][]string
}

// OutputFormat is a RESPONSEFORMAT the service offers.
type OutputFormat struct {
	IvoID   string
	MIME    string
	Aliases []string
}

// DataModel is a data model the service's tables implement.
type DataModel struct{ IvoID, Name string }

// Limit is a TAPRegExt limit (default and hard values, maybe per mode).
type Limit struct {
	Defaults []LimitValue
	Hards    []LimitValue
}

// LimitValue is one default or hard value.
type LimitValue struct {
	Value int64
	Unit  string // "row" or "byte" for output and upload limits
	// Mode is the TAPRegExt 1.1 forMode ("sync", "async"), "" for both.
	Mode string
}

func pick(vs []LimitValue, mode string) (LimitValue, bool) {
	for _, v := range vs {
		if v.Mode != "" && strings.EqualFold(v.Mode, mode) {
			return v, true
		}
	}
	for _, v := range vs {
		if v.Mode == "" {
			return v, true
		}
	}
	return LimitValue{}, false
}

// Default returns the default value for a mode ("sync", "async" or "").
func (l Limit) Default(mode string) (LimitValue, bool) { return pick(l.Defaults, mode) }

// Hard returns the hard value for a mode ("sync", "async" or "").
func (l Limit) Hard(mode string) (LimitValue, bool) { return pick(l.Hards, mode) }

// SupportsUpload reports whether an upload method is declared; a service
// that declares none is assumed to have none.
func (c *Capabilities) SupportsUpload(ivoID string) bool {
	for _, m := range c.UploadMethods {
		if strings.EqualFold(m, ivoID) {
			return true
		}
	}
	return false
}

// HasDataModel reports whether a data model whose ivo-id starts with
// prefix (case-insensitive, e.g. "ivo://ivoa.net/std/ObsCore") is declared.
func (c *Capabilities) HasDataModel(prefix string) bool {
	for _, d := range c.DataModels {
		if strings.HasPrefix(strings.ToLower(d.IvoID), strings.ToLower(prefix)) {
			return true
		}
	}
	return false
}

type xmlLimitValue struct {
	Value string `xml:",chardata"`
	Unit  string `xml:"unit,attr"`
	Mode  string `xml:"forMode,attr"`
}

type xmlLimit struct {
	Default []xmlLimitValue `xml:"default"`
	Hard    []xmlLimitValue `xml:"hard"`
}

type xmlCapabilities struct {
	XMLName    xml.Name
	Capability []struct {
		StandardID string `xml:"standardID,attr"`
		Type       string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
		Interface  []struct {
			Type      string   `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
			Role      string   `xml:"role,attr"`
			Version   string   `xml:"version,attr"`
			AccessURL []string `xml:"accessURL"`
		} `xml:"interface"`
		Language []struct {
			Name     string   `xml:"name"`
			Version  []string `xml:"version"`
			Features []struct {
				Type  string   `xml:"type,attr"`
				Forms []string `xml:"feature>form"`
			} `xml:"languageFeatures"`
		} `xml:"language"`
		OutputFormat []struct {
			IvoID string   `xml:"ivo-id,attr"`
			MIME  string   `xml:"mime"`
			Alias []string `xml:"alias"`
		} `xml:"outputFormat"`
		UploadMethod []struct {
			IvoID string `xml:"ivo-id,attr"`
		} `xml:"uploadMethod"`
		DataModel []struct {
			IvoID string `xml:"ivo-id,attr"`
			Name  string `xml:",chardata"`
		} `xml:"dataModel"`
		RetentionPeriod   xmlLimit `xml:"retentionPeriod"`
		ExecutionDuration xmlLimit `xml:"executionDuration"`
		OutputLimit       xmlLimit `xml:"outputLimit"`
		UploadLimit       xmlLimit `xml:"uploadLimit"`
	} `xml:"capability"`
}

func limit(x xmlLimit) (Limit, error) {
	var l Limit
	conv := func(in []xmlLimitValue) ([]LimitValue, error) {
		var out []LimitValue
		for _, v := range in {
			n, err := strconv.ParseInt(strings.TrimSpace(v.Value), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("limit value %q is not an integer", v.Value)
			}
			out = append(out, LimitValue{Value: n, Unit: v.Unit, Mode: v.Mode})
		}
		return out, nil
	}
	var err error
	if l.Defaults, err = conv(x.Default); err != nil {
		return l, err
	}
	l.Hards, err = conv(x.Hard)
	return l, err
}

// ErrNotCapabilities is the error of a document that is not a VOSI
// capabilities document (an HTML page, another XML document).
var ErrNotCapabilities = errors.New("not a VOSI capabilities document")

// ParseCapabilities reads a VOSI capabilities document.
func ParseCapabilities(data []byte) (*Capabilities, error) {
	var x xmlCapabilities
	if err := xmlguard.Check(data); err != nil {
		return nil, fmt.Errorf("reading VOSI capabilities: %w", err)
	}
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("reading VOSI capabilities: %w: %w", ErrNotCapabilities, err)
	}
	if x.XMLName.Local != "capabilities" {
		return nil, fmt.Errorf("%w: the root element is <%s>, not <capabilities>", ErrNotCapabilities, x.XMLName.Local)
	}
	c := &Capabilities{}
	for _, xc := range x.Capability {
		cp := Capability{StandardID: strings.TrimSpace(xc.StandardID), Type: xc.Type}
		for _, xi := range xc.Interface {
			in := Interface{Type: xi.Type, Role: xi.Role, Version: xi.Version}
			for _, u := range xi.AccessURL {
				in.AccessURLs = append(in.AccessURLs, strings.TrimSpace(u))
			}
			cp.Interfaces = append(cp.Interfaces, in)
		}
		c.Capabilities = append(c.Capabilities, cp)
		if !strings.EqualFold(cp.StandardID, StandardTAP) && !strings.HasPrefix(strings.ToLower(cp.StandardID), strings.ToLower(StandardTAP)+"#") {
			continue
		}
		for _, xl := range xc.Language {
			l := Language{Name: strings.TrimSpace(xl.Name), Features: map[string][]string{}}
			for _, v := range xl.Version {
				l.Versions = append(l.Versions, strings.TrimSpace(v))
			}
			for _, f := range xl.Features {
				for _, form := range f.Forms {
					l.Features[f.Type] = append(l.Features[f.Type], strings.TrimSpace(form))
				}
			}
			c.Languages = append(c.Languages, l)
		}
		for _, f := range xc.OutputFormat {
			of := OutputFormat{IvoID: f.IvoID, MIME: strings.TrimSpace(f.MIME)}
			for _, a := range f.Alias {
				of.Aliases = append(of.Aliases, strings.TrimSpace(a))
			}
			c.OutputFormats = append(c.OutputFormats, of)
		}
		for _, u := range xc.UploadMethod {
			c.UploadMethods = append(c.UploadMethods, u.IvoID)
		}
		for _, d := range xc.DataModel {
			c.DataModels = append(c.DataModels, DataModel{IvoID: d.IvoID, Name: strings.TrimSpace(d.Name)})
		}
		var err error
		for _, p := range []struct {
			name string
			in   xmlLimit
			out  *Limit
		}{
			{"retentionPeriod", xc.RetentionPeriod, &c.RetentionPeriod},
			{"executionDuration", xc.ExecutionDuration, &c.ExecutionDuration},
			{"outputLimit", xc.OutputLimit, &c.OutputLimit},
			{"uploadLimit", xc.UploadLimit, &c.UploadLimit},
		} {
			if *p.out, err = limit(p.in); err != nil {
				return nil, fmt.Errorf("reading VOSI capabilities: %s: %w", p.name, err)
			}
		}
	}
	return c, nil
}

// Seconds turns a limit value in seconds into a Duration.
func Seconds(v LimitValue) time.Duration { return time.Duration(v.Value) * time.Second }

// get fetches a small document.
func (s *Service) get(ctx context.Context, op, target string) ([]byte, error) {
	resp, err := s.dal.Do(ctx, &dal.Request{Op: op, URL: target, MaxBytes: metaLimit})
	if err != nil {
		return nil, err
	}
	defer resp.Close()
	return io.ReadAll(resp.Body)
}

// fetchParsed reads the document at endpoint name and parses it; a parse
// failure is an *dal.Error of kind ErrInvalid naming op and the URL.
func fetchParsed[T any](ctx context.Context, s *Service, op, name string, parse func([]byte) (T, error)) (T, error) {
	target := s.endpoint(name)
	var zero T
	data, err := s.get(ctx, op, target)
	if err != nil {
		return zero, err
	}
	v, err := parse(data)
	if err != nil {
		return zero, &dal.Error{Op: op, URL: target, Err: fmt.Errorf("%w: %w", dal.ErrInvalid, err)}
	}
	return v, nil
}

// Capabilities reads the service's /capabilities.
func (s *Service) Capabilities(ctx context.Context) (*Capabilities, error) {
	return fetchParsed(ctx, s, "reading TAP capabilities", "capabilities", ParseCapabilities)
}
