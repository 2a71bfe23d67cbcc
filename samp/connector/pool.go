package connector

import (
	"errors"
	"sync"
)

// Default bounds of the pool that runs message handlers.
const (
	DefaultMaxHandlers      = 8
	DefaultMaxQueuedPerSend = 32
)

// errBusy is returned for a message refused because its sender already has
// too many waiting.
var errBusy = errors.New("too many messages from this sender are waiting to be handled; try again later")

// pool runs message handlers on at most max goroutines, at most perSender
// of them for one sender, taking senders in turn (round robin), with at
// most maxQueued messages waiting per sender: a sender flooding the
// connector with slow messages holds its share of the pool, never all of
// it, and never makes the connector start a goroutine per message.
type pool struct {
	max, perSender, maxQueued int

	mu      sync.Mutex
	running int
	senders map[string]*senderQueue
	ring    []string // senders with waiting jobs, in turn order
}

type senderQueue struct {
	jobs    []func()
	running int
	inRing  bool
}

func newPool(max, perSender, maxQueued int) *pool {
	return &pool{max: max, perSender: perSender, maxQueued: maxQueued, senders: map[string]*senderQueue{}}
}

// submit queues job for sender; it returns errBusy when sender has
// maxQueued jobs waiting already.
func (p *pool) submit(sender string, job func()) error {
	p.mu.Lock()
	q := p.senders[sender]
	if q == nil {
		q = &senderQueue{}
		p.senders[sender] = q
	}
	if len(q.jobs) >= p.maxQueued {
		p.mu.Unlock()
		return errBusy
	}
	q.jobs = append(q.jobs, job)
	if !q.inRing {
		q.inRing = true
		p.ring = append(p.ring, sender)
	}
	p.scheduleLocked()
	p.mu.Unlock()
	return nil
}

// scheduleLocked starts jobs while there is room, taking senders in turn.
func (p *pool) scheduleLocked() {
	for p.running < p.max {
		started := false
		for i := 0; i < len(p.ring); i++ {
			sender := p.ring[i]
			q := p.senders[sender]
			if q.running >= p.perSender {
				continue
			}
			job := q.jobs[0]
			q.jobs[0] = nil
			q.jobs = q.jobs[1:]
			// Move the sender to the back of the turn (or out of it).
			p.ring = append(p.ring[:i], p.ring[i+1:]...)
			if len(q.jobs) > 0 {
				p.ring = append(p.ring, sender)
			} else {
				q.inRing = false
			}
			q.running++
			p.running++
			started = true
			go p.run(sender, q, job)
			break
		}
		if !started {
			return
		}
	}
}

func (p *pool) run(sender string, q *senderQueue, job func()) {
	defer func() {
		p.mu.Lock()
		q.running--
		p.running--
		if q.running == 0 && len(q.jobs) == 0 {
			delete(p.senders, sender)
		}
		p.scheduleLocked()
		p.mu.Unlock()
	}()
	job()
}
