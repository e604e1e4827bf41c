package models

import (
	"context"
	"sync"
	"time"
)

// Domain events: what happened, told after it has committed. A service
// records an event in the transaction of the change that causes it; the
// events of a transaction are published (EventPublisher) only after its
// COMMIT, so no subscriber hears of a change that was rolled back. An event
// whose delivery must survive a crash (partner callbacks, notifications)
// is also written to the outbox table in that same transaction: no change
// without its event, no event without its change.
//
// Events name rows by their public ids and say what changed; they never
// carry message text, personal data or document content.

// EventKind names what happened. The values are stable: outbox rows and
// subscribers store them.
type EventKind string

const (
	EventMessagePosted          EventKind = "message.posted"           // a process thread got a message
	EventCustomerMessageCreated EventKind = "customer_message.created" // the bank wrote to a customer
	EventProcessStatusChanged   EventKind = "process.status_changed"   // a process moved in the workflow
	EventDocumentsRequested     EventKind = "documents.requested"      // the bank asked a process for documents

	EventSimulationStatusChanged EventKind = "simulation.status_changed" // a simulation moved (validated, converted, cancelled...)
	EventSimulationMessagePosted EventKind = "simulation_message.posted" // a simulation thread got a message
	EventEsisIssued              EventKind = "esis.issued"               // an ESIS sheet was issued (and maybe e-mailed)
)

// Event is one thing that happened, as subscribers see it.
type Event struct {
	// OutboxID is the event's outbox row (0 for events that are only
	// published in process).
	OutboxID   int64     `json:"-"`
	Kind       EventKind `json:"kind"`
	OccurredAt time.Time `json:"occurredAt"`
	// Scope, for routing: the bank, and the broker firm for process events.
	BankID   int64 `json:"bankId"`
	BrokerID int64 `json:"brokerId,omitempty"`

	ProcessUUID  string     `json:"processUniqueId,omitempty"`
	MessageUUID  string     `json:"messageUniqueId,omitempty"`
	Seq          int64      `json:"seq,omitempty"` // the message's number in its thread
	AuthorKind   AuthorKind `json:"authorKind,omitempty"`
	CustomerUUID string     `json:"customerId,omitempty"`
	// FromStatusID and ToStatusID: a status change's (0 from: created).
	FromStatusID int `json:"fromStatusId,omitempty"`
	ToStatusID   int `json:"toStatusId,omitempty"`
	// DocumentRequestUUID: the request of a documents.requested event.
	DocumentRequestUUID string `json:"documentRequestId,omitempty"`
	// SimulationUUID: a simulation event's; EsisUUID: an esis.issued's.
	SimulationUUID string `json:"simulationUniqueId,omitempty"`
	EsisUUID       string `json:"esisId,omitempty"`
}

// EventPublisher hears committed events. Publish must not block for long:
// it runs on the request path, after COMMIT and before the answer.
type EventPublisher interface {
	Publish(ctx context.Context, events []Event)
}

// EventBus is the in-process publisher: subscribers are called in order of
// subscription, synchronously. Live updates and the outbox dispatcher
// subscribe to it; an instance hears only its own commits (other instances'
// come through the database).
type EventBus struct {
	mu   sync.RWMutex
	subs []func(context.Context, Event)
}

// Subscribe adds fn; it is called for every published event.
func (b *EventBus) Subscribe(fn func(context.Context, Event)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = append(b.subs, fn)
}

func (b *EventBus) Publish(ctx context.Context, events []Event) {
	b.mu.RLock()
	subs := b.subs
	b.mu.RUnlock()
	for _, ev := range events {
		for _, fn := range subs {
			fn(ctx, ev)
		}
	}
}
