package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

func ip(n int) *int       { return &n }
func i64p(n int64) *int64 { return &n }

// Taxonomy ids of the tests' inputs (taxonomydata): Lisboa (district 11),
// its county Lisboa (153) and that county's parish Ajuda (1592); Azambuja
// (150) is another county of Lisboa, Mealhada (11) one of Aveiro's.
const (
	districtLisboa = 11
	countyLisboa   = 153
	countyAzambuja = 150
	countyMealhada = 11
	parishAjuda    = 1592
)

func loanInput() models.ProcessInput {
	return models.ProcessInput{LoanAmountCents: 200_000_00, LoanDurationMonths: 360, ProductSchemeID: ip(1),
		LoanPurposeID: ip(1), ProductPurposeID: ip(1), BranchID: ip(3)}
}

// keyBorrowerInput is a key borrower with everything Submit needs.
func keyBorrowerInput() models.BorrowerInput {
	return models.BorrowerInput{Name: "Carla Mendes Rocha", BirthDate: "1985-04-12", TaxID: "123456789",
		IDDocumentTypeID: ip(1), IDDocumentNumber: "12345678 9 ZZ1", IDDocumentExpiry: "2031-01-31",
		NationalityID: ip(620), GenderID: ip(2), MaritalStatusID: ip(2), MatrimonialRegimeID: ip(1), ResidenceTypeID: ip(3),
		Mobile: "+351 912 345 678", Email: "carla.rocha@example.com", Address: "Rua Augusta 10", ZipCode: "1100-053",
		ZipCodeLocal: "Lisboa", ProfessionID: ip(3), EmploymentSituationID: ip(1), EmploymentContractTypeID: ip(1),
		EmployerName: "Acme, S.A.", EmployedSince: "2015-09-01", IncomeWagesPensionsCents: 2_500_00,
		InstallmentCreditCardCents: 50_00}
}

func propertyInput() models.PropertyInput {
	return models.PropertyInput{PropertyTypologyID: ip(3), GrossBuiltArea: ip(95), YearBuilt: ip(1998),
		AcquisitionAmountCents: i64p(260_000_00), AcquisitionDate: "2027-02-01", Address: "Rua da Junqueira",
		DoorNumber: "12", Floor: "2.º Dto.", DistrictID: ip(districtLisboa), CountyID: ip(countyLisboa),
		ParishID: ip(parishAjuda), ZipCode: "1300-343", ZipCodeLocal: "Lisboa"}
}

// wantWork fails unless err is a models error of code, and, for invalid
// input, names exactly fields (in any order).
func wantWork(t *testing.T, err error, code models.Code, fields ...string) {
	t.Helper()
	if models.ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
	if code != models.CodeInvalid {
		return
	}
	e := models.AsError(err)
	got := map[string]bool{}
	for _, f := range e.Fields {
		got[f.Field] = true
	}
	for _, f := range fields {
		if !got[f] {
			t.Errorf("no error for field %s in %v", f, e.Fields)
		}
		delete(got, f)
	}
	for f := range got {
		t.Errorf("unexpected error for field %s in %v", f, e.Fields)
	}
}

func reloadProcess(t *testing.T, s *store.Store, processUUID string) models.Process {
	t.Helper()
	var p models.Process
	storetest.Must(t, s.DB().Where("uuid = ?", processUUID).Take(&p).Error, "process %s", processUUID)
	return p
}

// newProcess creates a process as ctx's broker and returns it with its
// property.
func newProcess(t *testing.T, s *store.Store, ctx context.Context) (*models.Process, models.Property) {
	t.Helper()
	p, err := s.CreateProcess(ctx, loanInput())
	storetest.Must(t, err, "create process")
	props, err := s.ListProperties(ctx, p.UUID)
	storetest.Must(t, err, "properties")
	if len(props) != 1 {
		t.Fatalf("a new process has %d properties, want 1", len(props))
	}
	return p, props[0]
}

func TestCreateAndEditProcess(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		p, prop := newProcess(t, s, w.ana)
		if p.StatusID != models.StatusInCreation || p.BrokerID != w.lisboa.ID || p.ProcessNumber <= 100060 || p.LoanAmountCents != 200_000_00 {
			t.Fatalf("created %+v", p)
		}
		second, err := s.CreateProcess(w.rui, loanInput())
		storetest.Must(t, err, "second")
		if second.ProcessNumber != p.ProcessNumber+1 {
			t.Errorf("numbers %d then %d: want the next", p.ProcessNumber, second.ProcessNumber)
		}
		hist, err := s.GetProcess(w.ana, p.UUID)
		storetest.Must(t, err, "get")
		if len(hist.History) != 1 || hist.History[0].FromStatus != nil || hist.History[0].ToStatus != 1 || hist.History[0].ActorName != "Ana Silva" {
			t.Fatalf("history %+v", hist.History)
		}

		// Only brokers create; an unknown simulation is not found.
		_, err = s.CreateProcess(w.marta, loanInput())
		wantWork(t, err, models.CodeForbidden)
		_, err = s.CreateProcess(w.anon, loanInput())
		wantWork(t, err, models.CodeUnauthorized)
		in := loanInput()
		in.SimulationUUID = "6f1d8a52-3c1e-4d4e-9a57-0d9b1c2e7f10"
		_, err = s.CreateProcess(w.ana, in)
		wantWork(t, err, models.CodeNotFound)
		bad := models.ProcessInput{LoanAmountCents: 50, LoanDurationMonths: 1000, ProductSchemeID: ip(99), LoanPurposeID: ip(0),
			ProductPurposeID: ip(4), BranchID: ip(-1)}
		_, err = s.CreateProcess(w.ana, bad)
		wantWork(t, err, models.CodeInvalid, "loanAmount", "loanDurationMonths", "productSchemeId", "loanPurposeId", "productPurposeId", "branchId")

		// Update: the caller's firm only; foreign is missing; invalid after found.
		up := loanInput()
		up.LoanAmountCents, up.HasCrossSelling, up.BranchID = 180_000_00, true, nil
		before := reloadProcess(t, s, p.UUID)
		got, err := s.UpdateProcess(w.joao, p.UUID, up)
		storetest.Must(t, err, "update")
		after := reloadProcess(t, s, p.UUID)
		if got.LoanAmountCents != 180_000_00 || after.LoanAmountCents != 180_000_00 || !after.HasCrossSelling || after.BranchID != nil {
			t.Fatalf("updated %+v, stored %+v", got, after)
		}
		if !after.LastActionAt.After(before.LastActionAt) {
			t.Errorf("last action %v, was %v: it must move", after.LastActionAt, before.LastActionAt)
		}
		_, err = s.UpdateProcess(w.rui, p.UUID, up)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.UpdateProcess(w.rui, p.UUID, bad) // not found wins over invalid
		wantWork(t, err, models.CodeNotFound)
		_, err = s.UpdateProcess(w.marta, p.UUID, up)
		wantWork(t, err, models.CodeForbidden)
		_, err = s.UpdateProcess(w.ana, "not-a-uuid", up)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.UpdateProcess(w.ana, p.UUID, bad)
		wantWork(t, err, models.CodeInvalid, "loanAmount", "loanDurationMonths", "productSchemeId", "loanPurposeId", "productPurposeId", "branchId")

		// Property: update through the cascade; a property of another process is missing.
		pr, err := s.UpdateProperty(w.ana, p.UUID, prop.UUID, propertyInput())
		storetest.Must(t, err, "property")
		if pr.ParishID == nil || *pr.ParishID != parishAjuda || pr.AcquisitionAmountCents == nil || *pr.AcquisitionAmountCents != 260_000_00 {
			t.Fatalf("property %+v", pr)
		}
		_, otherProp := newProcess(t, s, w.ana)
		_, err = s.UpdateProperty(w.ana, p.UUID, otherProp.UUID, propertyInput())
		wantWork(t, err, models.CodeNotFound)
		if models.AsError(err).Entity != "property" {
			t.Errorf("entity %q, want property", models.AsError(err).Entity)
		}
		_, err = s.UpdateProperty(w.rui, p.UUID, prop.UUID, propertyInput())
		wantWork(t, err, models.CodeNotFound)
		cross := propertyInput()
		cross.CountyID, cross.ParishID = ip(countyMealhada), ip(parishAjuda)
		_, err = s.UpdateProperty(w.ana, p.UUID, prop.UUID, cross)
		wantWork(t, err, models.CodeInvalid, "countyId")
		cross = propertyInput()
		cross.CountyID = ip(countyAzambuja)
		_, err = s.UpdateProperty(w.ana, p.UUID, prop.UUID, cross)
		wantWork(t, err, models.CodeInvalid, "parishId")
		cross = propertyInput()
		cross.DistrictID, cross.ZipCode, cross.YearBuilt, cross.PropertyTypologyID = nil, "1300343", ip(1700), ip(999)
		_, err = s.UpdateProperty(w.ana, p.UUID, prop.UUID, cross)
		wantWork(t, err, models.CodeInvalid, "districtId", "zipCode", "yearBuilt", "propertyTypologyId")
		// PUT semantics: an empty input clears it.
		pr, err = s.UpdateProperty(w.ana, p.UUID, prop.UUID, models.PropertyInput{})
		storetest.Must(t, err, "clear property")
		if pr.ParishID != nil || pr.Address != "" {
			t.Errorf("cleared property %+v", pr)
		}
	})
}

func TestBorrowers(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		p, _ := newProcess(t, s, w.ana)
		key, err := s.CreateBorrower(w.ana, p.UUID, keyBorrowerInput())
		storetest.Must(t, err, "key borrower")
		if !key.IsKey() || key.TaxID != "123456789" {
			t.Fatalf("key borrower %+v", key)
		}
		stored := reloadProcess(t, s, p.UUID)
		if stored.KeyBorrowerName != "Carla Mendes Rocha" || stored.KeyBorrowerTaxID != "123456789" {
			t.Errorf("process copy %q %q", stored.KeyBorrowerName, stored.KeyBorrowerTaxID)
		}
		// The list and the search find the new borrower.
		page, err := s.ListProcesses(w.ana, models.ProcessFilter{Search: "Mendes Rocha"})
		storetest.Must(t, err, "search")
		if len(page.Items) != 1 || page.Items[0].UUID != p.UUID {
			t.Errorf("search found %+v", page.Items)
		}

		co := models.BorrowerInput{Name: "  Rui Rocha ", KeyBorrowerRelationID: ip(1), BirthDate: "1983-01-02", TaxID: "2 0000000 4"}
		other, err := s.CreateBorrower(w.ana, p.UUID, co)
		storetest.Must(t, err, "co-borrower")
		if other.IsKey() || other.Name != "Rui Rocha" || other.TaxID != "200000004" {
			t.Fatalf("co-borrower %+v", other)
		}
		second := keyBorrowerInput()
		second.BorrowerTypeID = models.BorrowerTypeKey
		_, err = s.CreateBorrower(w.ana, p.UUID, second)
		wantWork(t, err, models.CodeInvalid, "borrowerTypeId")

		list, err := s.ListBorrowers(w.marta, p.UUID) // staff read
		storetest.Must(t, err, "list")
		if len(list) != 2 || list[0].UUID != key.UUID || list[1].UUID != other.UUID {
			t.Fatalf("list %v", storetest.Map(list, func(b models.Borrower) string { return b.Name }))
		}
		_, err = s.ListBorrowers(w.rui, p.UUID)
		wantWork(t, err, models.CodeNotFound)

		got, err := s.GetBorrower(w.joao, p.UUID, other.UUID)
		storetest.Must(t, err, "get")
		if got.Name != "Rui Rocha" || got.KeyBorrowerRelationID == nil || *got.KeyBorrowerRelationID != 1 {
			t.Errorf("got %+v", got)
		}
		_, err = s.GetBorrower(w.rui, p.UUID, other.UUID)
		wantWork(t, err, models.CodeNotFound)
		// A borrower of another process is missing here.
		demoBorrower := w.borrowers[0]
		_, err = s.GetBorrower(w.ana, p.UUID, demoBorrower.UUID)
		wantWork(t, err, models.CodeNotFound)
		if models.AsError(err).Entity != "borrower" {
			t.Errorf("entity %q", models.AsError(err).Entity)
		}
		_, err = s.UpdateBorrower(w.ana, p.UUID, demoBorrower.UUID, co)
		wantWork(t, err, models.CodeNotFound)
		wantWork(t, s.DeleteBorrower(w.ana, p.UUID, demoBorrower.UUID), models.CodeNotFound)

		// Update: the key borrower's copy follows; types do not switch.
		in := keyBorrowerInput()
		in.Name, in.TaxID = "Carla Rocha", "999999990"
		upd, err := s.UpdateBorrower(w.ana, p.UUID, key.UUID, in)
		storetest.Must(t, err, "update key")
		if upd.Name != "Carla Rocha" || !upd.IsKey() {
			t.Errorf("updated %+v", upd)
		}
		if stored := reloadProcess(t, s, p.UUID); stored.KeyBorrowerName != "Carla Rocha" || stored.KeyBorrowerTaxID != "999999990" {
			t.Errorf("process copy %q %q", stored.KeyBorrowerName, stored.KeyBorrowerTaxID)
		}
		co.BorrowerTypeID = models.BorrowerTypeKey
		_, err = s.UpdateBorrower(w.ana, p.UUID, other.UUID, co)
		wantWork(t, err, models.CodeInvalid, "borrowerTypeId")

		bad := models.BorrowerInput{Name: "", BirthDate: "2020-01-01", TaxID: "123456788", Email: "nope", Mobile: "abc",
			ZipCode: "1000", NationalityID: ip(9999), IncomeRentsCents: -1, EmployedSince: "2999-01-01", IDDocumentExpiry: "2030-02-30"}
		_, err = s.CreateBorrower(w.ana, p.UUID, bad)
		wantWork(t, err, models.CodeInvalid, "name", "birthDate", "taxId", "email", "mobile", "zipCode", "nationalityId",
			"incomeRents", "employedSince", "identificationDocumentExpiryDate")
		_, err = s.CreateBorrower(w.rui, p.UUID, bad) // not found wins
		wantWork(t, err, models.CodeNotFound)
		_, err = s.CreateBorrower(w.marta, p.UUID, co)
		wantWork(t, err, models.CodeForbidden)

		// Delete: not the key borrower.
		wantWork(t, s.DeleteBorrower(w.ana, p.UUID, key.UUID), models.CodeConflict)
		storetest.Must(t, s.DeleteBorrower(w.ana, p.UUID, other.UUID), "delete")
		_, err = s.GetBorrower(w.ana, p.UUID, other.UUID)
		wantWork(t, err, models.CodeNotFound)
		wantWork(t, s.DeleteBorrower(w.rui, p.UUID, key.UUID), models.CodeNotFound)
	})
}

// TestEditsOnlyInCreation: every edit of a process that left "In creation"
// is a conflict, and writes nothing.
func TestEditsOnlyInCreation(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		var submitted models.Process
		for _, p := range w.scoped(w.lisboa.ID, func(p models.Process) bool { return p.StatusID == models.StatusSubmitted }) {
			submitted = p
			break
		}
		var b models.Borrower
		var pr models.Property
		storetest.Must(t, s.DB().Where("process_id = ?", submitted.ID).Order("id").Take(&b).Error, "borrower")
		storetest.Must(t, s.DB().Where("process_id = ?", submitted.ID).Take(&pr).Error, "property")
		_, err := s.UpdateProcess(w.ana, submitted.UUID, loanInput())
		wantWork(t, err, models.CodeConflict)
		_, err = s.CreateBorrower(w.ana, submitted.UUID, keyBorrowerInput())
		wantWork(t, err, models.CodeConflict)
		_, err = s.UpdateBorrower(w.ana, submitted.UUID, b.UUID, keyBorrowerInput())
		wantWork(t, err, models.CodeConflict)
		wantWork(t, s.DeleteBorrower(w.ana, submitted.UUID, b.UUID), models.CodeConflict)
		_, err = s.UpdateProperty(w.ana, submitted.UUID, pr.UUID, propertyInput())
		wantWork(t, err, models.CodeConflict)
		if models.AsError(err).Key != "process.not_in_creation" {
			t.Errorf("key %q", models.AsError(err).Key)
		}
		if after := reloadProcess(t, s, submitted.UUID); !after.LastActionAt.Equal(submitted.LastActionAt) {
			t.Errorf("a refused edit moved the last action: %v -> %v", submitted.LastActionAt, after.LastActionAt)
		}
	})
}

// TestCreateProcessConcurrently: creations at once all succeed, with
// distinct consecutive numbers, also inside an Idempotency-Key's
// transaction, whose replay creates nothing.
func TestCreateProcessConcurrently(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		const n = 8
		numbers := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := w.ana
				if i%2 == 1 {
					ctx = w.rui
				}
				if i%4 == 3 {
					_, _, errs[i] = s.Idempotent(ctx, fmt.Sprintf("key-%d", i), "fp", func(ctx context.Context) (models.StoredResponse, error) {
						p, err := s.CreateProcess(ctx, loanInput())
						if err != nil {
							return models.StoredResponse{}, err
						}
						numbers[i] = p.ProcessNumber
						return models.StoredResponse{Status: 201, Body: []byte(p.UUID)}, nil
					})
					return
				}
				p, err := s.CreateProcess(ctx, loanInput())
				if err == nil {
					numbers[i] = p.ProcessNumber
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			storetest.Must(t, err, "create %d", i)
		}
		slices.Sort(numbers)
		for i := 1; i < n; i++ {
			if numbers[i] != numbers[i-1]+1 {
				t.Fatalf("numbers %v: want consecutive, distinct", numbers)
			}
		}
		var count int64
		storetest.Must(t, s.DB().Model(&models.Process{}).Count(&count).Error, "count")
		resp, replayed, err := s.Idempotent(w.rui, "key-3", "fp", func(ctx context.Context) (models.StoredResponse, error) {
			t.Fatal("a replay ran again")
			return models.StoredResponse{}, nil
		})
		storetest.Must(t, err, "replay")
		var again int64
		storetest.Must(t, s.DB().Model(&models.Process{}).Count(&again).Error, "count")
		if !replayed || resp.Status != 201 || again != count {
			t.Errorf("replay %v %d; processes %d -> %d", replayed, resp.Status, count, again)
		}
	})
}

// TestDemoProcessWork: the demo's borrowers and properties pass the input
// rules (valid NIFs, taxonomy values, the place cascade), every process
// past "In creation" has what Submit checks, and each firm has "In
// creation" processes both ready to submit and still incomplete.
func TestDemoProcessWork(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		tx, err := s.Taxonomy(context.Background())
		storetest.Must(t, err, "taxonomy")
		today := time.Now().UTC().Format(time.DateOnly)
		for _, b := range w.borrowers {
			if !models.ValidNIF(b.TaxID) {
				t.Errorf("borrower %s: NIF %q", b.Name, b.TaxID)
			}
			if _, err := b.Input().Validate(tx, today); err != nil {
				t.Errorf("borrower %s: %v", b.Name, fieldNames(err))
			}
		}
		var props []models.Property
		storetest.Must(t, s.DB().Find(&props).Error, "properties")
		for _, pr := range props {
			in := pr.Input()
			if _, err := in.Validate(tx, today); err != nil {
				t.Errorf("property %s: %v", pr.UUID, fieldNames(err))
			}
		}
		for _, firm := range []struct {
			ctx context.Context
			id  int64
		}{{w.ana, w.lisboa.ID}, {w.rui, w.porto.ID}} {
			ready, incomplete := 0, 0
			for _, p := range w.scoped(firm.id, nil) {
				check, err := s.CheckSubmit(firm.ctx, p.UUID)
				storetest.Must(t, err, "check %d", p.ProcessNumber)
				switch {
				case p.StatusID != models.StatusInCreation && len(check) > 0:
					t.Errorf("process %d (status %d) lacks %v", p.ProcessNumber, p.StatusID, check)
				case p.StatusID == models.StatusInCreation && len(check) == 0:
					ready++
				case p.StatusID == models.StatusInCreation:
					incomplete++
				}
			}
			if ready == 0 || incomplete == 0 {
				t.Errorf("firm %d: %d processes in creation ready, %d incomplete: want both", firm.id, ready, incomplete)
			}
		}
	})
}
