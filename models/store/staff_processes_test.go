package store_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// The staff process list: the firm filter (counted from the firm's
// counters, staff only) and the bank-wide search, which drives from the
// matching borrowers and must find what the firm-scoped search finds.
func TestStaffProcessList(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		lisboaAll, portoAll := w.scoped(w.lisboa.ID, nil), w.scoped(w.porto.ID, nil)

		t.Run("firm filter", func(t *testing.T) {
			for _, c := range []struct {
				firm models.BrokerFirm
				want []models.Process
			}{{w.lisboa, lisboaAll}, {w.porto, portoAll}} {
				// Upper case too: the id is compared lower-cased on both dialects.
				for _, id := range []string{c.firm.UUID, strings.ToUpper(c.firm.UUID)} {
					page := list(t, w.marta, s, models.ProcessFilter{FirmUUID: id, Limit: 100})
					if page.Total != int64(len(c.want)) || page.TotalCapped {
						t.Fatalf("%s: total %d (capped %v), want %d", c.firm.Name, page.Total, page.TotalCapped, len(c.want))
					}
					w.checkList(t, page.Items, c.want)
				}
			}
		})

		t.Run("firm filter with status, paging, search and last action", func(t *testing.T) {
			for _, id := range models.ProcessStatusIDs {
				want := w.scoped(w.porto.ID, func(p models.Process) bool { return p.StatusID == id })
				page := list(t, w.marta, s, models.ProcessFilter{FirmUUID: w.porto.UUID, StatusID: id, Limit: 100})
				if page.Total != int64(len(want)) {
					t.Fatalf("status %d: total %d, want %d", id, page.Total, len(want))
				}
				w.checkList(t, page.Items, want)
			}
			// Keyset paging within the firm, 7 a page, both ways.
			var got []models.ProcessSummary
			f := models.ProcessFilter{FirmUUID: w.lisboa.UUID, Limit: 7}
			var last *models.ProcessPage
			for {
				page := list(t, w.marta, s, f)
				got = append(got, page.Items...)
				last = page
				if page.NextCursor == "" {
					break
				}
				f.After = page.NextCursor
			}
			w.checkList(t, got, lisboaAll)
			back := list(t, w.marta, s, models.ProcessFilter{FirmUUID: w.lisboa.UUID, Limit: 7, Before: last.PrevCursor})
			w.checkList(t, back.Items, lisboaAll[len(lisboaAll)-len(last.Items)-7:len(lisboaAll)-len(last.Items)])

			page := list(t, w.marta, s, models.ProcessFilter{FirmUUID: w.lisboa.UUID, Search: "silva", Limit: 100})
			if want := w.nameMatches(w.lisboa.ID, "silva"); page.Total != int64(len(want)) || len(want) == 0 {
				t.Fatalf("silva at Lisboa: total %d, want %d", page.Total, len(want))
			} else {
				w.checkList(t, page.Items, want)
			}
			cut := lisboaAll[10].LastActionAt
			page = list(t, w.marta, s, models.ProcessFilter{FirmUUID: w.lisboa.UUID, LastActionTo: cut, Limit: 100})
			want := w.scoped(w.lisboa.ID, func(p models.Process) bool { return p.LastActionAt.Before(cut) })
			if page.Total != int64(len(want)) || len(want) == 0 {
				t.Fatalf("idle at Lisboa: total %d, want %d", page.Total, len(want))
			}
			w.checkList(t, page.Items, want)
		})

		t.Run("brokers keep their own firm", func(t *testing.T) {
			page := list(t, w.rui, s, models.ProcessFilter{FirmUUID: w.lisboa.UUID, Limit: 100})
			if page.Total != int64(len(portoAll)) {
				t.Fatalf("Rui asking for Lisboa: total %d, want his %d", page.Total, len(portoAll))
			}
			w.checkList(t, page.Items, portoAll)
		})

		t.Run("unknown and malformed firms", func(t *testing.T) {
			page := list(t, w.marta, s, models.ProcessFilter{FirmUUID: "00000000-0000-4000-8000-000000000000"})
			if page.Total != 0 || len(page.Items) != 0 {
				t.Fatalf("unknown firm: total %d, %d rows", page.Total, len(page.Items))
			}
			page = list(t, w.marta, s, models.ProcessFilter{FirmUUID: "00000000-0000-4000-8000-000000000000", Search: "silva"})
			if page.Total != 0 || len(page.Items) != 0 {
				t.Fatalf("unknown firm, search: total %d, %d rows", page.Total, len(page.Items))
			}
			_, err := s.ListProcesses(w.marta, models.ProcessFilter{FirmUUID: "BRK-LIS-001"})
			if e := wantCode(t, err, models.CodeInvalid); e.FieldMessage("firm") == "" {
				t.Fatalf("fields %+v, want one for firm", e.Fields)
			}
		})

		t.Run("bank-wide search finds what each firm's finds", func(t *testing.T) {
			var second models.Borrower
			for _, b := range w.borrowers {
				if !b.IsKey() && w.processByID(b.ProcessID).BrokerID == w.porto.ID && b.TaxID != "" {
					second = b
					break
				}
			}
			if second.ID == 0 {
				t.Fatal("demo has no second borrower at Porto")
			}
			lis := lisboaAll[3]
			queries := []string{"silva", "SILVA", "ana", "zzzz", lis.KeyBorrowerTaxID, second.TaxID,
				strconv.FormatInt(lis.ProcessNumber, 10), strconv.FormatInt(lis.ProcessNumber, 10)[:4], "%", "_", "99999999999999999999"}
			for _, q := range queries {
				want := w.scoped(0, func(p models.Process) bool { return matches(w, p, q) })
				page := list(t, w.marta, s, models.ProcessFilter{Search: q, Limit: 100})
				if page.Total != int64(len(want)) {
					t.Fatalf("%q: total %d, want %d", q, page.Total, len(want))
				}
				w.checkList(t, page.Items, want)
				// Each firm's own search, by staff, adds up to the same rows.
				var byFirm []models.Process
				for _, firm := range []models.BrokerFirm{w.lisboa, w.porto} {
					for _, it := range list(t, w.marta, s, models.ProcessFilter{Search: q, FirmUUID: firm.UUID, Limit: 100}).Items {
						byFirm = append(byFirm, w.processByUUID(it.UUID))
					}
				}
				slices.SortFunc(byFirm, listOrder)
				w.checkList(t, page.Items, byFirm)
			}
			page := list(t, w.marta, s, models.ProcessFilter{Search: second.TaxID})
			if len(page.Items) != 1 || page.Items[0].UUID != w.processByID(second.ProcessID).UUID {
				t.Fatalf("second borrower's tax id: %v", uuidsOf(page.Items))
			}
			// A bank-wide search pages like the list.
			f := models.ProcessFilter{Search: "a", Limit: 5}
			var got []models.ProcessSummary
			for {
				page := list(t, w.marta, s, f)
				got = append(got, page.Items...)
				if page.NextCursor == "" {
					break
				}
				f.After = page.NextCursor
			}
			w.checkList(t, got, w.scoped(0, func(p models.Process) bool { return matches(w, p, "a") }))
			// And with a last action bound.
			cut := w.all[len(w.all)/2].LastActionAt
			page = list(t, w.marta, s, models.ProcessFilter{Search: "silva", LastActionTo: cut, Limit: 100})
			w.checkList(t, page.Items, w.scoped(0, func(p models.Process) bool {
				return matches(w, p, "silva") && p.LastActionAt.Before(cut)
			}))
		})

		t.Run("bank-wide search follows new, renamed and removed names", func(t *testing.T) {
			db := s.DB()
			found := func(q string) []string {
				return uuidsOf(list(t, w.marta, s, models.ProcessFilter{Search: q, Limit: 100}).Items)
			}
			p, other := portoAll[2], lisboaAll[5]
			var b models.Borrower
			storetest.Must(t, db.Where("process_id = ?", p.ID).Order("id").Take(&b).Error, "borrower")
			storetest.Must(t, db.Model(&models.Borrower{}).Where("id = ?", b.ID).Update("name", "Quitéria Zacarias").Error, "rename")
			if got := found("quitéria zac"); !slices.Equal(got, []string{p.UUID}) {
				t.Fatalf("renamed borrower: %v", got)
			}
			storetest.Must(t, db.Model(&models.Borrower{}).Where("id = ?", b.ID).Update("name", b.Name).Error, "rename back")
			if got := found("quitéria zac"); len(got) != 0 {
				t.Fatalf("renamed back, still found: %v", got)
			}
			storetest.Must(t, db.Model(&models.Process{}).Where("id = ?", other.ID).Update("key_borrower_name", "Xavier Quintela").Error, "key name")
			if got := found("xavier quin"); !slices.Equal(got, []string{other.UUID}) {
				t.Fatalf("renamed key borrower: %v", got)
			}
			storetest.Must(t, db.Model(&models.Process{}).Where("id = ?", other.ID).Update("key_borrower_name", other.KeyBorrowerName).Error, "key name back")
			extra := models.Borrower{UUID: "0000000e-0000-4000-8000-000000000001", ProcessID: other.ID, BorrowerTypeID: models.BorrowerTypeOther,
				Name: "Eulália Vasconcelos", TaxID: "287654320"}
			storetest.Must(t, db.Create(&extra).Error, "new borrower")
			for _, q := range []string{"eulália vasc", "287654320"} {
				if got := found(q); !slices.Equal(got, []string{other.UUID}) {
					t.Fatalf("new borrower %q: %v", q, got)
				}
			}
			storetest.Must(t, db.Delete(&models.Borrower{}, extra.ID).Error, "remove borrower")
			for _, q := range []string{"eulália vasc", "287654320"} {
				if got := found(q); len(got) != 0 {
					t.Fatalf("removed borrower %q still found: %v", q, got)
				}
			}
		})
	})
}

// matches is the search's rule, straight from the rows: digits match a
// process number or a borrower's tax id exactly, anything else a borrower's
// name by substring, in any case.
func matches(w *processWorld, p models.Process, q string) bool {
	if q != "" && strings.Trim(q, "0123456789") == "" {
		if strconv.FormatInt(p.ProcessNumber, 10) == q || p.KeyBorrowerTaxID == q {
			return true
		}
		return slices.ContainsFunc(w.borrowers, func(b models.Borrower) bool { return b.ProcessID == p.ID && b.TaxID == q })
	}
	q = strings.ToLower(q)
	return strings.Contains(strings.ToLower(p.KeyBorrowerName), q) || slices.ContainsFunc(w.borrowers, func(b models.Borrower) bool {
		return b.ProcessID == p.ID && strings.Contains(strings.ToLower(b.Name), q)
	})
}

func (w *processWorld) processByUUID(id string) models.Process {
	for _, p := range w.all {
		if p.UUID == id {
			return p
		}
	}
	return models.Process{}
}
