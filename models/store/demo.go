package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// The demo world is a fixed contract (README "Demo data"): tests and
// reviewers rely on these names. Rows get deterministic UUIDs and are
// inserted only when missing, so loading twice changes nothing.

const (
	DemoBankID        = "demo.bank"
	DemoPassword      = "portal-demo"
	DemoPartnerClient = "demo-network"
	DemoPartnerSecret = "demo-network-secret"
	DemoProcesses     = 30 // per firm
	DemoConsumerKey   = "demo-consumer-key"
)

var demoNS = uuid.MustParse("6f1d8a52-3c1e-4d4e-9a57-0d9b1c2e7f10")

func demoUUID(name string) string { return uuid.NewSHA1(demoNS, []byte(name)).String() }

type demoUser struct {
	Email, Name string
	Kind        models.UserKind
	Firm        string // broker uid
	APIEnabled  bool
	Roles       []string
}

var DemoUsers = []demoUser{
	{Email: "ana.silva@lisboa-credito.example", Name: "Ana Silva", Kind: models.KindBroker, Firm: "BRK-LIS-001", APIEnabled: true},
	{Email: "joao.costa@lisboa-credito.example", Name: "João Costa", Kind: models.KindBroker, Firm: "BRK-LIS-001"},
	{Email: "rui.pereira@porto-hipotecas.example", Name: "Rui Pereira", Kind: models.KindBroker, Firm: "BRK-POR-002", APIEnabled: true},
	{Email: "marta.santos@bank.example", Name: "Marta Santos", Kind: models.KindStaff,
		Roles: []string{models.RoleCanCreateCustomerMessage, models.RoleCanGetCustomerMessages, models.RoleCanCreateCustomer}},
	{Email: "nuno.reis@bank.example", Name: "Nuno Reis", Kind: models.KindStaff},
	{Email: "admin@bank.example", Name: "Portal Admin", Kind: models.KindAdmin, Roles: []string{models.RoleCanCreateEntitlementAtAnyBank}},
	{Email: "maria.ferreira@example.com", Name: "Maria Ferreira", Kind: models.KindCustomer},
}

type demoFirm struct{ UID, Name, TaxID string }

var demoFirms = []demoFirm{
	{"BRK-LIS-001", "Lisboa Crédito, Lda", "514000001"},
	{"BRK-POR-002", "Porto Hipotecas, Lda", "514000002"},
}

// EnsureBank creates the deployment's bank row when it is missing.
func (s *Store) EnsureBank(ctx context.Context, bankID, name string) error {
	b := models.Bank{BankID: bankID, ShortName: name, FullName: name, CreatedAt: s.now()}
	return translate(s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&b).Error, "bank")
}

// IsEmpty reports whether the database holds no users yet.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&models.User{}).Limit(1).Count(&n).Error
	return n == 0, translate(err, "users")
}

// PresentDemoEmails lists the demo accounts that exist, in the order of
// DemoUsers (the start-up log names them).
func (s *Store) PresentDemoEmails(ctx context.Context) ([]string, error) {
	emails := make([]string, len(DemoUsers))
	for i, u := range DemoUsers {
		emails[i] = u.Email
	}
	var have []string
	if err := s.conn(ctx).Model(&models.User{}).Where("email IN ?", emails).Pluck("email", &have).Error; err != nil {
		return nil, translate(err, "users")
	}
	present := map[string]bool{}
	for _, e := range have {
		present[e] = true
	}
	var out []string
	for _, e := range emails {
		if present[e] {
			out = append(out, e)
		}
	}
	return out, nil
}

// SeedDemo loads the demo world, inserting only what is missing. It returns
// how many rows it inserted.
func (s *Store) SeedDemo(ctx context.Context) (int64, error) {
	// Hash outside the transaction: argon2id is slow by design.
	var existing []string
	if err := s.conn(ctx).Model(&models.User{}).Pluck("email", &existing).Error; err != nil {
		return 0, translate(err, "users")
	}
	have := map[string]bool{}
	for _, e := range existing {
		have[e] = true
	}
	hashes := map[string]string{}
	for _, u := range DemoUsers {
		if !have[u.Email] {
			h, err := models.HashPassword(DemoPassword)
			if err != nil {
				return 0, err
			}
			hashes[u.Email] = h
		}
	}
	secretHash, err := models.HashPassword(DemoPartnerSecret)
	if err != nil {
		return 0, err
	}

	var inserted int64
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		ins := func(v any) error {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(v)
			inserted += res.RowsAffected
			return res.Error
		}
		now := s.now()
		if err := ins(&models.Bank{BankID: DemoBankID, ShortName: "Demo Bank", FullName: "Demo Bank, S.A.", CreatedAt: now}); err != nil {
			return err
		}
		bankID, err := s.bankByPublicID(ctx, tx, DemoBankID)
		if err != nil {
			return err
		}
		var partner models.Partner
		if err := tx.Where("client_id = ?", DemoPartnerClient).Take(&partner).Error; err != nil {
			partner = models.Partner{UUID: demoUUID("partner/" + DemoPartnerClient), BankID: bankID, Name: "Demo Network",
				ClientID: DemoPartnerClient, ClientSecretHash: secretHash, CreatedAt: now}
			if err := ins(&partner); err != nil {
				return err
			}
		}
		firmIDs := map[string]int64{}
		for _, f := range demoFirms {
			row := models.BrokerFirm{UUID: demoUUID("firm/" + f.UID), BankID: bankID, PartnerID: partner.ID, Name: f.Name,
				BrokerUID: f.UID, TaxID: f.TaxID, APIEnabled: true, CreatedAt: now}
			if err := ins(&row); err != nil {
				return err
			}
			if err := tx.Where("broker_uid = ?", f.UID).Take(&row).Error; err != nil {
				return err
			}
			firmIDs[f.UID] = row.ID
		}
		userIDs := map[string]int64{}
		for _, du := range DemoUsers {
			var u models.User
			if err := tx.Where("email = ?", du.Email).Take(&u).Error; err != nil {
				u = models.User{UUID: demoUUID("user/" + du.Email), BankID: bankID, Email: du.Email, Name: du.Name,
					Kind: du.Kind, PasswordHash: hashes[du.Email], APIEnabled: du.APIEnabled, CreatedAt: now, UpdatedAt: now}
				if du.Firm != "" {
					id := firmIDs[du.Firm]
					u.FirmID = &id
				}
				if err := ins(&u); err != nil {
					return err
				}
			}
			userIDs[du.Email] = u.ID
			for _, r := range du.Roles {
				if err := ins(&models.Entitlement{UUID: demoUUID("ent/" + du.Email + "/" + r), UserID: u.ID, BankID: bankID,
					Role: r, CreatedAt: now}); err != nil {
					return err
				}
			}
		}
		mariaUser := userIDs["maria.ferreira@example.com"]
		for i, c := range demoCustomers {
			row := customerRow{Customer: models.Customer{UUID: demoUUID("customer/" + c.Number), BankID: bankID,
				CustomerNumber: c.Number, LegalName: c.Name, Email: c.Email, MobilePhone: c.Mobile, TaxID: nif(uint64(900 + i)),
				CreatedAt: now}, SearchName: foldName(c.Name)}
			if i == 0 {
				row.UserID = &mariaUser
			}
			if err := ins(&row); err != nil {
				return err
			}
			// Customers loaded before the search key existed got a plain
			// lower-case one from the migration.
			if err := tx.Model(&customerRow{}).Where("uuid = ? AND search_name <> ?", row.UUID, row.SearchName).
				Update("search_name", row.SearchName).Error; err != nil {
				return err
			}
		}
		if err := ins(&apiConsumer{ConsumerKey: DemoConsumerKey, Name: "Demo OBP consumer", Enabled: true, CreatedAt: now}); err != nil {
			return err
		}
		n, err := s.seedDemoCustomerMessages(tx, bankID, userIDs["marta.santos@bank.example"], now)
		if err != nil {
			return err
		}
		inserted += n
		for fi, f := range demoFirms {
			n, err := s.seedDemoProcesses(tx, ins, bankID, firmIDs[f.UID], fi, now)
			if err != nil {
				return err
			}
			_ = n
		}
		if err := s.seedDemoThreads(tx, ins, userIDs, now); err != nil {
			return err
		}
		return s.seedDemoDocuments(ctx, tx, userIDs)
	})
	if err != nil {
		return 0, translate(err, "demo data")
	}
	return inserted, nil
}

type demoCustomer struct{ Number, Name, Email, Mobile string }

// demoCustomerMessage is a message from the bank to a demo customer, sent
// Ago before the seed; ReadAfter > 0: the customer opened it that long
// after it was sent.
type demoCustomerMessage struct {
	Customer                string // customer number
	Ago, ReadAfter          time.Duration
	Transport, Dept, Person string
	Text                    string
}

const demoDay = 24 * time.Hour

// demoCustomerMessages are listed oldest first (the order they are inserted
// in, so ids follow time as they do for real messages).
var demoCustomerMessages = []demoCustomerMessage{
	{"C-000001", 21 * demoDay, 2 * time.Hour, "EMAIL", "Mortgage Credit", "Joana Matos",
		"Dear Maria, your mortgage simulation is ready: 180,000 EUR over 30 years at a mixed rate (fixed for 5 years). The ESIS is attached to this message in your online banking."},
	{"C-000002", 18 * demoDay, 5 * time.Hour, "EMAIL", "Mortgage Credit", "Joana Matos",
		"Dear José, we have received your mortgage application. Your broker will keep you informed of the next steps."},
	{"C-000001", 14 * demoDay, 30 * time.Minute, "SMS", "Customer Care", "Rui Lopes",
		"Demo Bank: your appointment at the Avenida da Liberdade branch is confirmed for Tuesday at 10:00."},
	{"C-000001", 9 * demoDay, 26 * time.Hour, "POST", "Mortgage Credit", "Joana Matos",
		"We have sent the loan agreement draft and the standard information sheet to your home address. Please read them before the deed."},
	{"C-000003", 6 * demoDay, 0, "IN_APP", "Customer Care", "Rui Lopes",
		"Welcome to Demo Bank's online banking, Carla. Messages from the bank will appear here."},
	{"C-000001", 3 * demoDay, 0, "IN_APP", "Mortgage Credit", "Marta Santos",
		"Please upload your last three payslips so that the credit analysis can continue."},
	{"C-000002", 2 * demoDay, 0, "SMS", "Insurance", "Pedro Nunes",
		"Demo Bank: the life insurance proposal for your mortgage is available in your online banking."},
	{"C-000001", 5 * time.Hour, 0, "EMAIL", "Insurance", "Pedro Nunes",
		"The home insurance policy for your new flat is ready for signature. You can sign it at the branch or online."},
}

var demoCustomers = []demoCustomer{
	{"C-000001", "Maria Ferreira", "maria.ferreira@example.com", "+351912000001"},
	{"C-000002", "José Almeida", "jose.almeida@example.com", "+351912000002"},
	{"C-000003", "Carla Sousa", "carla.sousa@example.com", "+351912000003"},
}

var (
	firstNames = []string{"Ana", "Bruno", "Catarina", "Diogo", "Eduarda", "Filipe", "Gonçalo", "Helena", "Inês", "Joana",
		"Luís", "Mariana", "Miguel", "Nuno", "Patrícia", "Pedro", "Rita", "Sofia", "Tiago", "Vasco"}
	lastNames = []string{"Almeida", "Barbosa", "Cardoso", "Carvalho", "Correia", "Costa", "Fernandes", "Gomes", "Lopes",
		"Marques", "Martins", "Mendes", "Oliveira", "Pinto", "Ribeiro", "Rodrigues", "Santos", "Silva", "Sousa", "Teixeira"}
	streets = []string{"Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Almada", "Avenida da Boavista",
		"Rua Garrett", "Avenida de Roma", "Rua de Cedofeita", "Praça do Comércio", "Rua Áurea"}
	zipCodes = [][2]string{{"1100-053", "Lisboa"}, {"1250-096", "Lisboa"}, {"4000-443", "Porto"}, {"4050-027", "Porto"},
		{"1700-032", "Lisboa"}, {"4100-130", "Porto"}}
	// zipPlaces are the district, county and parish (taxonomy ids) of each
	// of zipCodes.
	zipPlaces   = [][3]int{{11, 153, 1613}, {11, 153, 1614}, {13, 190, 1937}, {13, 190, 1937}, {11, 153, 1602}, {13, 190, 1938}}
	femaleNames = map[string]bool{"Ana": true, "Catarina": true, "Eduarda": true, "Helena": true, "Inês": true, "Joana": true,
		"Mariana": true, "Patrícia": true, "Rita": true, "Sofia": true}
	employers = []string{"Hospital de Santa Maria", "Câmara Municipal de Lisboa", "Sonae MC, S.A.", "EDP Comercial, S.A.",
		"Farmácia Central, Lda", "Universidade do Porto", "Altice Portugal, S.A.", "Escola Secundária Camões"}
)

// demoIncomplete says which "In creation" demo processes (by their index
// in the firm's list) are still being filled in: their key borrower has no
// identification document yet and their property no parish. The other
// processes, in creation or further on, have everything Submit checks.
func demoIncomplete(i int) bool { return i%16 == 8 }

// demoPerson fills a demo borrower's identification, civil, address and
// professional data from rng (a generator of its own, so the draws of the
// rest of the demo do not move).
func demoPerson(b *models.Borrower, rng *rand.Rand, first string, married bool, zip int, created time.Time) {
	doc := 1 // citizen card
	b.IDDocumentTypeID = &doc
	b.IDDocumentNumber = fmt.Sprintf("%08d %d ZZ%d", rng.IntN(100000000), rng.IntN(10), rng.IntN(10))
	b.IDDocumentExpiry = created.AddDate(1+rng.IntN(8), rng.IntN(12), 0).Format(time.DateOnly)
	pt, gender := 620, 1
	if femaleNames[first] {
		gender = 2
	}
	b.NationalityID, b.GenderID = &pt, &gender
	status := 1 // single
	if married {
		status = 2
		regime := 1 // community of acquests
		b.MatrimonialRegimeID = &regime
	}
	residence := []int{1, 2, 3, 3, 4}[rng.IntN(5)]
	b.MaritalStatusID, b.ResidenceTypeID = &status, &residence
	b.Address = streets[rng.IntN(len(streets))] + ", " + fmt.Sprint(1+rng.IntN(200))
	b.ZipCode, b.ZipCodeLocal = zipCodes[zip][0], zipCodes[zip][1]
	profession, situation, contract := 2+rng.IntN(7), 1+rng.IntN(2), 1
	b.ProfessionID, b.EmploymentSituationID = &profession, &situation
	if situation == 1 { // employees have a contract and an employer
		b.EmploymentContractTypeID = &contract
		b.EmployerName = employers[rng.IntN(len(employers))]
	}
	b.EmployedSince = created.AddDate(-2-rng.IntN(20), -rng.IntN(12), 0).Format(time.DateOnly)
}

// nif returns a valid Portuguese tax number (9 digits, mod-11 check digit).
func nif(seed uint64) string {
	base := 20000000 + seed%9999999 // starts with 2: a person
	d := fmt.Sprintf("%08d", base)
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(d[i]-'0') * (9 - i)
	}
	check := 11 - sum%11
	if check >= 10 {
		check = 0
	}
	return fmt.Sprintf("%s%d", d, check)
}

func (s *Store) seedDemoProcesses(tx *gorm.DB, ins func(any) error, bankID, firmID int64, firmIndex int, now time.Time) (int, error) {
	rng := rand.New(rand.NewPCG(uint64(firmIndex)+1, 42))
	for i := 0; i < DemoProcesses; i++ {
		number := int64(100001 + i*len(demoFirms) + firmIndex)
		puuid := demoUUID(fmt.Sprintf("process/%d", number))
		status := i%8 + 1
		created := now.Add(-time.Duration(60-i) * 24 * time.Hour).Add(-time.Duration(rng.IntN(600)) * time.Minute)
		lastAction := created.Add(time.Duration(1+rng.IntN(48)) * time.Hour * time.Duration(1+status))
		if lastAction.After(now) {
			lastAction = now.Add(-time.Duration(i+1) * time.Minute)
		}
		first := firstNames[rng.IntN(len(firstNames))]
		l1 := rng.IntN(len(lastNames))
		l2 := (l1 + 1 + rng.IntN(len(lastNames)-1)) % len(lastNames) // two different family names
		last := lastNames[l1] + " " + lastNames[l2]
		keyName := first + " " + last
		keyTax := nif(uint64(number) * 7)
		amount := int64(80_000+rng.IntN(420)*1000) * 100
		duration := []int{240, 300, 360, 420, 480}[rng.IntN(5)]
		scheme, purpose, productPurpose, branch := 1+rng.IntN(3), 1+rng.IntN(4), 1+rng.IntN(3), 1+rng.IntN(5)
		p := models.Process{UUID: puuid, BankID: bankID, BrokerID: firmID, ProcessNumber: number,
			BranchID: &branch, LoanAmountCents: amount, LoanDurationMonths: duration, ProductSchemeID: &scheme,
			LoanPurposeID: &purpose, ProductPurposeID: &productPurpose, HasCrossSelling: rng.IntN(2) == 0,
			StatusID: status, KeyBorrowerName: keyName, KeyBorrowerTaxID: keyTax,
			CreatedAt: created, LastActionAt: lastAction, UpdatedAt: lastAction}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&p)
		if res.Error != nil {
			return 0, res.Error
		}
		if res.RowsAffected == 0 {
			continue // already there, with its children
		}
		people := rand.New(rand.NewPCG(uint64(number), 7))
		zipIndex := (i + firmIndex) % len(zipCodes)
		key := models.Borrower{UUID: demoUUID(puuid + "/b1"), ProcessID: p.ID, BorrowerTypeID: models.BorrowerTypeKey,
			Name: keyName, BirthDate: fmt.Sprintf("%d-%02d-%02d", 1965+rng.IntN(35), 1+rng.IntN(12), 1+rng.IntN(28)),
			TaxID: keyTax, Mobile: fmt.Sprintf("+3519%08d", rng.IntN(100000000)),
			Email: fmt.Sprintf("cliente%d@example.com", number), IncomeWagesPensionsCents: int64(1200+rng.IntN(3800)) * 100,
			InstallmentPersonalCents: int64(rng.IntN(300)) * 100, CreatedAt: created, UpdatedAt: created}
		demoPerson(&key, people, first, i%3 == 0, zipIndex, created)
		if status == models.StatusInCreation && demoIncomplete(i) {
			key.IDDocumentTypeID, key.IDDocumentNumber, key.IDDocumentExpiry = nil, "", ""
		}
		if err := ins(&key); err != nil {
			return 0, err
		}
		if i%3 == 0 {
			rel := 1 // spouse
			secondFirst := firstNames[rng.IntN(len(firstNames))]
			second := models.Borrower{UUID: demoUUID(puuid + "/b2"), ProcessID: p.ID, BorrowerTypeID: models.BorrowerTypeOther,
				KeyBorrowerRelationID: &rel, Name: secondFirst + " " + last,
				BirthDate: fmt.Sprintf("%d-%02d-%02d", 1965+rng.IntN(35), 1+rng.IntN(12), 1+rng.IntN(28)),
				TaxID:     nif(uint64(number)*7 + 3), IncomeWagesPensionsCents: int64(900+rng.IntN(2500)) * 100,
				CreatedAt: created, UpdatedAt: created}
			demoPerson(&second, people, secondFirst, true, zipIndex, created)
			second.Address, second.ZipCode, second.ZipCodeLocal = key.Address, key.ZipCode, key.ZipCodeLocal // one home
			if err := ins(&second); err != nil {
				return 0, err
			}
		}
		zip, place := zipCodes[zipIndex], zipPlaces[zipIndex]
		area, year := 60+rng.IntN(140), 1960+rng.IntN(64)
		acq := amount * 100 / int64(70+rng.IntN(20))
		typology := 1 + rng.IntN(6)
		prop := models.Property{UUID: demoUUID(puuid + "/property"), ProcessID: p.ID, PropertyTypologyID: &typology,
			GrossBuiltArea: &area, YearBuilt: &year, AcquisitionAmountCents: &acq,
			Address: streets[rng.IntN(len(streets))], DoorNumber: fmt.Sprint(1 + rng.IntN(250)),
			Floor:   []string{"R/C", "1.º Esq.", "2.º Dto.", "3.º", "5.º Esq."}[rng.IntN(5)],
			ZipCode: zip[0], ZipCodeLocal: zip[1], CreatedAt: created, UpdatedAt: created,
			DistrictID: &place[0], CountyID: &place[1], ParishID: &place[2],
			AcquisitionDate: created.AddDate(0, 2+people.IntN(4), 0).Format(time.DateOnly)}
		if status == models.StatusInCreation && demoIncomplete(i) {
			prop.ParishID = nil
		}
		if err := ins(&prop); err != nil {
			return 0, err
		}
		if err := ins(demoHistory(p, created, lastAction)); err != nil {
			return 0, err
		}
	}
	return DemoProcesses, nil
}

// demoHistory walks a process from creation to its current status.
func demoHistory(p models.Process, created, last time.Time) *[]models.ProcessStatusChange {
	path := []int{models.StatusInCreation}
	switch p.StatusID {
	case models.StatusInCreation:
	case models.StatusCancelled:
		path = append(path, models.StatusSubmitted, models.StatusCancelled)
	case models.StatusRejected:
		path = append(path, models.StatusSubmitted, models.StatusInAnalysis, models.StatusRejected)
	default:
		for st := models.StatusSubmitted; st <= p.StatusID; st++ {
			path = append(path, st)
		}
	}
	comments := map[int]string{
		models.StatusInCreation:       "Process created.",
		models.StatusSubmitted:        "Submitted to the bank.",
		models.StatusInAnalysis:       "Credit analysis started.",
		models.StatusPendingDocuments: "Missing: last three payslips.",
		models.StatusApproved:         "Approved by the credit committee.",
		models.StatusContracted:       "Deed signed.",
		models.StatusRejected:         "Debt-service ratio above the bank's limit.",
		models.StatusCancelled:        "Cancelled at the client's request.",
	}
	// The comments' reasons: proposal-reject-reasons 1 (debt-service
	// ratio), proposal-cancel-reasons 1 (the customer withdrew).
	reasons := map[int]int{models.StatusRejected: 1, models.StatusCancelled: 1}
	var rows []models.ProcessStatusChange
	step := last.Sub(created) / time.Duration(len(path))
	for i, st := range path {
		var from *int
		if i > 0 {
			f := path[i-1]
			from = &f
		}
		actor, side := "Broker", models.AuthorBroker
		if st >= models.StatusInAnalysis && st != models.StatusCancelled {
			actor, side = "Demo Bank", models.AuthorBank
		}
		at := created.Add(step * time.Duration(i))
		if i == len(path)-1 {
			at = last
		}
		row := models.ProcessStatusChange{ProcessID: p.ID, FromStatus: from, ToStatus: st,
			ActorName: actor, ActorKind: side, Comment: comments[st], CreatedAt: at}
		if r, ok := reasons[st]; ok {
			row.ReasonID = &r
		}
		rows = append(rows, row)
	}
	return &rows
}

// seedDemoCustomerMessages inserts the demo customers' messages that are
// missing (deterministic UUIDs) and moves each customer's counters by the
// rows actually inserted, so loading twice changes nothing.
func (s *Store) seedDemoCustomerMessages(tx *gorm.DB, bankID, authorID int64, now time.Time) (int64, error) {
	var inserted int64
	ids := map[string]int64{}
	n := map[string]int{}
	for _, dm := range demoCustomerMessages {
		if _, ok := ids[dm.Customer]; !ok {
			var c models.Customer
			if err := tx.Where("bank_id = ? AND customer_number = ?", bankID, dm.Customer).Take(&c).Error; err != nil {
				return 0, err
			}
			ids[dm.Customer] = c.ID
		}
		n[dm.Customer]++
		at := now.Add(-dm.Ago)
		m := models.CustomerMessage{UUID: demoUUID(fmt.Sprintf("customer-message/%s/%d", dm.Customer, n[dm.Customer])),
			BankID: bankID, CustomerID: ids[dm.Customer], Message: dm.Text, Transport: dm.Transport,
			FromDepartment: dm.Dept, FromPerson: dm.Person, CreatedAt: at}
		if authorID != 0 {
			m.CreatedByUserID = &authorID
		}
		unread := 1
		if dm.ReadAfter > 0 {
			r := at.Add(dm.ReadAfter)
			m.ReadAt, unread = &r, 0
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m)
		if res.Error != nil {
			return 0, res.Error
		}
		if res.RowsAffected == 0 {
			continue
		}
		inserted++
		if err := tx.Exec("UPDATE customers SET message_count = message_count + 1, unread_count = unread_count + ? WHERE id = ?",
			unread, m.CustomerID).Error; err != nil {
			return 0, err
		}
	}
	return inserted, nil
}
