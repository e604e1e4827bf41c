// Package simulation is the mortgage maths of the portal: the TAN of each
// rate type, the French instalment and its amortisation schedule, the stamp
// duty, the TAEG, the MTIC, the LTV and the DSTI with the rate shock, and
// the rules a simulation is checked against. It is pure: no database, no
// web, no clock (the conclusion date is an input), so the same input always
// gives the same figures and a stored simulation can be recomputed.
//
// Units, chosen once and used everywhere:
//
//   - Money is int64 cents. Every rounding to the cent is half-up (half a
//     cent goes up), the rule of the Portuguese price lists and of the
//     amortisation tables the banks publish.
//   - Rates and ratios are [Rate]: an int64 in units of 10⁻⁷, that is
//     0.00001 percentage points (1 % = [Percent] = 100 000). Euribor
//     monthly values are published with three decimals (DL 240/2006) and
//     spreads with at most three, so every input rate is exact; computed
//     rates (TAEG, LTV, DSTI) are rounded half-up to that unit.
//   - Where a formula needs a power ((1+i)^n in the instalment, (1+X)^−t in
//     the TAEG) it is evaluated in float64 and then rounded once to the cent
//     or to the Rate unit; everything else (interest of a month, taxes,
//     sums) is exact integer arithmetic.
//
// Ids are those of the portal's reference lists (taxonomies):
// index-type-sub-categories for the rate type, index-types, loan-purposes,
// product-purposes, bank-charge-types, simulation-reject-reasons.
package simulation
