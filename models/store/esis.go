package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
	"portal/models/esis"
	"portal/models/simulation"
)

// ESIS sheets (models.EsisService, migration 00020). An issue runs in one
// transaction: the simulation is locked, its status and (unless
// IgnoreRules) its rules checked, the sheet rendered from the stored
// figures (models/esis), and the issue row, the simulation's ESIS columns,
// the audit row, the esis.issued outbox event and, for an e-mail, the
// queued mail with the PDF attached are written together. The mail goes
// after COMMIT through the mail queue (mail.go): the answer never waits on
// the mail server.

var _ models.EsisService = (*Store)(nil)

// esisIssueRow is a row of esis_issues.
type esisIssueRow struct {
	ID             int64
	UUID           string `gorm:"column:uuid"`
	SimulationID   int64
	ProcessID      *int64
	BankID         int64
	BrokerID       int64
	IssuedByUserID *int64
	IssuedByName   string
	IssuedAt       time.Time
	ValidUntil     time.Time
	Lang           string
	SHA256         string `gorm:"column:sha256"`
	FiguresHash    string
	EmailedTo      string
	PDF            []byte `gorm:"column:pdf"`
}

func (esisIssueRow) TableName() string { return "esis_issues" }

// The demo bank's identity on the sheet: the banks table holds only the
// bank's name, so its address and registration line are clearly marked
// demonstration values (a real deployment keeps them with the bank).
const (
	demoBankAddress      = "Avenida da Demonstração, 1, 1000-001 Lisboa (demo)"
	demoBankRegistration = "Registo no Banco de Portugal n.º 0000 (demo)"
	demoBankContact      = "apoio@banco.example (demo)"
)

// EsisValidity is how long the store's ESIS sheets hold.
func (s *Store) EsisValidity() time.Duration {
	if s.esisValidity > 0 {
		return s.esisValidity
	}
	return models.DefaultEsisValidity
}

// esisRequest is one issue: of a simulation (processUUID "") or of the
// simulation a process was converted from; to e-mail when sendAddress is
// set.
type esisRequest struct {
	simulationUUID, processUUID string
	opts                        models.EsisOptions
	email                       bool
	sendAddress                 string
}

// IssueSimulationEsis implements models.EsisService.
func (s *Store) IssueSimulationEsis(ctx context.Context, simulationUUID string, o models.EsisOptions) (*models.EsisIssue, error) {
	return s.issueEsis(ctx, esisRequest{simulationUUID: simulationUUID, opts: o})
}

// EmailSimulationEsis implements models.EsisService.
func (s *Store) EmailSimulationEsis(ctx context.Context, simulationUUID string, o models.EsisOptions, sendAddress string) (*models.EsisIssue, error) {
	return s.issueEsis(ctx, esisRequest{simulationUUID: simulationUUID, opts: o, email: true, sendAddress: sendAddress})
}

// IssueProcessEsis implements models.EsisService.
func (s *Store) IssueProcessEsis(ctx context.Context, processUUID string, o models.EsisOptions) (*models.EsisIssue, error) {
	return s.issueEsis(ctx, esisRequest{processUUID: processUUID, opts: o})
}

// EmailProcessEsis implements models.EsisService.
func (s *Store) EmailProcessEsis(ctx context.Context, processUUID string, o models.EsisOptions, sendAddress string) (*models.EsisIssue, error) {
	return s.issueEsis(ctx, esisRequest{processUUID: processUUID, opts: o, email: true, sendAddress: sendAddress})
}

// checkSendAddress is sendAddress trimmed, or the CodeInvalid refusal.
func checkSendAddress(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr || len(addr) > 254 {
		var v models.Validation
		v.Add("sendAddress", "field.email", models.Args{"Field": "sendAddress"})
		return "", v.Err()
	}
	return addr, nil
}

func (s *Store) issueEsis(ctx context.Context, req esisRequest) (*models.EsisIssue, error) {
	who, err := simulationEditor(ctx)
	if err != nil {
		return nil, err
	}
	lang := esis.ParseLang(req.opts.Lang)
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	var out *models.EsisIssue
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var proc *models.Process
		simUUID := req.simulationUUID
		if req.processUUID != "" {
			p, err := s.scopedProcess(ctx, tx, req.processUUID, true)
			if err != nil {
				return err
			}
			if p.SimulationUUID == nil || *p.SimulationUUID == "" {
				return models.EsisNoSimulation()
			}
			proc, simUUID = p, *p.SimulationUUID
		}
		r, err := s.scopedSimulation(ctx, tx, simUUID, true)
		if err != nil {
			if proc != nil && models.ErrorCode(err) == models.CodeNotFound {
				// the process names a simulation the caller cannot see: the
				// process has no ESIS to give
				return models.EsisNoSimulation()
			}
			return err
		}
		issuable := models.SimulationEditable(r.StatusID) || (proc != nil && r.StatusID == models.SimulationConverted)
		if !issuable {
			return models.EsisNotIssuable()
		}
		sim, err := s.loadSimulation(tx, r)
		if err != nil {
			return err
		}
		now := s.now()
		if !req.opts.IgnoreRules {
			rules := simulation.Rules(sim.Input, sim.Result, sim.Pricing.Product())
			if err := models.SimulationRulesFailed(rules); err != nil {
				return err
			}
			// All pass: as ValidateSimulation, the simulation is validated
			// (a converted one keeps its status).
			if r.StatusID != models.SimulationConverted {
				from := r.StatusID
				r.Validation, r.StatusID, r.ValidatedAt = mustJSON(rules), models.SimulationValidated, &now
				r.LastActionAt = now
				if err := simulationEvent(tx, r, who, models.SimulationEventValidated, from, now); err != nil {
					return err
				}
			}
		}
		to := ""
		if req.email {
			if to, err = checkSendAddress(req.sendAddress); err != nil {
				return err
			}
		}
		sheet, err := s.esisSheet(tx, sim, proc, t, lang, now)
		if err != nil {
			return err
		}
		pdf, err := esis.Render(*sheet)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(pdf)
		uid := who.UserID
		row := esisIssueRow{UUID: newUUID(), SimulationID: r.ID, BankID: r.BankID, BrokerID: r.BrokerID,
			IssuedByUserID: &uid, IssuedByName: who.Name, IssuedAt: now, ValidUntil: sheet.ValidUntil, Lang: string(lang),
			SHA256: hex.EncodeToString(sum[:]), FiguresHash: models.FiguresHash(sim.Input, sim.Result), EmailedTo: to, PDF: pdf}
		if proc != nil {
			row.ProcessID = &proc.ID
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		r.EsisIssuedAt, r.EsisValidUntil, r.EsisFiguresHash = &row.IssuedAt, &row.ValidUntil, row.FiguresHash
		r.UpdatedAt = now
		if err := tx.Save(r).Error; err != nil {
			return err
		}
		// The process list's copy (processes.esis_*), when the simulation
		// has a process: this issue shows its current figures.
		pid := r.ProcessID
		if proc != nil {
			pid = &proc.ID
		}
		if pid != nil {
			if err := tx.Exec("UPDATE processes SET esis_issued_at = ?, esis_valid_until = ?, esis_changed = ? WHERE id = ?",
				row.IssuedAt.UTC(), row.ValidUntil.UTC(), false, *pid).Error; err != nil {
				return err
			}
		}
		detail := "simulation " + r.UUID + " sha256 " + row.SHA256
		if err := tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &uid, Action: models.AuditEsisIssued,
			Subject: row.UUID, Outcome: "ok", Detail: detail}).Error; err != nil {
			return err
		}
		ev := models.Event{Kind: models.EventEsisIssued, OccurredAt: now, BankID: r.BankID, BrokerID: r.BrokerID,
			SimulationUUID: strings.ToLower(r.UUID), EsisUUID: row.UUID}
		if proc != nil {
			ev.ProcessUUID = strings.ToLower(proc.UUID)
		}
		if err := s.emit(ctx, tx, ev, true); err != nil {
			return err
		}
		if req.email {
			// The audit row names the issue, not the address (personal data).
			if err := tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &uid, Action: models.AuditEsisEmailed,
				Subject: row.UUID, Outcome: "ok", Detail: "simulation " + r.UUID}).Error; err != nil {
				return err
			}
			m := models.Mail{To: to, Subject: esis.MailSubject(lang, r.SimulationNumber), Text: esis.MailText(*sheet),
				Lang: string(lang), Attachments: []models.MailAttachment{{Name: esis.FileName(lang, r.SimulationNumber),
					ContentType: "application/pdf", Data: pdf}}}
			if err := queueMail(tx, m, now); err != nil {
				return err
			}
		}
		out = issueOf(&row, sim.UUID, sim.SimulationNumber, proc)
		return nil
	})
	if err != nil {
		return nil, translate(err, "simulation")
	}
	if req.email {
		s.wakeMailSender()
	}
	return out, nil
}

// esisSheet gathers what sim's sheet shows: the bank, the broker firm,
// the key borrower, the dates.
func (s *Store) esisSheet(tx *gorm.DB, sim *models.Simulation, proc *models.Process, t *models.Taxonomy,
	lang esis.Lang, now time.Time) (*esis.Sheet, error) {
	var bank struct{ FullName string }
	if err := tx.Raw("SELECT full_name FROM banks WHERE id = ?", sim.BankID).Scan(&bank).Error; err != nil {
		return nil, err
	}
	var firm struct {
		Name      string
		BrokerUID string
	}
	if err := tx.Raw("SELECT name, broker_uid FROM broker_firms WHERE id = ?", sim.BrokerID).Scan(&firm).Error; err != nil {
		return nil, err
	}
	sh := &esis.Sheet{Lang: lang, Lender: esis.Lender{Name: bank.FullName, Address: demoBankAddress,
		Registration: demoBankRegistration, Contact: demoBankContact},
		Broker:   esis.Broker{Name: firm.Name, UniqueID: firm.BrokerUID},
		IssuedAt: now, ValidUntil: now.Add(s.EsisValidity()), SimulationNumber: sim.SimulationNumber,
		Data: sim.Data, Pricing: sim.Pricing, Input: sim.Input, Result: sim.Result, Taxonomy: t, Demo: true}
	if len(sim.Data.Borrowers) > 0 {
		sh.For = sim.Data.Borrowers[0].Name
	}
	if proc != nil {
		sh.ProcessNumber = proc.ProcessNumber
		if proc.KeyBorrowerName != "" {
			sh.For = proc.KeyBorrowerName
		}
	}
	return sh, nil
}

func issueOf(r *esisIssueRow, simUUID string, simNumber int64, proc *models.Process) *models.EsisIssue {
	out := &models.EsisIssue{UUID: strings.ToLower(r.UUID), SimulationUUID: strings.ToLower(simUUID), SimulationNumber: simNumber,
		Lang: r.Lang, IssuedAt: r.IssuedAt.UTC(), ValidUntil: r.ValidUntil.UTC(), IssuedByName: r.IssuedByName,
		SHA256: r.SHA256, FiguresHash: r.FiguresHash, EmailedTo: r.EmailedTo, PDF: r.PDF}
	if proc != nil {
		out.ProcessUUID, out.ProcessNumber = strings.ToLower(proc.UUID), proc.ProcessNumber
	}
	return out
}

// esisListRow is an issue with its simulation's and process's numbers.
type esisListRow struct {
	UUID             string `gorm:"column:uuid"`
	IssuedByName     string
	IssuedAt         time.Time
	ValidUntil       time.Time
	Lang             string
	SHA256           string `gorm:"column:sha256"`
	FiguresHash      string
	EmailedTo        string
	PDF              []byte `gorm:"column:pdf"`
	SimulationUUID   string `gorm:"column:simulation_uuid"`
	SimulationNumber int64
	ProcessUUID      *string `gorm:"column:process_uuid"`
	ProcessNumber    *int64
}

func (r *esisListRow) issue() models.EsisIssue {
	var proc *models.Process
	if r.ProcessUUID != nil {
		proc = &models.Process{UUID: *r.ProcessUUID}
		if r.ProcessNumber != nil {
			proc.ProcessNumber = *r.ProcessNumber
		}
	}
	row := esisIssueRow{UUID: r.UUID, IssuedByName: r.IssuedByName, IssuedAt: r.IssuedAt, ValidUntil: r.ValidUntil,
		Lang: r.Lang, SHA256: r.SHA256, FiguresHash: r.FiguresHash, EmailedTo: r.EmailedTo, PDF: r.PDF}
	return *issueOf(&row, r.SimulationUUID, r.SimulationNumber, proc)
}

// scopedIssues is esis_issues joined with their simulations (and
// processes), restricted to the caller's simulations in SQL.
func scopedIssues(ctx context.Context, db *gorm.DB, withPDF bool) (*gorm.DB, error) {
	cond, arg, err := simulationScopeCond(ctx)
	if err != nil {
		return nil, err
	}
	cols := `esis_issues.uuid, esis_issues.issued_by_name, esis_issues.issued_at,
		esis_issues.valid_until, esis_issues.lang, esis_issues.sha256, esis_issues.figures_hash, esis_issues.emailed_to,
		simulations.uuid AS simulation_uuid, simulations.simulation_number, processes.uuid AS process_uuid,
		processes.process_number`
	if withPDF {
		cols += ", esis_issues.pdf"
	}
	return db.Table("esis_issues").Select(cols).
		Joins("JOIN simulations ON simulations.id = esis_issues.simulation_id").
		Joins("LEFT JOIN processes ON processes.id = esis_issues.process_id").
		Where(cond, arg), nil
}

// ListEsis implements models.EsisService: newest first, without PDFs.
func (s *Store) ListEsis(ctx context.Context, simulationUUID string) ([]models.EsisIssue, error) {
	db := s.conn(ctx)
	sim, err := s.scopedSimulation(ctx, db, simulationUUID, false)
	if err != nil {
		return nil, err
	}
	q, err := scopedIssues(ctx, db, false)
	if err != nil {
		return nil, err
	}
	var rows []esisListRow
	if err := q.Where("esis_issues.simulation_id = ?", sim.ID).Order("esis_issues.id DESC").Scan(&rows).Error; err != nil {
		return nil, translate(err, "esis")
	}
	out := make([]models.EsisIssue, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].issue())
	}
	return out, nil
}

// GetEsis implements models.EsisService.
func (s *Store) GetEsis(ctx context.Context, esisUUID string) (*models.EsisIssue, error) {
	q, err := scopedIssues(ctx, s.conn(ctx), true)
	if err != nil {
		return nil, err
	}
	if !validUUID(esisUUID) {
		return nil, models.NotFound("esis")
	}
	var rows []esisListRow
	if err := q.Where("esis_issues.uuid = ?", strings.ToLower(esisUUID)).Limit(1).Scan(&rows).Error; err != nil {
		return nil, translate(err, "esis")
	}
	if len(rows) == 0 {
		return nil, models.NotFound("esis")
	}
	out := rows[0].issue()
	return &out, nil
}

// SetEsisValidity sets how long the store's ESIS sheets hold (0: the
// default, models.DefaultEsisValidity); call it before serving.
func (s *Store) SetEsisValidity(d time.Duration) { s.esisValidity = d }
