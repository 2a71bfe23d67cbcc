package uws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/voagent/voagent/vo/dal"
)

// jobDocLimit bounds a job document or job list.
const jobDocLimit = 16 << 20

// Client performs UWS operations over a dal.Client.
type Client struct {
	dal *dal.Client
	log *slog.Logger
	// BlockFor is the longest blocking wait asked of the service per poll
	// (the UWS WAIT parameter); the default is 30 s.
	BlockFor time.Duration
	// MinPoll and MaxPoll bound the pause between two polls when the
	// service answers at once (no blocking wait support); defaults 250 ms
	// and 10 s, growing by half each time.
	MinPoll, MaxPoll time.Duration
}

// NewClient returns a UWS client sending its requests through c; log may be nil.
func NewClient(c *dal.Client, log *slog.Logger) *Client {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{dal: c, log: log, BlockFor: 30 * time.Second, MinPoll: 250 * time.Millisecond, MaxPoll: 10 * time.Second}
}

// Create posts a new job to the job list and returns the job's URL, taken
// from the 303 redirect without following it (UWS 1.1 §2.2.3.1). The job
// is left PENDING: call Run (some services ignore PHASE=RUN at creation).
func (c *Client) Create(ctx context.Context, jobList string, params url.Values, parts []dal.Part) (string, error) {
	resp, err := c.dal.Do(ctx, &dal.Request{Op: "creating a UWS job", Method: http.MethodPost, URL: jobList,
		Params: params, Parts: parts, NoRedirect: true, MaxBytes: jobDocLimit})
	if err != nil {
		return "", err
	}
	defer resp.Close()
	switch resp.StatusCode {
	case http.StatusSeeOther, http.StatusFound, http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		u, err := resp.Location()
		if err != nil {
			return "", err
		}
		c.log.Debug("UWS job created", "job", u.String())
		return u.String(), nil
	case http.StatusOK, http.StatusCreated:
		// Non-conforming services answer with the job document itself.
		j, err := ParseJob(resp.Body)
		if err != nil {
			return "", &dal.Error{Op: "creating a UWS job", URL: jobList, StatusCode: resp.StatusCode,
				Err: fmt.Errorf("%w: no redirect to the job and %w", dal.ErrInvalid, err)}
		}
		if loc := resp.Header.Get("Location"); loc != "" {
			if u, err := resp.Location(); err == nil {
				return u.String(), nil
			}
		}
		return strings.TrimSuffix(jobList, "/") + "/" + url.PathEscape(j.ID), nil
	}
	return "", &dal.Error{Op: "creating a UWS job", URL: jobList, StatusCode: resp.StatusCode,
		Err: fmt.Errorf("%w: HTTP %d instead of a redirect to the job", dal.ErrInvalid, resp.StatusCode)}
}

// Get returns the job document.
func (c *Client) Get(ctx context.Context, jobURL string) (*Job, error) {
	return c.get(ctx, jobURL, nil, "reading a UWS job")
}

func (c *Client) get(ctx context.Context, jobURL string, params url.Values, op string) (*Job, error) {
	resp, err := c.dal.Do(ctx, &dal.Request{Op: op, URL: jobURL, Params: params, MaxBytes: jobDocLimit})
	if err != nil {
		return nil, err
	}
	defer resp.Close()
	j, err := ParseJob(resp.Body)
	if err != nil {
		var de *dal.Error
		if errors.As(err, &de) {
			return nil, de
		}
		return nil, &dal.Error{Op: op, URL: jobURL, StatusCode: resp.StatusCode, Err: fmt.Errorf("%w: %w", dal.ErrInvalid, err)}
	}
	return j, nil
}

// post sends a form to a job sub-resource and discards the answer (a 303
// back to the job, not followed).
func (c *Client) post(ctx context.Context, op, target string, params url.Values) error {
	resp, err := c.dal.Do(ctx, &dal.Request{Op: op, Method: http.MethodPost, URL: target, Params: params,
		NoRedirect: true, Idempotent: true, MaxBytes: jobDocLimit})
	if err != nil {
		return err
	}
	return resp.Close()
}

func sub(jobURL, name string) string { return strings.TrimSuffix(jobURL, "/") + "/" + name }

// Run starts the job (POST PHASE=RUN to {job}/phase).
func (c *Client) Run(ctx context.Context, jobURL string) error {
	return c.post(ctx, "starting a UWS job", sub(jobURL, "phase"), url.Values{"PHASE": {"RUN"}})
}

// Abort aborts the job (POST PHASE=ABORT to {job}/phase).
func (c *Client) Abort(ctx context.Context, jobURL string) error {
	return c.post(ctx, "aborting a UWS job", sub(jobURL, "phase"), url.Values{"PHASE": {"ABORT"}})
}

// SetExecutionDuration asks for a new run-time limit; the service may
// grant less: read the job to see what it did.
func (c *Client) SetExecutionDuration(ctx context.Context, jobURL string, d time.Duration) error {
	return c.post(ctx, "setting a UWS job's execution duration", sub(jobURL, "executionduration"),
		url.Values{"EXECUTIONDURATION": {strconv.FormatInt(int64(d/time.Second), 10)}})
}

// SetDestruction asks for a new destruction time; the service may change it.
func (c *Client) SetDestruction(ctx context.Context, jobURL string, t time.Time) error {
	return c.post(ctx, "setting a UWS job's destruction time", sub(jobURL, "destruction"),
		url.Values{"DESTRUCTION": {t.UTC().Format("2006-01-02T15:04:05Z")}})
}

// Delete destroys the job with HTTP DELETE, without following the redirect
// to the job list (which can be huge: pyvo#535). A job already gone (404,
// 410) counts as deleted.
func (c *Client) Delete(ctx context.Context, jobURL string) error {
	resp, err := c.dal.Do(ctx, &dal.Request{Op: "deleting a UWS job", Method: http.MethodDelete, URL: jobURL,
		NoRedirect: true, MaxBytes: jobDocLimit})
	if err != nil {
		var e *dal.Error
		if errors.As(err, &e) && (e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone) {
			return nil
		}
		if errors.As(err, &e) && e.StatusCode == http.StatusMethodNotAllowed {
			// Services without DELETE: POST ACTION=DELETE (UWS 1.1 §2.2.3.2).
			return c.post(ctx, "deleting a UWS job", jobURL, url.Values{"ACTION": {"DELETE"}})
		}
		return err
	}
	return resp.Close()
}

// ErrorDetail returns the job's error message: the detailed error document
// at {job}/error when the service has one (text, or the message of a DALI
// error VOTable), else the summary's message.
func (c *Client) ErrorDetail(ctx context.Context, jobURL string, j *Job) string {
	summary := ""
	if j.Error != nil {
		summary = j.Error.Message
		if !j.Error.HasDetail && summary != "" {
			return summary
		}
	}
	resp, err := c.dal.Do(ctx, &dal.Request{Op: "reading a UWS job's error", URL: sub(jobURL, "error"), MaxBytes: 1 << 20})
	if err != nil {
		if m := dal.ServiceMessage(err); m != "" && summary == "" {
			return m
		}
		return summary
	}
	defer resp.Close()
	if m := dal.ErrorMessage(resp); m != "" {
		return m
	}
	return summary
}

// Progress is called by Wait each time the job's phase changes.
type Progress func(j *Job, elapsed time.Duration)

// Wait polls the job until it reaches a final phase (COMPLETED, ERROR,
// ABORTED, ARCHIVED) or ctx is done, using the UWS 1.1 blocking wait
// (GET {job}?WAIT=n) and, for services that answer at once, a growing pause
// between polls. It returns the last job document. progress may be nil.
func (c *Client) Wait(ctx context.Context, jobURL string, progress Progress) (*Job, error) {
	start := time.Now()
	pause := c.MinPoll
	var last Phase
	for {
		params := url.Values{}
		if last != "" && (last == Queued || last == Executing) {
			params.Set("WAIT", strconv.Itoa(max(1, int(c.BlockFor/time.Second))))
		}
		t0 := time.Now()
		j, err := c.get(ctx, jobURL, params, "waiting for a UWS job")
		if err != nil {
			return nil, err
		}
		if j.Phase != last {
			c.log.Debug("UWS job phase", "job", jobURL, "phase", j.Phase)
			if progress != nil {
				progress(j, time.Since(start))
			}
			last = j.Phase
			pause = c.MinPoll
		}
		if j.Phase.Final() {
			return j, nil
		}
		if j.Phase == Pending && time.Since(start) > 2*time.Minute {
			return j, &dal.Error{Op: "waiting for a UWS job", URL: jobURL,
				Err: fmt.Errorf("job still PENDING after %s: it was never started", time.Since(start).Round(time.Second))}
		}
		if time.Since(t0) >= c.MinPoll && params.Has("WAIT") {
			continue // the service blocked for us: ask again at once
		}
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return j, &dal.Error{Op: "waiting for a UWS job", URL: jobURL, Err: ctx.Err()}
		case <-timer.C:
		}
		pause = min(pause+pause/2, c.MaxPoll)
	}
}

// ResultURL returns the URL of the job's result with the given id ("result"
// for TAP), from the job document or else by the UWS convention
// {job}/results/{id}.
func ResultURL(jobURL string, j *Job, id string) string {
	if j != nil {
		if r := j.Result(id); r != nil && r.Href != "" {
			if base, err := url.Parse(jobURL); err == nil {
				if u, err := base.Parse(r.Href); err == nil {
					return u.String()
				}
			}
			return r.Href
		}
	}
	return sub(jobURL, "results/"+url.PathEscape(id))
}
