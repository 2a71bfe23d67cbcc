// Package handlers turns SAMP messages into agent work: one file per MType
// family, each handler decoding the message's parameters and making one
// call into the agent. Register adds them all to an agent's connector.
package handlers

import (
	"context"
	"fmt"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/samp/connector"
)

// Register installs every handler on a's connector.
func Register(a *agent.Agent) {
	registerTable(a)
	registerFITS(a)
	registerCrossmatch(a)
}

// handle registers fn for mtype. An error fn returns is answered as
// samp.error prefixed with the MType, logged with the sender and reason,
// and published on the agent's event stream, so that what TOPCAT shows as
// "non-OK response" can be read in voagent too.
func handle(a *agent.Agent, mtype string, fn func(context.Context, *connector.Request) error) {
	a.Connector().HandleFunc(mtype, func(ctx context.Context, req *connector.Request) (map[string]any, error) {
		err := fn(ctx, req)
		if err == nil {
			return nil, nil
		}
		err = fmt.Errorf("%s: %w", mtype, err)
		from := req.Sender.Name()
		if from == "" {
			from = req.Sender.ID
		}
		a.Logger().Warn("message refused", "mtype", mtype, "from", from, "err", err)
		a.Events().Publish(events.Event{Type: events.MessageFailed, MType: mtype, From: from, Error: err.Error()})
		return nil, err
	})
}

func param(req *connector.Request, name string) string {
	s, _ := req.Message.Params[name].(string)
	return s
}
