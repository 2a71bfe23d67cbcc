package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/samp/connector"
)

// The table MTypes.
const (
	MTypeLoadVOTable  = "table.load.votable"
	MTypeHighlightRow = "table.highlight.row"
	MTypeSelectRows   = "table.select.rowList"
)

func registerTable(a *agent.Agent) {
	handle(a, MTypeLoadVOTable, func(ctx context.Context, req *connector.Request) error {
		u := param(req, "url")
		if u == "" {
			return errors.New("missing url parameter")
		}
		t, err := a.LoadTable(ctx, u, param(req, "table-id"), param(req, "name"), req.Sender.Name())
		if err != nil {
			return err
		}
		a.AfterLoad(t)
		return nil
	})
	handle(a, MTypeHighlightRow, func(ctx context.Context, req *connector.Request) error {
		row, err := strconv.Atoi(param(req, "row"))
		if err != nil {
			return fmt.Errorf("row %q is not a row index", param(req, "row"))
		}
		return a.Highlight(ctx, tableRef(req), row)
	})
	handle(a, MTypeSelectRows, func(ctx context.Context, req *connector.Request) error {
		list, ok := req.Message.Params["row-list"].([]any)
		if !ok {
			return errors.New("row-list must be a list of row indices")
		}
		rows := make([]int, 0, len(list))
		for _, v := range list {
			s, _ := v.(string)
			row, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("row-list: %q is not a row index", s)
			}
			rows = append(rows, row)
		}
		return a.Select(ctx, tableRef(req), rows)
	})
}

// tableRef is the table a message names.
func tableRef(req *connector.Request) agent.TableRef {
	return agent.TableRef{ID: param(req, "table-id"), URL: param(req, "url"), Sender: req.Sender.Name()}
}
