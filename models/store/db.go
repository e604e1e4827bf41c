package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"portal/models"
)

// The one way a service method reaches the database. Every method takes its
// handle from conn and runs its writes through transact, so a call made
// inside another operation's transaction (an Idempotent request, a service
// calling a service) joins that transaction instead of opening a second
// connection that would not see its rows, or would wait for its locks.

// txState is the transaction an operation runs in, carried by the context,
// and the events its writes recorded for publishing after COMMIT.
type txState struct {
	tx      *gorm.DB
	pending []models.Event
}

type txKey struct{}

func txFrom(ctx context.Context) *txState {
	st, _ := ctx.Value(txKey{}).(*txState)
	return st
}

// conn returns the handle for ctx: the enclosing transaction, or the pool.
func (s *core) conn(ctx context.Context) *gorm.DB {
	if st := txFrom(ctx); st != nil {
		return st.tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// transact runs fn in a transaction: a new one, or a savepoint of the
// enclosing one. fn must use the tx it is given (or conn of the ctx it is
// given). Events that fn records (emit) are published once the outermost
// transaction has committed; a rolled-back savepoint drops its own.
func (s *core) transact(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if st := txFrom(ctx); st != nil {
		mark := len(st.pending)
		outer := st.tx
		err := outer.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			st.tx = tx
			defer func() { st.tx = outer }()
			return fn(ctx, tx)
		})
		if err != nil {
			st.pending = st.pending[:mark]
		}
		return err
	}
	release, err := s.awaitWriter(ctx)
	if err != nil {
		return err
	}
	defer release()
	st := &txState{}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st.tx = tx
		return fn(context.WithValue(ctx, txKey{}, st), tx)
	})
	release() // before publishing: subscribers may write themselves
	if err != nil {
		return err
	}
	s.publish(ctx, st.pending)
	return nil
}

// writerWait bounds the wait for the write queue: after it (e.g. a
// transaction that, against the rules, opens another without its ctx) the
// transaction goes ahead unqueued and SQLite's busy timeout decides, as
// without the queue.
const writerWait = 5 * time.Second

// awaitWriter takes the SQLite write queue's one slot; release gives it
// back (calling it again does nothing). On SQLite every
// transaction is a write transaction (BEGIN IMMEDIATE takes the database's
// one write lock up front), so letting one in at a time, in arrival order
// (a channel's blocked senders are served first in, first out), costs
// nothing and spares the others SQLite's busy handler, which retries the
// lock with sleeps of up to 100 ms. PostgreSQL (writeSlot nil) has row
// locks and no queue.
func (s *core) awaitWriter(ctx context.Context) (release func(), err error) {
	if s.writeSlot == nil {
		return func() {}, nil
	}
	t := time.NewTimer(writerWait)
	defer t.Stop()
	select {
	case s.writeSlot <- struct{}{}:
		done := false
		return func() { // idempotent: called after COMMIT and deferred (panics)
			if !done {
				done = true
				<-s.writeSlot
			}
		}, nil
	case <-t.C:
		return func() {}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// inTransaction reports whether ctx carries an enclosing transaction.
func inTransaction(ctx context.Context) bool { return txFrom(ctx) != nil }

func validUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func newUUID() string { return uuid.NewString() }

// translate turns database errors into domain errors.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.NotFound(what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &models.Error{Code: models.CodeConflict, Message: what + " already exists", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &models.Error{Code: models.CodeInternal, Message: "request cancelled", Err: err}
	case unavailable(err):
		return models.Unavailable(err)
	}
	var me *models.Error
	if errors.As(err, &me) {
		return me
	}
	return models.Internal(err)
}
