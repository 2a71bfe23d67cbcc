// Package uws is a client of IVOA UWS 1.1 job services (the async endpoint
// of TAP, SODA, ...): the job document model and the operations on a job
// (create, run, wait, abort, change the execution duration and destruction
// time, read the error, delete), over vo/dal's HTTP core.
package uws

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/voagent/voagent/internal/xmlguard"
)

// Phase is the execution phase of a job (UWS 1.1 §2.1.3).
type Phase string

// The UWS phases.
const (
	Pending   Phase = "PENDING"
	Queued    Phase = "QUEUED"
	Executing Phase = "EXECUTING"
	Completed Phase = "COMPLETED"
	Error     Phase = "ERROR"
	Aborted   Phase = "ABORTED"
	Unknown   Phase = "UNKNOWN"
	Held      Phase = "HELD"
	Suspended Phase = "SUSPENDED"
	Archived  Phase = "ARCHIVED"
)

// Final reports whether a job in this phase will not change any more
// (COMPLETED, ERROR, ABORTED, ARCHIVED).
func (p Phase) Final() bool {
	switch p {
	case Completed, Error, Aborted, Archived:
		return true
	}
	return false
}

// Job is a UWS job document.
type Job struct {
	// Version is the UWS version attribute ("" for UWS 1.0 documents).
	Version string
	ID      string
	RunID   string
	OwnerID string
	Phase   Phase
	// Quote, CreationTime, StartTime, EndTime and Destruction are zero
	// when absent or nil.
	Quote        time.Time
	CreationTime time.Time
	StartTime    time.Time
	EndTime      time.Time
	Destruction  time.Time
	// ExecutionDuration is the limit on the run time (0: unlimited).
	ExecutionDuration time.Duration
	Parameters        []Parameter
	Results           []Result
	// Error is the error summary of a job in phase ERROR, or nil.
	Error *ErrorSummary
	// JobInfo is the jobInfo element's content, verbatim.
	JobInfo string
}

// Parameter is a job parameter.
type Parameter struct {
	ID          string
	Value       string
	ByReference bool
	IsPost      bool
}

// Result is a job result.
type Result struct {
	ID       string
	Href     string
	Size     int64
	MimeType string
}

// ErrorSummary describes why a job failed.
type ErrorSummary struct {
	// Type is "transient" or "fatal".
	Type string
	// HasDetail says the service has a detailed error document at {job}/error.
	HasDetail bool
	Message   string
}

// Param returns the value of the parameter with the given id (case
// insensitive, as TAP parameter names are), and whether it is present.
func (j *Job) Param(id string) (string, bool) {
	for _, p := range j.Parameters {
		if strings.EqualFold(p.ID, id) {
			return p.Value, true
		}
	}
	return "", false
}

// Result returns the result with the given id, or nil.
func (j *Job) Result(id string) *Result {
	for i := range j.Results {
		if j.Results[i].ID == id {
			return &j.Results[i]
		}
	}
	return nil
}

// xmlJob mirrors the XML; names match any namespace (UWS 1.0 and 1.1, with
// or without prefix).
type xmlJob struct {
	XMLName           xml.Name `xml:"job"`
	Version           string   `xml:"version,attr"`
	JobID             string   `xml:"jobId"`
	RunID             string   `xml:"runId"`
	OwnerID           string   `xml:"ownerId"`
	Phase             string   `xml:"phase"`
	Quote             string   `xml:"quote"`
	CreationTime      string   `xml:"creationTime"`
	StartTime         string   `xml:"startTime"`
	EndTime           string   `xml:"endTime"`
	ExecutionDuration string   `xml:"executionDuration"`
	Destruction       string   `xml:"destruction"`
	Parameters        struct {
		List []struct {
			ID          string `xml:"id,attr"`
			ByReference string `xml:"byReference,attr"`
			IsPost      string `xml:"isPost,attr"`
			Value       string `xml:",chardata"`
		} `xml:"parameter"`
	} `xml:"parameters"`
	Results struct {
		List []struct {
			ID       string `xml:"id,attr"`
			Href     string `xml:"http://www.w3.org/1999/xlink href,attr"`
			Size     string `xml:"size,attr"`
			MimeType string `xml:"mime-type,attr"`
		} `xml:"result"`
	} `xml:"results"`
	ErrorSummary *struct {
		Type      string `xml:"type,attr"`
		HasDetail string `xml:"hasDetail,attr"`
		Message   string `xml:"message"`
	} `xml:"errorSummary"`
	JobInfo struct {
		Inner string `xml:",innerxml"`
	} `xml:"jobInfo"`
}

// maxJobDocument bounds a UWS job document.
const maxJobDocument = 64 << 20

// ParseJob reads a UWS job document.
func ParseJob(r io.Reader) (*Job, error) {
	var x xmlJob
	// Read whole (jobInfo is kept verbatim, which a guarded token stream
	// cannot give), bounded, and checked by the XML guard first.
	data, err := io.ReadAll(io.LimitReader(r, maxJobDocument+1))
	if err != nil {
		return nil, fmt.Errorf("reading a UWS job document: %w", err)
	}
	if len(data) > maxJobDocument {
		return nil, fmt.Errorf("reading a UWS job document: longer than %d bytes", maxJobDocument)
	}
	if err := xmlguard.Check(data); err != nil {
		return nil, fmt.Errorf("reading a UWS job document: %w", err)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("reading a UWS job document: %w", err)
	}
	j := &Job{
		Version: x.Version,
		ID:      strings.TrimSpace(x.JobID),
		RunID:   strings.TrimSpace(x.RunID),
		OwnerID: strings.TrimSpace(x.OwnerID),
		Phase:   Phase(strings.ToUpper(strings.TrimSpace(x.Phase))),
		JobInfo: strings.TrimSpace(x.JobInfo.Inner),
	}
	if j.ID == "" {
		return nil, fmt.Errorf("reading a UWS job document: no jobId")
	}
	if j.Phase == "" {
		return nil, fmt.Errorf("reading UWS job %s: no phase", j.ID)
	}
	for _, f := range []struct {
		name string
		in   string
		out  *time.Time
	}{
		{"quote", x.Quote, &j.Quote},
		{"creationTime", x.CreationTime, &j.CreationTime},
		{"startTime", x.StartTime, &j.StartTime},
		{"endTime", x.EndTime, &j.EndTime},
		{"destruction", x.Destruction, &j.Destruction},
	} {
		if *f.out, err = ParseTime(f.in); err != nil {
			return nil, fmt.Errorf("reading UWS job %s: %s: %w", j.ID, f.name, err)
		}
	}
	if s := strings.TrimSpace(x.ExecutionDuration); s != "" {
		secs, err := strconv.ParseInt(s, 10, 64)
		if err != nil || secs < 0 {
			return nil, fmt.Errorf("reading UWS job %s: bad executionDuration %q", j.ID, s)
		}
		j.ExecutionDuration = time.Duration(secs) * time.Second
	}
	for _, p := range x.Parameters.List {
		j.Parameters = append(j.Parameters, Parameter{ID: p.ID, Value: strings.TrimSpace(p.Value),
			ByReference: p.ByReference == "true", IsPost: p.IsPost == "true"})
	}
	for _, r := range x.Results.List {
		res := Result{ID: r.ID, Href: strings.TrimSpace(r.Href), MimeType: r.MimeType}
		if r.Size != "" {
			res.Size, _ = strconv.ParseInt(r.Size, 10, 64)
		}
		j.Results = append(j.Results, res)
	}
	if e := x.ErrorSummary; e != nil {
		j.Error = &ErrorSummary{Type: e.Type, HasDetail: e.HasDetail == "true", Message: strings.TrimSpace(e.Message)}
	}
	return j, nil
}

// ParseTime reads a UWS (xs:dateTime) time; a time without a zone is UTC,
// "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

// JobRef is an entry of a job list.
type JobRef struct {
	ID           string
	Href         string
	Phase        Phase
	RunID        string
	OwnerID      string
	CreationTime time.Time
}

// ParseJobList reads a UWS job list document.
func ParseJobList(r io.Reader) ([]JobRef, error) {
	var x struct {
		Jobs []struct {
			ID           string `xml:"id,attr"`
			Href         string `xml:"http://www.w3.org/1999/xlink href,attr"`
			Phase        string `xml:"phase"`
			RunID        string `xml:"runId"`
			OwnerID      string `xml:"ownerId"`
			CreationTime string `xml:"creationTime"`
		} `xml:"jobref"`
	}
	d := xmlguard.NewDecoder(r, func(d *xml.Decoder) { d.CharsetReader = charsetReader }).Decoder()
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("reading a UWS job list: %w", err)
	}
	out := make([]JobRef, 0, len(x.Jobs))
	for _, j := range x.Jobs {
		ct, _ := ParseTime(j.CreationTime)
		out = append(out, JobRef{ID: j.ID, Href: j.Href, Phase: Phase(strings.TrimSpace(j.Phase)),
			RunID: strings.TrimSpace(j.RunID), OwnerID: strings.TrimSpace(j.OwnerID), CreationTime: ct})
	}
	return out, nil
}

// charsetReader accepts the ASCII-compatible encodings documents declare.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(io.LimitReader(in, 16<<20))
		if err != nil {
			return nil, err
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return strings.NewReader(string(r)), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}
