package faultsvc

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/voagent/voagent/vo/votable"
)

// TAP is a fake TAP 1.1 service mounted under /tap on a fault server. It
// serves one table, fake.main, of generated rows (see Row; id = 1..Rows,
// UCD meta.id;meta.main), and understands just enough of the queries it is
// sent:
//
//   - a query containing FAIL fails (sync: error VOTable; async: phase ERROR);
//   - SELECT MIN(...) ... MAX(...) returns one row (lo=1, hi=Rows);
//   - "id >= A AND id < B" (or <= B) selects that range of ids;
//   - TAP_UPLOAD.<name> returns as many rows as the uploaded table has;
//   - TAP_SCHEMA.tables and TAP_SCHEMA.columns describe fake.main;
//   - anything else selects every row.
//
// Results stop at MAXREC (default DefaultMaxRec) with a trailing
// QUERY_STATUS=OVERFLOW. Async jobs follow UWS 1.1: creation answers 303,
// PHASE=RUN starts the job, which executes for ExecTime; WAIT blocks;
// DELETE answers 303 to the job list.
type TAP struct {
	// Rows is the size of fake.main.
	Rows int
	// DefaultMaxRec is the limit applied without MAXREC (and the hard one).
	DefaultMaxRec int
	// ExecTime is how long an async job stays EXECUTING.
	ExecTime time.Duration

	srv  *Server
	mu   sync.Mutex
	jobs map[string]*fakeJob
	next int
	// uploads received: table name -> rows
	uploads map[string]int
	deleted []string
}

type fakeJob struct {
	id       string
	params   url.Values
	uploads  map[string]int
	phase    string
	started  time.Time
	duration int
	destruct string
	deleted  bool
}

// TAP mounts a fake TAP service under /tap; its base URL is URLOf("/tap").
func (s *Server) TAP(rows int) *TAP {
	t := &TAP{Rows: rows, DefaultMaxRec: 1000, ExecTime: 200 * time.Millisecond, srv: s,
		jobs: map[string]*fakeJob{}, uploads: map[string]int{}}
	s.HandleFunc("/tap/capabilities", t.capabilities)
	s.HandleFunc("/tap/tables", t.tables)
	s.HandleFunc("/tap/tables/{name}", t.table)
	s.HandleFunc("/tap/examples", t.examples)
	s.HandleFunc("/tap/sync", t.sync)
	s.HandleFunc("/tap/async", t.async)
	s.HandleFunc("/tap/async/{id}", t.job)
	s.HandleFunc("/tap/async/{id}/{prop}", t.jobProp)
	s.HandleFunc("/tap/async/{id}/results/result", t.jobResult)
	return t
}

// Uploads returns the uploads received so far: name -> rows.
func (t *TAP) Uploads() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]int{}
	for k, v := range t.uploads {
		out[k] = v
	}
	return out
}

// Deleted returns the ids of the jobs deleted so far.
func (t *TAP) Deleted() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.deleted...)
}

// Live returns the ids of the jobs not deleted.
func (t *TAP) Live() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for id, j := range t.jobs {
		if !j.deleted {
			out = append(out, id)
		}
	}
	return out
}

func (t *TAP) capabilities(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/xml")
	base := t.srv.URLOf("/tap")
	fmt.Fprintf(w, `<?xml version="1.0"?>
<cap:capabilities xmlns:cap="http://www.ivoa.net/xml/VOSICapabilities/v1.0" xmlns:tr="http://www.ivoa.net/xml/TAPRegExt/v1.0" xmlns:vs="http://www.ivoa.net/xml/VODataService/v1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <capability standardID="ivo://ivoa.net/std/VOSI#capabilities"><interface xsi:type="vs:ParamHTTP"><accessURL use="full">%[1]s/capabilities</accessURL></interface></capability>
  <capability standardID="ivo://ivoa.net/std/TAP" xsi:type="tr:TableAccess">
    <interface role="std" xsi:type="vs:ParamHTTP" version="1.1"><accessURL use="base">%[1]s</accessURL></interface>
    <dataModel ivo-id="ivo://ivoa.net/std/ObsCore#core-1.1">ObsCore-1.1</dataModel>
    <language><name>ADQL</name><version ivo-id="ivo://ivoa.net/std/ADQL#v2.0">2.0</version></language>
    <outputFormat ivo-id="ivo://ivoa.net/std/TAPRegExt#output-votable-td"><mime>application/x-votable+xml</mime><alias>votable</alias></outputFormat>
    <outputFormat><mime>text/csv</mime><alias>csv</alias></outputFormat>
    <uploadMethod ivo-id="ivo://ivoa.net/std/TAPRegExt#upload-inline"/>
    <uploadMethod ivo-id="ivo://ivoa.net/std/TAPRegExt#upload-http"/>
    <retentionPeriod><default>172800</default></retentionPeriod>
    <executionDuration><default>3600</default><hard>7200</hard></executionDuration>
    <outputLimit><default unit="row">%[2]d</default><hard unit="row" forMode="sync">%[2]d</hard><hard unit="row">%[3]d</hard></outputLimit>
    <uploadLimit><hard unit="byte">10000000</hard></uploadLimit>
  </capability>
</cap:capabilities>
`, base, t.DefaultMaxRec, 10*t.DefaultMaxRec)
}

const fakeTable = `<table><name>fake.main</name><description>Generated stars</description>
  <column><name>id</name><ucd>meta.id;meta.main</ucd><dataType xsi:type="vs:VOTableType">long</dataType><flag>indexed</flag><flag>primary</flag></column>
  <column><name>ra</name><unit>deg</unit><ucd>pos.eq.ra;meta.main</ucd><dataType xsi:type="vs:VOTableType">double</dataType></column>
  <column><name>dec</name><unit>deg</unit><ucd>pos.eq.dec;meta.main</ucd><dataType xsi:type="vs:VOTableType">double</dataType></column>
  <column><name>name</name><dataType xsi:type="vs:VOTableType" arraysize="*">char</dataType></column>
</table>`

func (t *TAP) tables(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, `<?xml version="1.0"?>
<vtm:tableset xmlns:vtm="http://www.ivoa.net/xml/VOSITables/v1.0" xmlns:vs="http://www.ivoa.net/xml/VODataService/v1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<schema><name>fake</name><description>A fake schema</description>`+fakeTable+`</schema></vtm:tableset>
`)
}

func (t *TAP) table(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("name") != "fake.main" {
		http.Error(w, "no such table", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, `<?xml version="1.0"?>
<vtm:table xmlns:vtm="http://www.ivoa.net/xml/VOSITables/v1.0" xmlns:vs="http://www.ivoa.net/xml/VODataService/v1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
		strings.TrimPrefix(strings.TrimSuffix(fakeTable, "</table>"), "<table>")+"</vtm:table>\n")
}

func (t *TAP) examples(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xhtml+xml")
	io.WriteString(w, `<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><head><title>Examples</title></head>
<body vocab="ivo://ivoa.net/std/DALI-examples#"><div typeof="example" id="cone" resource="#cone">
<h2 property="name">A cone &amp; a
 limit</h2><p>Stars near the pole.<br></p><pre property="query">SELECT TOP 10 * FROM fake.main
WHERE 1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 0, 90, 1)) AND id &lt; 5</pre></div></body></html>
`)
}

// params reads the request's parameters (query string, form or multipart)
// and the inline uploads.
func (t *TAP) params(r *http.Request) (url.Values, map[string][]byte, error) {
	files := map[string][]byte{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, nil, err
		}
		for name, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			files[name], _ = io.ReadAll(f)
			f.Close()
		}
	} else if err := r.ParseForm(); err != nil {
		return nil, nil, err
	}
	p := url.Values{}
	for k, vs := range r.Form { // TAP parameter names are case-insensitive
		p[strings.ToUpper(k)] = vs
	}
	return p, files, nil
}

// resolveUploads reads the UPLOAD parameter: name -> rows.
func (t *TAP) resolveUploads(p url.Values, files map[string][]byte) (map[string]int, error) {
	out := map[string]int{}
	for _, up := range p["UPLOAD"] {
		for _, item := range strings.Split(up, ";") {
			name, ref, ok := strings.Cut(item, ",")
			if !ok {
				return nil, fmt.Errorf("bad UPLOAD %q", item)
			}
			var data []byte
			if part, ok := strings.CutPrefix(ref, "param:"); ok {
				if data, ok = files[part]; !ok {
					return nil, fmt.Errorf("UPLOAD %s: no part %q", name, part)
				}
			} else {
				resp, err := http.Get(ref)
				if err != nil {
					return nil, fmt.Errorf("UPLOAD %s: %v", name, err)
				}
				data, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			doc, err := votable.Read(bytes.NewReader(data))
			if err != nil || len(doc.Tables()) == 0 {
				return nil, fmt.Errorf("UPLOAD %s: not a VOTable: %v", name, err)
			}
			out[name] = doc.Tables()[0].Rows()
		}
	}
	t.mu.Lock()
	for k, v := range out {
		t.uploads[k] = v
	}
	t.mu.Unlock()
	return out, nil
}

var (
	reRange  = regexp.MustCompile(`(?i)\bid\s*>=\s*\(?(-?\d+)\)?\s+AND\s+id\s*(<=?)\s*\(?(-?\d+)\)?`)
	reUpload = regexp.MustCompile(`(?i)TAP_UPLOAD\.(\w+)`)
)

// answer writes the result of a query.
func (t *TAP) answer(w http.ResponseWriter, p url.Values, uploads map[string]int) {
	q := p.Get("QUERY")
	if !strings.EqualFold(p.Get("LANG"), "ADQL") && !strings.HasPrefix(strings.ToUpper(p.Get("LANG")), "ADQL-") {
		writeError(w, "LANG must be ADQL, not "+p.Get("LANG"))
		return
	}
	if strings.Contains(q, "FAIL") {
		writeError(w, "Query failed: FAIL requested")
		return
	}
	maxrec := t.DefaultMaxRec
	if m := p.Get("MAXREC"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 {
			writeError(w, "bad MAXREC "+m)
			return
		}
		maxrec = min(n, 10*t.DefaultMaxRec)
	}
	if f := p.Get("RESPONSEFORMAT"); strings.EqualFold(f, "csv") || strings.HasPrefix(f, "text/csv") {
		w.Header().Set("Content-Type", "text/csv")
		io.WriteString(w, "id,ra,dec,name\n")
		for i := range min(t.Rows, maxrec) {
			id, ra, dec, name := Row(i)
			fmt.Fprintf(w, "%d,%g,%g,%s\n", id, ra, dec, name)
		}
		return
	}
	uq := strings.ToUpper(q)
	switch {
	case strings.Contains(uq, "MIN(") && strings.Contains(uq, "MAX("):
		w.Header().Set("Content-Type", "application/x-votable+xml")
		fmt.Fprintf(w, `%s<RESOURCE type="results">%s<TABLE><FIELD name="lo" datatype="long"/><FIELD name="hi" datatype="long"/>
<DATA><TABLEDATA><TR><TD>1</TD><TD>%d</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
`, head, statusInfo("OK", ""), t.Rows)
		return
	case strings.Contains(uq, "TAP_SCHEMA.TABLES"):
		w.Header().Set("Content-Type", "application/x-votable+xml")
		fmt.Fprintf(w, `%s<RESOURCE type="results">%s<TABLE>
<FIELD name="schema_name" datatype="char" arraysize="*"/><FIELD name="table_name" datatype="char" arraysize="*"/>
<FIELD name="table_type" datatype="char" arraysize="*"/><FIELD name="description" datatype="char" arraysize="*"/><FIELD name="utype" datatype="char" arraysize="*"/>
<DATA><TABLEDATA><TR><TD>fake</TD><TD>fake.main</TD><TD>table</TD><TD>Generated stars</TD><TD/></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
`, head, statusInfo("OK", ""))
		return
	case strings.Contains(uq, "TAP_SCHEMA.COLUMNS"):
		w.Header().Set("Content-Type", "application/x-votable+xml")
		io.WriteString(w, head+`<RESOURCE type="results">`+statusInfo("OK", "")+`<TABLE>`)
		for _, f := range []string{"table_name", "column_name", "description", "unit", "ucd", "utype", "datatype"} {
			fmt.Fprintf(w, `<FIELD name="%s" datatype="char" arraysize="*"/>`, f)
		}
		for _, f := range []string{"principal", "indexed", "std"} {
			fmt.Fprintf(w, `<FIELD name="%s" datatype="int"/>`, f)
		}
		io.WriteString(w, "<DATA><TABLEDATA>\n")
		for _, c := range [][]string{{"id", "", "meta.id;meta.main", "BIGINT", "1"}, {"ra", "deg", "pos.eq.ra;meta.main", "DOUBLE", "0"},
			{"dec", "deg", "pos.eq.dec;meta.main", "DOUBLE", "0"}, {"name", "", "", "VARCHAR", "0"}} {
			fmt.Fprintf(w, "<TR><TD>fake.main</TD><TD>%s</TD><TD/><TD>%s</TD><TD>%s</TD><TD/><TD>%s</TD><TD>1</TD><TD>%s</TD><TD>0</TD></TR>\n",
				c[0], c[1], c[2], c[3], c[4])
		}
		io.WriteString(w, "</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n")
		return
	}
	from, to := 0, t.Rows
	if m := reRange.FindStringSubmatch(q); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[3])
		if m[2] == "<=" {
			b++
		}
		from, to = max(a-1, 0), min(b-1, t.Rows)
	} else if m := reUpload.FindStringSubmatch(q); m != nil {
		n, ok := uploads[m[1]]
		if !ok {
			writeError(w, "no upload "+m[1])
			return
		}
		to = min(n, t.Rows)
	}
	after := ""
	if to-from > maxrec {
		to, after = from+maxrec, statusInfo("OVERFLOW", "")
	}
	w.Header().Set("Content-Type", "application/x-votable+xml")
	writeRows(w, from, max(from, to), statusInfo("OK", ""), after)
}

func writeError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/x-votable+xml")
	fmt.Fprintf(w, "%s<RESOURCE type=\"results\">%s</RESOURCE></VOTABLE>\n", head, statusInfo("ERROR", msg))
}

func (t *TAP) sync(w http.ResponseWriter, r *http.Request) {
	p, files, err := t.params(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ups, err := t.resolveUploads(p, files)
	if err != nil {
		writeError(w, err.Error())
		return
	}
	t.answer(w, p, ups)
}

func (t *TAP) async(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Content-Type", "text/xml")
		t.mu.Lock()
		defer t.mu.Unlock()
		io.WriteString(w, `<?xml version="1.0"?><uws:jobs xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1">`)
		for id, j := range t.jobs {
			if !j.deleted {
				fmt.Fprintf(w, `<uws:jobref id="%s" xlink:href="%s"><uws:phase>%s</uws:phase></uws:jobref>`, id, t.srv.URLOf("/tap/async/"+id), t.phaseLocked(j))
			}
		}
		io.WriteString(w, "</uws:jobs>\n")
		return
	}
	p, files, err := t.params(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ups, err := t.resolveUploads(p, files)
	t.mu.Lock()
	t.next++
	id := "job" + strconv.Itoa(t.next)
	j := &fakeJob{id: id, params: p, uploads: ups, phase: "PENDING", duration: 3600}
	if err != nil {
		j.phase = "ERROR"
		j.params.Set("QUERY", "FAIL: "+err.Error())
	}
	t.jobs[id] = j
	t.mu.Unlock()
	http.Redirect(w, r, "/tap/async/"+id, http.StatusSeeOther)
}

// phaseLocked returns a job's current phase (t.mu held).
func (t *TAP) phaseLocked(j *fakeJob) string {
	if j.phase == "EXECUTING" && time.Since(j.started) >= t.ExecTime {
		j.phase = "COMPLETED"
		if strings.Contains(j.params.Get("QUERY"), "FAIL") {
			j.phase = "ERROR"
		}
	}
	return j.phase
}

func (t *TAP) lookup(w http.ResponseWriter, r *http.Request) *fakeJob {
	t.mu.Lock()
	j := t.jobs[r.PathValue("id")]
	t.mu.Unlock()
	if j == nil || j.deleted {
		http.Error(w, "no such job", http.StatusNotFound)
		return nil
	}
	return j
}

func (t *TAP) job(w http.ResponseWriter, r *http.Request) {
	j := t.lookup(w, r)
	if j == nil {
		return
	}
	if r.Method == http.MethodDelete || (r.Method == http.MethodPost && strings.EqualFold(r.FormValue("ACTION"), "DELETE")) {
		t.mu.Lock()
		j.deleted = true
		t.deleted = append(t.deleted, j.id)
		t.mu.Unlock()
		http.Redirect(w, r, "/tap/async", http.StatusSeeOther)
		return
	}
	if wait := r.URL.Query().Get("WAIT"); wait != "" {
		secs, _ := strconv.Atoi(wait)
		t.mu.Lock()
		start := t.phaseLocked(j)
		t.mu.Unlock()
		deadline := time.Now().Add(time.Duration(secs) * time.Second)
		for (start == "QUEUED" || start == "EXECUTING") && (secs < 0 || time.Now().Before(deadline)) {
			select {
			case <-r.Context().Done():
				return
			case <-t.srv.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			t.mu.Lock()
			now := t.phaseLocked(j)
			t.mu.Unlock()
			if now != start {
				break
			}
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	phase := t.phaseLocked(j)
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<?xml version="1.0"?>
<uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.1">
<uws:jobId>%s</uws:jobId><uws:ownerId xsi:nil="true"/><uws:phase>%s</uws:phase>
<uws:executionDuration>%d</uws:executionDuration><uws:destruction>%s</uws:destruction>
<uws:parameters>`, j.id, phase, j.duration, j.destruct)
	for k, vs := range j.params {
		fmt.Fprintf(w, `<uws:parameter id="%s">%s</uws:parameter>`, strings.ToLower(k), html.EscapeString(vs[0]))
	}
	io.WriteString(w, "</uws:parameters><uws:results>")
	if phase == "COMPLETED" {
		fmt.Fprintf(w, `<uws:result id="result" xlink:href="%s"/>`, t.srv.URLOf("/tap/async/"+j.id+"/results/result"))
	}
	io.WriteString(w, "</uws:results>")
	if phase == "ERROR" {
		io.WriteString(w, `<uws:errorSummary type="fatal" hasDetail="true"><uws:message>Query failed</uws:message></uws:errorSummary>`)
	}
	io.WriteString(w, "</uws:job>\n")
}

func (t *TAP) jobProp(w http.ResponseWriter, r *http.Request) {
	j := t.lookup(w, r)
	if j == nil {
		return
	}
	back := "/tap/async/" + j.id
	t.mu.Lock()
	defer t.mu.Unlock()
	prop := r.PathValue("prop")
	if r.Method == http.MethodPost {
		switch prop {
		case "phase":
			switch strings.ToUpper(r.FormValue("PHASE")) {
			case "RUN":
				if j.phase == "PENDING" {
					j.phase, j.started = "EXECUTING", time.Now()
				}
			case "ABORT":
				if !(j.phase == "COMPLETED" || j.phase == "ERROR") {
					j.phase = "ABORTED"
				}
			default:
				http.Error(w, "bad PHASE", http.StatusBadRequest)
				return
			}
		case "executionduration":
			n, err := strconv.Atoi(r.FormValue("EXECUTIONDURATION"))
			if err != nil {
				http.Error(w, "bad EXECUTIONDURATION", http.StatusBadRequest)
				return
			}
			j.duration = min(n, 7200)
		case "destruction":
			j.destruct = r.FormValue("DESTRUCTION")
		default:
			http.Error(w, "cannot change "+prop, http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	switch prop {
	case "phase":
		io.WriteString(w, t.phaseLocked(j))
	case "error":
		io.WriteString(w, "Query failed: FAIL requested in "+j.params.Get("QUERY"))
	default:
		http.Error(w, "no "+prop, http.StatusNotFound)
	}
}

func (t *TAP) jobResult(w http.ResponseWriter, r *http.Request) {
	j := t.lookup(w, r)
	if j == nil {
		return
	}
	t.mu.Lock()
	phase := t.phaseLocked(j)
	t.mu.Unlock()
	if phase != "COMPLETED" {
		http.Error(w, "job is "+phase, http.StatusBadRequest)
		return
	}
	t.answer(w, j.params, j.uploads)
}
