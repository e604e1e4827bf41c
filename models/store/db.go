package store

import (
	"context"
	"errors"

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
	st := &txState{}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st.tx = tx
		return fn(context.WithValue(ctx, txKey{}, st), tx)
	})
	if err != nil {
		return err
	}
	s.publish(ctx, st.pending)
	return nil
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
