package uws

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/dal"
)

func TestParsePyvoJobs(t *testing.T) {
	for _, tc := range []struct {
		file    string
		id      string
		phase   Phase
		results int
		errMsg  string
		info    string
	}{
		{"job.xml", "1337", Completed, 1, "", ""},
		{"job-error.xml", "1337", Error, 0, "We have problem", ""},
		{"job-implicit-v1.0.xml", "1576511540079_32840", Completed, 1, "", ""},
		{"job-with-nested-jobinfo.xml", "jobid123", Completed, 1, "", "rows_returned"},
		{"job-with-duplicate-elements.xml", "myjobid", Completed, 1, "", "processing"},
		{"job-with-simple-jobinfo.xml", "", "", -1, "", ""},
		{"job-with-typed-jobinfo.xml", "", "", -1, "", ""},
		{"job-with-empty-jobinfo.xml", "", "", -1, "", ""},
		{"job-with-namespace-elements.xml", "", "", -1, "", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			j := pyvoJob(t, tc.file)
			if tc.results < 0 { // only check that it parses into something sane
				if j.ID == "" || j.Phase == "" {
					t.Errorf("job %+v", j)
				}
				return
			}
			if j.ID != tc.id || j.Phase != tc.phase || len(j.Results) != tc.results {
				t.Errorf("job %s phase %s results %d", j.ID, j.Phase, len(j.Results))
			}
			if tc.errMsg != "" && (j.Error == nil || j.Error.Message != tc.errMsg || j.Error.Type != "fatal" || j.Error.HasDetail) {
				t.Errorf("error summary %+v", j.Error)
			}
			if !strings.Contains(j.JobInfo, tc.info) {
				t.Errorf("jobInfo %q", j.JobInfo)
			}
		})
	}
	j := pyvoJob(t, "job.xml")
	if q, _ := j.Param("QUERY"); q != "SELECT 'test'" || j.ExecutionDuration != 2*time.Hour ||
		j.Destruction != time.Date(2018, 2, 1, 0, 0, 0, 0, time.UTC) || j.OwnerID != "" || j.Quote.IsZero() {
		t.Errorf("job details %+v", j)
	}
	if got := ResultURL("http://x/tap/async/1337", j, "result"); got != "http://example.com/tap/async/1337/results/result" {
		t.Errorf("result URL %s", got)
	}
	if got := ResultURL("http://x/tap/async/1", nil, "result"); got != "http://x/tap/async/1/results/result" {
		t.Errorf("conventional result URL %s", got)
	}
}

func TestParseBad(t *testing.T) {
	for _, doc := range []string{"", "<html/>", "<job><jobId>1</jobId></job>", "<job><phase>RUN</phase></job>",
		"<job><jobId>1</jobId><phase>ERROR</phase><executionDuration>ten</executionDuration></job>",
		"<job><jobId>1</jobId><phase>ERROR</phase><destruction>tomorrow</destruction></job>"} {
		if j, err := ParseJob(strings.NewReader(doc)); err == nil {
			t.Errorf("ParseJob(%q) = %+v", doc, j)
		}
	}
}

func FuzzParseJob(f *testing.F) {
	f.Add(`<uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0"><uws:jobId>1</uws:jobId><uws:phase>COMPLETED</uws:phase></uws:job>`)
	f.Add(`<uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0"><uws:jobId>1</uws:jobId><uws:jobInfo>` + strings.Repeat("<x>", 300) + `</uws:jobInfo></uws:job>`)
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > 1<<16 {
			return
		}
		ParseJob(strings.NewReader(doc))
		ParseJobList(strings.NewReader(doc))
	})
}

func newClient() *Client {
	c := NewClient(dal.New(dal.Options{}), nil)
	c.MinPoll, c.MaxPoll, c.BlockFor = 5*time.Millisecond, 20*time.Millisecond, time.Second
	return c
}

func TestLifecycle(t *testing.T) {
	srv := faultsvc.New(t)
	ft := srv.TAP(10)
	c := newClient()
	ctx := context.Background()
	jobURL, err := c.Create(ctx, srv.URLOf("/tap/async"), map[string][]string{"LANG": {"ADQL"}, "QUERY": {"SELECT * FROM fake.main"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	j, err := c.Get(ctx, jobURL)
	if err != nil || j.Phase != Pending {
		t.Fatalf("new job %+v, %v", j, err)
	}
	if err := c.SetExecutionDuration(ctx, jobURL, 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := c.SetDestruction(ctx, jobURL, when); err != nil {
		t.Fatal(err)
	}
	if err := c.Run(ctx, jobURL); err != nil {
		t.Fatal(err)
	}
	var seen []Phase
	j, err = c.Wait(ctx, jobURL, func(j *Job, _ time.Duration) { seen = append(seen, j.Phase) })
	if err != nil || j.Phase != Completed {
		t.Fatalf("wait: %+v, %v", j, err)
	}
	if j.ExecutionDuration != 2*time.Hour || !j.Destruction.Equal(when) {
		t.Errorf("duration %v (service caps at 2h), destruction %v", j.ExecutionDuration, j.Destruction)
	}
	if len(seen) != 2 || seen[0] != Executing || seen[1] != Completed {
		t.Errorf("phases seen %v", seen)
	}
	var waited bool
	for _, r := range srv.Requests() {
		waited = waited || r.Query.Get("WAIT") != ""
	}
	if !waited {
		t.Error("no blocking WAIT poll was made")
	}
	if err := c.Delete(ctx, jobURL); err != nil {
		t.Fatal(err)
	}
	if len(ft.Live()) != 0 {
		t.Errorf("job not deleted")
	}
	if err := c.Delete(ctx, jobURL); err != nil {
		t.Errorf("deleting a deleted job: %v", err)
	}
}

func TestErrorDetail(t *testing.T) {
	srv := faultsvc.New(t)
	srv.TAP(10)
	c := newClient()
	ctx := context.Background()
	jobURL, err := c.Create(ctx, srv.URLOf("/tap/async"), map[string][]string{"LANG": {"ADQL"}, "QUERY": {"SELECT FAIL"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Delete(ctx, jobURL)
	if err := c.Run(ctx, jobURL); err != nil {
		t.Fatal(err)
	}
	j, err := c.Wait(ctx, jobURL, nil)
	if err != nil || j.Phase != Error {
		t.Fatalf("%+v %v", j, err)
	}
	if msg := c.ErrorDetail(ctx, jobURL, j); !strings.Contains(msg, "FAIL requested") {
		t.Errorf("error detail %q", msg)
	}
}

// TestDeleteDoesNotFollow: the 303 after DELETE leads to a job list that
// would be huge (pyvo#535); it must not be requested.
func TestDeleteDoesNotFollow(t *testing.T) {
	srv := faultsvc.New(t)
	var listed atomic.Int32
	srv.HandleFunc("/jobs", func(w http.ResponseWriter, r *http.Request) { listed.Add(1) })
	srv.HandleFunc("/jobs/1", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		http.Redirect(w, r, "/jobs", http.StatusSeeOther)
	})
	if err := newClient().Delete(context.Background(), srv.URLOf("/jobs/1")); err != nil {
		t.Fatal(err)
	}
	if listed.Load() != 0 {
		t.Error("the job list was fetched after DELETE")
	}
}

// TestWaitWithoutBlocking: a service that ignores WAIT is polled with a
// growing pause, and a cancelled wait returns promptly with the context error.
func TestWaitWithoutBlocking(t *testing.T) {
	srv := faultsvc.New(t)
	var polls atomic.Int32
	srv.HandleFunc("/jobs/1", func(w http.ResponseWriter, r *http.Request) {
		phase := "EXECUTING"
		if polls.Add(1) >= 6 {
			phase = "COMPLETED"
		}
		w.Write([]byte(`<job><jobId>1</jobId><phase>` + phase + `</phase></job>`))
	})
	j, err := newClient().Wait(context.Background(), srv.URLOf("/jobs/1"), nil)
	if err != nil || j.Phase != Completed || polls.Load() != 6 {
		t.Fatalf("%+v %v after %d polls", j, err, polls.Load())
	}
	polls.Store(-1 << 30)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := newClient().Wait(ctx, srv.URLOf("/jobs/1"), nil); err == nil || ctx.Err() == nil {
		t.Errorf("cancelled wait: %v", err)
	}
}

func TestCreateErrors(t *testing.T) {
	srv := faultsvc.New(t)
	c := newClient()
	for _, path := range []string{"/500", "/html", "/ok"} {
		if u, err := c.Create(context.Background(), srv.URLOf(path), nil, nil); err == nil {
			t.Errorf("create at %s gave %s", path, u)
		} else if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the URL", err)
		}
	}
}

// pyvoJob parses one of pyvo's recorded job documents.
func pyvoJob(t *testing.T, file string) *Job {
	t.Helper()
	f, err := os.Open(faultsvc.Conformance(t, "pyvo/io/uws/tests/data/"+file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := ParseJob(f)
	if err != nil {
		t.Fatal(err)
	}
	return j
}
