package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"portal/models/simulation"
)

// The ESIS (FINE, Ficha de Informação Normalizada Europeia): the sheet the
// law requires a client to receive before any commitment, issued from a
// simulation's stored figures as an A4 PDF (models/esis renders it). Every
// issue is kept (the PDF, its SHA-256, who, when, valid until) and audited;
// an e-mailed ESIS is a copy of a stored one, queued in the transaction
// that stores it and sent after COMMIT by the mail sender (retried), so
// the answer never waits on the mail server.

// DefaultEsisValidity is how long an ESIS's terms hold from its issue
// (PORTAL_ESIS_VALIDITY_DAYS overrides it).
const DefaultEsisValidity = 30 * 24 * time.Hour

// EsisOptions are an issue's choices.
type EsisOptions struct {
	// IgnoreRules issues even when a rule fails (the API's
	// ignoreRules=true). Without it the rules run first and a failure is
	// SimulationRulesFailed.
	IgnoreRules bool
	// Lang is the sheet's language: "pt-PT" (default, also for "") or "en".
	Lang string
}

// EsisIssue is one issued ESIS. PDF is nil in lists.
type EsisIssue struct {
	UUID             string
	SimulationUUID   string
	SimulationNumber int64
	ProcessUUID      string // issued for a process ("" for the simulation's own)
	ProcessNumber    int64
	Lang             string
	IssuedAt         time.Time
	ValidUntil       time.Time
	IssuedByName     string
	SHA256           string // hex of the PDF
	FiguresHash      string // FiguresHash of the result it shows
	EmailedTo        string // "" unless this issue was e-mailed
	PDF              []byte
}

// EsisService issues and keeps ESIS sheets. Issuing and e-mailing are for
// the broker firm's users (others CodeForbidden, anonymous
// CodeUnauthorized); reading stored issues for whoever may see the
// simulation. Scoped like simulations: a foreign simulation or process
// answers exactly like a missing one. Refusals in this order: the caller,
// missing or not theirs (CodeNotFound), the status (CodeConflict
// esis.not_issuable: only "in creation", "validated" and, through its
// process, "converted"), the rules (unless IgnoreRules), the address.
type EsisService interface {
	// IssueSimulationEsis renders the ESIS of the simulation's stored
	// figures, stores it and returns it with its PDF. Without IgnoreRules
	// the rules run on the stored figures first (as ValidateSimulation
	// does, moving it to "validated" when all pass).
	IssueSimulationEsis(ctx context.Context, simulationUUID string, o EsisOptions) (*EsisIssue, error)
	// EmailSimulationEsis issues as IssueSimulationEsis and queues a mail
	// to sendAddress with the PDF attached, in one transaction.
	EmailSimulationEsis(ctx context.Context, simulationUUID string, o EsisOptions, sendAddress string) (*EsisIssue, error)
	// IssueProcessEsis and EmailProcessEsis do the same for the
	// simulation a process was converted from (the process's number on the
	// sheet); a process opened without a simulation is CodeConflict
	// esis.no_simulation.
	IssueProcessEsis(ctx context.Context, processUUID string, o EsisOptions) (*EsisIssue, error)
	EmailProcessEsis(ctx context.Context, processUUID string, o EsisOptions, sendAddress string) (*EsisIssue, error)
	// ListEsis lists the simulation's issues, newest first, without PDFs.
	ListEsis(ctx context.Context, simulationUUID string) ([]EsisIssue, error)
	// GetEsis returns one stored issue with its PDF (the download).
	GetEsis(ctx context.Context, esisUUID string) (*EsisIssue, error)
}

func init() {
	englishText["esis.not_issuable"] = "An ESIS can only be issued for a simulation in creation or validated."
	englishText["esis.no_simulation"] = "This process was not opened from a simulation, so it has no ESIS."
	englishText["esis.rules_failed"] = "The simulation does not meet every rule: {{.Rules}}."
	englishText["esis.rule_failed"] = "{{.Rule}}: not met."
}

func EsisNotIssuable() error {
	return &Error{Code: CodeConflict, Key: "esis.not_issuable", Message: English("esis.not_issuable", nil)}
}

func EsisNoSimulation() error {
	return &Error{Code: CodeConflict, Key: "esis.no_simulation", Message: English("esis.no_simulation", nil)}
}

// SimulationRulesFailed is the CodeInvalid refusal of an ESIS whose
// simulation fails rules: one field error per failing rule, the field
// "rules.<code>" (rules.dsti...), the key esis.rule_failed with the rule's
// Code and English text in Args ("Code", "Rule").
func SimulationRulesFailed(rules []simulation.RuleResult) error {
	var v Validation
	var codes []string
	for _, r := range rules {
		if !r.Passed {
			v.Add("rules."+r.Code, "esis.rule_failed", Args{"Code": r.Code, "Rule": r.Rule})
			codes = append(codes, r.Code)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	err := v.Err().(*Error)
	err.Key, err.Args = "esis.rules_failed", Args{"Rules": strings.Join(codes, ", ")}
	err.Message = English("esis.rules_failed", err.Args)
	return err
}

// FiguresHash identifies the figures an ESIS shows: a simulation whose
// current FiguresHash differs from its ESIS's has changed since the issue.
func FiguresHash(in simulation.Input, r simulation.Result) string {
	h := sha256.New()
	for _, n := range []int64{in.LoanAmount, int64(in.Months), int64(in.RateTypeID), int64(r.TAN), int64(r.TAEG),
		r.MonthlyInstalment, r.MTIC, r.TotalInterest} {
		h.Write([]byte(strconv.FormatInt(n, 10) + ";"))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// EsisState is what the portal says about a simulation's (or process's)
// ESIS.
type EsisState string

const (
	EsisNone    EsisState = "none"    // never issued
	EsisValid   EsisState = "valid"   // valid until ValidUntil
	EsisExpired EsisState = "expired" // ValidUntil has passed
	EsisChanged EsisState = "changed" // the figures changed since it was issued
)

// EsisValidity is the state of the last ESIS of a simulation, as every
// page showing the simulation or its process shows it.
type EsisValidity struct {
	State      EsisState
	IssuedAt   time.Time // zero for EsisNone
	ValidUntil time.Time
}

// EsisValidityOf is the state at now of an ESIS issued at issuedAt, valid
// until validUntil, for figures issuedHash, when the figures are now
// currentHash. Changed wins over expired: the sheet no longer describes the
// loan, whatever its date.
func EsisValidityOf(issuedAt, validUntil *time.Time, issuedHash, currentHash string, now time.Time) EsisValidity {
	if issuedAt == nil || validUntil == nil {
		return EsisValidity{State: EsisNone}
	}
	v := EsisValidity{State: EsisValid, IssuedAt: *issuedAt, ValidUntil: *validUntil}
	switch {
	case issuedHash != currentHash:
		v.State = EsisChanged
	case !now.Before(*validUntil):
		v.State = EsisExpired
	}
	return v
}

// Esis is the validity of s's last ESIS at now.
func (s *Simulation) Esis(now time.Time) EsisValidity {
	return EsisValidityOf(s.EsisIssuedAt, s.EsisValidUntil, s.EsisFiguresHash, FiguresHash(s.Input, s.Result), now)
}

// esisOfRow is EsisValidityOf for a list row, which carries whether the
// figures changed rather than the two hashes.
func esisOfRow(issuedAt, validUntil *time.Time, changed bool, now time.Time) EsisValidity {
	v := EsisValidityOf(issuedAt, validUntil, "", "", now)
	if changed && v.State != EsisNone {
		v.State = EsisChanged // changed wins over expired, as in EsisValidityOf
	}
	return v
}

// Audit actions of the ESIS.
const (
	AuditEsisIssued  = "esis.issued"
	AuditEsisEmailed = "esis.emailed"
)
