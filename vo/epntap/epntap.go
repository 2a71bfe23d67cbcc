// Package epntap finds EPN-TAP services (solar-system data in tables named
// "<schema>.epn_core") and queries them by target name. Services are
// discovered through the Registry (RegTAP tables whose name ends in
// epn_core), through a TAP service that indexes other services' tables
// (GloTS: glots.services and glots.tables), or in one TAP service's own
// TAP_SCHEMA; the query runs on all of them at once with vo/fanout.
package epntap

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/voagent/voagent/internal/lazyre"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/registry"
)

// Service is one EPN-TAP table and the TAP service serving it.
type Service struct {
	// Name identifies the service (ivoid or table name).
	Name   string
	TAPURL string
	// Table is the qualified table name, e.g. "planets.epn_core".
	Table string
}

// FromRegistry finds the epn_core tables registered in a RegTAP registry.
func FromRegistry(ctx context.Context, reg *registry.Client) ([]Service, error) {
	tables, err := reg.TableNameLike(ctx, "%epn_core")
	if err != nil {
		return nil, err
	}
	var out []Service
	for _, t := range tables {
		if !isEPNCore(t.TableName) {
			continue
		}
		out = append(out, Service{Name: t.IVOID, TAPURL: t.TAPURL, Table: t.TableName})
	}
	return dedupe(out), nil
}

// GloTSQuery lists the epn_core tables a GloTS-style TAP service indexes.
const GloTSQuery = "SELECT s.ivoid, s.access_url, t.table_name FROM glots.services AS s NATURAL JOIN glots.tables AS t WHERE t.table_name LIKE '%epn_core'"

// FromGloTS finds the epn_core tables listed by a TAP service that indexes
// other services' tables (GloTS), running GloTSQuery on it.
func FromGloTS(ctx context.Context, q registry.QueryFunc, tapURL string) ([]Service, error) {
	res, err := q(ctx, tapURL, GloTSQuery, 0)
	if err != nil {
		return nil, fmt.Errorf("listing EPN-TAP tables at %s: %w", tapURL, err)
	}
	return collect(res, "ivoid", "access_url", "table_name", "")
}

// FromTAPSchema finds the epn_core tables of one TAP service in its own
// TAP_SCHEMA.
func FromTAPSchema(ctx context.Context, q registry.QueryFunc, tapURL string) ([]Service, error) {
	res, err := q(ctx, tapURL, "SELECT table_name FROM tap_schema.tables WHERE table_name LIKE '%epn_core'", 0)
	if err != nil {
		return nil, fmt.Errorf("listing EPN-TAP tables at %s: %w", tapURL, err)
	}
	return collect(res, "", "", "table_name", tapURL)
}

func collect(res *dataset.Result, nameCol, urlCol, tableCol, fixedURL string) ([]Service, error) {
	tc := res.Table.FieldByName(tableCol)
	if tc < 0 {
		return nil, fmt.Errorf("table list has no %s column", tableCol)
	}
	nc, uc := -1, -1
	if nameCol != "" {
		nc = res.Table.FieldByName(nameCol)
	}
	if urlCol != "" {
		if uc = res.Table.FieldByName(urlCol); uc < 0 {
			return nil, fmt.Errorf("table list has no %s column", urlCol)
		}
	}
	var out []Service
	for _, r := range res.Records() {
		s := Service{Table: r.String(tc), TAPURL: fixedURL, Name: r.String(nc)}
		if uc >= 0 {
			s.TAPURL = r.String(uc)
		}
		if !isEPNCore(s.Table) || s.TAPURL == "" {
			continue
		}
		if s.Name == "" {
			s.Name = s.Table
		}
		out = append(out, s)
	}
	return dedupe(out), nil
}

func dedupe(ss []Service) []Service {
	var out []Service
	seen := map[[2]string]bool{}
	for _, s := range ss {
		k := [2]string{strings.TrimRight(s.TAPURL, "/"), strings.ToLower(s.Table)}
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

var tableName = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$`)

// isEPNCore accepts plain qualified identifiers ending in epn_core, which
// keeps table names from a remote index out of harm's way in the ADQL.
func isEPNCore(name string) bool {
	return tableName().MatchString(name) && strings.HasSuffix(strings.ToLower(name), "epn_core")
}

// Query returns the ADQL selecting the rows of table about target, at most
// top rows (0: no TOP). target_name is compared case-insensitively, as
// EPN-TAP names are (LOWER of ADQL 2.1: "mars" finds "Mars").
func Query(table, target string, top int) (string, error) {
	if !isEPNCore(table) {
		return "", fmt.Errorf("EPN-TAP: %q is not an epn_core table name", table)
	}
	target = strings.TrimSpace(target)
	if target == "" {
		return "", fmt.Errorf("EPN-TAP: empty target name")
	}
	sel := "SELECT "
	if top > 0 {
		sel += "TOP " + strconv.Itoa(top) + " "
	}
	return sel + "* FROM " + table + " WHERE LOWER(target_name) = '" + strings.ReplaceAll(strings.ToLower(target), "'", "''") + "'", nil
}

// Result is the answer of one EPN-TAP service.
type Result struct {
	Service Service
	*dataset.Result
}

// Search queries every service for target at once (bounded concurrency,
// a deadline per service) and calls emit with each answer as it arrives;
// failures are in the summary, never in the way of the other answers.
func Search(ctx context.Context, q registry.QueryFunc, services []Service, target string, top int, opts fanout.Options, emit func(fanout.Result[Result])) (fanout.Summary, error) {
	var tasks []fanout.Task[Result]
	for _, s := range services {
		adql, err := Query(s.Table, target, top)
		if err != nil {
			return fanout.Summary{}, err
		}
		tasks = append(tasks, fanout.Task[Result]{Name: s.Name, Run: func(ctx context.Context) (Result, error) {
			r, err := q(ctx, s.TAPURL, adql, top)
			if err != nil {
				return Result{Service: s}, err
			}
			return Result{Service: s, Result: r}, nil
		}})
	}
	return fanout.Run(ctx, opts, tasks, emit), nil
}
