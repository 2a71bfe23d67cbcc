package tray

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/voagent/voagent/agent/api"
)

// View is what the tray shows for an agent status: derived from api.Status
// only, so that the tray owns no logic of its own.
type View struct {
	State   State
	Tooltip string
	// Hub, Clients, Tables and Last are the status lines.
	Hub, Clients, Tables, Last string
	// Highlight is the last highlighted position searched (nil: none).
	Highlight *api.Position
	// LastTable is the newest table another tool sent ("": none).
	LastTable, LastTableName string
	// OtherTables counts the tables other tools sent (two are needed to
	// cross-match the last two).
	OtherTables int
	// LastResults are the result ids of the newest finished vicinity
	// search.
	LastResults []string
	// Spectra is what "spectra for the last selection or table" asks
	// (nil: nothing to ask for), SpectraOf what it names.
	Spectra   *api.SpectraRequest
	SpectraOf string
}

// ViewOf derives the tray's view from the agent's status.
func ViewOf(st api.Status) View {
	var v View
	switch {
	case !st.Hub.Connected:
		v.State = NoHub
		v.Hub = "hub: none"
	case st.Hub.Own:
		v.State = OwnHub
		v.Hub = "hub: voagent's own (" + st.Hub.URL + ")"
	default:
		v.State = ExternalHub
		v.Hub = "hub: external (" + st.Hub.URL + ")"
	}
	var names []string
	for _, c := range st.Hub.Clients {
		if c.ID != st.Hub.SelfID && c.ID != st.Hub.HubID && c.Name != "" {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	v.Clients = "clients: " + orNone(strings.Join(names, ", "))
	v.Tables = fmt.Sprintf("tables held: %d", len(st.Tables))
	for _, t := range st.Tables {
		if !t.Ours {
			v.OtherTables++
		}
		if !t.Ours && (v.LastTable == "" || !t.Time.Before(lastTime(st, v.LastTable))) {
			v.LastTable, v.LastTableName = t.ID, t.Name
		}
	}
	switch {
	case st.Selection != nil:
		v.Spectra = &api.SpectraRequest{TableID: st.Selection.TableID, Rows: st.Selection.Rows, Send: true}
		v.SpectraOf = fmt.Sprintf("%d selected rows of %s", len(st.Selection.Rows), tableName(st, st.Selection.TableID))
	case v.LastTable != "":
		v.Spectra = &api.SpectraRequest{TableID: v.LastTable, Send: true}
		v.SpectraOf = v.LastTableName
	}
	v.Last = "last search: none"
	if len(st.Recent) > 0 {
		s := st.Recent[0]
		v.Last = fmt.Sprintf("last search: %s at %.5f %+.5f, %d of %d services", s.Kind, s.RA, s.Dec, s.Answered, s.Services)
		if s.Kind == "vicinity" {
			var rows []string
			for _, name := range sortedKeys(st.LastResults) {
				r := st.LastResults[name]
				if r.Search == s.ID {
					rows = append(rows, fmt.Sprintf("%s %d", name, r.Rows))
					if r.Result != "" {
						v.LastResults = append(v.LastResults, r.Result)
					}
				}
			}
			if len(rows) > 0 {
				v.Last += " (" + strings.Join(rows, ", ") + ")"
			}
		}
		if len(s.Failed) > 0 {
			v.Last += "; failed: " + strings.Join(s.Failed, ", ")
			if v.State != NoHub {
				v.State = Failed
			}
		}
	}
	for _, s := range append(slices.Clone(st.Running), st.Recent...) {
		if s.Kind == "vicinity" && s.Trigger == "highlight" {
			v.Highlight = &api.Position{RA: s.RA, Dec: s.Dec}
			break
		}
	}
	if len(st.Running) > 0 && v.State != NoHub {
		v.State = Searching
	}
	hub := "no hub"
	if st.Hub.Connected {
		hub = st.Hub.URL
	}
	v.Tooltip = fmt.Sprintf("voagent: %s\nhub: %s\nsearches running: %d", v.State, hub, len(st.Running))
	return v
}

func lastTime(st api.Status, id string) (t0 time.Time) {
	for _, t := range st.Tables {
		if t.ID == id {
			return t.Time
		}
	}
	return t0
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// tableName is the name of held table id (its id when it has none).
func tableName(st api.Status, id string) string {
	for _, t := range st.Tables {
		if t.ID == id && t.Name != "" {
			return t.Name
		}
	}
	return id
}
