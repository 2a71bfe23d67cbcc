package dal_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/voagent/voagent/vo/dal"
)

// A protocol client builds a Request and reads the streamed result; errors
// and overflows come typed.
func Example() {
	c := dal.New(dal.Options{}) // defaults: timeouts, size limit, retries
	req := &dal.Request{
		Op:     "cone search",
		URL:    "http://127.0.0.1:8080/twomass/q/cone/scs.xml",
		Params: url.Values{"RA": {"150"}, "DEC": {"2"}, "SR": {"0.01"}},
	}
	r, err := c.Stream(context.Background(), req)
	if err != nil {
		if errors.Is(err, dal.ErrService) {
			fmt.Println("the service says:", dal.ServiceMessage(err))
		}
		return
	}
	defer r.Close()
	for t, err := r.NextTable(); err == nil; t, err = r.NextTable() {
		fmt.Println("table", t.Name)
		for {
			cols, err := r.NextBatch()
			if err == io.EOF {
				break
			}
			if err != nil {
				fmt.Println(err) // names the operation and the URL
				return
			}
			_ = cols // typed columns, reused by the next batch
		}
	}
	if tr := r.Truncation(); tr != nil {
		fmt.Println(tr)
	}
}
