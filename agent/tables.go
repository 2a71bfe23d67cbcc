package agent

import (
	"fmt"
	"sync"
	"time"

	"github.com/voagent/voagent/vo/votable"
)

// Table is a table another tool sent (table.load.votable) or the agent made.
type Table struct {
	ID       string // the SAMP table-id
	URL      string
	Name     string
	Sender   string // samp.name of the sender
	Data     *votable.Table
	Document *votable.Document
	Received time.Time
	// Ours marks a table the agent made (a search result).
	Ours bool
}

// Tables is the agent's table store, safe for concurrent use. Tables are
// found by table-id or by URL, as TOPCAT resolves table.highlight.row.
type Tables struct {
	mu    sync.Mutex
	byID  map[string]*Table
	byURL map[string]*Table
	max   int
	order []string
}

// NewTables returns an empty store keeping the 64 most recent tables.
func NewTables() *Tables {
	return &Tables{byID: map[string]*Table{}, byURL: map[string]*Table{}, max: 64}
}

// Put stores t, replacing a table with the same id; the oldest table goes
// when the store is full.
func (s *Tables) Put(t *Table) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.ID == "" {
		t.ID = t.URL
	}
	if old, ok := s.byID[t.ID]; ok {
		delete(s.byURL, old.URL)
	} else {
		s.order = append(s.order, t.ID)
	}
	s.byID[t.ID] = t
	if t.URL != "" {
		s.byURL[t.URL] = t
	}
	for len(s.order) > s.max {
		oldest := s.order[0]
		s.order = s.order[1:]
		if o, ok := s.byID[oldest]; ok {
			delete(s.byURL, o.URL)
			delete(s.byID, oldest)
		}
	}
}

// Find returns the table with this table-id or, failing that, this URL.
func (s *Tables) Find(id, url string) (*Table, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.byID[id]; ok && id != "" {
		return t, nil
	}
	if t, ok := s.byURL[url]; ok && url != "" {
		return t, nil
	}
	return nil, fmt.Errorf("no table with table-id=%q or url=%q has been loaded", id, url)
}

// All returns the tables held, oldest first.
func (s *Tables) All() []*Table {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Table, 0, len(s.order))
	for _, id := range s.order {
		if t, ok := s.byID[id]; ok {
			out = append(out, t)
		}
	}
	return out
}

// Len is the number of tables held.
func (s *Tables) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}
