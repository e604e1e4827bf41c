package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"portal/models/store"
)

// The "simulate" path: Simulation Create (POST /v1/simulations) as the
// brokers, each request a different loan so every one is priced and
// computed afresh (French schedule, TAEG, rules) and stored. The rate
// types rotate (variable on each Euribor, fixed 30 years, mixed 5 years)
// and the amount moves between 100 000 € and 250 000 €.

// simulationBody is client c's k-th Create body.
func simulationBody(c, k int) string {
	amount := 100_000 + (c*7_919+k*104_729)%150_000
	rate := `"rateTypeId":1,"indexTypeId":` + fmt.Sprint(1+k%3)
	switch (c + k) % 3 {
	case 1:
		rate = `"rateTypeId":2,"fixedFixedPeriodId":5`
	case 2:
		rate = `"rateTypeId":3,"mixedFixedPeriodId":3,"indexTypeId":3`
	}
	return fmt.Sprintf(`{"loanAmount":%d,"loanDurationMonths":360,"loanPurposeId":1,"productPurposeId":1,%s,`+
		`"propertyValue":300000,"propertyAcquisitionAmount":310000,"propertyDistrictId":11,`+
		`"borrowers":[{"name":"Carla Mendes Rocha","birthDate":"1990-03-01","monthlyNetIncome":%d,"monthlyInstalmentsOtherCredit":0}]}`,
		amount, rate, 4_000+k%3_000)
}

func simulateRequest(base string, a actor, c, k int) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, base+"/v1/simulations", strings.NewReader(simulationBody(c, k)))
	r.Header.Set("Authorization", "Bearer "+a.token)
	r.Header.Set("Content-Type", "application/json")
	return r
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
