package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// processScope restricts q to the processes the caller may see, in SQL:
// a broker their firm's, staff and admins their bank's, nobody else any.
func processScope(ctx context.Context, q *gorm.DB) (*gorm.DB, error) {
	cond, arg, err := processScopeCond(ctx)
	if err != nil {
		return nil, err
	}
	return q.Where(cond, arg), nil
}

// processScopeCond is processScope's condition and its argument.
func processScopeCond(ctx context.Context) (string, any, error) {
	p := models.PrincipalFrom(ctx)
	switch {
	case p.IsBroker() && p.FirmID != 0:
		return "processes.broker_id = ?", p.FirmID, nil
	case p.IsStaff():
		return "processes.bank_id = ?", p.BankID, nil
	case p == nil:
		return "", nil, models.Unauthorized("not signed in")
	}
	return "", nil, models.Forbidden("processes are for brokers and bank staff")
}

// processCursor is a position in the list order (last action, number).
type processCursor struct {
	At     time.Time
	Number int64
}

func (c processCursor) String() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", c.At.UnixMicro(), c.Number))
}

// pageCursors are a keyset page's next and previous cursors, "" where
// there is no page: first and last are the page's ends in list order, more
// says a row lay beyond the page in the direction it was read (after, the
// default, or before).
func pageCursors(first, last processCursor, after, before *processCursor, more bool) (next, prev string) {
	if before != nil {
		next = last.String()
		if more {
			prev = first.String()
		}
		return next, prev
	}
	if more {
		next = last.String()
	}
	if after != nil {
		prev = first.String()
	}
	return next, prev
}

func parseProcessCursor(s string) (processCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return processCursor{}, false
	}
	a, b, ok := strings.Cut(string(raw), ".")
	if !ok {
		return processCursor{}, false
	}
	us, err1 := strconv.ParseInt(a, 10, 64)
	n, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return processCursor{}, false
	}
	return processCursor{At: time.UnixMicro(us).UTC(), Number: n}, true
}

func validateProcessFilter(f *models.ProcessFilter) (after, before *processCursor, err error) {
	var v models.Validation
	f.Validate(&v)
	if f.FirmUUID != "" && !validUUID(f.FirmUUID) {
		v.Add("firm", "reply_queue.firm", nil)
	}
	if f.After != "" {
		if c, ok := parseProcessCursor(f.After); ok {
			after = &c
		} else {
			v.Add("after", "page.cursor", nil)
		}
	}
	if f.Before != "" {
		if c, ok := parseProcessCursor(f.Before); ok {
			before = &c
		} else {
			v.Add("before", "page.cursor", nil)
		}
	}
	return after, before, v.Err()
}

func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) || r > unicode.MaxASCII {
			return false
		}
	}
	return s != ""
}

// The search matches a process number or tax id exactly (all digits), or
// a borrower's name by substring; searchCond writes it two ways, with the
// same results.
//
// Within a firm (a broker's list, or staff filtering by firm) it is probed
// per candidate process: the borrower subqueries end in "LIMIT 1 OFFSET 0"
// (valid on both dialects), and OFFSET keeps PostgreSQL from rewriting the
// EXISTS into a hashed sequential scan of every borrower of every firm, so
// a broker's search costs the same whatever the size of the rest of the
// bank.
//
// Bank-wide (staff) it drives from the matches instead: the processes whose
// number, key borrower's name or tax id match, or whose id is among the
// matching borrowers' processes, each found through its own index (00014:
// trigram indexes on the lower-cased names and btree indexes on the tax
// ids on PostgreSQL, which combines them in one bitmap). On PostgreSQL the
// borrowers' processes are an array evaluated once (an InitPlan), which the
// bitmap can probe through the primary key; an IN or EXISTS under an OR
// would be checked per process of the bank. On SQLite the matching
// processes are one IN list on the rowid: the numbers and tax ids from
// their indexes, the names from the FTS5 trigram tables process_names and
// borrower_names (00014), each candidate checked with the search's own
// LIKE, so the rows are exactly the firm-scoped search's (a search holding
// LIKE's wildcards or escape, which the FTS tables' LIKE cannot be told to
// take literally, reads the bank's rows instead). Its scope is written
// "+processes.bank_id" (listScope): SQLite keeps no statistics here, would
// take the bank's list index for a selective one and read every process.
func applySearch(q *gorm.DB, cond string, args []any) *gorm.DB {
	if cond != "" {
		return q.Where(cond, args...)
	}
	return q
}

// bankWide reports whether f searches the caller's whole bank: staff, not
// restricted to one firm.
func bankWide(ctx context.Context, f models.ProcessFilter) bool {
	return models.PrincipalFrom(ctx).IsStaff() && f.FirmUUID == ""
}

// sqliteDriven reports whether a bank-wide search on SQLite drives from
// its matches (searchCond's IN list): all but a name holding LIKE's
// wildcards or escape.
func sqliteDriven(search string) bool {
	return isDigits(search) || !strings.ContainsAny(search, `%_\`)
}

// listScope is the list's scope condition (processScopeCond), written
// "+processes.bank_id = ?" for a bank-wide search that SQLite drives from
// its matches (the unary plus keeps it off the bank's index).
func listScope(ctx context.Context, f models.ProcessFilter, d Dialect) (string, any, error) {
	scope, arg, err := processScopeCond(ctx)
	if err == nil && d == SQLite && f.Search != "" && bankWide(ctx, f) && sqliteDriven(f.Search) {
		scope = "+" + scope
	}
	return scope, arg, err
}

// searchCond is the search's condition and arguments, "" for no search:
// wide for a bank-wide search (bankWide), on dialect d.
func searchCond(search string, wide bool, d Dialect) (string, []any) {
	if search == "" {
		return "", nil
	}
	if wide && d == SQLite && sqliteDriven(search) {
		if isDigits(search) {
			n, err := strconv.ParseInt(search, 10, 64)
			if err != nil {
				n = -1
			}
			return `processes.id IN (SELECT p2.id FROM processes p2 WHERE p2.process_number = ?
			UNION ALL SELECT p2.id FROM processes p2 WHERE p2.key_borrower_tax_id = ?
			UNION ALL SELECT b.process_id FROM borrowers b WHERE b.tax_id = ?)`, []any{n, search, search}
		}
		pat, fts := likePattern(search), "%"+strings.ToLower(search)+"%"
		return `processes.id IN (SELECT p2.id FROM processes p2 WHERE p2.id IN (SELECT n.rowid FROM process_names n WHERE n.key_borrower_name LIKE ?)
				AND lower(p2.key_borrower_name) LIKE ? ESCAPE '\'
			UNION ALL SELECT b.process_id FROM borrowers b WHERE b.id IN (SELECT n.rowid FROM borrower_names n WHERE n.name LIKE ?)
				AND lower(b.name) LIKE ? ESCAPE '\')`, []any{fts, pat, fts, pat}
	}
	borrowers := func(match string) string {
		switch {
		case !wide:
			return "EXISTS (\n\t\t\tSELECT 1 FROM borrowers b WHERE b.process_id = processes.id AND " + match + " LIMIT 1 OFFSET 0)"
		case d == Postgres:
			return "processes.id = ANY(ARRAY(SELECT b.process_id FROM borrowers b WHERE " + match + "))"
		default:
			return "processes.id IN (SELECT b.process_id FROM borrowers b WHERE " + match + ")"
		}
	}
	if isDigits(search) {
		n, err := strconv.ParseInt(search, 10, 64)
		if err != nil {
			n = -1
		}
		return "processes.process_number = ? OR processes.key_borrower_tax_id = ? OR " + borrowers("b.tax_id = ?"),
			[]any{n, search, search}
	}
	pat := likePattern(search)
	return "lower(processes.key_borrower_name) LIKE ? ESCAPE '\\' OR " + borrowers("lower(b.name) LIKE ? ESCAPE '\\'"),
		[]any{pat, pat}
}

// writtenLimit is a LIMIT written into a PostgreSQL statement's text
// instead of bound (GORM binds clause.Limit's). A bank-wide search needs it:
// its statements are prepared, and after a few runs PostgreSQL may keep a
// generic plan, which knows neither the pattern nor a bound limit; it
// assumes such a limit takes a tenth of the rows and walks the bank's list
// index in order, reading every process of a bank the search matches few
// of. Knowing the limit, the generic plan stays on the matches' indexes.
type writtenLimit int

func (l writtenLimit) Name() string                 { return "LIMIT" }
func (l writtenLimit) Build(b clause.Builder)       { b.WriteString(strconv.Itoa(int(l))) }
func (l writtenLimit) MergeClause(c *clause.Clause) { c.Expression = l }

// limit limits q to n rows: written into the text for a bank-wide search
// on PostgreSQL (writtenLimit), as GORM does otherwise (bound on
// PostgreSQL, written on SQLite).
func limit(q *gorm.DB, d Dialect, wide bool, n int) *gorm.DB {
	if wide && d == Postgres {
		return q.Clauses(writtenLimit(n))
	}
	return q.Limit(n)
}

// firmCond restricts a staff list to one firm of the bank (the scope keeps
// it to the caller's bank); "" for brokers, whose scope is their firm.
func firmCond(ctx context.Context, f models.ProcessFilter) (string, any) {
	if f.FirmUUID == "" || !models.PrincipalFrom(ctx).IsStaff() {
		return "", nil
	}
	return "processes.broker_id = (SELECT bf.id FROM broker_firms bf WHERE bf.uuid = ?)", strings.ToLower(f.FirmUUID)
}

func (s *Store) ListProcesses(ctx context.Context, f models.ProcessFilter) (*models.ProcessPage, error) {
	after, before, err := validateProcessFilter(&f)
	if err != nil {
		return nil, err
	}
	if _, _, err := processScopeCond(ctx); err != nil {
		return nil, err
	}
	page := &models.ProcessPage{}
	// The common lists (all, or one status) read the maintained counters
	// (process_counts): exact, whatever the size of the bank, and in the
	// page's own statement (a scalar subquery, evaluated once).
	counted := f.Search == "" && f.LastActionFrom.IsZero() && f.LastActionTo.IsZero()
	if !counted {
		// A search or a date range is counted up to a cap, so it costs the
		// same whatever the size of the bank (design: no full-table count on
		// a request). Ordered like the list, so the count walks the same
		// index and stops at the cap.
		scope, scopeArg, err := listScope(ctx, f, s.dialect)
		if err != nil {
			return nil, err
		}
		base := s.conn(ctx).Table("processes").Where(scope, scopeArg)
		if c, a := firmCond(ctx, f); c != "" {
			base = base.Where(c, a)
		}
		if f.StatusID != 0 {
			base = base.Where("processes.status_id = ?", f.StatusID)
		}
		if !f.LastActionFrom.IsZero() {
			base = base.Where("processes.last_action_at >= ?", f.LastActionFrom.UTC())
		}
		if !f.LastActionTo.IsZero() {
			base = base.Where("processes.last_action_at < ?", f.LastActionTo.UTC())
		}
		wide := f.Search != "" && bankWide(ctx, f)
		sc, sa := searchCond(f.Search, wide, s.dialect)
		capped := applySearch(base, sc, sa).Select("1")
		if !wide {
			// A firm's count walks the list's index; a bank-wide search
			// counts its matches in whatever order their indexes give them.
			capped = capped.Order("processes.last_action_at DESC, processes.process_number DESC")
		}
		capped = limit(capped, s.dialect, wide, models.MaxProcessCount+1)
		if err := s.conn(ctx).Table("(?) AS matching", capped).Count(&page.Total).Error; err != nil {
			return nil, translate(err, "processes")
		}
		if page.Total > models.MaxProcessCount {
			page.Total, page.TotalCapped = models.MaxProcessCount, true
		}
	}

	rows, total, err := s.listProcessItems(ctx, f, counted, after, before)
	if err != nil {
		return nil, translate(err, "processes")
	}
	switch {
	case counted && len(rows) > 0:
		page.Total = total
	case counted:
		// No row to carry the total (an empty list, or a cursor past its
		// end): the counters on their own.
		countSQL, countArgs, err := processCountSQL(ctx, f)
		if err != nil {
			return nil, err
		}
		if err := s.conn(ctx).Raw(countSQL, countArgs...).Row().Scan(&page.Total); err != nil {
			return nil, translate(err, "processes")
		}
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	if before != nil {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	for i := range rows {
		rows[i].CreatedAt = rows[i].CreatedAt.UTC()
		rows[i].LastActionAt = rows[i].LastActionAt.UTC()
	}
	page.Items = rows
	if len(rows) > 0 {
		first := processCursor{rows[0].LastActionAt, rows[0].ProcessNumber}
		last := processCursor{rows[len(rows)-1].LastActionAt, rows[len(rows)-1].ProcessNumber}
		page.NextCursor, page.PrevCursor = pageCursors(first, last, after, before, more)
	}
	return page, nil
}

// processCountSQL is the number of processes in the caller's scope, of
// f's status (0: any), from process_counts: a broker's firm's rows (one per
// status), the bank's rows with broker_id 0 for staff (one per status, not
// one per firm), or the rows of the firm staff filter by.
func processCountSQL(ctx context.Context, f models.ProcessFilter) (string, []any, error) {
	p, status := models.PrincipalFrom(ctx), f.StatusID
	q, args := "SELECT COALESCE(SUM(n), 0) FROM process_counts WHERE ", []any{}
	switch {
	case p.IsBroker() && p.FirmID != 0:
		q, args = q+"broker_id = ?", append(args, p.FirmID)
	case p.IsStaff() && f.FirmUUID != "":
		q = q + "bank_id = ? AND broker_id = (SELECT bf.id FROM broker_firms bf WHERE bf.uuid = ?)"
		args = append(args, p.BankID, strings.ToLower(f.FirmUUID))
	case p.IsStaff():
		q, args = q+"bank_id = ? AND broker_id = 0", append(args, p.BankID)
	default: // unreachable: processScope refused the caller
		return "", nil, models.Forbidden("processes are for brokers and bank staff")
	}
	if status != 0 {
		q, args = q+" AND status_id = ?", append(args, status)
	}
	return q, args, nil
}

// listItemsSelect is the list's columns, as its GORM query had them.
const listItemsSelect = `processes.uuid, processes.process_number, processes.key_borrower_name, processes.loan_amount_cents,
			processes.status_id, processes.created_at, processes.last_action_at, processes.esis_issued_at,
			processes.esis_valid_until, processes.esis_changed, broker_firms.name AS firm_name`

// listItemsSQL is the page query of ListProcesses, with its arguments: the
// text GORM built for it (Select, Joins, Where in this order, Order, Limit;
// TestListItemsSQLIsGORMs compares the two for every kind of filter), sent
// as a hot prepared statement, without GORM's builder and Scan, which were
// most of the store's CPU on the list page.
func (s *Store) listItemsSQL(ctx context.Context, f models.ProcessFilter, counted bool, after, before *processCursor) (string, []any, error) {
	scope, scopeArg, err := listScope(ctx, f, s.dialect)
	if err != nil {
		return "", nil, err
	}
	sel, args := listItemsSelect, make([]any, 0, 10)
	if counted {
		countSQL, countArgs, err := processCountSQL(ctx, f)
		if err != nil {
			return "", nil, err
		}
		sel, args = sel+", ("+countSQL+") AS total", append(args, countArgs...)
	}
	table := "`processes`"
	if s.dialect == Postgres {
		table = `"processes"`
	}
	var b strings.Builder
	b.WriteString("SELECT " + sel + " FROM " + table + " JOIN broker_firms ON broker_firms.id = processes.broker_id WHERE ")
	// GORM joins its conditions with AND and brackets each holding an AND
	// or an OR (when there are several: here always, the scope first).
	n := 0
	cond := func(c string, a ...any) {
		if n > 0 {
			b.WriteString(" AND ")
			if u := strings.ToUpper(c); strings.Contains(u, " AND ") || strings.Contains(u, " OR ") {
				c = "(" + c + ")"
			}
		}
		n++
		b.WriteString(c)
		args = append(args, a...)
	}
	cond(scope, scopeArg)
	if c, a := firmCond(ctx, f); c != "" {
		cond(c, a)
	}
	if f.StatusID != 0 {
		cond("processes.status_id = ?", f.StatusID)
	}
	if !f.LastActionFrom.IsZero() {
		cond("processes.last_action_at >= ?", f.LastActionFrom.UTC())
	}
	if !f.LastActionTo.IsZero() {
		cond("processes.last_action_at < ?", f.LastActionTo.UTC())
	}
	wide := f.Search != "" && bankWide(ctx, f)
	if c, a := searchCond(f.Search, wide, s.dialect); c != "" {
		cond(c, a...)
	}
	switch {
	case after != nil:
		cond("(processes.last_action_at, processes.process_number) < (?, ?)", after.At, after.Number)
	case before != nil:
		cond("(processes.last_action_at, processes.process_number) > (?, ?)", before.At, before.Number)
	}
	if before != nil {
		b.WriteString(" ORDER BY processes.last_action_at ASC, processes.process_number ASC")
	} else {
		b.WriteString(" ORDER BY processes.last_action_at DESC, processes.process_number DESC")
	}
	// PostgreSQL's GORM binds the limit, SQLite's writes it; a bank-wide
	// search writes it on PostgreSQL too (writtenLimit).
	if s.dialect == Postgres && !wide {
		b.WriteString(" LIMIT ?")
		args = append(args, f.Limit+1)
	} else {
		b.WriteString(" LIMIT " + strconv.Itoa(f.Limit+1))
	}
	return b.String(), args, nil
}

// listProcessItems runs listItemsSQL: up to f.Limit+1 rows in its order,
// and when counted the total the rows carry (0 with no row).
func (s *Store) listProcessItems(ctx context.Context, f models.ProcessFilter, counted bool, after, before *processCursor) ([]models.ProcessSummary, int64, error) {
	q, args, err := s.listItemsSQL(ctx, f, counted, after, before)
	if err != nil {
		return nil, 0, err
	}
	rs, done, err := s.hotQuery(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	defer rs.Close()
	out := make([]models.ProcessSummary, 0, f.Limit+1)
	var total int64
	for rs.Next() {
		var (
			r                       models.ProcessSummary
			uuid, name, firm        sql.NullString
			number, amount          sql.NullInt64
			status                  sql.NullInt64
			createdAt, lastActionAt sql.NullTime
			esisIssued, esisUntil   sql.NullTime
			esisChanged             sql.NullBool
		)
		dest := []any{&uuid, &number, &name, &amount, &status, &createdAt, &lastActionAt,
			&esisIssued, &esisUntil, &esisChanged, &firm}
		if counted {
			dest = append(dest, &total)
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, 0, err
		}
		r.UUID, r.ProcessNumber, r.KeyBorrowerName, r.LoanAmountCents = uuid.String, number.Int64, name.String, amount.Int64
		r.StatusID, r.CreatedAt, r.LastActionAt, r.FirmName = int(status.Int64), createdAt.Time, lastActionAt.Time, firm.String
		if esisIssued.Valid && esisUntil.Valid {
			issued, until := esisIssued.Time.UTC(), esisUntil.Time.UTC()
			r.EsisIssuedAt, r.EsisValidUntil, r.EsisChanged = &issued, &until, esisChanged.Bool
		}
		out = append(out, r)
	}
	return out, total, rs.Err()
}

func (s *Store) GetProcess(ctx context.Context, processUUID string) (*models.ProcessDetail, error) {
	if !validUUID(processUUID) {
		return nil, models.NotFound("process")
	}
	// UUIDs are stored lower-case; PostgreSQL's uuid type ignores case, a
	// SQLite text column does not, so normalise for both to answer alike.
	processUUID = strings.ToLower(processUUID)
	q, err := processScope(ctx, s.conn(ctx).Table("processes"))
	if err != nil {
		return nil, err
	}
	var row struct {
		models.Process
		FirmName string
		Esis     esisColumns `gorm:"embedded"`
	}
	// The process with its firm and its simulation's ESIS, in one statement.
	err = q.Select("processes.*, broker_firms.name AS firm_name, "+processEsisColumns).
		Joins("JOIN broker_firms ON broker_firms.id = processes.broker_id").Joins(processEsisJoin).
		Where("processes.uuid = ?", processUUID).Take(&row).Error
	if err != nil {
		return nil, translate(err, "process")
	}
	d := &models.ProcessDetail{Process: row.Process, FirmName: row.FirmName}
	if d.Esis, err = row.Esis.validity(s.now()); err != nil {
		return nil, translate(err, "esis")
	}
	db := s.conn(ctx)
	if err := db.Where("process_id = ?", row.ID).Order("borrower_type_id, id").Find(&d.Borrowers).Error; err != nil {
		return nil, translate(err, "borrowers")
	}
	var props []models.Property
	if err := db.Where("process_id = ?", row.ID).Order("id").Limit(1).Find(&props).Error; err != nil {
		return nil, translate(err, "property")
	}
	if len(props) > 0 {
		d.Property = &props[0]
	}
	if err := db.Where("process_id = ?", row.ID).Order("id").Find(&d.History).Error; err != nil {
		return nil, translate(err, "history")
	}
	for i := range d.History {
		d.History[i].CreatedAt = d.History[i].CreatedAt.UTC()
	}
	return d, nil
}

// The process page shows a process and its thread. ProcessPage reads both
// with the process looked up once: one statement for the process, its firm,
// its property, its thread summary, the caller's read mark and the
// cursor's message; then the borrowers, the timeline (with the status
// history) and the page of messages, each with the columns it needs.

// processPageColumns are the columns of the process page's first statement,
// in processPageRow.dest's order.
const processPageColumns = `processes.id, processes.uuid, processes.bank_id, processes.broker_id, processes.process_number,
	processes.simulation_uuid, processes.simulation_number, processes.branch_id, processes.loan_amount_cents,
	processes.loan_duration_months, processes.product_scheme_id, processes.loan_purpose_id, processes.product_purpose_id,
	processes.has_cross_selling, processes.status_id, processes.key_borrower_name, processes.key_borrower_tax_id,
	processes.created_by_user_id, processes.created_at, processes.last_action_at, processes.updated_at,
	broker_firms.name,
	COALESCE(threads.message_count, 0), COALESCE(threads.last_message_id, 0), COALESCE(thread_reads.last_read_seq, 0),
	pr.id, pr.uuid, pr.property_typology_id, pr.gross_built_area, pr.year_built, pr.acquisition_amount_cents,
	pr.acquisition_date, pr.address, pr.door_number, pr.floor, pr.district_id, pr.county_id, pr.parish_id,
	pr.zip_code, pr.zip_code_local, pr.created_at, pr.updated_at, ` + processEsisColumns

type processPageRow struct {
	d  models.ProcessDetail
	tp threadProcess
	// The property's columns, NULL when the process has none.
	propID                                              sql.NullInt64
	propUUID, acqDate, addr, door, floor, zip, zipLocal sql.NullString
	propCreated, propUpdated                            sql.NullTime
	prop                                                models.Property
	esis                                                esisColumns
}

func (r *processPageRow) dest(withRef bool) []any {
	p, pr := &r.d.Process, &r.prop
	out := []any{&p.ID, &p.UUID, &p.BankID, &p.BrokerID, &p.ProcessNumber,
		&p.SimulationUUID, &p.SimulationNumber, &p.BranchID, &p.LoanAmountCents,
		&p.LoanDurationMonths, &p.ProductSchemeID, &p.LoanPurposeID, &p.ProductPurposeID,
		&p.HasCrossSelling, &p.StatusID, &p.KeyBorrowerName, &p.KeyBorrowerTaxID,
		&p.CreatedByUserID, &p.CreatedAt, &p.LastActionAt, &p.UpdatedAt,
		&r.d.FirmName,
		&r.tp.MessageCount, &r.tp.LastMessageID, &r.tp.LastReadSeq,
		&r.propID, &r.propUUID, &pr.PropertyTypologyID, &pr.GrossBuiltArea, &pr.YearBuilt, &pr.AcquisitionAmountCents,
		&r.acqDate, &r.addr, &r.door, &r.floor, &pr.DistrictID, &pr.CountyID, &pr.ParishID,
		&r.zip, &r.zipLocal, &r.propCreated, &r.propUpdated}
	out = append(out, r.esis.dest()...)
	if withRef {
		out = append(out, &r.tp.RefID, &r.tp.RefSeq)
	}
	return out
}

// property is the scanned property, nil when the process has none.
func (r *processPageRow) property() *models.Property {
	if !r.propID.Valid {
		return nil
	}
	pr := r.prop
	pr.ID, pr.UUID, pr.ProcessID = r.propID.Int64, r.propUUID.String, r.d.Process.ID
	pr.AcquisitionDate, pr.Address, pr.DoorNumber, pr.Floor = r.acqDate.String, r.addr.String, r.door.String, r.floor.String
	pr.ZipCode, pr.ZipCodeLocal = r.zip.String, r.zipLocal.String
	pr.CreatedAt, pr.UpdatedAt = r.propCreated.Time, r.propUpdated.Time
	return &pr
}

// borrowerColumns are what the process page shows of a borrower: all but
// its timestamps.
const borrowerColumns = `id, uuid, process_id, borrower_type_id, key_borrower_relation_id, name, birth_date, tax_id,
	mobile, email, gender_id, id_document_type_id, id_document_number, id_document_expiry, nationality_id,
	marital_status_id, matrimonial_regime_id, residence_type_id, address, zip_code, zip_code_local, profession_id,
	employment_situation_id, employment_contract_type_id, employer_name, employed_since,
	income_wages_pensions_cents, income_green_receipts_cents, income_rents_cents,
	income_others_cents, installment_housing_credit_cents, installment_personal_credit_cents,
	installment_auto_leasing_credit_cents, installment_credit_card_cents, installment_bank_overdraft_cents,
	installment_other_cents, has_social_security_debt`

// ProcessPage implements models.ProcessService: GetProcess and ThreadPage
// (with tq) of one process in fewer statements. It answers as those two
// would: not found first, then a bad cursor.
func (s *Store) ProcessPage(ctx context.Context, processUUID string, tq models.ThreadQuery) (*models.ProcessDetail, *models.ThreadMessages, error) {
	if !validUUID(processUUID) {
		return nil, nil, models.NotFound("process")
	}
	db := s.conn(ctx)
	q, err := processScope(ctx, db.Table("processes"))
	if err != nil {
		return nil, nil, err
	}
	var v models.Validation
	before := tq.Before
	limit := models.PageSize(&v, "limit", tq.Limit, models.DefaultThreadPageSize, models.MaxThreadPageSize)
	ref := before
	if before != "" && !validUUID(before) {
		v.Add("before", "page.cursor", nil)
		ref = ""
	}
	p := models.PrincipalFrom(ctx)
	sel := processPageColumns
	q = q.Joins("JOIN broker_firms ON broker_firms.id = processes.broker_id").
		Joins("LEFT JOIN threads ON threads.process_id = processes.id").
		Joins("LEFT JOIN thread_reads ON thread_reads.process_id = processes.id AND thread_reads.user_id = ?", p.UserID).
		Joins("LEFT JOIN properties pr ON pr.id = (SELECT min(x.id) FROM properties x WHERE x.process_id = processes.id)").
		Joins(processEsisJoin)
	if ref != "" {
		sel += ", ref.id, ref.seq"
		q = q.Joins("LEFT JOIN messages ref ON ref.uuid = ? AND ref.process_id = processes.id", strings.ToLower(ref))
	}
	rows, err := q.Select(sel).Where("processes.uuid = ?", strings.ToLower(processUUID)).Rows()
	if err != nil {
		return nil, nil, translate(err, "process")
	}
	var r processPageRow
	found := rows.Next()
	if found {
		err = rows.Scan(r.dest(ref != "")...)
	} else {
		err = rows.Err()
	}
	rows.Close()
	if err != nil {
		return nil, nil, translate(err, "process")
	}
	if !found {
		return nil, nil, models.NotFound("process")
	}
	if ref != "" && r.tp.RefID == nil {
		v.Add("before", "page.cursor", nil)
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	d := &r.d
	d.Process.UUID = strings.ToLower(d.Process.UUID)
	d.Property = r.property()
	if d.Esis, err = r.esis.validity(s.now()); err != nil {
		return nil, nil, translate(err, "esis")
	}
	tp := &r.tp
	tp.ID, tp.BankID, tp.BrokerID = d.Process.ID, d.Process.BankID, d.Process.BrokerID

	if err := db.Select(borrowerColumns).Where("process_id = ?", tp.ID).Order("borrower_type_id, id").
		Find(&d.Borrowers).Error; err != nil {
		return nil, nil, translate(err, "borrowers")
	}
	if d.Timeline, d.History, err = s.timeline(db, tp.ID); err != nil {
		return nil, nil, translate(err, "timeline")
	}
	if d.Documents, err = checklist(db, tp.ID, d.Borrowers); err != nil {
		return nil, nil, err
	}

	out, err := s.threadMessages(ctx, db, processThreads, tp, tq, before, limit)
	if err != nil {
		return nil, nil, err
	}
	return d, out, nil
}
