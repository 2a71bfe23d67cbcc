package tray

import (
	"reflect"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/api"
)

func TestViewOf(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	hub := api.HubStatus{Connected: true, URL: "http://127.0.0.1:1/", SelfID: "c1", HubID: "hub",
		Clients: []api.Client{{ID: "hub", Name: "Hub"}, {ID: "c1", Name: "voagent"}, {ID: "c2", Name: "topcat"}, {ID: "c3", Name: "aladin"}}}
	own := hub
	own.Own = true
	done := api.Search{ID: "s1", Kind: "vicinity", Trigger: "highlight", RA: 10, Dec: -2, Services: 2, Answered: 2, Done: true}
	failed := done
	failed.Answered, failed.Failed = 1, []string{"AllWISE: timeout"}
	tests := []struct {
		name      string
		st        api.Status
		state     State
		clients   string
		last      string
		highlight bool
		lastTable string
		results   int
	}{
		{"no hub", api.Status{}, NoHub, "clients: none", "last search: none", false, "", 0},
		{"external", api.Status{Hub: hub}, ExternalHub, "clients: aladin, topcat", "last search: none", false, "", 0},
		{"own, searching", api.Status{Hub: own, Running: []api.Search{{Kind: "vicinity", Trigger: "highlight", RA: 1}}}, Searching, "clients: aladin, topcat", "last search: none", true, "", 0},
		{"done", api.Status{Hub: own, Recent: []api.Search{done},
			LastResults: map[string]api.ServiceResult{"2MASS": {Search: "s1", Rows: 3, Result: "r1"}, "SDSS": {Search: "s0", Rows: 5, Result: "r0"}},
			Tables:      []api.Table{{ID: "t1", Time: t0}, {ID: "t2", Time: t0.Add(time.Second)}, {ID: "ours", Ours: true, Time: t0.Add(time.Hour)}}},
			OwnHub, "clients: aladin, topcat", "last search: vicinity at 10.00000 -2.00000, 2 of 2 services (2MASS 3)", true, "t2", 1},
		{"failed", api.Status{Hub: hub, Recent: []api.Search{failed}}, Failed, "clients: aladin, topcat",
			"last search: vicinity at 10.00000 -2.00000, 1 of 2 services; failed: AllWISE: timeout", true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ViewOf(tt.st)
			if v.State != tt.state || v.Clients != tt.clients || v.Last != tt.last || (v.Highlight != nil) != tt.highlight ||
				v.LastTable != tt.lastTable || len(v.LastResults) != tt.results {
				t.Errorf("ViewOf = %+v", v)
			}
			if len(Icon(v.State)) == 0 {
				t.Errorf("no icon for %v", v.State)
			}
		})
	}
}

// TestViewOfSpectra: "spectra for the last selection or table" asks for the
// selected rows when a tool selected some, else for the last table.
func TestViewOfSpectra(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	tables := []api.Table{{ID: "t1", Name: "m31.vot", Time: t0}, {ID: "t2", Name: "ngc253.vot", Time: t0.Add(time.Second)}}
	for _, tc := range []struct {
		name string
		st   api.Status
		want *api.SpectraRequest
		of   string
	}{
		{"nothing", api.Status{}, nil, ""},
		{"last table", api.Status{Tables: tables}, &api.SpectraRequest{TableID: "t2", Send: true}, "ngc253.vot"},
		{"selection", api.Status{Tables: tables, Selection: &api.Selection{TableID: "t1", Rows: []int{3, 7}}},
			&api.SpectraRequest{TableID: "t1", Rows: []int{3, 7}, Send: true}, "2 selected rows of m31.vot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := ViewOf(tc.st)
			if !reflect.DeepEqual(v.Spectra, tc.want) || v.SpectraOf != tc.of {
				t.Errorf("Spectra %+v of %q, want %+v of %q", v.Spectra, v.SpectraOf, tc.want, tc.of)
			}
		})
	}
}
