package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"portal/models"
	"portal/models/simulation"
	"portal/models/store"
)

// The simulation paths. "simulate" is Simulation Create (POST
// /v1/simulations) as the brokers: each request a different loan, priced,
// computed (French schedule, TAEG, rules) and stored. "preview" is the
// same loans through models.SimulationService.PreviewSimulation, called
// on the store in-process with the same concurrency: the computation and
// the pricing read without HTTP and without the write. The rate types
// rotate (variable on each Euribor, fixed 30 years, mixed 5 years) and the
// amount moves between 100 000 € and 250 000 €.

// loan is client c's k-th simulated loan.
type loan struct {
	euros, income                        int64
	rateType, index, fixedP, mixedPeriod int
}

func loanOf(c, k int) loan {
	l := loan{euros: int64(100_000 + (c*7_919+k*104_729)%150_000), income: int64(4_000 + k%3_000),
		rateType: simulation.RateVariable, index: 1 + k%3}
	switch (c + k) % 3 {
	case 1:
		l.rateType, l.index, l.fixedP = simulation.RateFixed, 0, 5
	case 2:
		l.rateType, l.index, l.mixedPeriod = simulation.RateMixed, simulation.IndexEuribor12M, 3
	}
	return l
}

// body is the loan as a Create body.
func (l loan) body() string {
	rate := fmt.Sprintf(`"rateTypeId":%d`, l.rateType)
	if l.index != 0 {
		rate += fmt.Sprintf(`,"indexTypeId":%d`, l.index)
	}
	if l.fixedP != 0 {
		rate += fmt.Sprintf(`,"fixedFixedPeriodId":%d`, l.fixedP)
	}
	if l.mixedPeriod != 0 {
		rate += fmt.Sprintf(`,"mixedFixedPeriodId":%d`, l.mixedPeriod)
	}
	return fmt.Sprintf(`{"loanAmount":%d,"loanDurationMonths":360,"loanPurposeId":1,"productPurposeId":1,%s,`+
		`"propertyValue":300000,"propertyAcquisitionAmount":310000,"propertyDistrictId":11,`+
		`"borrowers":[{"name":"Carla Mendes Rocha","birthDate":"1990-03-01","monthlyNetIncome":%d,"monthlyInstalmentsOtherCredit":0}]}`,
		l.euros, rate, l.income)
}

// input is the loan as the service's input (what body reads into).
func (l loan) input() models.SimulationInput {
	i := func(n int) *int {
		if n == 0 {
			return nil
		}
		return &n
	}
	c := func(n int64) *int64 { return &n }
	bs := []models.SimulationBorrower{{Name: "Carla Mendes Rocha", BirthDate: "1990-03-01", MonthlyNetIncomeCents: l.income * 100}}
	return models.SimulationInput{LoanAmountCents: c(l.euros * 100), LoanDurationMonths: i(360), LoanPurposeID: i(1),
		ProductPurposeID: i(1), RateTypeID: i(l.rateType), IndexTypeID: i(l.index), FixedFixedPeriodID: i(l.fixedP),
		MixedFixedPeriodID: i(l.mixedPeriod), PropertyValueCents: c(300_000_00), PropertyAcquisitionAmountCents: c(310_000_00),
		PropertyDistrictID: i(11), Borrowers: &bs}
}

func simulateRequest(base string, a actor, c, k int) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, base+"/v1/simulations", strings.NewReader(loanOf(c, k).body()))
	r.Header.Set("Authorization", "Bearer "+a.token)
	r.Header.Set("Content-Type", "application/json")
	return r
}

// previewCalls call PreviewSimulation as the brokers in turn (client c's
// k-th call as broker (c + k*7) % n, like the HTTP paths), answered 200,
// or the status the partner API gives the error's code.
func previewCalls(ctx context.Context, st *store.Store, w *world) (callFunc, error) {
	as := make([]context.Context, len(w.brokers))
	for i, b := range w.brokers {
		p, err := st.Principal(ctx, b.userID)
		if err != nil {
			return nil, fmt.Errorf("preview: broker %d: %w", b.userID, err)
		}
		as[i] = models.WithPrincipal(ctx, p)
	}
	return func(c, k int) (int, string, error) {
		_, err := st.PreviewSimulation(as[(c+k*7)%len(as)], loanOf(c, k).input())
		if err == nil {
			return http.StatusOK, "", nil
		}
		switch models.AsError(err).Code {
		case models.CodeInvalid:
			return http.StatusBadRequest, err.Error(), nil
		case models.CodeForbidden:
			return http.StatusForbidden, err.Error(), nil
		case models.CodeConflict:
			return http.StatusConflict, err.Error(), nil
		}
		return http.StatusInternalServerError, err.Error(), nil
	}, nil
}

// deleteSimulations removes the simulations of the run's brokers: the
// synthetic users of a load-test database, whose only simulations are the
// runs' (their borrowers, events and threads go with them).
func (w *world) deleteSimulations(st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ids := make([]int64, len(w.brokers))
	for i, b := range w.brokers {
		ids[i] = b.userID
	}
	_ = st.DB().WithContext(ctx).Exec("DELETE FROM simulations WHERE created_by_user_id IN ?", ids).Error
}

// runPreview drives the preview path and prints its line, like an HTTP
// path's (sql/req counted on one call); it returns its failure lines.
func runPreview(ctx context.Context, o runOptions, st *store.Store, w *world, rec *recorder, out io.Writer) ([]string, error) {
	call, err := previewCalls(ctx, st, w)
	if err != nil {
		return nil, err
	}
	once := func(k int) error {
		status, body, err := call(0, k)
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("preview: %d: %s", status, clip(body, 300))
		}
		return err
	}
	if err := once(0); err != nil {
		return nil, err
	}
	var stmts int
	if _, err := rec.capture(func() error { return once(1) }, &stmts); err != nil {
		return nil, err
	}
	if o.warmup > 0 {
		driveCalls(ctx, call, o.clients, o.warmup)
	}
	r := driveCalls(ctx, call, o.clients, o.duration)
	r.sqlPerReq = stmts
	fmt.Fprintln(out, r.line("preview", targetOf("preview")))
	return r.failures("preview", targetOf("preview")), nil
}
