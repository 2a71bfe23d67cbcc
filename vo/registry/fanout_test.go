package registry

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/fanout"
)

func TestFanOut(t *testing.T) {
	ctx := context.Background()
	var adql string
	reg := New("http://reg/tap", fakeQuery(regDoc, &adql))
	tests := []struct {
		serviceType string
		want        []string // name=access URL of the results
		ok          int
		wantErr     string
	}{
		{"tap", []string{"B cone=http://b/tap", "atap=http://a/tap"}, 1, ""},
		{"scs", []string{"B cone=http://b/scs?"}, 0, ""},
		{"ssa", nil, 0, "lists no ssa service"},
	}
	for _, tt := range tests {
		t.Run(tt.serviceType, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			sum, err := FanOut(ctx, reg, tt.serviceType, fanout.Options{Concurrency: 2},
				func(ctx context.Context, u string) (string, error) {
					if strings.Contains(u, "b/") {
						return u, errors.New("service B is down")
					}
					return u, nil
				},
				func(r fanout.Result[string]) {
					mu.Lock()
					defer mu.Unlock()
					got = append(got, r.Name+"="+r.Value)
				})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "http://reg/tap") {
					t.Fatalf("error %v, want %q naming the registry", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("results %v, want %v", got, tt.want)
			}
			if sum.Total != len(tt.want) || sum.OK != tt.ok || len(sum.Failures) != len(tt.want)-tt.ok {
				t.Errorf("summary %+v", sum)
			}
		})
	}
	boom := errors.New("registry down")
	down := New("http://reg/tap", func(context.Context, string, string, int) (*dataset.Result, error) { return nil, boom })
	if _, err := FanOut(ctx, down, "scs", fanout.Options{}, func(context.Context, string) (int, error) { return 0, nil }, func(fanout.Result[int]) {}); !errors.Is(err, boom) {
		t.Errorf("registry down: %v", err)
	}
}
