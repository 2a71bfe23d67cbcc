package agent

import (
	"fmt"
	"slices"
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
	// Bytes is the size of the table's document, for the store's bound.
	Bytes int64
	// holders are the clients (ids) that took the table from us; while one
	// is registered it may highlight rows of it (guarded by the store).
	holders map[string]bool
}

// Tables is the agent's table store, safe for concurrent use. Tables are
// found by table-id or by URL, as TOPCAT resolves table.highlight.row.
type Tables struct {
	mu       sync.Mutex
	byID     map[string]*Table
	byURL    map[string]*Table
	max      int
	maxBytes int64
	bytes    int64
	order    []string
}

// Default bounds of the table store.
const (
	DefaultMaxTables = 64
	DefaultMaxBytes  = 512 << 20
)

// NewTables returns an empty store keeping at most max tables and maxBytes
// of them (the defaults when not positive), oldest out first.
func NewTables(max int, maxBytes int64) *Tables {
	if max <= 0 {
		max = DefaultMaxTables
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Tables{byID: map[string]*Table{}, byURL: map[string]*Table{}, max: max, maxBytes: maxBytes}
}

// Put stores t, replacing a table with the same id; the oldest tables go
// while the store holds more than its bounds allow (t itself always stays).
// It returns the tables that went.
func (s *Tables) Put(t *Table) (evicted []*Table) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.ID == "" {
		t.ID = t.URL
	}
	if old, ok := s.byID[t.ID]; ok {
		delete(s.byURL, old.URL)
		s.bytes -= old.Bytes
		s.order = slices.DeleteFunc(s.order, func(id string) bool { return id == t.ID })
	}
	s.order = append(s.order, t.ID)
	s.byID[t.ID] = t
	s.bytes += t.Bytes
	if t.URL != "" {
		s.byURL[t.URL] = t
	}
	for len(s.order) > 1 && (len(s.order) > s.max || s.bytes > s.maxBytes) {
		oldest := s.order[0]
		s.order = s.order[1:]
		if o, ok := s.byID[oldest]; ok {
			if s.byURL[o.URL] == o {
				delete(s.byURL, o.URL)
			}
			delete(s.byID, oldest)
			s.bytes -= o.Bytes
			evicted = append(evicted, o)
		}
	}
	return evicted
}

// AddHolder records that client took table id (so the table stays while
// the client is registered, within the store's bounds).
func (s *Tables) AddHolder(id, client string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.byID[id]; ok {
		if t.holders == nil {
			t.holders = map[string]bool{}
		}
		t.holders[client] = true
	}
}

// Release forgets client as a holder and removes the tables it was the
// last holder of; it returns them.
func (s *Tables) Release(client string) (gone []*Table) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		t := s.byID[id]
		if t == nil || !t.holders[client] {
			continue
		}
		delete(t.holders, client)
		if len(t.holders) == 0 {
			gone = append(gone, t)
		}
	}
	for _, t := range gone {
		delete(s.byID, t.ID)
		if s.byURL[t.URL] == t {
			delete(s.byURL, t.URL)
		}
		s.bytes -= t.Bytes
		s.order = slices.DeleteFunc(s.order, func(id string) bool { return id == t.ID })
	}
	return gone
}

// Bytes is the size of the tables held.
func (s *Tables) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
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
