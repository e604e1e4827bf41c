package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/i18n"
	"portal/components/processes"
	"portal/models"
	"portal/web/session"
)

// The broker's guided process form (routes /processes/new,
// /processes/:id/edit and the steps' posts, /processes/:id/submit and
// /processes/:id/cancel): each step is its own form that saves on its own
// post and redirects to the next step, so the broker can leave and come
// back; a refused save renders the step again (422) with the errors next
// to the fields.

// newProcessForm is "New process": the loan data.
func (h *Handlers) newProcessForm(c *gin.Context) {
	h.newPage(c, http.StatusOK, processes.Form{Values: processes.Values{}})
}

func (h *Handlers) newPage(c *gin.Context, status int, f processes.Form) {
	tax, err := h.svc.Taxonomy.Taxonomy(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, status, processes.NewPage(processes.NewView{
		Page: h.page(c, i18n.T(c.Request.Context(), "processform.new_title"), "processes"), Tax: tax, Form: f,
	}))
}

// createProcess opens the process and goes on to its key borrower.
func (h *Handlers) createProcess(c *gin.Context) {
	ctx := c.Request.Context()
	f := postedValues(c, loanNames)
	in, bad := loanInput(f)
	if bad != nil {
		h.newPage(c, http.StatusUnprocessableEntity, processes.Form{Values: f, Error: bad})
		return
	}
	p, err := h.svc.Work.CreateProcess(ctx, in)
	if err != nil {
		if _, status, ok := refusal(c, err); ok {
			h.newPage(c, status, processes.Form{Values: f, Error: models.AsError(err)})
			return
		}
		h.fail(c, err)
		return
	}
	h.savedTo(c, p.UUID, processes.StepKey, "", i18n.T(ctx, "processform.created", map[string]any{"Number": p.ProcessNumber}))
}

// editProcess is the edit page at ?step= (the loan data by default); on
// the borrowers step ?borrower= chooses the other borrower to change.
func (h *Handlers) editProcess(c *gin.Context) {
	step := c.Query("step")
	if !processes.ValidStep(step) {
		step = processes.StepLoan
	}
	h.editPage(c, http.StatusOK, step, nil, false)
}

// editPage renders the edit page: the process as stored, the step's form
// (refused, when refused is set, else the stored values) and the
// checklist. A process past "In creation" gets the not-editable page.
func (h *Handlers) editPage(c *gin.Context, status int, step string, refused *processes.Form, submitRefused bool) {
	ctx := c.Request.Context()
	id := c.Param("id")
	d, err := h.svc.Processes.GetProcess(ctx, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	if d.Process.StatusID != models.StatusInCreation {
		h.render(c, http.StatusConflict, processes.NotEditablePage(processes.NotEditableView{
			Page:    h.page(c, i18n.T(ctx, "processform.not_editable_title"), "processes"),
			Process: d.Process, StatusNames: statusNames(tax, descLang(ctx)),
		}))
		return
	}
	v := processes.EditView{Detail: d, Tax: tax, Step: step, SubmitError: submitRefused}
	if step == processes.StepBorrowers {
		if bid := c.Query("borrower"); bid != "" || c.Param("borrower_id") != "" {
			if bid == "" {
				bid = c.Param("borrower_id")
			}
			for i := range d.Borrowers {
				if d.Borrowers[i].UUID == bid && !d.Borrowers[i].IsKey() {
					v.Editing = &d.Borrowers[i]
				}
			}
			if v.Editing == nil {
				h.NotFound(c)
				return
			}
		}
	}
	switch {
	case refused != nil:
		v.Form = *refused
	case step == processes.StepLoan:
		v.Form.Values = processes.LoanValues(ctx, d.Process)
	case step == processes.StepKey:
		if kb := v.KeyBorrower(); kb != nil {
			v.Form.Values = processes.BorrowerValues(ctx, *kb)
		}
	case step == processes.StepBorrowers && v.Editing != nil:
		v.Form.Values = processes.BorrowerValues(ctx, *v.Editing)
	case step == processes.StepProperty && d.Property != nil:
		v.Form.Values = processes.PropertyValues(ctx, *d.Property)
	}
	if v.Form.Values == nil {
		v.Form.Values = processes.Values{}
	}
	if step == processes.StepProperty {
		v.Cascade = cascade(ctx, tax, processes.PropertyCascade.ID, atoiOr0(v.Form.Values["districtId"]), atoiOr0(v.Form.Values["countyId"]), atoiOr0(v.Form.Values["parishId"]))
	}
	if v.Check, err = h.svc.Work.CheckSubmit(ctx, id); err != nil {
		h.fail(c, err)
		return
	}
	v.Page = h.page(c, i18n.T(ctx, "processform.edit_title", map[string]any{"Number": d.Process.ProcessNumber}), "processes")
	h.render(c, status, processes.EditPage(v))
}

// saveLoan saves the loan data step.
func (h *Handlers) saveLoan(c *gin.Context) {
	f := postedValues(c, loanNames)
	in, bad := loanInput(f)
	if bad == nil {
		_, err := h.svc.Work.UpdateProcess(c.Request.Context(), c.Param("id"), in)
		bad = h.saveRefused(c, err)
		if bad == nil {
			if err == nil {
				h.savedTo(c, c.Param("id"), processes.StepKey, "", i18n.T(c.Request.Context(), "processform.saved_loan"))
			}
			return
		}
	}
	h.editPage(c, http.StatusUnprocessableEntity, processes.StepLoan, &processes.Form{Values: f, Error: bad}, false)
}

// addBorrower adds the key borrower (key step) or another borrower.
func (h *Handlers) addBorrower(c *gin.Context) {
	f := postedValues(c, borrowerNames)
	step := borrowerStep(f)
	in, bad := borrowerInput(f)
	if bad == nil {
		_, err := h.svc.Work.CreateBorrower(c.Request.Context(), c.Param("id"), in)
		if bad = h.saveRefused(c, err); bad == nil {
			if err == nil {
				h.savedTo(c, c.Param("id"), processes.StepBorrowers, "", i18n.T(c.Request.Context(), "processform.saved_borrower", map[string]any{"Name": in.Name}))
			}
			return
		}
	}
	h.editPage(c, http.StatusUnprocessableEntity, step, &processes.Form{Values: f, Error: bad}, false)
}

// saveBorrower changes a borrower (the key borrower or another).
func (h *Handlers) saveBorrower(c *gin.Context) {
	f := postedValues(c, borrowerNames)
	step := borrowerStep(f)
	in, bad := borrowerInput(f)
	if bad == nil {
		_, err := h.svc.Work.UpdateBorrower(c.Request.Context(), c.Param("id"), c.Param("borrower_id"), in)
		if bad = h.saveRefused(c, err); bad == nil {
			if err == nil {
				h.savedTo(c, c.Param("id"), processes.StepBorrowers, "", i18n.T(c.Request.Context(), "processform.saved_borrower", map[string]any{"Name": in.Name}))
			}
			return
		}
	}
	h.editPage(c, http.StatusUnprocessableEntity, step, &processes.Form{Values: f, Error: bad}, false)
}

// removeBorrower removes another borrower (the key borrower stays).
func (h *Handlers) removeBorrower(c *gin.Context) {
	err := h.svc.Work.DeleteBorrower(c.Request.Context(), c.Param("id"), c.Param("borrower_id"))
	if err != nil {
		h.workFail(c, err)
		return
	}
	h.savedTo(c, c.Param("id"), processes.StepBorrowers, "", i18n.T(c.Request.Context(), "processform.removed_borrower"))
}

// saveProperty saves the property step.
func (h *Handlers) saveProperty(c *gin.Context) {
	f := postedValues(c, propertyNames)
	in, bad := propertyInput(f)
	if bad == nil {
		_, err := h.svc.Work.UpdateProperty(c.Request.Context(), c.Param("id"), c.Param("property_id"), in)
		if bad = h.saveRefused(c, err); bad == nil {
			if err == nil {
				h.savedTo(c, c.Param("id"), processes.StepProperty, "checklist", i18n.T(c.Request.Context(), "processform.saved_property"))
			}
			return
		}
	}
	h.editPage(c, http.StatusUnprocessableEntity, processes.StepProperty, &processes.Form{Values: f, Error: bad}, false)
}

// submitProcess submits the process; an incomplete one is refused with
// the checklist (422) on the step the broker was on.
func (h *Handlers) submitProcess(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	p, err := h.svc.Work.SubmitProcess(ctx, id)
	if err != nil {
		if models.ErrorCode(err) == models.CodeInvalid {
			step := c.PostForm("step")
			if !processes.ValidStep(step) {
				step = processes.StepLoan
			}
			h.editPage(c, http.StatusUnprocessableEntity, step, nil, true)
			return
		}
		h.workFail(c, err)
		return
	}
	_ = session.SetFlash(c, processes.ProcessURL(id), i18n.T(ctx, "processform.submitted", map[string]any{"Number": p.ProcessNumber}))
	redirect(c, processes.ProcessURL(id))
}

// cancelProcess cancels the process with a reason; a refused form shows
// again on the process page (422).
func (h *Handlers) cancelProcess(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	f := processes.Form{Values: processes.Values{"cancelReasonId": c.PostForm("cancelReasonId"), "comment": c.PostForm("comment")}}
	in := models.CancelInput{Comment: f.Values["comment"]}
	if r := f.Values["cancelReasonId"]; r != "" {
		n, err := strconv.Atoi(r)
		if err != nil || n < 1 {
			f.Error = formError("cancelReasonId", "choice")
		}
		in.ReasonID = n
	}
	if f.Error == nil {
		_, err := h.svc.Work.CancelProcess(ctx, id, in)
		if err == nil {
			_ = session.SetFlash(c, processes.ProcessURL(id), i18n.T(ctx, "processform.cancelled"))
			redirect(c, processes.ProcessURL(id))
			return
		}
		if _, _, ok := refusal(c, err); !ok || models.ErrorCode(err) != models.CodeInvalid {
			h.workFail(c, err)
			return
		}
		f.Error = models.AsError(err)
	}
	h.processPageWith(c, http.StatusUnprocessableEntity, pageExtras{cancel: &f})
}

// saveRefused sorts a save's outcome: nil when it went through or the
// answer is already written (an error page), else the refusal to show
// next to the form.
func (h *Handlers) saveRefused(c *gin.Context, err error) *models.Error {
	if err == nil {
		return nil
	}
	if e := models.AsError(err); e.Code == models.CodeInvalid {
		return e
	}
	h.workFail(c, err)
	return nil
}

// workFail answers a change the service refused outright: a process that
// is no longer in creation gets the edit page's "cannot be changed" page
// (409), any other refusal its error page.
func (h *Handlers) workFail(c *gin.Context, err error) {
	e := models.AsError(err)
	if e.Code != models.CodeConflict {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if d, gerr := h.svc.Processes.GetProcess(ctx, c.Param("id")); gerr == nil && d.Process.StatusID != models.StatusInCreation {
		h.editPage(c, http.StatusConflict, processes.StepLoan, nil, false)
		return
	}
	title := i18n.T(ctx, "processform.conflict_title")
	h.render(c, http.StatusConflict, components.ErrorPage(h.page(c, title, ""), title, i18n.Refusal(ctx, e), ""))
}

// savedTo sends the browser to step of the edit page (at anchor) with a
// flash saying what was saved.
func (h *Handlers) savedTo(c *gin.Context, id, step, anchor, msg string) {
	_ = session.SetFlash(c, processes.ProcessURL(id)+"/edit", msg)
	to := processes.EditURL(id, step)
	if anchor != "" {
		to += "#" + anchor
	}
	redirect(c, to)
}

// The inputs each form posts.
var (
	loanNames     = append(inputNames(processes.LoanInputs), "loanDurationUnit")
	borrowerNames = append(append(append(inputNames(processes.BorrowerPersonal), inputNames(processes.BorrowerProfessional)...),
		inputNames(processes.BorrowerFinancial)...), "borrowerTypeId", "keyBorrowerRelationId")
	propertyNames = append(inputNames(processes.PropertyInputs), "districtId", "countyId", "parishId")
)

func inputNames(ins []processes.Input) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.Name
	}
	return out
}

func postedValues(c *gin.Context, names []string) processes.Values {
	v := make(processes.Values, len(names))
	for _, n := range names {
		v[n] = strings.TrimSpace(c.PostForm(n))
	}
	return v
}

// borrowerStep is the step a borrower form belongs to.
func borrowerStep(f processes.Values) string {
	if f["borrowerTypeId"] == strconv.Itoa(models.BorrowerTypeKey) {
		return processes.StepKey
	}
	return processes.StepBorrowers
}

// formReader turns posted text into the service's input, collecting what
// cannot be read (an amount that is not one, a choice that is not a
// number) as field errors of the form's own keys.
type formReader struct {
	v   processes.Values
	bad models.Validation
}

func (r *formReader) ref(name string) *int {
	s := r.v[name]
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		r.bad.Add(name, processes.FormKeyPrefix+"choice", nil)
		return nil
	}
	return &n
}

func (r *formReader) number(name string) *int {
	s := r.v[name]
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, " ", ""))
	if err != nil || n < 0 {
		r.bad.Add(name, processes.FormKeyPrefix+"whole_number", nil)
		return nil
	}
	return &n
}

func (r *formReader) money(name string) *int64 {
	s := r.v[name]
	if s == "" {
		return nil
	}
	cents, ok := parseEuros(s)
	if !ok {
		r.bad.Add(name, processes.FormKeyPrefix+"amount", nil)
		return nil
	}
	return &cents
}

func (r *formReader) cents(name string) int64 {
	if p := r.money(name); p != nil {
		return *p
	}
	return 0
}

func (r *formReader) err() *models.Error {
	if err := r.bad.Err(); err != nil {
		return models.AsError(err)
	}
	return nil
}

func formError(field, key string) *models.Error {
	return models.AsError(models.Invalid(field, processes.FormKeyPrefix+key, nil))
}

// loanInput reads the loan data: the amount in euros, the duration in
// months or years.
func loanInput(f processes.Values) (models.ProcessInput, *models.Error) {
	r := formReader{v: f}
	in := models.ProcessInput{
		LoanAmountCents:  r.cents("loanAmount"),
		ProductSchemeID:  r.ref("productSchemeId"),
		LoanPurposeID:    r.ref("loanPurposeId"),
		ProductPurposeID: r.ref("productPurposeId"),
		BranchID:         r.number("branchId"),
		HasCrossSelling:  f["hasCrossSelling"] != "",
	}
	if d := r.number("loanDurationMonths"); d != nil {
		in.LoanDurationMonths = *d
		if f["loanDurationUnit"] == processes.UnitYears {
			in.LoanDurationMonths *= 12
		}
	}
	return in, r.err()
}

func borrowerInput(f processes.Values) (models.BorrowerInput, *models.Error) {
	r := formReader{v: f}
	in := models.BorrowerInput{
		KeyBorrowerRelationID:         r.ref("keyBorrowerRelationId"),
		Name:                          f["name"],
		BirthDate:                     f["birthDate"],
		TaxID:                         strings.ReplaceAll(f["taxId"], " ", ""),
		IDDocumentTypeID:              r.ref("identificationDocumentTypeId"),
		IDDocumentNumber:              f["identificationDocumentNumber"],
		IDDocumentExpiry:              f["identificationDocumentExpiryDate"],
		NationalityID:                 r.ref("nationalityId"),
		GenderID:                      r.ref("genderId"),
		MaritalStatusID:               r.ref("maritalStatusId"),
		MatrimonialRegimeID:           r.ref("matrimonialRegimeId"),
		ResidenceTypeID:               r.ref("residenceTypeId"),
		Mobile:                        f["mobile"],
		Email:                         f["email"],
		Address:                       f["address"],
		ZipCode:                       f["zipCode"],
		ZipCodeLocal:                  f["zipCodeLocal"],
		ProfessionID:                  r.ref("professionId"),
		EmploymentSituationID:         r.ref("employmentSituationId"),
		EmploymentContractTypeID:      r.ref("employmentContractTypeId"),
		EmployerName:                  f["employerName"],
		EmployedSince:                 f["employedSince"],
		IncomeWagesPensionsCents:      r.cents("incomeWagesPensions"),
		IncomeGreenReceiptsCents:      r.cents("incomeGreenReceipts"),
		IncomeRentsCents:              r.cents("incomeRents"),
		IncomeOthersCents:             r.cents("incomeOthers"),
		InstallmentHousingCents:       r.cents("installmentHousingCredit"),
		InstallmentPersonalCents:      r.cents("installmentPersonalCredit"),
		InstallmentAutoLeasingCents:   r.cents("installmentAutoLeasingCredit"),
		InstallmentCreditCardCents:    r.cents("installmentCreditCard"),
		InstallmentBankOverdraftCents: r.cents("installmentBankOverdraft"),
		InstallmentOtherCents:         r.cents("installmentOther"),
		HasSocialSecurityDebt:         f["hasSocialSecurityDebt"] != "",
	}
	if t := r.ref("borrowerTypeId"); t != nil {
		in.BorrowerTypeID = *t
	}
	return in, r.err()
}

func propertyInput(f processes.Values) (models.PropertyInput, *models.Error) {
	r := formReader{v: f}
	in := models.PropertyInput{
		PropertyTypologyID:     r.ref("propertyTypologyId"),
		GrossBuiltArea:         r.number("grossBuiltArea"),
		YearBuilt:              r.number("yearBuilt"),
		AcquisitionAmountCents: r.money("acquisitionAmount"),
		AcquisitionDate:        f["acquisitionDate"],
		Address:                f["address"],
		DoorNumber:             f["doorNumber"],
		Floor:                  f["floor"],
		DistrictID:             r.ref("districtId"),
		CountyID:               r.ref("countyId"),
		ParishID:               r.ref("parishId"),
		ZipCode:                f["zipCode"],
		ZipCodeLocal:           f["zipCodeLocal"],
	}
	return in, r.err()
}

func atoiOr0(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
