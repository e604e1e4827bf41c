package models

import (
	"context"
	"slices"
)

// Principal is who is calling: resolved once per request by the transport
// (session, bearer token) and read by the services for every access decision.
type Principal struct {
	UserID       int64
	UserUUID     string
	Email        string
	Name         string
	Kind         UserKind
	BankID       int64
	BankPublicID string // the bank's public id ("demo.bank"), which the services name
	FirmID       int64  // brokers only; 0 otherwise
	FirmName     string
	APIEnabled   bool
	Roles        []string // entitlements at the principal's bank
	Language     string   // the UI language the user chose, "" when none
}

func (p *Principal) IsBroker() bool   { return p != nil && p.Kind == KindBroker }
func (p *Principal) IsStaff() bool    { return p != nil && (p.Kind == KindStaff || p.Kind == KindAdmin) }
func (p *Principal) IsAdmin() bool    { return p != nil && p.Kind == KindAdmin }
func (p *Principal) IsCustomer() bool { return p != nil && p.Kind == KindCustomer }

func (p *Principal) HasRole(role string) bool { return p != nil && slices.Contains(p.Roles, role) }

// Home is where this kind of user lands after signing in.
func (p *Principal) Home() string {
	switch p.Kind {
	case KindBroker:
		return "/processes"
	case KindStaff:
		return "/staff/threads"
	case KindAdmin:
		return "/admin"
	case KindCustomer:
		return "/inbox"
	}
	return "/"
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller, nil when anonymous.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
