package simulation

// Stamp duty (Imposto do Selo, Tabela Geral do Código do Imposto do Selo).
const (
	// verba 17.1.3: credit for five years or more, on the amount used.
	stampCreditLong Rate = 6 * Percent / 10 // 0.6 %
	// verba 17.1.2: credit for one year or more and less than five.
	stampCreditMedium Rate = 5 * Percent / 10 // 0.5 %
	// verba 17.1.1: credit for less than one year, per month or fraction.
	stampCreditPerMonth Rate = 4 * Percent / 100 // 0.04 %
	// verba 17.3.4: commissions charged by credit institutions; and
	// verba 17.3.1: interest, 4 % both.
	stampCommissions Rate = 4 * Percent
	stampInterest    Rate = 4 * Percent
)

// StampDutyCreditRate is the verba 17.1 rate on the use of credit for a
// term of months: 0.6 % from 60 months, 0.5 % from 12 to 59 months, and
// 0.04 % for each month under one year.
func StampDutyCreditRate(months int) Rate {
	switch {
	case months >= 60:
		return stampCreditLong
	case months >= 12:
		return stampCreditMedium
	case months > 0:
		return stampCreditPerMonth * Rate(months)
	}
	return 0
}

// StampDutyCredit is the verba 17.1 stamp duty on a loan of c cents for a
// term of months, rounded half-up to the cent.
func StampDutyCredit(c int64, months int) int64 {
	if c <= 0 {
		return 0
	}
	return percentOf(c, StampDutyCreditRate(months))
}

// StampDutyCommission is the 4 % of verba 17.3.4 on one commission.
func StampDutyCommission(amount int64) int64 {
	if amount <= 0 {
		return 0
	}
	return percentOf(amount, stampCommissions)
}

// StampDutyInterest is the 4 % of verba 17.3.1 on one month's interest.
func StampDutyInterest(interest int64) int64 {
	if interest <= 0 {
		return 0
	}
	return percentOf(interest, stampInterest)
}

// InterestExempt reports whether the interest of a loan is exempt from the
// 4 % of verba 17.3.1: loans to buy, build or improve one's own home
// (permanent or secondary; not a home to let), including the transfer of
// such a loan from another lender, which keeps its purpose. Loans for
// other purposes secured by a mortgage pay it.
func InterestExempt(loanPurposeID, productPurposeID int) bool {
	switch productPurposeID {
	case ProductOwnPermanentHome, ProductSecondHome:
	default:
		return false
	}
	switch loanPurposeID {
	case LoanPurchase, LoanConstruction, LoanWorks, LoanTransfer, LoanLandAndConstruction, LoanPurchaseAndWorks:
		return true
	}
	return false
}
