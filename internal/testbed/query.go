package testbed

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxCSV bounds what QueryCSV reads: it is meant for small checks.
const maxCSV = 16 << 20

// QueryCSV runs an ADQL query on the testbed's TAP service (sync, CSV) and
// returns the records, the header line first. It is a plain net/http helper
// for checks in tests, independent of voagent's own VO clients.
func (in *Info) QueryCSV(ctx context.Context, adql string) ([][]string, error) {
	form := url.Values{"REQUEST": {"doQuery"}, "LANG": {"ADQL"}, "FORMAT": {"csv"}, "QUERY": {adql}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.TAP+"/sync", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("building TAP request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := Client(2 * time.Minute).Do(req)
	if err != nil {
		return nil, fmt.Errorf("TAP query %q: %w", adql, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCSV+1))
	if err != nil {
		return nil, fmt.Errorf("reading TAP answer to %q: %w", adql, err)
	}
	if len(body) > maxCSV {
		return nil, fmt.Errorf("TAP answer to %q exceeds %d bytes", adql, maxCSV)
	}
	// DaCHS reports errors as a VOTable (with status 200 or 400).
	if resp.StatusCode != http.StatusOK || strings.Contains(resp.Header.Get("Content-Type"), "xml") {
		return nil, fmt.Errorf("TAP query %q: %s: %.500s", adql, resp.Status, body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parsing TAP CSV answer to %q: %w", adql, err)
	}
	return rows, nil
}
