package store

import (
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// Demo threads: on each firm's processes, one long thread (60+ messages,
// so paging shows), eleven short conversations (some waiting for the bank)
// and the rest empty. Messages of every new thread are inserted in time
// order, so ids follow time as they do for real posts; each thread's
// summary and its authors' read marks are derived from the inserted rows.

type demoLine struct {
	Bank    bool // written by the bank, else by the broker
	Subject string
	Text    string
}

var demoConversations = [][]demoLine{
	{
		{false, "Missing payslips", "Hello, the clients have only sent two payslips so far. Can we submit the process now and upload the third one next week?"},
		{true, "", "Please upload the three latest payslips for both borrowers before submission: the analysis cannot start without them."},
		{false, "", "Understood. The client will send the March payslip tomorrow and we will upload it straight away."},
		{true, "", "Thank you. We will start the analysis as soon as it is on the process."},
	},
	{
		{false, "Valuation", "Could you tell us when the property valuation will take place? The seller is asking so he can arrange access."},
		{true, "", "The valuation is scheduled for Thursday at 10:00. The valuer will call the seller today to confirm access to the flat."},
		{false, "", "Perfect, thank you. The seller has confirmed Thursday morning."},
	},
	{
		{false, "Fixed or variable rate", "The clients want to compare a mixed rate (fixed for the first 5 years) with a variable rate indexed to 6-month Euribor. Can you share both offers?"},
		{true, "", "Both simulations are now on the process: the mixed rate is fixed at 3.10% for 5 years, the variable rate is 6-month Euribor plus a 0.85% spread. The ESIS for each will follow."},
		{false, "", "Thank you. They will decide by Friday. Is the spread the same if they choose the mixed rate after year 5?"},
	},
	{
		{true, "Tax returns", "We still need the last IRS return (Modelo 3) with the assessment note (nota de liquidação) for both borrowers."},
		{false, "", "Both returns and the assessment notes were uploaded this morning."},
		{true, "", "Received, thank you. The file is now complete and goes to analysis today."},
	},
	{
		{true, "Debt-service ratio", "With the current personal loan the debt-service ratio is above the Banco de Portugal limit. Can the client repay the personal loan before the deed?"},
		{false, "", "The client will settle the personal loan this month. Can we go ahead on that condition?"},
		{true, "", "Yes: the approval will be conditional on proof of settlement (declaração de liquidação) before the deed."},
		{false, "", "Great, we will upload the declaration as soon as the other bank issues it."},
		{true, "", "Perfect. We have noted the condition on the process."},
	},
	{
		{false, "Deed date", "Is it possible to schedule the deed for the 28th? The promissory contract (CPCV) expires at the end of the month."},
		{true, "", "We can book the deed for the 28th at 14:30 at the Avenida da Liberdade branch. Please make sure the seller's certidão permanente and caderneta predial are up to date."},
		{false, "", "Confirmed, the seller's documents are uploaded."},
		{true, "", "All set. The clients will receive the final loan documents by e-mail three days before the deed."},
		{false, "", "Thank you! One more question: do the clients need to bring the life insurance policy to the deed, or is the bank's copy enough?"},
	},
	{
		{true, "Energy certificate", "The energy certificate is missing from the property documents."},
		{false, "", "The seller is renewing it; the new certificate should be issued within a week. We will upload it as soon as we have it."},
	},
	{
		{false, "External life insurance", "The clients prefer an external life insurance. What are the minimum cover requirements?"},
		{true, "", "Death and total permanent disability for the full loan amount, with the bank as first beneficiary. Please send the policy draft so we can check it before the deed."},
		{false, "", "Policy draft uploaded. The insurer is Fidelidade; cover is 100% of the capital for each borrower."},
		{true, "", "The draft meets the requirements. Please upload the final policy once it is issued."},
	},
	{
		{false, "Guarantor", "The key borrower's brother is willing to join as a guarantor. Should we add him as a borrower or only as a guarantor (fiador)?"},
		{true, "", "As a guarantor is enough. We will need his ID, tax number, last three payslips and his Banco de Portugal credit report (mapa de responsabilidades)."},
		{false, "", "Documents uploaded for the guarantor. Anything else needed before the committee?"},
	},
	{
		{true, "Approval", "The credit committee approved the loan: 280,000 EUR over 35 years. The approval is valid for 90 days."},
		{false, "", "Excellent news, thank you! The clients are delighted. We will start preparing the deed."},
	},
	{
		{false, "Spread reduction", "Does the spread reduction require the salary to be domiciled from the start?"},
		{true, "", "Yes: the 0.25 pp reduction applies from the first instalment if the salary is domiciled and two direct debits are active."},
		{false, "", "Understood. And is a credit card mandatory for the bundle, or only the current account?"},
	},
	{
		{true, "Certificates expired", "Please upload new certificates of no debt from the Tax Authority (Finanças) and Social Security; the ones on file have expired."},
		{false, "", "New certificates uploaded for both borrowers."},
		{true, "", "Thank you, all in order."},
	},
}

var demoStages = []string{"foundations", "ground-floor structure", "first-floor structure", "roof structure",
	"exterior walls", "windows and exterior doors", "plumbing rough-in", "electrical rough-in",
	"interior walls and plaster", "thermal insulation", "floor screed", "kitchen and bathrooms",
	"interior carpentry", "painting", "exterior works and landscaping", "final inspection and housing licence"}

// demoConstruction is the long thread of a self-build loan released in
// tranches: four messages per stage.
func demoConstruction(stages int, closing []demoLine) []demoLine {
	days := []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
	asks := []string{
		"The client asks whether the disbursement can go straight to the builder's account.",
		"The builder will be on site from 9:00.",
		"The site manager will bring the construction logbook (livro de obra).",
	}
	var out []demoLine
	for k := range stages {
		stage := demoStages[k%len(demoStages)]
		out = append(out,
			demoLine{false, fmt.Sprintf("Tranche %d: %s", k+1, stage),
				fmt.Sprintf("The builder has finished the %s. Could you schedule the inspection for tranche %d? Invoices and site photos are uploaded.", stage, k+1)},
			demoLine{true, "", fmt.Sprintf("The inspection for tranche %d is scheduled for %s morning. The valuer will need access to the site and the construction logbook.", k+1, days[k%len(days)])},
			demoLine{false, "", "Confirmed. " + asks[k%len(asks)]},
			demoLine{true, "", fmt.Sprintf("The inspection confirmed %d%% of the works. Tranche %d of 12,500 EUR will be credited to the client's account within two business days; transfers to the builder are made by the client.", (k+1)*100/len(demoStages), k+1)},
		)
	}
	return append(out, closing...)
}

// demoThreadOf maps a firm's process index (status i%8+1) to a short
// conversation that fits its status; index 5 (contracted) gets the long
// thread, every other process none.
var demoThreadOf = []map[int]int{
	{1: 2, 2: 1, 3: 3, 4: 9, 6: 4, 8: 0, 9: 10, 10: 8, 11: 6, 12: 5, 13: 7},
	{1: 0, 2: 8, 3: 11, 4: 5, 6: 4, 8: 2, 9: 10, 10: 1, 11: 3, 12: 9, 13: 7},
}

const demoLongThread = 5

// demoThread says which conversation a demo process gets: nil for none.
func demoThread(firmIndex, i int) []demoLine {
	switch {
	case i == demoLongThread && firmIndex == 0:
		return demoConstruction(16, []demoLine{
			{false, "", "Last tranche received, thank you! When will the first full instalment (capital and interest) be charged?"},
		})
	case i == demoLongThread:
		return demoConstruction(15, []demoLine{
			{false, "", "All tranches released so far, thank you. Can the last one wait until the housing licence is issued?"},
			{true, "", "Yes: the last tranche is released against the housing licence (licença de utilização). Upload it when the council issues it."},
		})
	}
	if c, ok := demoThreadOf[firmIndex%len(demoThreadOf)][i]; ok {
		return demoConversations[c]
	}
	return nil
}

type demoThreadPlan struct {
	process  models.Process
	messages []*models.Message
}

// seedDemoThreads adds the demo threads that are missing: a process whose
// thread row exists is left alone.
func (s *Store) seedDemoThreads(tx *gorm.DB, ins func(any) error, userIDs map[string]int64, now time.Time) error {
	users := map[string]demoUser{}
	for _, u := range DemoUsers {
		users[u.Email] = u
	}
	brokers := map[int][]string{
		0: {"ana.silva@lisboa-credito.example", "joao.costa@lisboa-credito.example"},
		1: {"rui.pereira@porto-hipotecas.example"},
	}
	var plans []*demoThreadPlan
	var all []*models.Message
	for fi := range demoFirms {
		for i := range DemoProcesses {
			lines := demoThread(fi, i)
			if lines == nil {
				continue
			}
			number := int64(100001 + i*len(demoFirms) + fi)
			puuid := demoUUID(fmt.Sprintf("process/%d", number))
			var p models.Process
			if err := tx.Where("uuid = ?", puuid).Take(&p).Error; err != nil {
				return err
			}
			var have int64
			if err := tx.Model(&models.Thread{}).Where("process_id = ?", p.ID).Count(&have).Error; err != nil {
				return err
			}
			if have > 0 {
				continue
			}
			// The last message lands some hours ago; earlier ones step back.
			last := now.Add(-time.Duration(i*7)*time.Hour - time.Duration(fi*53+20)*time.Minute)
			gap := time.Duration(3+i%3) * time.Hour
			if len(lines) > 20 {
				gap = 9 * time.Hour
			}
			plan := &demoThreadPlan{process: p}
			for j, l := range lines {
				email := brokers[fi][0]
				kind := models.AuthorBroker
				if l.Bank {
					kind, email = models.AuthorBank, "marta.santos@bank.example"
					if (i+j)%4 == 3 {
						email = "nuno.reis@bank.example"
					}
				} else if len(brokers[fi]) > 1 && (i+j)%3 == 2 {
					email = brokers[fi][1]
				}
				m := &models.Message{UUID: demoUUID(fmt.Sprintf("%s/message/%d", puuid, j)), ProcessID: p.ID, Seq: int64(j + 1),
					AuthorUserID: userIDs[email], AuthorKind: kind, AuthorName: users[email].Name, AuthorUsername: email,
					Subject: l.Subject, Text: l.Text,
					CreatedAt: last.Add(-time.Duration(len(lines)-1-j) * gap).Truncate(time.Second)}
				plan.messages = append(plan.messages, m)
				all = append(all, m)
			}
			plans = append(plans, plan)
		}
	}
	if len(plans) == 0 {
		return nil
	}
	slices.SortStableFunc(all, func(a, b *models.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for chunk := range slices.Chunk(all, 100) {
		batch := make([]models.Message, len(chunk))
		for i, m := range chunk {
			batch[i] = *m
		}
		if err := ins(&batch); err != nil {
			return err
		}
	}
	for _, plan := range plans {
		var sum struct {
			N     int64
			MaxID int64
		}
		if err := tx.Model(&models.Message{}).Select("count(*) AS n, COALESCE(max(id), 0) AS max_id").
			Where("process_id = ?", plan.process.ID).Scan(&sum).Error; err != nil {
			return err
		}
		lm := plan.messages[len(plan.messages)-1]
		t := models.Thread{ProcessID: plan.process.ID, BankID: plan.process.BankID, BrokerID: plan.process.BrokerID,
			MessageCount: sum.N, LastMessageID: sum.MaxID, LastMessageUUID: lm.UUID, LastMessageAt: lm.CreatedAt,
			LastAuthorKind: lm.AuthorKind, LastAuthorName: lm.AuthorName, LastExcerpt: models.Excerpt(lm.Text)}
		if err := ins(&t); err != nil {
			return err
		}
		// Posting marks a thread read for its author: each author has read
		// up to their own last message.
		res := tx.Exec(`INSERT INTO thread_reads (user_id, process_id, last_read_message_id, last_read_seq, updated_at)
			SELECT author_user_id, process_id, max(id), max(seq), ? FROM messages WHERE process_id = ? GROUP BY author_user_id, process_id
			ON CONFLICT (user_id, process_id) DO NOTHING`, now, plan.process.ID)
		if res.Error != nil {
			return res.Error
		}
		if err := tx.Exec("UPDATE processes SET last_action_at = ? WHERE id = ? AND last_action_at < ?",
			lm.CreatedAt, plan.process.ID, lm.CreatedAt).Error; err != nil {
			return err
		}
	}
	return nil
}
