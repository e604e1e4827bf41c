package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
	"portal/models/simulation"
)

// A simulation's status changes (each with its simulation.status_changed
// outbox event), its conversion into a process and its expiry.

// simulationStatusEvent is the event of r moving from status from to its
// current one.
func simulationStatusEvent(r *simulationRow, from int, now time.Time) models.Event {
	return models.Event{Kind: models.EventSimulationStatusChanged, OccurredAt: now, BankID: r.BankID, BrokerID: r.BrokerID,
		SimulationUUID: strings.ToLower(r.UUID), FromStatusID: from, ToStatusID: r.StatusID}
}

// emitSimulationMove records r's status change from from, when it moved,
// in ctx's transaction (outbox row included).
func (s *Store) emitSimulationMove(ctx context.Context, tx *gorm.DB, r *simulationRow, from int, now time.Time) error {
	if r.StatusID == from {
		return nil
	}
	return s.emit(ctx, tx, simulationStatusEvent(r, from, now), true)
}

// createFromSimulation is CreateProcess with a simulation: in one
// transaction the simulation (the caller's firm's, validated, locked) gives
// the process its loan data and borrowers, and moves to "converted" naming
// the process. Only the branch and cross-selling come from in.
func (s *Store) createFromSimulation(ctx context.Context, who *models.Principal, in models.ProcessInput) (*models.Process, error) {
	simUUID := strings.TrimSpace(in.SimulationUUID)
	var branchErr error
	if in.BranchID != nil && *in.BranchID < 1 {
		branchErr = models.Invalid("branchId", "field.min", models.Args{"Field": "branchId", "Min": 1})
	}
	var out *models.Process
	err := s.createWithNumber(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r, err := s.scopedSimulation(ctx, tx, simUUID, true)
		if err != nil {
			return err
		}
		if err := models.SimulationConvertible(r.StatusID); err != nil {
			return err
		}
		sim, err := s.loadSimulation(tx, r)
		if err != nil {
			return err
		}
		bs, err := models.ProcessBorrowers(sim.Data.Borrowers)
		if err != nil {
			return err
		}
		if branchErr != nil {
			return branchErr
		}
		now := s.now()
		simNumber := r.SimulationNumber
		scheme, purpose, productPurpose := r.ProductSchemeID, r.LoanPurposeID, r.ProductPurposeID
		p := models.Process{SimulationUUID: &sim.UUID, SimulationNumber: &simNumber, BranchID: in.BranchID,
			LoanAmountCents: r.LoanAmountCents, LoanDurationMonths: r.LoanDurationMonths, ProductSchemeID: &scheme,
			LoanPurposeID: &purpose, ProductPurposeID: &productPurpose, HasCrossSelling: in.HasCrossSelling,
			KeyBorrowerName: bs[0].Name, KeyBorrowerTaxID: bs[0].TaxID}
		if err := s.openProcess(ctx, tx, who, &p, now); err != nil {
			return err
		}
		for i := range bs {
			b := bs[i]
			b.UUID, b.ProcessID, b.CreatedAt, b.UpdatedAt = newUUID(), p.ID, now, now
			if err := tx.Create(&b).Error; err != nil {
				return err
			}
		}
		// The simulation: converted, naming its process.
		from := r.StatusID
		res := tx.Exec("UPDATE simulations SET status_id = ?, process_id = ?, last_action_at = ?, updated_at = ? WHERE id = ? AND status_id = ?",
			models.SimulationConverted, p.ID, now, now, r.ID, from)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.SimulationConvertible(models.SimulationConverted)
		}
		r.StatusID, r.ProcessID, r.LastActionAt, r.UpdatedAt = models.SimulationConverted, &p.ID, now, now
		// The process list's copy of the simulation's last ESIS; its figures
		// are final now, so whether they changed since that ESIS is too.
		if r.EsisIssuedAt != nil && r.EsisValidUntil != nil {
			changed := models.FiguresHash(sim.Input, sim.Result) != r.EsisFiguresHash
			if err := tx.Exec("UPDATE processes SET esis_issued_at = ?, esis_valid_until = ?, esis_changed = ? WHERE id = ?",
				r.EsisIssuedAt.UTC(), r.EsisValidUntil.UTC(), changed, p.ID).Error; err != nil {
				return err
			}
		}
		if err := simulationEvent(tx, r, who, models.SimulationEventConverted, from, now); err != nil {
			return err
		}
		if err := s.emitSimulationMove(ctx, tx, r, from, now); err != nil {
			return err
		}
		out = &p
		return nil
	})
	if err != nil {
		return nil, translate(err, "process")
	}
	return out, nil
}

// expiryBatch is how many simulations one expiry transaction moves.
const expiryBatch = 100

// ExpireSimulations moves every simulation "in creation" or "validated"
// whose last action is older than age at now to "expired", in batches of
// one transaction each (status, timeline row, event), and says how many
// it moved. Several instances may run it at once: PostgreSQL's SKIP
// LOCKED gives each its own rows, and the guarded UPDATE never moves a row
// twice.
func (s *Store) ExpireSimulations(ctx context.Context, now time.Time, age time.Duration) (int, error) {
	if age <= 0 {
		return 0, errors.New("simulation expiry: the age must be positive")
	}
	now = now.UTC()
	cutoff := now.Add(-age)
	total := 0
	for {
		moved := 0
		err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
			q := tx.Model(&simulationRow{}).Where("status_id IN (?, ?) AND last_action_at < ?",
				models.SimulationInCreation, models.SimulationValidated, cutoff).
				Order("last_action_at, id").Limit(expiryBatch)
			if s.dialect == Postgres {
				q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
			}
			var rows []simulationRow
			if err := q.Find(&rows).Error; err != nil {
				return err
			}
			for i := range rows {
				r := &rows[i]
				if !models.SimulationExpires(r.StatusID, r.LastActionAt, now, age) {
					continue // the query is the rule's index-friendly prefilter
				}
				from := r.StatusID
				res := tx.Exec("UPDATE simulations SET status_id = ?, last_action_at = ?, updated_at = ? WHERE id = ? AND status_id = ?",
					models.SimulationExpired, now, now, r.ID, from)
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected != 1 {
					continue
				}
				r.StatusID = models.SimulationExpired
				ev := simulationEventRow{SimulationID: r.ID, What: models.SimulationEventExpired, FromStatus: &from,
					ToStatus: r.StatusID, CreatedAt: now} // no actor: the portal itself
				if err := tx.Create(&ev).Error; err != nil {
					return err
				}
				if err := s.emitSimulationMove(ctx, tx, r, from, now); err != nil {
					return err
				}
				moved++
			}
			return nil
		})
		if err != nil {
			return total, translate(err, "simulations")
		}
		total += moved
		if moved < expiryBatch {
			return total, nil
		}
	}
}

// simulationProcess fills out's converted process (uuid and number).
func simulationProcess(db *gorm.DB, r *simulationRow, out *models.Simulation) error {
	if r.ProcessID == nil {
		return nil
	}
	var rows []struct {
		UUID          string `gorm:"column:uuid"`
		ProcessNumber int64
	}
	if err := db.Table("processes").Select("uuid, process_number").Where("id = ?", *r.ProcessID).Find(&rows).Error; err != nil {
		return err
	}
	if len(rows) == 1 {
		out.ProcessUUID, out.ProcessNumber = strings.ToLower(rows[0].UUID), rows[0].ProcessNumber
	}
	return nil
}

// The ESIS of a process is its simulation's: the process's own statement
// joins the simulation (by its unique uuid) and reads the last issue's
// columns, and the figures only when there was an issue.
const (
	processEsisJoin    = "LEFT JOIN simulations esim ON esim.uuid = processes.simulation_uuid"
	processEsisColumns = `esim.esis_issued_at AS esim_issued_at, esim.esis_valid_until AS esim_valid_until,
	esim.esis_figures_hash AS esim_figures_hash,
	CASE WHEN esim.esis_issued_at IS NULL THEN NULL ELSE esim.input END AS esim_input,
	CASE WHEN esim.esis_issued_at IS NULL THEN NULL ELSE esim.result END AS esim_result`
)

// esisColumns are processEsisColumns scanned.
type esisColumns struct {
	EsimIssuedAt    *time.Time
	EsimValidUntil  *time.Time
	EsimFiguresHash *string
	EsimInput       *string
	EsimResult      *string
}

func (e *esisColumns) dest() []any {
	return []any{&e.EsimIssuedAt, &e.EsimValidUntil, &e.EsimFiguresHash, &e.EsimInput, &e.EsimResult}
}

// validity is the ESIS state at now: none without an issue; else its dates
// and whether the stored figures are still those it showed.
func (e *esisColumns) validity(now time.Time) (models.EsisValidity, error) {
	if e.EsimIssuedAt == nil || e.EsimValidUntil == nil || e.EsimInput == nil || e.EsimResult == nil {
		return models.EsisValidity{State: models.EsisNone}, nil
	}
	var (
		in  simulation.Input
		res simulation.Result
	)
	if err := json.Unmarshal([]byte(*e.EsimInput), &in); err != nil {
		return models.EsisValidity{}, err
	}
	if err := json.Unmarshal([]byte(*e.EsimResult), &res); err != nil {
		return models.EsisValidity{}, err
	}
	hash := ""
	if e.EsimFiguresHash != nil {
		hash = *e.EsimFiguresHash
	}
	issued, until := e.EsimIssuedAt.UTC(), e.EsimValidUntil.UTC()
	return models.EsisValidityOf(&issued, &until, hash, models.FiguresHash(in, res), now), nil
}
