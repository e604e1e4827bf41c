package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// processWorld is the demo world as the tests expect to see it, read
// straight from the tables.
type processWorld struct {
	s                     *store.Store
	lisboa, porto         models.BrokerFirm
	ana, rui, joao, marta context.Context
	maria, anon           context.Context
	all                   []models.Process // list order: last action desc, number desc
	borrowers             []models.Borrower
	firmName              map[int64]string
}

func listOrder(a, b models.Process) int {
	if c := b.LastActionAt.Compare(a.LastActionAt); c != 0 {
		return c
	}
	return int(b.ProcessNumber - a.ProcessNumber)
}

func (w *processWorld) reload(t *testing.T) {
	t.Helper()
	w.all = nil
	storetest.Must(t, w.s.DB().Find(&w.all).Error, "processes")
	slices.SortFunc(w.all, listOrder)
	w.borrowers = nil
	storetest.Must(t, w.s.DB().Order("id").Find(&w.borrowers).Error, "borrowers")
}

// scoped returns the expected rows, in list order, for firm (0: every firm)
// that match keep.
func (w *processWorld) scoped(firm int64, keep func(models.Process) bool) []models.Process {
	var out []models.Process
	for _, p := range w.all {
		if (firm == 0 || p.BrokerID == firm) && (keep == nil || keep(p)) {
			out = append(out, p)
		}
	}
	return out
}

func newProcessWorld(t *testing.T, s *store.Store) *processWorld {
	t.Helper()
	w := &processWorld{s: s, lisboa: firmByUID(t, s, "BRK-LIS-001"), porto: firmByUID(t, s, "BRK-POR-002")}
	w.firmName = map[int64]string{w.lisboa.ID: w.lisboa.Name, w.porto.ID: w.porto.Name}
	w.ana, w.rui, w.joao = storetest.AsUser(t, s, anaEmail), storetest.AsUser(t, s, ruiEmail), storetest.AsUser(t, s, joaoEmail)
	w.marta, w.maria = storetest.AsUser(t, s, martaEmail), storetest.AsUser(t, s, mariaEmail)
	w.anon = context.Background()
	w.reload(t)

	// Give several processes the same last action time, some in each firm,
	// so ordering and paging must break ties by process number.
	lis := w.scoped(w.lisboa.ID, nil)
	tie := lis[9].LastActionAt
	var tied []int64
	for _, i := range []int{3, 12, 20} {
		tied = append(tied, lis[i].ID)
	}
	tied = append(tied, w.scoped(w.porto.ID, nil)[15].ID)
	storetest.Must(t, s.DB().Model(&models.Process{}).Where("id IN ?", tied).Update("last_action_at", tie).Error, "ties")
	w.reload(t)
	return w
}

func uuidsOf(items []models.ProcessSummary) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.UUID)
	}
	return out
}

func processUUIDs(ps []models.Process) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.UUID)
	}
	return out
}

func list(t *testing.T, ctx context.Context, s *store.Store, f models.ProcessFilter) *models.ProcessPage {
	t.Helper()
	page, err := s.ListProcesses(ctx, f)
	if err != nil {
		t.Fatalf("ListProcesses(%+v): %v", f, err)
	}
	return page
}

// walkForward follows NextCursor from the first page to the last.
func walkForward(t *testing.T, ctx context.Context, s *store.Store, f models.ProcessFilter) []*models.ProcessPage {
	t.Helper()
	var pages []*models.ProcessPage
	for {
		page := list(t, ctx, s, f)
		pages = append(pages, page)
		if page.NextCursor == "" {
			return pages
		}
		if len(pages) > 1000 {
			t.Fatal("paging does not end")
		}
		f.After, f.Before = page.NextCursor, ""
	}
}

// checkList fails unless the rows are exactly want, in order, with the
// firm of each row.
func (w *processWorld) checkList(t *testing.T, got []models.ProcessSummary, want []models.Process) {
	t.Helper()
	if g, e := uuidsOf(got), processUUIDs(want); !slices.Equal(g, e) {
		var gn, en []int64
		for _, it := range got {
			gn = append(gn, it.ProcessNumber)
		}
		for _, p := range want {
			en = append(en, p.ProcessNumber)
		}
		t.Fatalf("rows by number:\n got %v\nwant %v", gn, en)
	}
	for i, it := range got {
		p := want[i]
		if it.ProcessNumber != p.ProcessNumber || it.FirmName != w.firmName[p.BrokerID] || it.StatusID != p.StatusID ||
			it.KeyBorrowerName != p.KeyBorrowerName || it.LoanAmountCents != p.LoanAmountCents ||
			!it.LastActionAt.Equal(p.LastActionAt) || !it.CreatedAt.Equal(p.CreatedAt) || it.LastActionAt.Location() != time.UTC {
			t.Fatalf("row %d: %+v, stored %+v", i, it, p)
		}
	}
}

// One demo world per dialect serves the list and the page tests: seeding
// it hashes every demo password, which is slow by design.
func TestProcesses(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		t.Run("list", func(t *testing.T) { testListProcesses(t, w) })
		t.Run("get", func(t *testing.T) { testGetProcess(t, w) })
	})
}

func testListProcesses(t *testing.T, w *processWorld) {
	s := w.s
	lisboaAll, portoAll := w.scoped(w.lisboa.ID, nil), w.scoped(w.porto.ID, nil)
	if len(lisboaAll) != store.DemoProcesses || len(portoAll) != store.DemoProcesses {
		t.Fatalf("demo has %d + %d processes", len(lisboaAll), len(portoAll))
	}

	t.Run("brokers see only their own firm", func(t *testing.T) {
		for _, c := range []struct {
			who  context.Context
			want []models.Process
		}{{w.ana, lisboaAll}, {w.joao, lisboaAll}, {w.rui, portoAll}} {
			page := list(t, c.who, s, models.ProcessFilter{Limit: 100})
			if page.Total != store.DemoProcesses {
				t.Fatalf("total %d, want %d", page.Total, store.DemoProcesses)
			}
			w.checkList(t, page.Items, c.want)
			if page.NextCursor != "" || page.PrevCursor != "" {
				t.Fatalf("a single page has cursors %q / %q", page.PrevCursor, page.NextCursor)
			}
		}
	})

	t.Run("staff see every firm", func(t *testing.T) {
		page := list(t, w.marta, s, models.ProcessFilter{Limit: 100})
		if page.Total != 2*store.DemoProcesses {
			t.Fatalf("total %d", page.Total)
		}
		w.checkList(t, page.Items, w.all)
	})

	t.Run("customers and anonymous callers see none", func(t *testing.T) {
		_, err := s.ListProcesses(w.maria, models.ProcessFilter{})
		wantCode(t, err, models.CodeForbidden)
		_, err = s.ListProcesses(w.anon, models.ProcessFilter{})
		wantCode(t, err, models.CodeUnauthorized)
	})

	t.Run("first page is newest last action first, ties by number", func(t *testing.T) {
		page := list(t, w.ana, s, models.ProcessFilter{})
		w.checkList(t, page.Items, lisboaAll[:20]) // default page size
		if page.NextCursor == "" || page.PrevCursor != "" {
			t.Fatalf("first page cursors prev %q next %q", page.PrevCursor, page.NextCursor)
		}
		// The tie group is really there and ordered by number, descending.
		var tied []int64
		for _, p := range lisboaAll {
			if p.LastActionAt.Equal(lisboaAll[9].LastActionAt) {
				tied = append(tied, p.ProcessNumber)
			}
		}
		if len(tied) != 4 || !slices.IsSortedFunc(tied, func(a, b int64) int { return int(b - a) }) {
			t.Fatalf("tie group %v", tied)
		}
	})

	for _, c := range []struct {
		name string
		who  func() context.Context
		f    models.ProcessFilter
		want []models.Process
	}{
		{"broker", func() context.Context { return w.ana }, models.ProcessFilter{Limit: 7}, lisboaAll},
		{"staff", func() context.Context { return w.marta }, models.ProcessFilter{Limit: 7}, w.all},
		{"broker by status", func() context.Context { return w.rui }, models.ProcessFilter{Limit: 2, StatusID: models.StatusSubmitted},
			w.scoped(w.porto.ID, func(p models.Process) bool { return p.StatusID == models.StatusSubmitted })},
	} {
		t.Run("keyset paging visits every row once, both ways: "+c.name, func(t *testing.T) {
			ctx := c.who()
			pages := walkForward(t, ctx, s, c.f)
			var seen []models.ProcessSummary
			for i, p := range pages {
				if len(p.Items) == 0 || len(p.Items) > c.f.Limit {
					t.Fatalf("page %d has %d rows", i, len(p.Items))
				}
				if (i == 0) != (p.PrevCursor == "") {
					t.Fatalf("page %d prev cursor %q", i, p.PrevCursor)
				}
				if p.Total != int64(len(c.want)) {
					t.Fatalf("page %d total %d, want %d", i, p.Total, len(c.want))
				}
				seen = append(seen, p.Items...)
			}
			if len(pages) < 2 {
				t.Fatalf("only %d page(s)", len(pages))
			}
			w.checkList(t, seen, c.want)

			// Back from the last page with PrevCursor: the same pages.
			f := c.f
			back := pages[len(pages)-1]
			for i := len(pages) - 2; i >= 0; i-- {
				if back.PrevCursor == "" {
					t.Fatalf("page %d has no prev cursor", i+1)
				}
				f.After, f.Before = "", back.PrevCursor
				back = list(t, ctx, s, f)
				if !slices.Equal(uuidsOf(back.Items), uuidsOf(pages[i].Items)) {
					t.Fatalf("page %d walking back differs from walking forward", i)
				}
				if back.NextCursor == "" {
					t.Fatalf("page %d reached backwards has no next cursor", i)
				}
			}
			if back.PrevCursor != "" {
				t.Fatalf("first page reached backwards has prev cursor %q", back.PrevCursor)
			}
			// Forward again from a page reached backwards.
			f.After, f.Before = back.NextCursor, ""
			if again := list(t, ctx, s, f); !slices.Equal(uuidsOf(again.Items), uuidsOf(pages[1].Items)) {
				t.Fatal("next from the first page reached backwards is not the second page")
			}
		})
	}

	t.Run("status filter", func(t *testing.T) {
		for _, id := range models.ProcessStatusIDs {
			want := w.scoped(w.lisboa.ID, func(p models.Process) bool { return p.StatusID == id })
			page := list(t, w.ana, s, models.ProcessFilter{StatusID: id, Limit: 100})
			if page.Total != int64(len(want)) || len(want) == 0 {
				t.Fatalf("status %d: total %d, want %d", id, page.Total, len(want))
			}
			w.checkList(t, page.Items, want)
		}
	})

	t.Run("search", func(t *testing.T) {
		lis := lisboaAll[4]
		// A second borrower whose (ASCII) first name is not in the key borrower's name.
		var second models.Borrower
		for _, b := range w.borrowers {
			p := w.processByID(b.ProcessID)
			first, _, _ := strings.Cut(b.Name, " ")
			if !b.IsKey() && p.BrokerID == w.lisboa.ID && isASCII(b.Name) &&
				!strings.Contains(strings.ToLower(p.KeyBorrowerName), strings.ToLower(first)) {
				second = b
				break
			}
		}
		if second.ID == 0 {
			t.Fatal("demo has no suitable second borrower")
		}
		secondProc := w.processByID(second.ProcessID)
		first, rest, _ := strings.Cut(second.Name, " ")
		lastWord, _, _ := strings.Cut(rest, " ")
		nameQuery := strings.ToUpper(first[1:] + " " + lastWord[:3]) // e.g. "OFIA COS"

		cases := []struct {
			name string
			who  context.Context
			q    string
			want []models.Process
		}{
			{"process number", w.ana, strconv.FormatInt(lis.ProcessNumber, 10), []models.Process{lis}},
			{"process number with spaces", w.ana, "  " + strconv.FormatInt(lis.ProcessNumber, 10) + " ", []models.Process{lis}},
			{"key borrower tax id", w.ana, lis.KeyBorrowerTaxID, []models.Process{lis}},
			{"second borrower tax id", w.ana, second.TaxID, []models.Process{secondProc}},
			{"second borrower name, any case", w.ana, nameQuery, w.nameMatches(w.lisboa.ID, nameQuery)},
			{"another firm's number", w.rui, strconv.FormatInt(lis.ProcessNumber, 10), nil},
			{"another firm's tax id", w.rui, lis.KeyBorrowerTaxID, nil},
			{"a common name stays in the firm", w.rui, "silva", w.nameMatches(w.porto.ID, "silva")},
			{"staff search every firm", w.marta, "silva", w.nameMatches(0, "silva")},
			{"no match", w.ana, "zzzz", nil},
			{"prefix of a number is not a match", w.ana, strconv.FormatInt(lis.ProcessNumber, 10)[:4], nil},
		}
		for _, c := range cases {
			page := list(t, c.who, s, models.ProcessFilter{Search: c.q, Limit: 100})
			if page.Total != int64(len(c.want)) {
				t.Fatalf("%s (%q): total %d, want %d", c.name, c.q, page.Total, len(c.want))
			}
			w.checkList(t, page.Items, c.want)
		}
		if !slices.ContainsFunc(w.nameMatches(w.lisboa.ID, nameQuery), func(p models.Process) bool { return p.ID == secondProc.ID }) {
			t.Fatal("second-borrower name query does not select its process")
		}
		if len(w.nameMatches(w.porto.ID, "silva")) == 0 || len(w.nameMatches(w.lisboa.ID, "silva")) == 0 {
			t.Fatal("demo has no Silva in each firm: the scope case proves nothing")
		}
	})

	t.Run("search treats % and _ literally", func(t *testing.T) {
		lis := w.scoped(w.lisboa.ID, nil)
		literal, decoy := lis[6], lis[7]
		rename := func(p models.Process, name string) {
			storetest.Must(t, s.DB().Model(&models.Process{}).Where("id = ?", p.ID).Update("key_borrower_name", name).Error, "rename")
		}
		rename(literal, `Rosa Lima_Test 100% C\D`)
		rename(decoy, "Rosa LimaXTest 1000 CxD")
		t.Cleanup(func() { rename(literal, literal.KeyBorrowerName); rename(decoy, decoy.KeyBorrowerName) })
		for _, q := range []string{"lima_test", "_", "100%", "%", `c\d`, `\`} {
			page := list(t, w.ana, s, models.ProcessFilter{Search: q, Limit: 100})
			if page.Total != 1 || len(page.Items) != 1 || page.Items[0].UUID != literal.UUID {
				t.Fatalf("search %q: total %d, rows %v", q, page.Total, uuidsOf(page.Items))
			}
		}
		for _, q := range []string{"lim%test", "lima_test 1000"} {
			if page := list(t, w.ana, s, models.ProcessFilter{Search: q}); page.Total != 0 {
				t.Fatalf("search %q matched %d rows", q, page.Total)
			}
		}
	})

	t.Run("invalid filters", func(t *testing.T) {
		valid := list(t, w.ana, s, models.ProcessFilter{})
		cases := []struct {
			f     models.ProcessFilter
			field string
		}{
			{models.ProcessFilter{StatusID: 9}, "status"},
			{models.ProcessFilter{StatusID: -1}, "status"},
			{models.ProcessFilter{Limit: 101}, "limit"},
			{models.ProcessFilter{Limit: -1}, "limit"},
			{models.ProcessFilter{After: "not a cursor!"}, "after"},
			{models.ProcessFilter{After: "bm9wZQ"}, "after"}, // base64 of "nope"
			{models.ProcessFilter{Before: "%%%"}, "before"},
			{models.ProcessFilter{After: valid.NextCursor, Before: valid.NextCursor}, "after"},
			{models.ProcessFilter{Search: strings.Repeat("a", 101)}, "q"},
		}
		for _, c := range cases {
			_, err := s.ListProcesses(w.ana, c.f)
			e := wantCode(t, err, models.CodeInvalid)
			if e.FieldMessage(c.field) == "" {
				t.Fatalf("filter %+v: fields %+v, want one for %s", c.f, e.Fields, c.field)
			}
		}
		// The bounds themselves are fine.
		if page := list(t, w.ana, s, models.ProcessFilter{Limit: 0}); len(page.Items) != 20 {
			t.Fatalf("default page size gave %d rows", len(page.Items))
		}
		if page := list(t, w.ana, s, models.ProcessFilter{Limit: 1}); len(page.Items) != 1 || page.NextCursor == "" {
			t.Fatalf("limit 1 gave %d rows", len(page.Items))
		}
		list(t, w.ana, s, models.ProcessFilter{Limit: 100})
		list(t, w.ana, s, models.ProcessFilter{Search: strings.Repeat("é", 100)})
	})
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

func (w *processWorld) processByID(id int64) models.Process {
	for _, p := range w.all {
		if p.ID == id {
			return p
		}
	}
	panic(fmt.Sprintf("no process %d", id))
}

// nameMatches is the name search's expected result: key borrower or any
// borrower's name contains q, ignoring (ASCII) case.
func (w *processWorld) nameMatches(firm int64, q string) []models.Process {
	q = strings.ToLower(q)
	return w.scoped(firm, func(p models.Process) bool {
		if strings.Contains(strings.ToLower(p.KeyBorrowerName), q) {
			return true
		}
		for _, b := range w.borrowers {
			if b.ProcessID == p.ID && strings.Contains(strings.ToLower(b.Name), q) {
				return true
			}
		}
		return false
	})
}

func testGetProcess(t *testing.T, w *processWorld) {
	s := w.s
	lisboaAll := w.scoped(w.lisboa.ID, nil)
	// Demo processes with a second borrower exist in each firm.
	var withTwo models.Process
	for _, p := range lisboaAll {
		n := 0
		for _, b := range w.borrowers {
			if b.ProcessID == p.ID {
				n++
			}
		}
		if n == 2 && p.StatusID != models.StatusInCreation {
			withTwo = p
			break
		}
	}
	if withTwo.ID == 0 {
		t.Fatal("no Lisboa process with two borrowers")
	}

	t.Run("own process in full", func(t *testing.T) {
		d, err := s.GetProcess(w.ana, withTwo.UUID)
		storetest.Must(t, err, "get")
		p := d.Process
		if p.UUID != withTwo.UUID || p.ID != withTwo.ID || p.BrokerID != w.lisboa.ID || d.FirmName != lisboaName ||
			p.ProcessNumber != withTwo.ProcessNumber || p.StatusID != withTwo.StatusID || p.LoanAmountCents != withTwo.LoanAmountCents {
			t.Fatalf("process %+v firm %q", p, d.FirmName)
		}
		if len(d.Borrowers) != 2 || !d.Borrowers[0].IsKey() || d.Borrowers[1].IsKey() ||
			d.Borrowers[0].Name != p.KeyBorrowerName || d.Borrowers[0].TaxID != p.KeyBorrowerTaxID {
			t.Fatalf("borrowers %+v", d.Borrowers)
		}
		if d.Property == nil || d.Property.ProcessID != p.ID || d.Property.Address == "" {
			t.Fatalf("property %+v", d.Property)
		}
		h := d.History
		if len(h) < 2 || h[0].FromStatus != nil || h[0].ToStatus != models.StatusInCreation || h[len(h)-1].ToStatus != p.StatusID {
			t.Fatalf("history %+v", h)
		}
		for i := 1; i < len(h); i++ {
			if h[i].FromStatus == nil || *h[i].FromStatus != h[i-1].ToStatus || h[i].CreatedAt.Before(h[i-1].CreatedAt) || h[i].ProcessID != p.ID {
				t.Fatalf("history step %d: %+v after %+v", i, h[i], h[i-1])
			}
		}
	})

	t.Run("key borrower comes first even when added last", func(t *testing.T) {
		p := w.scoped(w.porto.ID, nil)[2]
		storetest.Must(t, s.DB().Where("process_id = ?", p.ID).Delete(&models.Borrower{}).Error, "clear borrowers")
		now := time.Now().UTC()
		rel := 1
		for _, b := range []models.Borrower{
			{UUID: uuid.NewString(), ProcessID: p.ID, BorrowerTypeID: models.BorrowerTypeOther, KeyBorrowerRelationID: &rel, Name: "Other One", CreatedAt: now, UpdatedAt: now},
			{UUID: uuid.NewString(), ProcessID: p.ID, BorrowerTypeID: models.BorrowerTypeKey, Name: p.KeyBorrowerName, CreatedAt: now, UpdatedAt: now},
		} {
			storetest.Must(t, s.DB().Create(&b).Error, "borrower")
		}
		d, err := s.GetProcess(w.rui, p.UUID)
		storetest.Must(t, err, "get")
		if len(d.Borrowers) != 2 || !d.Borrowers[0].IsKey() || d.Borrowers[1].Name != "Other One" {
			t.Fatalf("borrowers %+v", d.Borrowers)
		}
	})

	t.Run("another firm's process is reported like a missing one", func(t *testing.T) {
		_, other := s.GetProcess(w.rui, withTwo.UUID)
		_, missing := s.GetProcess(w.rui, uuid.NewString())
		wantCode(t, other, models.CodeNotFound)
		sameAnswer(t, other, missing)
		for _, id := range []string{"not-a-uuid", "", "' OR 1=1 --", withTwo.UUID + "0", strings.ReplaceAll(withTwo.UUID, "-", "")} {
			_, err := s.GetProcess(w.rui, id)
			sameAnswer(t, other, err)
		}
	})

	t.Run("ids are case-insensitive", func(t *testing.T) {
		d, err := s.GetProcess(w.ana, strings.ToUpper(withTwo.UUID))
		if err != nil {
			t.Fatalf("upper-case id: %v", err)
		}
		if d.Process.ID != withTwo.ID {
			t.Fatalf("got process %d", d.Process.ID)
		}
		_, other := s.GetProcess(w.rui, strings.ToUpper(withTwo.UUID))
		wantCode(t, other, models.CodeNotFound)
	})

	t.Run("staff get any firm's process", func(t *testing.T) {
		for _, p := range []models.Process{withTwo, w.scoped(w.porto.ID, nil)[0]} {
			d, err := s.GetProcess(w.marta, p.UUID)
			storetest.Must(t, err, "staff get %d", p.ProcessNumber)
			if d.Process.ID != p.ID || d.FirmName != w.firmName[p.BrokerID] || len(d.Borrowers) == 0 || len(d.History) == 0 {
				t.Fatalf("detail %+v", d)
			}
		}
	})

	t.Run("customers and anonymous callers get none", func(t *testing.T) {
		_, err := s.GetProcess(w.maria, withTwo.UUID)
		wantCode(t, err, models.CodeForbidden)
		_, err = s.GetProcess(w.anon, withTwo.UUID)
		wantCode(t, err, models.CodeUnauthorized)
	})
}
