package esis

import "strings"

// The sheet's wording, in both languages: a rendering of the model of
// Annex II Part A of Directive 2014/17/EU (DL 74-A/2017, Anexo II). It
// lives here rather than in the pages' catalogue (components/i18n) because
// models may not import components, and the store, which renders the
// sheet when it issues one, sits under models. {Name} marks an argument.

type text struct{ pt, en string }

var texts = map[string]text{
	"title": {"Ficha de Informação Normalizada Europeia (FINE)", "European Standardised Information Sheet (ESIS)"},
	"subtitle": {"Crédito aos consumidores para imóveis destinados à habitação",
		"Credit agreements for consumers relating to residential immovable property"},
	"ref.simulation": {"Simulação n.º {N}", "Simulation no. {N}"},
	"ref.process":    {"Processo n.º {N}", "Process no. {N}"},
	"footer":         {"FINE · Simulação n.º {N} · página {P} de {T}", "ESIS · Simulation no. {N} · page {P} of {T}"},
	"demo": {"Dados de demonstração: os preços e a identificação do mutuante usados nesta ficha são valores de demonstração.",
		"Demonstration data: the prices and the lender's identification in this sheet are demonstration values."},

	"intro.for":      {"Este documento foi elaborado para {Name} em {Date}.", "This document was produced for {Name} on {Date}."},
	"intro.for_anon": {"Este documento foi elaborado em {Date}.", "This document was produced on {Date}."},
	"intro.basis": {"Este documento foi elaborado com base nas informações prestadas até à data e nas atuais condições do mercado financeiro.",
		"This document has been produced on the basis of the information provided so far and on current financial market conditions."},
	"intro.valid_until": {"VÁLIDO ATÉ {Date}", "VALID UNTIL {Date}"},
	"intro.valid": {"As informações abaixo são válidas até {Date}. Após essa data, podem ser alteradas de acordo com as condições do mercado.",
		"The information below remains valid until {Date}. After that date, it may change in line with market conditions."},
	"intro.no_obligation": {"O presente documento não constitui uma obrigação de {Lender} lhe conceder um empréstimo.",
		"This document does not constitute an obligation for {Lender} to grant you a loan."},

	"s1":  {"1. Mutuante", "1. Lender"},
	"s2":  {"2. Intermediário de crédito", "2. Credit intermediary"},
	"s3":  {"3. Principais características do empréstimo", "3. Main features of the loan"},
	"s4":  {"4. Taxa de juro e outros custos", "4. Interest rate and other costs"},
	"s5":  {"5. Periodicidade e número de pagamentos", "5. Frequency and number of payments"},
	"s6":  {"6. Montante de cada prestação", "6. Amount of each instalment"},
	"s7":  {"7. Quadro de reembolso indicativo", "7. Illustrative repayment table"},
	"s8":  {"8. Obrigações adicionais", "8. Additional obligations"},
	"s9":  {"9. Reembolso antecipado", "9. Early repayment"},
	"s10": {"10. Características flexíveis", "10. Flexible features"},
	"s11": {"11. Outros direitos do mutuário", "11. Other rights of the borrower"},
	"s12": {"12. Reclamações", "12. Complaints"},
	"s13": {"13. Incumprimento dos compromissos associados ao empréstimo: consequências para o mutuário",
		"13. Non-compliance with the commitments linked to the loan: consequences for the borrower"},
	"s14": {"14. Informações adicionais", "14. Additional information"},
	"s15": {"15. Autoridade de supervisão", "15. Supervisory authority"},

	"lender.name":         {"Mutuante", "Lender"},
	"lender.address":      {"Endereço", "Address"},
	"lender.registration": {"Registo", "Registration"},
	"lender.contact":      {"Contacto", "Contact"},

	"broker.name":         {"Intermediário de crédito", "Credit intermediary"},
	"broker.id":           {"Identificador único", "Unique identifier"},
	"broker.remuneration": {"Remuneração", "Remuneration"},
	"broker.paid_amount": {"O mutuante paga ao intermediário de crédito {Amount} pela sua intervenção neste empréstimo. O mutuário não lhe paga qualquer remuneração.",
		"The lender pays the credit intermediary {Amount} for its services on this loan. You do not pay the credit intermediary any fee."},
	"broker.paid_by_lender": {"O intermediário de crédito é remunerado pelo mutuante; o montante será indicado antes da celebração do contrato. O mutuário não lhe paga qualquer remuneração.",
		"The credit intermediary is paid by the lender; the amount will be disclosed before the agreement is concluded. You do not pay the credit intermediary any fee."},

	"main.amount":       {"Montante e moeda do empréstimo a conceder", "Amount and currency of the loan to be granted"},
	"main.term":         {"Duração do empréstimo", "Duration of the loan"},
	"main.term_value":   {"{Months} meses ({Years})", "{Months} months ({Years})"},
	"main.years":        {"{Y} anos", "{Y} years"},
	"main.years_months": {"{Y} anos e {M} meses", "{Y} years and {M} months"},
	"main.type":         {"Tipo de empréstimo", "Type of loan"},
	"main.type_value":   {"Crédito à habitação garantido por hipoteca: {Purpose}, {Use}", "Mortgage-secured housing loan: {Purpose}, {Use}"},
	"main.rate_type":    {"Tipo de taxa de juro aplicável", "Type of applicable interest rate"},
	"main.rate_mixed":   {"{Type}: fixa durante {Months} meses, depois variável", "{Type}: fixed for {Months} months, then variable"},
	"main.mtic":         {"Montante total a reembolsar (MTIC)", "Total amount to be reimbursed"},
	"main.per_euro":     {"Isto significa que irá reembolsar {Amount} por cada 1,00 € emprestado.", "This means that you will pay back {Amount} for every €1.00 borrowed."},
	"main.property":     {"Valor do imóvel pressuposto para elaborar esta ficha", "Value of the property assumed to prepare this information sheet"},
	"main.ltv":          {"Rácio entre o montante do empréstimo e o valor do imóvel (LTV)", "Loan-to-value ratio (LTV)"},
	"main.security":     {"O presente empréstimo será garantido por hipoteca sobre o imóvel.", "This loan will be secured by a mortgage on the property."},

	"rate.taeg": {"Taxa anual de encargos efetiva global (TAEG)", "Annual percentage rate of charge (APRC)"},
	"rate.taeg_text": {"A TAEG é o custo total do empréstimo expresso em percentagem anual. A TAEG é indicada para o ajudar a comparar diferentes ofertas. Pressupõe que a taxa de juro se mantém ao nível da data desta ficha durante todo o empréstimo.",
		"The APRC is the total cost of the loan expressed as an annual percentage. The APRC is provided to help you compare different offers. It assumes the interest rate stays at its level on the date of this sheet for the whole loan."},
	"rate.taeg_parts":   {"A TAEG compreende:", "It comprises:"},
	"rate.tan":          {"Taxa de juro nominal (TAN)", "Borrowing rate (nominal)"},
	"rate.tan_variable": {"{TAN} ({Index} de {Month}: {Value}, mais spread de {Spread})", "{TAN} ({Index} for {Month}: {Value}, plus a spread of {Spread})"},
	"rate.tan_mixed": {"{TAN} fixa durante {Months} meses; depois {After} ({Index} de {Month}: {Value}, mais spread de {Spread})",
		"{TAN} fixed for {Months} months; then {After} ({Index} for {Month}: {Value}, plus a spread of {Spread})"},
	"rate.variable_note": {"A taxa de juro variável acompanha o indexante: se este subir, a TAN, a TAEG e as prestações sobem. O indexante foi arredondado à milésima, como a lei determina.",
		"A variable rate follows the reference rate: if it rises, the borrowing rate, the APRC and the instalments rise. The reference rate is rounded to three decimals, as the law requires."},
	"rate.total_interest": {"Total de juros", "Total interest"},
	"rate.total_cost":     {"Custo total do crédito (juros e encargos incluídos na TAEG)", "Total cost of credit (interest and the charges in the APRC)"},
	"rate.costs":          {"Encargos incluídos na TAEG", "Costs included in the APRC"},
	"rate.costs_other": {"Encargos não incluídos na TAEG (pagos apenas se ocorrer o facto que os origina, ou custos da aquisição e não do crédito)",
		"Costs not included in the APRC (paid only if the event that causes them happens, or costs of the purchase rather than of the credit)"},
	"rate.none":                {"Nenhum.", "None."},
	"rate.col_charge":          {"Encargo", "Charge"},
	"rate.col_when":            {"Periodicidade", "Frequency"},
	"rate.col_amount":          {"Montante", "Amount"},
	"rate.col_total":           {"Total no prazo", "Total over the term"},
	"rate.upfront":             {"Uma vez, na celebração", "Once, at conclusion"},
	"rate.monthly":             {"Mensal ({N} vezes)", "Monthly ({N} times)"},
	"rate.event":               {"Se ocorrer", "If it occurs"},
	"rate.taxes":               {"Imposto do Selo", "Stamp duty"},
	"rate.tax_credit":          {"Sobre a utilização de crédito (verba 17.1 da TGIS)", "On the use of credit (item 17.1 of the stamp duty table)"},
	"rate.tax_fees":            {"Sobre comissões bancárias, 4 % (verba 17.3.4 da TGIS)", "On bank fees, 4% (item 17.3.4 of the stamp duty table)"},
	"rate.tax_interest":        {"Sobre os juros, 4 % (verba 17.3.1 da TGIS)", "On interest, 4% (item 17.3.1 of the stamp duty table)"},
	"rate.tax_interest_exempt": {"Isento: juros de crédito à habitação própria", "Exempt: interest on a loan for one's own home"},
	"rate.insurances":          {"Seguros", "Insurance"},
	"rate.insurance_required":  {"{Name}: {Amount} por mês, exigido pelo mutuante (incluído na TAEG)", "{Name}: {Amount} a month, required by the lender (included in the APRC)"},
	"rate.insurance_optional":  {"{Name}: {Amount} por mês, facultativo (não incluído na TAEG)", "{Name}: {Amount} a month, optional (not included in the APRC)"},
	"rate.insurance_free": {"O mutuário pode contratar os seguros exigidos com um segurador à sua escolha, desde que as coberturas sejam equivalentes.",
		"You may take out the required insurance with an insurer of your choice, provided the cover is equivalent."},
	"rate.no_insurance": {"Nenhum seguro indicado nesta simulação.", "No insurance is included in this simulation."},
	"rate.notary": {"Não estão incluídos os custos de escritura, registos e impostos da aquisição do imóvel (IMT, Imposto do Selo sobre a aquisição), que não são encargos do crédito.",
		"Notary, registry and the taxes on the purchase of the property (IMT, stamp duty on the purchase) are not included: they are not costs of the credit."},

	"freq.frequency": {"Periodicidade dos pagamentos", "Repayment frequency"},
	"freq.monthly":   {"Mensal", "Monthly"},
	"freq.number":    {"Número de pagamentos", "Number of payments"},

	"inst.amount":      {"Prestação mensal (capital e juros)", "Monthly instalment (capital and interest)"},
	"inst.after_fixed": {"Prestação após o período de taxa fixa (mês {M} em diante)", "Instalment after the fixed-rate period (month {M} on)"},
	"inst.with_costs":  {"Com os encargos mensais incluídos na TAEG, o primeiro pagamento mensal é de {Amount}.", "With the monthly costs included in the APRC, the first monthly payment is {Amount}."},
	"inst.variable": {"O montante das prestações pode variar. Numa taxa variável, a prestação é revista a cada período do indexante.",
		"The amount of your instalments may change. With a variable rate, the instalment is revised at every reset of the reference rate."},
	"inst.income": {"O seu rendimento pode variar. Pondere se continuará a conseguir pagar as prestações se o seu rendimento diminuir.",
		"Your income may change. Please consider whether you will still be able to afford your instalments if your income falls."},
	"inst.stress": {"Se a taxa de juro subir {Shock} pontos percentuais, a prestação passará a {Amount}.",
		"If the interest rate rose by {Shock} percentage points, the instalment would become {Amount}."},

	"table.intro": {"Este quadro indica o montante a pagar em cada período: o primeiro ano mês a mês, depois por ano, e os totais. Os montantes pressupõem que a taxa de juro se mantém.",
		"This table shows the amount to be paid in each period: the first year month by month, then by year, and the totals. The amounts assume the interest rate stays the same."},
	"table.period":     {"Período", "Period"},
	"table.instalment": {"Prestação", "Instalment"},
	"table.interest":   {"Juros", "Interest"},
	"table.capital":    {"Capital", "Capital"},
	"table.costs":      {"Outros encargos", "Other costs"},
	"table.balance":    {"Capital em dívida", "Outstanding capital"},
	"table.month":      {"Mês {N}", "Month {N}"},
	"table.year":       {"Ano {N}", "Year {N}"},
	"table.total":      {"Total", "Total"},

	"obl.intro": {"O mutuário deve cumprir as seguintes obrigações para beneficiar das condições do empréstimo descritas neste documento:",
		"You must comply with the following obligations to benefit from the lending conditions described in this document:"},
	"obl.mortgage":  {"Constituir hipoteca sobre o imóvel a favor do mutuante.", "Grant the lender a mortgage on the property."},
	"obl.insurance": {"Manter em vigor: {Name}.", "Keep in force: {Name}."},
	"obl.account":   {"Pagar as prestações por débito numa conta de depósito à ordem.", "Pay the instalments by debit from a current account."},
	"obl.breach": {"Se não cumprir estas obrigações, as condições do empréstimo descritas neste documento podem ser alteradas.",
		"If you do not comply with these obligations, the lending conditions described in this document may change."},

	"early.text": {"Tem a possibilidade de reembolsar este empréstimo antecipadamente, na totalidade ou em parte, mediante pré-aviso de 10 dias úteis (reembolso parcial) ou 30 dias úteis (reembolso total).",
		"You may repay this loan early, in full or in part, giving 10 business days' notice (partial) or 30 business days' notice (full)."},
	"early.fee": {"Comissão de reembolso antecipado: no máximo 0,5 % do capital reembolsado numa taxa variável e 2 % numa taxa fixa (ou no período de taxa fixa de uma taxa mista).",
		"Early repayment fee: at most 0.5% of the capital repaid with a variable rate and 2% with a fixed rate (or during a mixed rate's fixed period)."},
	"early.fee_line": {"{Name}: {Amount} por reembolso", "{Name}: {Amount} per repayment"},

	"flex.portability": {"Portabilidade: pode transferir o empréstimo para outro mutuante nos termos da lei.",
		"Portability: you may transfer the loan to another lender as the law allows."},
	"flex.none": {"Este empréstimo não prevê outras características flexíveis (como pagamentos adicionais, períodos de carência ou diferimento de capital).",
		"This loan has no other flexible features (such as overpayments, payment holidays or capital deferral)."},

	"rights.reflection": {"Depois de receber a proposta contratual, dispõe de um período de reflexão de, pelo menos, 7 dias antes de ficar vinculado, durante o qual a proposta vincula o mutuante e a pode aceitar a qualquer momento.",
		"After you receive the binding offer, you have a reflection period of at least 7 days before you are bound, during which the offer binds the lender and you may accept it at any time."},
	"rights.information": {"Tem direito a receber gratuitamente uma cópia da minuta do contrato e a obter explicações adequadas sobre o empréstimo.",
		"You have the right to receive a copy of the draft credit agreement free of charge and to obtain adequate explanations about the loan."},

	"complaints.lender": {"Em caso de reclamação, contacte o mutuante: {Lender}, {Address}.", "If you have a complaint, please contact the lender: {Lender}, {Address}."},
	"complaints.book": {"Pode apresentar reclamação no Livro de Reclamações (físico ou eletrónico, em www.livroreclamacoes.pt) ou ao Banco de Portugal, no Portal do Cliente Bancário (clientebancario.bportugal.pt).",
		"You may complain in the Complaints Book (on paper or online at www.livroreclamacoes.pt) or to Banco de Portugal through its Bank Customer Portal (clientebancario.bportugal.pt)."},
	"complaints.adr": {"Pode ainda recorrer a uma entidade de resolução alternativa de litígios a que o mutuante tenha aderido.",
		"You may also refer the dispute to an alternative dispute resolution entity the lender has joined."},

	"default.text": {"Se não pagar as prestações, o mutuante pode cobrar juros moratórios (sobretaxa máxima de 3 % ao ano sobre a taxa de juro do contrato) e encargos de recuperação, e o seu incumprimento é comunicado à Central de Responsabilidades de Crédito do Banco de Portugal.",
		"If you miss instalments, the lender may charge default interest (at most 3% a year above the contract's rate) and recovery costs, and the default is reported to Banco de Portugal's Central Credit Register."},
	"default.persi": {"Antes de qualquer ação judicial, o mutuante integra o empréstimo em incumprimento no Procedimento Extrajudicial de Regularização de Situações de Incumprimento (PERSI).",
		"Before any court action, the lender places the loan in the out-of-court procedure for the settlement of defaults (PERSI)."},
	"default.home": {"Em último caso, o mutuante pode executar a hipoteca e pode perder o imóvel.", "As a last resort, the lender may enforce the mortgage and you may lose the property."},
	"default.contact": {"Se tiver dificuldades em pagar as prestações, contacte o mutuante o mais rapidamente possível para procurar uma solução.",
		"If you have difficulty paying your instalments, please contact the lender as soon as possible to seek a solution."},

	"more.law":      {"Lei aplicável ao contrato: lei portuguesa. Tribunais competentes: tribunais portugueses.", "Law applicable to the agreement: Portuguese law. Competent courts: Portuguese courts."},
	"more.language": {"As informações e o contrato são prestados em português.", "The information and the agreement are provided in Portuguese."},
	"more.pricing": {"Valores calculados com os preços em vigor em {Date}. Os valores são indicativos: a proposta contratual vinculativa indicará as condições definitivas.",
		"Figures computed with the prices in force on {Date}. They are illustrative: the binding offer will state the final terms."},
	"more.draft": {"O mutuante entrega uma cópia da minuta do contrato com a proposta contratual.", "The lender provides a copy of the draft agreement with the binding offer."},

	"supervisor.text": {"O mutuante e o intermediário de crédito são supervisionados pelo Banco de Portugal, Rua do Comércio, 148, 1100-150 Lisboa, www.bportugal.pt.",
		"The lender and the credit intermediary are supervised by Banco de Portugal, Rua do Comércio, 148, 1100-150 Lisboa, Portugal, www.bportugal.pt."},
}

// tr is key's text in l with its {Name} arguments replaced (pairs of
// name, value).
func tr(l Lang, key string, args ...string) string {
	t, ok := texts[key]
	if !ok {
		panic("esis: no text " + key) // a typo in this package: caught by the tests
	}
	s := t.pt
	if l == EN {
		s = t.en
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+args[i]+"}", args[i+1])
	}
	return s
}

func init() {
	texts["mail.subject"] = text{"FINE da simulação n.º {N}", "ESIS for simulation no. {N}"}
	texts["mail.text"] = text{"Bom dia,\n\nSegue em anexo a Ficha de Informação Normalizada Europeia (FINE) da simulação n.º {N}, elaborada por {Broker} com as condições de {Lender}.\n\nAs informações da ficha são válidas até {Date}. A ficha não constitui uma obrigação de conceder o empréstimo.\n\nEsta mensagem foi enviada automaticamente; não lhe responda.\n",
		"Hello,\n\nPlease find attached the European Standardised Information Sheet (ESIS) for simulation no. {N}, prepared by {Broker} with the terms of {Lender}.\n\nThe information in the sheet remains valid until {Date}. The sheet does not constitute an obligation to grant the loan.\n\nThis message was sent automatically; please do not reply.\n"}
}

// MailSubject is the subject of the mail that carries a sheet.
func MailSubject(l Lang, simulationNumber int64) string {
	return tr(l, "mail.subject", "N", itoa(simulationNumber))
}

// MailText is the body of the mail that carries s.
func MailText(s Sheet) string {
	l := ParseLang(string(s.Lang))
	return tr(l, "mail.text", "N", itoa(s.SimulationNumber), "Broker", s.Broker.Name, "Lender", s.Lender.Name,
		"Date", Date(l, s.ValidUntil))
}
