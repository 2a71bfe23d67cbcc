package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/config"
)

// agentAPI is what commands ask of the agent: the running one through its
// control socket, or one run in this process for the command's duration.
type agentAPI interface {
	Status(ctx context.Context) (api.Status, error)
	Vicinity(ctx context.Context, req api.VicinityRequest) ([]api.Report, error)
	Spectra(ctx context.Context, req api.SpectraRequest) (api.Report, error)
	Send(ctx context.Context, req api.SendRequest) (api.SendReport, error)
}

// inProcess is an agent run by this command, answering as the control API
// does.
type inProcess struct{ a *agent.Agent }

func (p inProcess) Status(context.Context) (api.Status, error) { return p.a.Status(), nil }
func (p inProcess) Vicinity(ctx context.Context, req api.VicinityRequest) ([]api.Report, error) {
	return p.a.Vicinity(ctx, req, "cli")
}
func (p inProcess) Spectra(ctx context.Context, req api.SpectraRequest) (api.Report, error) {
	return p.a.Spectra(ctx, req, "cli")
}
func (p inProcess) Send(ctx context.Context, req api.SendRequest) (api.SendReport, error) {
	return p.a.Send(ctx, req)
}

// withAgent calls fn with the running agent when one answers on its control
// socket (so that it keeps and serves the results, and the hub sees one
// voagent); when none runs, with an agent run in this process, registered
// on the running hub (never starting one) under the name "voagent-cli",
// for as long as fn takes. cfgPath configures that agent. The results of
// an in-process agent are kept under the user's cache directory
// (voagent/cli-results/<time>-*), since receivers may read them after it
// leaves.
func withAgent(ctx context.Context, g *globals, cfgPath string, fn func(context.Context, agentAPI) error) error {
	c := client.New("")
	if c.Running(ctx) {
		g.log.Debug("using the running agent", "socket", c.Socket())
		return fn(ctx, c)
	}
	if _, _, err := findHub(ctx); err != nil {
		return err
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	cfg.SAMP.StartHub = false
	cfg.SAMP.Name = "voagent-cli"
	a := agent.New(cfg, g.quietLogger(ctx), agent.WithConfigPath(cfgPath))
	if dir, err := os.UserCacheDir(); err == nil {
		base := filepath.Join(dir, "voagent", "cli-results")
		if err := os.MkdirAll(base, 0o700); err != nil {
			return fmt.Errorf("result directory: %w", err)
		}
		run, err := os.MkdirTemp(base, time.Now().Format("20060102-150405-"))
		if err != nil {
			return fmt.Errorf("result directory: %w", err)
		}
		if err := a.KeepResultsIn(run); err != nil {
			return err
		}
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	defer func() { stop(); <-done }()
	if err := a.WaitConnected(ctx, 20*time.Second); err != nil {
		return fmt.Errorf("registering with the SAMP hub: %w", err)
	}
	return fn(ctx, inProcess{a})
}

// errNothingSent is returned when a message reached no client.
var errNothingSent = errors.New("nothing was delivered")
