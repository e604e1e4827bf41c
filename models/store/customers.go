package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// Customer messages (models.CustomerService).
//
// Every operation starts with one statement, the gate, that reads the bank,
// whether the caller holds the role there (from the entitlements table, so
// a role granted a moment ago counts) and the customer named, with the
// customer's message counters. The checks then run in OBP's order on what
// it returned: bank, role, input, customer. Messages are listed newest first
// through customer_messages_customer_idx (customer_id, id DESC); Total and
// Unread are counters on the customer row, changed in the same transaction
// as every insert and every first open.

var errNotSignedIn = models.Unauthorized("not signed in")

// customerRow is a customers row with the columns the store keeps for
// itself (the folded name the search matches, the message counters).
type customerRow struct {
	models.Customer
	SearchName   string
	MessageCount int64
	UnreadCount  int64
}

func (customerRow) TableName() string { return "customers" }

// foldName is how names are compared: lower case, accents removed, runs of
// spaces collapsed ("  JOSÉ  Conceição" -> "jose conceicao"). It is done
// here rather than in SQL because SQLite's lower() only knows ASCII.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// gateRow is what the gate statement returns.
type gateRow struct {
	BankRow      int64
	BankPublic   string
	HasRole      bool
	CustomerRow  *int64
	CustomerUUID *string
	MessageCount *int64
	UnreadCount  *int64
}

// gateCustomer names the customer a gate should also read: by UUID within
// the bank, or the one linked to a user.
type gateCustomer struct {
	UUID   string // "" and Linked 0: no customer
	Linked int64  // user id
}

// gate reads, in one statement, the bank (bankCond on banks b, e.g.
// "b.bank_id = ?"), whether the caller holds any of roles there, and the
// customer c names within that bank. A missing bank is CodeNotFound
// ("bank"). HasRole is false for callers who are not staff or admins.
func (s *Store) gate(db *gorm.DB, p *models.Principal, bankCond string, bankArg any, roles []string, c gateCustomer) (*gateRow, error) {
	args := []any{p.UserID, roles}
	q := `SELECT b.id AS bank_row, b.bank_id AS bank_public,
		EXISTS (SELECT 1 FROM entitlements e WHERE e.user_id = ? AND e.bank_id = b.id AND e.role IN ?) AS has_role`
	switch {
	case c.UUID != "" && validUUID(c.UUID):
		q += `, c.id AS customer_row, c.uuid AS customer_uuid, c.message_count, c.unread_count
		FROM banks b LEFT JOIN customers c ON c.bank_id = b.id AND c.uuid = ?`
		args = append(args, strings.ToLower(c.UUID))
	case c.Linked != 0:
		q += `, c.id AS customer_row, c.uuid AS customer_uuid, c.message_count, c.unread_count
		FROM banks b LEFT JOIN customers c ON c.bank_id = b.id AND c.user_id = ?`
		args = append(args, c.Linked)
	default: // no customer, or a malformed UUID: never found
		q += " FROM banks b"
	}
	q += " WHERE " + bankCond
	args = append(args, bankArg)
	var rows []gateRow
	if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "bank")
	}
	if len(rows) == 0 {
		return nil, models.NotFound("bank")
	}
	g := rows[0]
	g.HasRole = g.HasRole && p.IsStaff()
	return &g, nil
}

// bankGate is gate on a public bank id (as OBP names banks).
func (s *Store) bankGate(db *gorm.DB, p *models.Principal, bankID string, roles []string, c gateCustomer) (*gateRow, error) {
	if bankID == "" || len(bankID) > 200 {
		return nil, models.NotFound("bank")
	}
	return s.gate(db, p, "b.bank_id = ?", bankID, roles, c)
}

// homeGate is gate on the caller's own bank (the staff pages).
func (s *Store) homeGate(db *gorm.DB, p *models.Principal, roles []string, c gateCustomer) (*gateRow, error) {
	return s.gate(db, p, "b.id = ?", p.BankID, roles, c)
}

func utcCustomerMessages(ms []models.CustomerMessage) {
	for i := range ms {
		ms[i].CreatedAt = ms[i].CreatedAt.UTC()
		if ms[i].ReadAt != nil {
			t := ms[i].ReadAt.UTC()
			ms[i].ReadAt = &t
		}
	}
}

func utcCustomers(cs []models.Customer) {
	for i := range cs {
		cs[i].CreatedAt = cs[i].CreatedAt.UTC()
	}
}

func (s *Store) CreateCustomerMessage(ctx context.Context, bankID, customerUUID string, in models.NewCustomerMessage) (*models.CustomerMessage, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	g, err := s.bankGate(db, p, bankID, []string{models.RoleCanCreateCustomerMessage}, gateCustomer{UUID: customerUUID})
	if err != nil {
		return nil, err
	}
	if !g.HasRole {
		return nil, models.MissingRole(models.RoleCanCreateCustomerMessage, g.BankPublic)
	}
	msg, err := in.Validate()
	if err != nil {
		return nil, err
	}
	if g.CustomerRow == nil {
		return nil, models.NotFound("customer")
	}
	now := s.now()
	msg.UUID, msg.BankID, msg.CustomerID, msg.CreatedByUserID, msg.CreatedAt = newUUID(), g.BankRow, *g.CustomerRow, &p.UserID, now
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&msg).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE customers SET message_count = message_count + 1, unread_count = unread_count + 1
			WHERE id = ?`, msg.CustomerID).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &p.UserID, Action: models.AuditCustomerMessageCreated,
			Subject: *g.CustomerUUID, Outcome: "ok", Detail: "message " + msg.UUID}).Error; err != nil {
			return err
		}
		return s.emit(ctx, tx, models.Event{Kind: models.EventCustomerMessageCreated, OccurredAt: now, BankID: g.BankRow,
			CustomerUUID: *g.CustomerUUID, MessageUUID: msg.UUID}, true)
	})
	if err != nil {
		return nil, translate(err, "customer message")
	}
	msg.CreatedAt = msg.CreatedAt.UTC()
	return &msg, nil
}

// messagePage reads one page of a customer's messages, newest first.
func (s *Store) messagePage(db *gorm.DB, g *gateRow, pg models.Paging) (*models.CustomerMessagePage, error) {
	out := &models.CustomerMessagePage{Messages: []models.CustomerMessage{}}
	if g.CustomerRow == nil {
		return out, nil
	}
	out.Total, out.Unread = *g.MessageCount, *g.UnreadCount
	if int64(pg.Offset) >= out.Total {
		return out, nil
	}
	q := db.Where("customer_id = ?", *g.CustomerRow)
	if pg.Offset > 0 {
		// Skip through the index alone ((customer_id, id) covers the
		// subquery: an index-only scan), then read only the page's rows, so
		// a deep page does not fetch every row it skips.
		q = db.Where("id IN (?)", db.Model(&models.CustomerMessage{}).Select("id").
			Where("customer_id = ?", *g.CustomerRow).Order("id DESC").Limit(pg.Limit).Offset(pg.Offset))
	}
	if err := q.Order("id DESC").Limit(pg.Limit).Find(&out.Messages).Error; err != nil {
		return nil, translate(err, "customer messages")
	}
	utcCustomerMessages(out.Messages)
	return out, nil
}

func (s *Store) CustomerMessages(ctx context.Context, bankID, customerUUID string, pg models.Paging) (*models.CustomerMessagePage, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	g, err := s.bankGate(db, p, bankID, []string{models.RoleCanGetCustomerMessages}, gateCustomer{UUID: customerUUID})
	if err != nil {
		return nil, err
	}
	if !g.HasRole {
		return nil, models.MissingRole(models.RoleCanGetCustomerMessages, g.BankPublic)
	}
	if pg, err = pg.Validate(); err != nil {
		return nil, err
	}
	if g.CustomerRow == nil {
		return nil, models.NotFound("customer")
	}
	page, err := s.messagePage(db, g, pg)
	if err != nil {
		return nil, err
	}
	// A read that cannot be audited is not served. (Through conn: inside
	// an Idempotent transaction a second connection would wait for it.)
	// One prepared statement: GORM's Create added a transaction of its own
	// (BEGIN, INSERT, COMMIT) to every read.
	if err := s.hotExec(context.WithoutCancel(ctx), auditOKSQL, s.now(), p.UserID, models.AuditCustomerMessagesRead,
		*g.CustomerUUID, fmt.Sprintf("%d messages from offset %d", len(page.Messages), pg.Offset)); err != nil {
		return nil, translate(err, "audit event")
	}
	return page, nil
}

func (s *Store) MyCustomerMessages(ctx context.Context, bankID string, pg models.Paging) (*models.CustomerMessagePage, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	g, err := s.bankGate(db, p, bankID, nil, gateCustomer{Linked: p.UserID})
	if err != nil {
		return nil, err
	}
	if pg, err = pg.Validate(); err != nil {
		return nil, err
	}
	return s.messagePage(db, g, pg)
}

// ownMessage is a message of a customer linked to the caller.
type ownMessage struct {
	models.CustomerMessage
	CustomerUUID string
}

func (s *Store) OpenMyMessage(ctx context.Context, messageUUID string) (*models.CustomerMessage, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	if !validUUID(messageUUID) {
		return nil, models.NotFound("message")
	}
	db := s.conn(ctx)
	var rows []ownMessage
	if err := db.Table("customer_messages m").Select("m.*, c.uuid AS customer_uuid").
		Joins("JOIN customers c ON c.id = m.customer_id").
		Where("m.uuid = ? AND c.user_id = ?", strings.ToLower(messageUUID), p.UserID).Limit(1).Scan(&rows).Error; err != nil {
		return nil, translate(err, "message")
	}
	if len(rows) == 0 {
		return nil, models.NotFound("message")
	}
	m := rows[0].CustomerMessage
	if m.ReadAt == nil {
		now := s.now()
		err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
			res := tx.Model(&models.CustomerMessage{}).Where("id = ? AND read_at IS NULL", m.ID).Update("read_at", now)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 { // opened meanwhile (another tab): that open counted
				var at []time.Time
				if err := tx.Model(&models.CustomerMessage{}).Where("id = ?", m.ID).Pluck("read_at", &at).Error; err != nil {
					return err
				}
				if len(at) == 1 {
					m.ReadAt = &at[0]
				}
				return nil
			}
			m.ReadAt = &now
			if err := tx.Exec("UPDATE customers SET unread_count = unread_count - 1 WHERE id = ?", m.CustomerID).Error; err != nil {
				return err
			}
			return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &p.UserID, Action: models.AuditCustomerMessageOpened,
				Subject: m.UUID, Outcome: "ok", Detail: "customer " + rows[0].CustomerUUID}).Error
		})
		if err != nil {
			return nil, translate(err, "message")
		}
	}
	ms := []models.CustomerMessage{m}
	utcCustomerMessages(ms)
	return &ms[0], nil
}

func (s *Store) MyUnreadCount(ctx context.Context) (int64, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return 0, errNotSignedIn
	}
	var n int64
	if err := s.conn(ctx).Raw("SELECT COALESCE(SUM(unread_count), 0) FROM customers WHERE user_id = ?", p.UserID).
		Scan(&n).Error; err != nil {
		return 0, translate(err, "unread count")
	}
	return n, nil
}

var customerReaders = []string{models.RoleCanGetCustomerMessages, models.RoleCanCreateCustomerMessage}

func (s *Store) FindCustomers(ctx context.Context, query string, limit int) ([]models.Customer, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	g, err := s.homeGate(db, p, customerReaders, gateCustomer{})
	if err != nil {
		return nil, err
	}
	if !g.HasRole {
		return nil, models.MissingRole(models.RoleCanGetCustomerMessages, g.BankPublic)
	}
	q, limit, err := models.CustomerSearch(query, limit)
	if err != nil {
		return nil, err
	}
	out := []models.Customer{}
	if q == "" {
		if err := db.Where("bank_id = ?", g.BankRow).Order("customer_number").Limit(limit).Find(&out).Error; err != nil {
			return nil, translate(err, "customers")
		}
		utcCustomers(out)
		return out, nil
	}
	// Exact matches of number, e-mail or tax id through their indexes (one
	// bitmap OR on PostgreSQL, a multi-index OR on SQLite).
	compact := strings.ReplaceAll(q, " ", "")
	if err := db.Where("bank_id = ? AND (customer_number IN ? OR lower(email) = ? OR tax_id = ?)",
		g.BankRow, []string{q, strings.ToUpper(q)}, strings.ToLower(q), compact).
		Order("customer_number").Limit(limit).Find(&out).Error; err != nil {
		return nil, translate(err, "customers")
	}
	// Otherwise names containing the query (a query without letters, or an
	// e-mail address, is no name): a bounded scan of this bank's customers
	// in name order through customers_bank_search_name_idx, which stops as
	// soon as the page is full. It reads every customer of the bank only
	// when fewer than a page match; a trigram index is the next step should
	// banks grow past ~10^5 customers.
	if len(out) == 0 && !strings.Contains(q, "@") && strings.IndexFunc(q, unicode.IsLetter) >= 0 {
		if err := db.Where("bank_id = ? AND search_name LIKE ? ESCAPE '\\'", g.BankRow, likePattern(foldName(q))).
			Order("search_name, id").Limit(limit).Find(&out).Error; err != nil {
			return nil, translate(err, "customers")
		}
	}
	utcCustomers(out)
	return out, nil
}

func (s *Store) GetCustomer(ctx context.Context, customerUUID string) (*models.Customer, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	g, err := s.homeGate(db, p, customerReaders, gateCustomer{UUID: customerUUID})
	if err != nil {
		return nil, err
	}
	if !g.HasRole {
		return nil, models.MissingRole(models.RoleCanGetCustomerMessages, g.BankPublic)
	}
	if g.CustomerRow == nil {
		return nil, models.NotFound("customer")
	}
	var c models.Customer
	if err := db.Where("id = ?", *g.CustomerRow).Take(&c).Error; err != nil {
		return nil, translate(err, "customer")
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

func (s *Store) CreateCustomer(ctx context.Context, bankID string, in models.NewCustomer) (*models.Customer, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	db := s.conn(ctx)
	g, err := s.bankGate(db, p, bankID, []string{models.RoleCanCreateCustomer}, gateCustomer{})
	if err != nil {
		return nil, err
	}
	if !g.HasRole {
		return nil, models.MissingRole(models.RoleCanCreateCustomer, g.BankPublic)
	}
	if in, err = in.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	row := customerRow{Customer: models.Customer{UUID: newUUID(), BankID: g.BankRow, CustomerNumber: in.CustomerNumber,
		LegalName: in.LegalName, Email: in.Email, MobilePhone: in.MobilePhone, TaxID: in.TaxID, CreatedAt: now},
		SearchName: foldName(in.LegalName)}
	generated := row.CustomerNumber == ""
	if generated {
		row.CustomerNumber = "pending-" + row.UUID // unique until numbered below
	}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &models.Error{Code: models.CodeConflict, Message: "customer_number is already used at this bank.",
				Fields: []models.FieldError{{Field: "customer_number", Key: "customers.number_used"}}}
		}
		if generated {
			// C-000042 from the row id; should a client have given that
			// number to another customer, the id plus a random suffix.
			number := fmt.Sprintf("C-%06d", row.ID)
			err := tx.Transaction(func(sp *gorm.DB) error {
				return sp.Model(&customerRow{}).Where("id = ?", row.ID).Update("customer_number", number).Error
			})
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				number = fmt.Sprintf("C-%06d-%s", row.ID, row.UUID[:4])
				err = tx.Model(&customerRow{}).Where("id = ?", row.ID).Update("customer_number", number).Error
			}
			if err != nil {
				return err
			}
			row.CustomerNumber = number
		}
		return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &p.UserID, Action: models.AuditCustomerCreated,
			Subject: row.UUID, Outcome: "ok", Detail: "customer number " + row.CustomerNumber}).Error
	})
	if err != nil {
		return nil, translate(err, "customer")
	}
	c := row.Customer
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

func (s *Store) MyCustomers(ctx context.Context) ([]models.Customer, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, errNotSignedIn
	}
	out := []models.Customer{}
	if err := s.conn(ctx).Where("user_id = ?", p.UserID).Order("id").Find(&out).Error; err != nil {
		return nil, translate(err, "customers")
	}
	utcCustomers(out)
	return out, nil
}
