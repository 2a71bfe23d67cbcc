package agent

import (
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
)

func newTestClient(path string) *client.Client { return client.New(path) }

func vicinityAt(ra, dec float64) api.VicinityRequest {
	return api.VicinityRequest{Position: &api.Position{RA: ra, Dec: dec}}
}
