package registry

import (
	"context"
	"fmt"

	"github.com/voagent/voagent/vo/fanout"
)

// FanOut asks the registry for every service of serviceType ("scs",
// "sia", "ssa" ...; auxiliary capabilities left out) and runs search on
// the access URL of each at once, under opts (concurrency, deadline per
// service), emitting each result as it arrives, named after the service
// (Resource.Name). It fails when the registry search fails or lists no
// such service; services that fail are in the returned summary.
func FanOut[T any](ctx context.Context, reg *Client, serviceType string, opts fanout.Options,
	search func(ctx context.Context, accessURL string) (T, error), emit func(fanout.Result[T])) (fanout.Summary, error) {
	rs, err := reg.Search(ctx, Constraints{ServiceTypes: []string{serviceType}})
	if err != nil {
		return fanout.Summary{}, err
	}
	var tasks []fanout.Task[T]
	for _, r := range rs {
		u := r.AccessURL(serviceType)
		if u == "" {
			continue
		}
		tasks = append(tasks, fanout.Task[T]{Name: r.Name(), Run: func(ctx context.Context) (T, error) { return search(ctx, u) }})
	}
	if len(tasks) == 0 {
		return fanout.Summary{}, fmt.Errorf("the registry at %s lists no %s service", reg.URL, serviceType)
	}
	return fanout.Run(ctx, opts, tasks, emit), nil
}
