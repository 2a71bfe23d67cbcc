package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/vo/votable"
)

// The table MTypes.
const (
	MTypeLoadVOTable  = "table.load.votable"
	MTypeHighlightRow = "table.highlight.row"
	MTypeSelectRows   = "table.select.rowList"
)

func registerTable(a *agent.Agent) {
	c := a.Connector()
	c.HandleFunc(MTypeLoadVOTable, func(ctx context.Context, req *connector.Request) (map[string]any, error) {
		return loadVOTable(ctx, a, req)
	})
	c.HandleFunc(MTypeHighlightRow, func(ctx context.Context, req *connector.Request) (map[string]any, error) {
		return highlightRow(ctx, a, req)
	})
	c.HandleFunc(MTypeSelectRows, func(ctx context.Context, req *connector.Request) (map[string]any, error) {
		return selectRows(a, req)
	})
}

func param(req *connector.Request, name string) string {
	s, _ := req.Message.Params[name].(string)
	return s
}

// loadVOTable reads the table a tool sent and keeps it under its table-id.
func loadVOTable(ctx context.Context, a *agent.Agent, req *connector.Request) (map[string]any, error) {
	u := param(req, "url")
	if u == "" {
		return nil, errors.New("table.load.votable: missing url parameter")
	}
	_, err := fetchTable(ctx, a, u, param(req, "table-id"), param(req, "name"), req.Sender.Name())
	return nil, err
}

// fetchTable reads the VOTable at u and keeps its first table under id.
func fetchTable(ctx context.Context, a *agent.Agent, u, id, name, sender string) (*agent.Table, error) {
	r, err := open(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("table.load.votable: %w", err)
	}
	defer r.Close()
	doc, err := votable.ReadContext(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("table.load.votable %s: %w", u, err)
	}
	tables := doc.Tables()
	if len(tables) == 0 {
		return nil, fmt.Errorf("table.load.votable %s: the document has no table", u)
	}
	t := &agent.Table{ID: id, URL: u, Name: name, Sender: sender, Data: tables[0], Document: doc, Received: time.Now()}
	a.Tables().Put(t)
	a.Logger().Info("table loaded", "table-id", t.ID, "url", u, "rows", t.Data.Rows(), "from", t.Sender)
	return t, nil
}

// highlightRow resolves the row TOPCAT highlighted: the table by table-id
// or url (read from the url when it was never sent to us, so that a user
// need not send TOPCAT's table first), the position from the UCDs.
func highlightRow(ctx context.Context, a *agent.Agent, req *connector.Request) (map[string]any, error) {
	t, err := a.Tables().Find(param(req, "table-id"), param(req, "url"))
	if err != nil && param(req, "url") != "" {
		var ferr error
		if t, ferr = fetchTable(ctx, a, param(req, "url"), param(req, "table-id"), "", req.Sender.Name()); ferr != nil {
			return nil, fmt.Errorf("%w, and reading it from its url failed: %w", err, ferr)
		}
	} else if err != nil {
		return nil, err
	}
	row, err := strconv.Atoi(param(req, "row"))
	if err != nil || row < 0 || row >= t.Data.Rows() {
		return nil, fmt.Errorf("row %q out of range (table %q has %d rows)", param(req, "row"), t.ID, t.Data.Rows())
	}
	pos, ok := agent.RowPosition(t.Data, row)
	if !ok {
		return nil, fmt.Errorf("table %q row %d has no sky position (no pos.eq.ra/pos.eq.dec columns, or null)", t.ID, row)
	}
	a.Logger().Info("row highlighted", "table-id", t.ID, "row", row, "ra", pos.RA, "dec", pos.Dec)
	if cfg := a.Config(); cfg.Vicinity.Enabled && len(cfg.Catalogs)+len(cfg.Images) > 0 {
		// Reply at once; the search runs in the background and a newer
		// highlight cancels it.
		a.Go(func(ctx context.Context) { a.SearchAround(ctx, pos) })
	}
	return nil, nil
}

// selectRows resolves a row selection (TOPCAT, or Aladin, which names the
// table by table-id only) and, when spectra.on_select is set, looks up the
// spectra of the selected rows in the background, sending them to SPLAT.
func selectRows(a *agent.Agent, req *connector.Request) (map[string]any, error) {
	t, err := a.Tables().Find(param(req, "table-id"), param(req, "url"))
	if err != nil {
		return nil, err
	}
	list, ok := req.Message.Params["row-list"].([]any)
	if !ok {
		return nil, errors.New("table.select.rowList: row-list must be a list of row indices")
	}
	a.Logger().Info("rows selected", "table-id", t.ID, "count", len(list))
	cfg := a.Config().Spectra
	if !cfg.OnSelect || len(list) == 0 {
		return nil, nil
	}
	var pos []agent.Position
	for _, v := range list {
		s, _ := v.(string)
		row, err := strconv.Atoi(s)
		if err != nil || row < 0 || row >= t.Data.Rows() {
			return nil, fmt.Errorf("row-list: %q is not a row of table %q (%d rows)", s, t.ID, t.Data.Rows())
		}
		if p, ok := agent.RowPosition(t.Data, row); ok {
			pos = append(pos, p)
		}
	}
	if len(pos) == 0 {
		return nil, fmt.Errorf("table %q: none of the %d selected rows has a sky position", t.ID, len(list))
	}
	if len(pos) > cfg.MaxRows {
		return nil, fmt.Errorf("%d rows selected; spectra.max_rows allows %d at once", len(pos), cfg.MaxRows)
	}
	a.Go(func(ctx context.Context) { a.SpectraFor(ctx, pos) })
	return nil, nil
}
