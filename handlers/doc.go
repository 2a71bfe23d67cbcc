// Package handlers turns SAMP messages into agent work: one file per MType
// family. Register adds them all to an agent's connector.
package handlers

import "github.com/voagent/voagent/agent"

// Register installs every handler on a's connector.
func Register(a *agent.Agent) {
	registerTable(a)
}
