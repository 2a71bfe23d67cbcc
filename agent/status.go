package agent

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/vo/skypos"
)

// Status is what the agent holds and is doing: the hub and its clients,
// the tables held, the searches running and recent, each service's last
// answer, the configuration and its last reload error.
func (a *Agent) Status() api.Status {
	cfg := a.Config()
	a.cfgMu.RLock()
	st := api.Status{Version: Version, PID: os.Getpid(), Started: a.started, Uptime: time.Since(a.started),
		Name: cfg.SAMP.Name, Config: a.cfgPath, ConfigLoaded: a.reloadAt, ResultsDir: a.ResultsDir(),
		Socket: a.socket, Catalogues: []api.Service{}, Images: []api.Service{}, Tables: []api.Table{}}
	if a.reloadErr != nil {
		st.ReloadError = a.reloadErr.Error()
	}
	a.cfgMu.RUnlock()
	for _, c := range cfg.Catalogs {
		svc := api.Service{Name: c.Name, Kind: c.Kind, URL: c.URL, IVOID: c.IVOID}
		if c.IVOID != "" && c.URL == "" {
			svc.URL, svc.Problem = a.resolved(cfg, c)
		}
		st.Catalogues = append(st.Catalogues, svc)
	}
	for _, c := range cfg.Images {
		st.Images = append(st.Images, api.Service{Name: c.Name, Kind: c.Kind, URL: c.URL})
	}
	info := a.conn.Info()
	a.hubMu.Lock()
	st.Hub = api.HubStatus{Connected: a.conn.Connected(), URL: info.HubURL, Lockfile: info.Lockfile, SelfID: info.SelfID, HubID: info.HubID,
		Own: a.ownHub != "" && a.ownHub == info.HubURL, Clients: []api.Client{}}
	a.hubMu.Unlock()
	if st.Hub.Connected {
		for _, c := range a.conn.Clients() {
			var subs []string
			for k := range c.Subscriptions {
				subs = append(subs, k)
			}
			sort.Strings(subs)
			st.Hub.Clients = append(st.Hub.Clients, api.Client{ID: c.ID, Name: c.Name(), Subscriptions: subs})
		}
	}
	for _, t := range a.tables.All() {
		at := api.Table{ID: t.ID, Name: t.Name, URL: t.URL, From: t.Sender, Rows: t.Data.Rows(), Time: t.Received, Ours: t.Ours}
		at.Position = positionColumns(t)
		st.Tables = append(st.Tables, at)
	}
	st.Running, st.Recent, st.LastResults = a.searches.snapshot()
	if sel := a.lastSelection.Load(); sel != nil {
		if _, err := a.tables.Find(sel.TableID, ""); err == nil {
			st.Selection = sel
		}
	}
	st.Plots = a.plots.list()
	return st
}

// positionColumns names the columns giving t's sky positions, or says why
// there are none.
func positionColumns(t *Table) string {
	c, err := skypos.Find(t.Data, skypos.Options{})
	if err != nil {
		return "none"
	}
	return c.Describe(t.Data)
}

// Reload reads the configuration file again and applies it to the next
// search; an invalid file is refused (with the reason in the log, the
// event stream and the status) and the running configuration stays.
func (a *Agent) Reload(ctx context.Context) error {
	if a.cfgPath == "" {
		err := fmt.Errorf("no configuration file: the agent runs on the embedded defaults (write one with 'voagent config init')")
		return err
	}
	cfg, err := config.Load(a.cfgPath)
	a.ApplyConfig(cfg, err)
	return err
}

// ApplyConfig takes a configuration read from the file (err nil) or
// records why the file was refused (err set; the running configuration
// stays). The live reload watcher calls it.
func (a *Agent) ApplyConfig(cfg config.Config, err error) {
	a.cfgMu.Lock()
	if err != nil {
		a.reloadErr = err
		a.cfgMu.Unlock()
		a.bus.Publish(events.Event{Type: events.ConfigRejected, Path: a.cfgPath, Error: err.Error()})
		a.log.Warn("configuration change refused; the running configuration stays", "config", a.cfgPath, "err", err)
		return
	}
	old := a.cfg
	// What needs a restart stays as it was: the SAMP registration.
	cfg.SAMP = old.SAMP
	a.cfg, a.reloadErr, a.reloadAt = cfg, nil, time.Now()
	a.cfgMu.Unlock()
	a.bus.Publish(events.Event{Type: events.ConfigReloaded, Path: a.cfgPath})
	a.log.Info("configuration reloaded", "config", a.cfgPath, "catalogues", len(cfg.Catalogs), "images", len(cfg.Images))
}
