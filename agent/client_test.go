package agent

import "github.com/voagent/voagent/agent/client"

func newTestClient(path string) *client.Client { return client.New(path) }
