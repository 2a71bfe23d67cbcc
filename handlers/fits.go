package handlers

import (
	"context"
	"errors"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/samp/connector"
)

// MTypeLoadFITS asks to load a FITS table (its first BINTABLE extension),
// as TOPCAT and Aladin send them.
const MTypeLoadFITS = "table.load.fits"

func registerFITS(a *agent.Agent) {
	handle(a, MTypeLoadFITS, func(ctx context.Context, req *connector.Request) error {
		u := param(req, "url")
		if u == "" {
			return errors.New("missing url parameter")
		}
		_, err := a.LoadTable(ctx, u, param(req, "table-id"), param(req, "name"), req.Sender.Name())
		return err
	})
}
