package dal

import (
	"strings"

	"github.com/voagent/voagent/vo/votable"
)

// The DALI QUERY_STATUS values.
const (
	StatusOK       = "OK"
	StatusError    = "ERROR"
	StatusOverflow = "OVERFLOW"
)

// Status is what a VOTable says about the query that produced it.
type Status struct {
	// Value is StatusOK, StatusError or StatusOverflow ("" when the document
	// has no status at all, which counts as OK).
	Value string
	// Message is the text of the status INFO (its content, or its value when
	// the content is empty) for errors.
	Message string
}

// merge folds a later status into s: ERROR wins over OVERFLOW over OK.
func (s *Status) merge(o Status) {
	rank := func(v string) int {
		switch v {
		case StatusError:
			return 3
		case StatusOverflow:
			return 2
		case StatusOK:
			return 1
		}
		return 0
	}
	if rank(o.Value) > rank(s.Value) || (rank(o.Value) == rank(s.Value) && s.Message == "") {
		*s = o
	}
}

// infoStatus interprets one INFO element.
func infoStatus(i *votable.Info) (Status, bool) {
	switch {
	case strings.EqualFold(i.Name, "QUERY_STATUS"):
		return queryStatus(i.Value, i.Content), true
	case i.Name == "Error": // SCS 1.03
		return Status{Value: StatusError, Message: message(i.Value, i.Content)}, true
	}
	return Status{}, false
}

// queryStatus interprets a QUERY_STATUS value and text.
func queryStatus(value, content string) Status {
	v := strings.ToUpper(strings.TrimSpace(value))
	if v == StatusError {
		return Status{Value: v, Message: message(content, value)}
	}
	return Status{Value: v, Message: strings.TrimSpace(content)}
}

// message picks the first non-empty, non-trivial text.
func message(texts ...string) string {
	for _, t := range texts {
		t = strings.TrimSpace(t)
		if t != "" && !strings.EqualFold(t, StatusError) && !strings.EqualFold(t, StatusOverflow) && !strings.EqualFold(t, StatusOK) {
			return t
		}
	}
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			return t
		}
	}
	return ""
}

// StatusOf returns the DALI status of doc: QUERY_STATUS INFOs of the results
// resources, before or after the table (an ERROR or OVERFLOW after the table
// overrides an OK before it), and the SCS "Error" INFO or PARAM in any place
// SCS allows (under VOTABLE, RESOURCE or DEFINITIONS).
func StatusOf(doc *votable.Document) Status {
	var s Status
	if doc == nil {
		return s
	}
	infos := func(list []*votable.Info) {
		for _, i := range list {
			if st, ok := infoStatus(i); ok {
				s.merge(st)
			}
		}
	}
	params := func(list []*votable.Param) {
		for _, p := range list {
			if p.Name == "Error" {
				s.merge(Status{Value: StatusError, Message: message(p.Value, p.Description)})
			}
		}
	}
	infos(doc.Infos)
	params(doc.Params)
	if doc.Definitions != nil {
		infos(doc.Definitions.Infos)
		params(doc.Definitions.Params)
	}
	var walk func(rs []*votable.Resource)
	walk = func(rs []*votable.Resource) {
		for _, r := range rs {
			infos(r.Infos)
			params(r.Params)
			for _, t := range r.Tables {
				infos(t.InfosAfter)
			}
			infos(r.InfosAfter)
			walk(r.Resources)
		}
	}
	walk(doc.Resources)
	infos(doc.InfosAfter)
	return s
}
