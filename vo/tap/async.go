package tap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/uws"
	"github.com/voagent/voagent/vo/votable"
)

// cleanupTimeout bounds deleting a job, which runs even when the caller's
// context is done (interrupted CLI, agent shutdown).
const cleanupTimeout = 30 * time.Second

// AsyncOptions tune an async query.
type AsyncOptions struct {
	// Keep leaves the job on the service after use; by default it is
	// deleted on success, on error and on exit (Service.Cleanup).
	Keep bool
	// ExecutionDuration, when positive, asks for a longer run-time limit
	// than the service's default (see Capabilities.ExecutionDuration).
	ExecutionDuration time.Duration
	// Destruction, when set, asks for a destruction time.
	Destruction time.Time
	// Progress is called on every phase change.
	Progress uws.Progress
}

// Job is an async TAP job this client created.
type Job struct {
	// URL is the job's URL.
	URL  string
	s    *Service
	q    *Query
	opt  AsyncOptions
	last *uws.Job
}

// Submit creates an async job for q, applies the options and starts it.
// The job is deleted again if any of this fails.
func (s *Service) Submit(ctx context.Context, q *Query, opt AsyncOptions) (*Job, error) {
	p, parts, err := q.params()
	if err != nil {
		return nil, &dal.Error{Op: "TAP async query", URL: s.endpoint("async"), Err: err}
	}
	jobURL, err := s.uws.Create(ctx, s.endpoint("async"), p, parts)
	if err != nil {
		return nil, err
	}
	j := &Job{URL: jobURL, s: s, q: q, opt: opt}
	s.track(jobURL, true)
	fail := func(err error) (*Job, error) {
		j.Close(ctx)
		return nil, err
	}
	if opt.ExecutionDuration > 0 {
		if err := s.uws.SetExecutionDuration(ctx, jobURL, opt.ExecutionDuration); err != nil {
			return fail(err)
		}
	}
	if !opt.Destruction.IsZero() {
		if err := s.uws.SetDestruction(ctx, jobURL, opt.Destruction); err != nil {
			return fail(err)
		}
	}
	if err := s.uws.Run(ctx, jobURL); err != nil {
		return fail(err)
	}
	s.log.Debug("TAP async job started", "job", jobURL)
	return j, nil
}

// Attach returns the Job at jobURL, a job created earlier (by another run,
// kept with AsyncOptions.Keep), to wait for, read or delete. The job is
// not tracked for Cleanup; Close deletes it unless opt.Keep.
func (s *Service) Attach(jobURL string, opt AsyncOptions) *Job {
	return &Job{URL: jobURL, s: s, q: &Query{}, opt: opt}
}

// Get reads the job's document.
func (j *Job) Get(ctx context.Context) (*uws.Job, error) {
	doc, err := j.s.uws.Get(ctx, j.URL)
	if doc != nil {
		j.last = doc
	}
	return doc, err
}

// ServiceOfJob returns the TAP base URL of an async job URL
// (".../tap/async/ID" gives ".../tap").
func ServiceOfJob(jobURL string) (string, error) {
	u := strings.TrimRight(jobURL, "/")
	i := strings.LastIndex(u, "/async/")
	if i < 0 || i+len("/async/") >= len(u) || strings.Contains(u[i+len("/async/"):], "/") {
		return "", fmt.Errorf("%q is not a TAP async job URL (BASE/async/JOBID)", jobURL)
	}
	return u[:i], nil
}

// Wait waits for the job to end. A job in phase ERROR or ABORTED becomes an
// *dal.Error (ErrService) carrying the service's error message.
func (j *Job) Wait(ctx context.Context) (*uws.Job, error) {
	doc, err := j.s.uws.Wait(ctx, j.URL, j.opt.Progress)
	if doc != nil {
		j.last = doc
	}
	if err != nil {
		return doc, err
	}
	switch doc.Phase {
	case uws.Completed:
		return doc, nil
	case uws.Error:
		return doc, &dal.Error{Op: "TAP async query", URL: j.URL, Err: fmt.Errorf("%w: job phase ERROR", dal.ErrService),
			Message: j.s.uws.ErrorDetail(ctx, j.URL, doc)}
	}
	return doc, &dal.Error{Op: "TAP async query", URL: j.URL, Err: fmt.Errorf("job ended in phase %s", doc.Phase)}
}

func (j *Job) resultRequest() *dal.Request {
	return &dal.Request{Op: "reading a TAP async result", URL: uws.ResultURL(j.URL, j.last, "result"),
		HasMaxRec: j.q.HasMaxRec, MaxRec: j.q.MaxRec}
}

// Result streams the result of a completed job; the caller closes it.
func (j *Job) Result(ctx context.Context) (*dal.Result, error) {
	return j.s.dal.Stream(ctx, j.resultRequest())
}

// Fetch reads the result of a completed job into memory.
func (j *Job) Fetch(ctx context.Context) (*votable.Document, *dal.Truncation, error) {
	return j.s.dal.Fetch(ctx, j.resultRequest())
}

// Copy copies the raw result of a completed job to w.
func (j *Job) Copy(ctx context.Context, w io.Writer) (int64, *dal.Truncation, error) {
	return j.s.dal.Copy(ctx, j.resultRequest(), w, j.q.wantVOTable())
}

// Delete deletes the job on the service, kept or not.
func (j *Job) Delete(ctx context.Context) error { return j.s.deleteJob(ctx, j.URL) }

// Abort aborts the job.
func (j *Job) Abort(ctx context.Context) error { return j.s.uws.Abort(ctx, j.URL) }

// Close deletes the job unless it is to be kept. It runs even when ctx is
// done (with a timeout of its own), so that interrupted queries clean up.
func (j *Job) Close(ctx context.Context) error {
	if j.opt.Keep {
		j.s.track(j.URL, false)
		return nil
	}
	return j.s.deleteJob(ctx, j.URL)
}

func (s *Service) deleteJob(ctx context.Context, jobURL string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	err := s.uws.Delete(ctx, jobURL)
	if err != nil {
		s.log.Warn("could not delete TAP job", "job", jobURL, "err", err)
		return err
	}
	s.track(jobURL, false)
	s.log.Debug("TAP async job deleted", "job", jobURL)
	return nil
}

func (s *Service) track(jobURL string, open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if open {
		s.jobs[jobURL] = true
	} else {
		delete(s.jobs, jobURL)
	}
}

// OpenJobs returns the URLs of jobs created and not yet deleted (nor kept).
func (s *Service) OpenJobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.jobs))
	for u := range s.jobs {
		out = append(out, u)
	}
	return out
}

// Cleanup deletes every job still open (call it on exit).
func (s *Service) Cleanup(ctx context.Context) error {
	var errs []error
	for _, u := range s.OpenJobs() {
		if err := s.deleteJob(ctx, u); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runAsync submits q, waits for it, hands the job to use, and deletes the
// job afterwards (unless kept), whatever happened.
func (s *Service) runAsync(ctx context.Context, q *Query, opt AsyncOptions, use func(*Job) error) error {
	j, err := s.Submit(ctx, q, opt)
	if err != nil {
		return err
	}
	defer j.Close(ctx)
	if _, err := j.Wait(ctx); err != nil {
		if ctx.Err() != nil && opt.Keep {
			// A deleted job is aborted by the service; a kept one is not.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
			j.Abort(actx)
			cancel()
		}
		return err
	}
	return use(j)
}

// AsyncFetch runs q as an async job and reads its result into memory; the
// job is deleted afterwards unless opt.Keep.
func (s *Service) AsyncFetch(ctx context.Context, q *Query, opt AsyncOptions) (doc *votable.Document, tr *dal.Truncation, err error) {
	err = s.runAsync(ctx, q, opt, func(j *Job) error {
		doc, tr, err = j.Fetch(ctx)
		return err
	})
	return doc, tr, err
}

// AsyncCopy runs q as an async job and copies its raw result to w; the job
// is deleted afterwards unless opt.Keep.
func (s *Service) AsyncCopy(ctx context.Context, q *Query, w io.Writer, opt AsyncOptions) (n int64, tr *dal.Truncation, err error) {
	err = s.runAsync(ctx, q, opt, func(j *Job) error {
		n, tr, err = j.Copy(ctx, w)
		return err
	})
	return n, tr, err
}
