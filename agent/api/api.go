// Package api holds the types of voagent's control API: what the agent
// answers (status, search reports, results) and what clients ask of it
// (searches, resends, sends). The agent serves them as JSON over its
// control socket; agent/client reads them; both import only this package
// and agent/events, so a client never links the agent itself.
package api

import "time"

// Paths of the control API (HTTP over the control socket).
const (
	PathStatus   = "/v1/status"   // GET: Status
	PathEvents   = "/v1/events"   // GET ?since=SEQ&types=a,b: newline-delimited events.Event, until the client leaves
	PathVicinity = "/v1/vicinity" // POST VicinityRequest: Report
	PathSpectra  = "/v1/spectra"  // POST SpectraRequest: Report
	PathResend   = "/v1/resend"   // POST ResendRequest: SendReport
	PathSend     = "/v1/send"     // POST SendRequest: SendReport
	PathReload   = "/v1/reload"   // POST: ReloadReport
	PathStop     = "/v1/stop"     // POST: {} then the agent stops
	// PathCrossmatch: POST CrossmatchRequest: CrossmatchReport.
	PathCrossmatch = "/v1/crossmatch"
	// PathHeldMatch: POST HeldMatchRequest: HeldMatchReport.
	PathHeldMatch = "/v1/xmatch"
	// PathReconnect: POST: ReconnectReport.
	PathReconnect = "/v1/reconnect"
)

// Error is the body of every non-2xx answer.
type Error struct {
	Error string `json:"error"`
}

// Status is what the agent holds and is doing.
type Status struct {
	Version string        `json:"version"`
	PID     int           `json:"pid"`
	Started time.Time     `json:"started"`
	Uptime  time.Duration `json:"uptime_ns"`
	Name    string        `json:"name"`
	Hub     HubStatus     `json:"hub"`
	// Config is the configuration file ("" for the embedded defaults);
	// ReloadError the reason the last change to it was refused.
	Config       string    `json:"config"`
	ConfigLoaded time.Time `json:"config_loaded"`
	ReloadError  string    `json:"reload_error,omitempty"`
	// Catalogues and Images are the configured services.
	Catalogues []Service `json:"catalogues"`
	Images     []Service `json:"images"`
	Tables     []Table   `json:"tables"`
	Running    []Search  `json:"running"`
	// Recent are the last finished searches, newest first.
	Recent []Search `json:"recent"`
	// LastResults is the last answer of each service, by service name.
	LastResults map[string]ServiceResult `json:"last_results"`
	ResultsDir  string                   `json:"results_dir"`
	Socket      string                   `json:"socket"`
	// Plots are the SED plots (PNG files in ResultsDir) the agent made,
	// newest first.
	Plots []Result `json:"plots,omitempty"`
	// Selection is the last selection of rows another tool sent
	// (table.select.rowList; nil: none).
	Selection *Selection `json:"selection,omitempty"`
}

// Selection is a set of rows of a held table that a tool selected.
type Selection struct {
	TableID string    `json:"table_id"`
	Rows    []int     `json:"rows"`
	Time    time.Time `json:"time"`
}

// HubStatus is the SAMP hub the agent is on.
type HubStatus struct {
	Connected bool   `json:"connected"`
	URL       string `json:"url,omitempty"`
	Lockfile  string `json:"lockfile,omitempty"`
	SelfID    string `json:"self_id,omitempty"`
	HubID     string `json:"hub_id,omitempty"`
	// Own says the hub is the one the agent started.
	Own     bool     `json:"own"`
	Clients []Client `json:"clients"`
}

// Client is a client registered on the hub.
type Client struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Subscriptions lists its subscribed MTypes.
	Subscriptions []string `json:"subscriptions"`
}

// Service is a configured catalogue or image service.
type Service struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	URL   string `json:"url,omitempty"`
	IVOID string `json:"ivoid,omitempty"`
	// Problem says why the service cannot be used now (an IVOA identifier
	// the registry did not resolve).
	Problem string `json:"problem,omitempty"`
}

// Table is a table the agent holds.
type Table struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	URL  string    `json:"url"`
	From string    `json:"from"`
	Rows int       `json:"rows"`
	Time time.Time `json:"time"`
	Ours bool      `json:"ours"`
	// Position names the columns giving its rows' sky positions, or says
	// why there are none.
	Position string `json:"position"`
}

// Search is one vicinity or spectra search.
type Search struct {
	ID        string        `json:"id"`
	Kind      string        `json:"kind"`
	Trigger   string        `json:"trigger"`
	RA        float64       `json:"ra"`
	Dec       float64       `json:"dec"`
	Positions int           `json:"positions,omitempty"`
	Started   time.Time     `json:"started"`
	Elapsed   time.Duration `json:"elapsed_ns"`
	Services  int           `json:"services"`
	Answered  int           `json:"answered"`
	Delivered int           `json:"delivered"`
	// Failed names the services without an answer, with the reason.
	Failed     []string `json:"failed,omitempty"`
	Superseded bool     `json:"superseded,omitempty"`
	Done       bool     `json:"done"`
}

// ServiceResult is the last answer of one service.
type ServiceResult struct {
	Search string `json:"search"`
	Rows   int    `json:"rows"`
	Result string `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
	// Note says why an answer gave nothing to send (an image service
	// whose images do not contain the position).
	Note string    `json:"note,omitempty"`
	Time time.Time `json:"time"`
}

// Result is one answer a search produced and the agent keeps: a catalogue
// table, an image or a spectrum, with where it went.
type Result struct {
	// ID names the result for Resend; it is also the SAMP table-id (or
	// image-id) it was sent under, unique across runs.
	ID string `json:"id"`
	// Search is the search that produced it; Service the catalogue or
	// image service.
	Search  string `json:"search"`
	Service string `json:"service"`
	// Kind is "table", "image" or "spectrum".
	Kind string `json:"kind"`
	// Name is what the receiving tool shows.
	Name string `json:"name"`
	// Path is the file (empty for a spectrum, which stays at its
	// service); URL is what receivers load.
	Path string `json:"path,omitempty"`
	URL  string `json:"url"`
	// Rows counts a table's rows; Truncated says the service gave only
	// part of what is in the cone.
	Rows      int  `json:"rows,omitempty"`
	Truncated bool `json:"truncated,omitempty"`
	// RA and Dec are the search's centre (for a spectrum, the position it
	// was found near: position Pos of the request); Target is a spectrum's
	// target name.
	Pos    int       `json:"pos,omitempty"`
	Target string    `json:"target,omitempty"`
	RA     float64   `json:"ra"`
	Dec    float64   `json:"dec"`
	Time   time.Time `json:"time"`
	// SentTo lists the clients it was delivered to; SendError says why a
	// delivery failed.
	SentTo    []string `json:"sent_to,omitempty"`
	SendError string   `json:"send_error,omitempty"`
	// Plot is the PNG file drawn from the result (an SED), when any.
	Plot string `json:"plot,omitempty"`
}

// Position is a sky position in ICRS degrees.
type Position struct {
	RA  float64 `json:"ra"`
	Dec float64 `json:"dec"`
}

// VicinityRequest asks for a vicinity search: at a position, or at each of
// the given rows of a held table.
type VicinityRequest struct {
	Position *Position `json:"position,omitempty"`
	Pos      string    `json:"pos"`
	TableID  string    `json:"table_id,omitempty"`
	Rows     []int     `json:"rows,omitempty"`
	// RadiusArcsec overrides the configured radii when positive.
	RadiusArcsec float64 `json:"radius_arcsec,omitempty"`
	// Send delivers the results as a highlight does (Aladin pointed,
	// tables to vicinity.send_to, images to vicinity.images_to); without
	// it the results are only kept (and listed in the report).
	Send bool `json:"send"`
}

// SpectraRequest asks for the spectra near positions, or near the given
// rows (all when none) of a held table.
type SpectraRequest struct {
	Positions []Position `json:"positions,omitempty"`
	// Pos is a position string or an object name (see VicinityRequest),
	// searched besides Positions.
	Pos          string  `json:"pos,omitempty"`
	TableID      string  `json:"table_id,omitempty"`
	Rows         []int   `json:"rows,omitempty"`
	RadiusArcsec float64 `json:"radius_arcsec,omitempty"`
	Registry     string  `json:"registry,omitempty"`
	// Send delivers each spectrum to To (spectra.send_to when empty).
	Send bool   `json:"send"`
	To   string `json:"to,omitempty"`
}

// Report is how a search went and what it produced.
type Report struct {
	Search  Search   `json:"search"`
	Results []Result `json:"results"`
	// Summary is a one-line account ("3 of 3 services answered ...").
	Summary string `json:"summary"`
}

// ResendRequest sends a kept result again, to To (the configured
// recipient when empty; "*" for every subscriber).
type ResendRequest struct {
	Result string `json:"result"`
	To     string `json:"to,omitempty"`
}

// SendRequest sends a message the agent builds: Kind "table", "image",
// "spectrum" (URL, Name, ID, Meta for spectra) or "point" (Position).
// To names the recipients (every subscriber when empty).
type SendRequest struct {
	Kind     string            `json:"kind"`
	URL      string            `json:"url,omitempty"`
	Name     string            `json:"name,omitempty"`
	ID       string            `json:"id,omitempty"`
	Meta     map[string]string `json:"meta,omitempty"`
	Position *Position         `json:"position,omitempty"`
	To       string            `json:"to,omitempty"`
}

// SendReport lists who got a message and who did not, each client as
// "id (name)".
type SendReport struct {
	MType  string            `json:"mtype"`
	SentTo []string          `json:"sent_to"`
	Failed map[string]string `json:"failed,omitempty"`
}

// ReloadReport says whether the configuration file was taken.
type ReloadReport struct {
	Config string `json:"config"`
	Error  string `json:"error,omitempty"`
}

// CrossmatchRequest asks for a cross-match of a held table with a
// configured catalogue ([[catalog]] entry).
type CrossmatchRequest struct {
	// TableID names a held table; "" or "last" is the table another tool
	// sent last. URL instead reads the table from there (a SAMP caller's
	// table not held yet).
	TableID string `json:"table_id,omitempty"`
	URL     string `json:"url,omitempty"`
	// Catalog is the [[catalog]] entry's name.
	Catalog string `json:"catalog"`
	// Radius is the match radius with its unit ("2arcsec", "0.1arcmin",
	// a bare number is arcsec); "" for crossmatch.radius_arcsec.
	Radius string `json:"radius,omitempty"`
	// Join is "all1" or "1and2" ("" for crossmatch.join).
	Join string `json:"join,omitempty"`
	// Send delivers the result table to To (vicinity.send_to when empty;
	// "*" for every table.load.votable subscriber) and waits for the
	// outcome.
	Send bool   `json:"send"`
	To   string `json:"to,omitempty"`
}

// CrossmatchReport is how a cross-match went.
type CrossmatchReport struct {
	Search Search `json:"search"`
	// Result is the joined table (Kind "table"): its ID is its SAMP
	// table-id, Rows its rows.
	Result Result `json:"result"`
	// Table is the held table matched, Catalog the catalogue.
	Table   string `json:"table"`
	Catalog string `json:"catalog"`
	// Method is "tap-upload" (the table uploaded in Chunks chunks and
	// joined by the TAP service) or "cone" (one cone search per row).
	Method string `json:"method"`
	Chunks int    `json:"chunks,omitempty"`
	// InputRows are the table's rows; Positions those with a sky
	// position; Matched those with a match within RadiusArcsec.
	InputRows    int     `json:"input_rows"`
	Positions    int     `json:"positions"`
	Matched      int     `json:"matched"`
	RadiusArcsec float64 `json:"radius_arcsec"`
	Join         string  `json:"join"`
	// FailedRows counts the rows whose cone search failed (their errors,
	// the first few, in Errors); those rows count as unmatched.
	FailedRows int      `json:"failed_rows,omitempty"`
	Errors     []string `json:"errors,omitempty"`
}

// HeldMatchRequest asks for a cross-match of two tables the agent holds
// (the tray's "cross-match the last two tables"), done by vo/xmatch in
// the agent.
type HeldMatchRequest struct {
	// A and B are held tables' ids; both "" are the last two tables other
	// tools sent (A the older); B "" alone is the last one other than A.
	A string `json:"a,omitempty"`
	B string `json:"b,omitempty"`
	// Radius is the match radius with its unit ("2arcsec"; a bare number
	// is arcsec); "" for crossmatch.radius_arcsec.
	Radius string `json:"radius,omitempty"`
	// Find is "best" (default), "best-mutual", "best-unique" or "all";
	// Join "1and2" (default), "1or2", "all1", "all2", "1not2", "2not1" or
	// "1xor2", as for 'voagent xmatch'.
	Find string `json:"find,omitempty"`
	Join string `json:"join,omitempty"`
	// Send delivers the result to To (vicinity.send_to when empty; "*"
	// for every table.load.votable subscriber) and waits for the outcome.
	Send bool   `json:"send"`
	To   string `json:"to,omitempty"`
}

// HeldMatchReport is how a cross-match of two held tables went.
type HeldMatchReport struct {
	Search Search `json:"search"`
	// Result is the joined table (Kind "table", held under its ID).
	Result Result `json:"result"`
	// A and B are the tables matched, RowsA and RowsB their rows.
	A     string `json:"a"`
	B     string `json:"b"`
	RowsA int    `json:"rows_a"`
	RowsB int    `json:"rows_b"`
	// Pairs are the matches found; Rows the result's rows (by Join).
	Pairs        int     `json:"pairs"`
	RadiusArcsec float64 `json:"radius_arcsec"`
	Find         string  `json:"find"`
	Join         string  `json:"join"`
}

// ReconnectReport is the hub the agent is on after a reconnection.
type ReconnectReport struct {
	Hub HubStatus `json:"hub"`
}
