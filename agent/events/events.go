// Package events is the agent's typed event stream: what the agent did and
// what happened around it (searches, results, failures, the hub, the
// configuration), published without ever blocking the agent and read by
// the control API, the log and desktop clients through bounded buffered
// subscriptions (the model is syncthing's lib/events).
package events

import (
	"sync"
	"time"
)

// Type names what an event reports.
type Type string

// The event types. Each lists the Event fields it sets besides Seq, Time
// and Type.
const (
	// SearchStarted: a vicinity or spectra search began (Search, Kind,
	// RA/Dec, Positions, Services, Trigger).
	SearchStarted Type = "search.started"
	// SearchFinished: a search ended (Search, Kind, Services, Answered,
	// Rows, Counts, Failed, Superseded, Elapsed).
	SearchFinished Type = "search.finished"
	// SearchDelivered: every message of a search started by a highlight
	// has an outcome (Search, Kind, Count: the results delivered); its
	// search.finished came before, while messages were still queued.
	SearchDelivered Type = "search.delivered"
	// ServiceFailed: one service of a search gave no answer (Search,
	// Service, Error).
	ServiceFailed Type = "service.failed"
	// ServiceNote: a service answered but gave nothing to send, and Note
	// says why (Search, Service, Note).
	ServiceNote Type = "service.note"
	// ResultStored: a service's answer was kept (Search, Service, Result,
	// Rows, Path, Truncated).
	ResultStored Type = "result.stored"
	// ResultSent: a result was delivered to a client (Search, Service,
	// Result, To, Elapsed since the search's trigger, ServiceTime, SendTime).
	ResultSent Type = "result.sent"
	// ResultNotSent: a result could not be delivered (Search, Result, To,
	// Error).
	ResultNotSent Type = "result.not_sent"
	// SpectraDelivered: spectra reached their client (Search, To, Count).
	SpectraDelivered Type = "spectra.delivered"
	// TableLoaded: the agent now holds a table (Table, Rows, From).
	TableLoaded Type = "table.loaded"
	// MessageFailed: the agent answered a SAMP message with an error
	// (MType, From, Error).
	MessageFailed Type = "message.failed"
	// HubFound: the agent registered with a hub (Hub, OwnHub).
	HubFound Type = "hub.found"
	// HubLost: the hub went away (Hub, Error: the reason).
	HubLost Type = "hub.lost"
	// ConfigReloaded: a changed configuration file now applies (Path).
	ConfigReloaded Type = "config.reloaded"
	// ConfigRejected: a changed configuration file was refused; the running
	// configuration stays (Path, Error).
	ConfigRejected Type = "config.rejected"
	// CrossmatchProgress: a cross-match has Done of Total rows (or
	// chunks, Kind "tap-upload") done (Search, Table, Service, Kind).
	CrossmatchProgress Type = "crossmatch.progress"
	// SEDBuilt: the SED of a highlighted source was built (Search, Result,
	// Path: the PNG, Rows: its points).
	SEDBuilt Type = "sed.built"
	// Stopping: the agent is shutting down (Error: the reason).
	Stopping Type = "agent.stopping"
)

// Count is the rows one service gave in a search.
type Count struct {
	Service string `json:"service"`
	Rows    int    `json:"rows"`
}

// Event is one thing that happened. Only the fields its Type lists are
// set; the others are zero and left out of its JSON.
type Event struct {
	// Seq numbers the events of one agent from 1 without gaps; a
	// subscriber that sees a gap lost events to a full buffer.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Type Type      `json:"type"`

	// Search identifies a search across its events; Kind is "vicinity" or
	// "spectra"; Trigger says what started it ("highlight", "select",
	// "control", "cli").
	Search  string `json:"search,omitempty"`
	Kind    string `json:"kind,omitempty"`
	Trigger string `json:"trigger,omitempty"`
	// RA and Dec (ICRS degrees) are a vicinity search's centre; Positions
	// counts a spectra search's positions.
	RA        *float64 `json:"ra,omitempty"`
	Dec       *float64 `json:"dec,omitempty"`
	Positions int      `json:"positions,omitempty"`

	Service  string  `json:"service,omitempty"`
	Services int     `json:"services,omitempty"`
	Answered int     `json:"answered,omitempty"`
	Counts   []Count `json:"counts,omitempty"`
	// Failed names the services that gave no answer.
	Failed     []string `json:"failed,omitempty"`
	Superseded bool     `json:"superseded,omitempty"`

	Result    string `json:"result,omitempty"`
	Rows      int    `json:"rows,omitempty"`
	Count     int    `json:"count,omitempty"`
	Path      string `json:"path,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
	To        string `json:"to,omitempty"`

	Table string `json:"table,omitempty"`
	From  string `json:"from,omitempty"`
	MType string `json:"mtype,omitempty"`

	Hub    string `json:"hub,omitempty"`
	OwnHub bool   `json:"own_hub,omitempty"`

	// Elapsed is the time since the search's trigger; ServiceTime the time
	// the service took to answer; SendTime the time the delivery took.
	Elapsed     time.Duration `json:"elapsed_ns,omitempty"`
	ServiceTime time.Duration `json:"service_ns,omitempty"`
	SendTime    time.Duration `json:"send_ns,omitempty"`

	Error string `json:"error,omitempty"`
	// Note is a service's remark (ServiceNote).
	Note string `json:"note,omitempty"`
	// Done and Total are a cross-match's progress (CrossmatchProgress).
	Done  int `json:"done,omitempty"`
	Total int `json:"total,omitempty"`
}

// Bus delivers events to subscribers and keeps the most recent ones for
// late readers. Publishing never blocks: a subscriber whose buffer is full
// loses the event (and sees a gap in Seq). The zero value is not usable;
// call NewBus.
type Bus struct {
	mu     sync.Mutex
	seq    uint64
	subs   map[*Subscription]struct{}
	recent []Event // ring of the last cap(recent) events
	next   int
}

// NewBus returns a bus remembering the last keep events (for Since).
func NewBus(keep int) *Bus {
	if keep < 1 {
		keep = 1
	}
	return &Bus{subs: map[*Subscription]struct{}{}, recent: make([]Event, 0, keep)}
}

// Publish numbers e, stamps it (when its Time is zero) and offers it to
// every subscriber without waiting for any. It returns the numbered event.
func (b *Bus) Publish(e Event) Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	e.Seq = b.seq
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if len(b.recent) < cap(b.recent) {
		b.recent = append(b.recent, e)
	} else {
		b.recent[b.next] = e
		b.next = (b.next + 1) % cap(b.recent)
	}
	for s := range b.subs {
		if s.types != nil && !s.types[e.Type] {
			continue
		}
		select {
		case s.ch <- e:
		default:
			s.dropped++
		}
	}
	return e
}

// Since returns the remembered events numbered above seq, oldest first.
func (b *Bus) Since(seq uint64) []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Event
	n := len(b.recent)
	for i := range n {
		e := b.recent[(b.next+i)%n]
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// Last is the number of the newest event (0 before the first).
func (b *Bus) Last() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

// Subscription receives events on C until Close.
type Subscription struct {
	b       *Bus
	ch      chan Event
	types   map[Type]bool
	dropped uint64 // guarded by b.mu
	once    sync.Once
}

// Subscribe returns a subscription buffering up to buf events, of the given
// types only (all types when none are given). Close it when done.
func (b *Bus) Subscribe(buf int, types ...Type) *Subscription {
	if buf < 1 {
		buf = 1
	}
	s := &Subscription{b: b, ch: make(chan Event, buf)}
	if len(types) > 0 {
		s.types = map[Type]bool{}
		for _, t := range types {
			s.types[t] = true
		}
	}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// C is the channel the events arrive on; it is closed by Close.
func (s *Subscription) C() <-chan Event { return s.ch }

// Dropped is how many events this subscription lost to a full buffer.
func (s *Subscription) Dropped() uint64 {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.dropped
}

// Close ends the subscription and closes C.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.b.mu.Lock()
		delete(s.b.subs, s)
		close(s.ch)
		s.b.mu.Unlock()
	})
}
