package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// The operation status codes of the partner API: this file is their one
// table; docs/api-error-codes.md documents the same (a test compares them).
//
// A code has six digits, CC FF SS: CC the category of the operation, FF the
// field it is about (00: the request as a whole), SS the specific result.
// An error answer carries the request-wide code (CC 00 SS) and, for invalid
// input, one entry per field with that field's code (CC FF 01).

// Categories (CC).
const (
	CategoryAuth       = "01"
	CategoryProcess    = "02"
	CategoryBorrower   = "03"
	CategoryDocument   = "04"
	CategoryProperty   = "05"
	CategorySimulation = "06"
	CategoryMessage    = "07"
	CategoryCallback   = "08"
	CategoryTaxonomy   = "09"
	CategoryESIS       = "10"
	CategoryGeneral    = "99"
)

// categories names each category for the documentation test.
var categories = map[string]string{
	CategoryAuth: "authentication", CategoryProcess: "process", CategoryBorrower: "borrower",
	CategoryDocument: "document", CategoryProperty: "property", CategorySimulation: "simulation",
	CategoryMessage: "message", CategoryCallback: "callback", CategoryTaxonomy: "taxonomy",
	CategoryESIS: "ESIS", CategoryGeneral: "general",
}

// outcome is the request-wide result SS and its HTTP status.
type outcome struct {
	Specific string
	Status   int
	Message  string // used when the error has none fit to show
}

// Request-wide results (SS with FF = 00), one per models error code, plus
// the transport's own.
var (
	outcomes = map[models.Code]outcome{
		models.CodeInvalid:      {"01", http.StatusBadRequest, "Invalid request"},
		models.CodeNotFound:     {"02", http.StatusNotFound, "Not found"},
		models.CodeConflict:     {"03", http.StatusConflict, "Conflict with the current state"},
		models.CodeUnauthorized: {"04", http.StatusUnauthorized, "Authentication required"},
		models.CodeForbidden:    {"05", http.StatusForbidden, "Not allowed"},
		models.CodeRateLimited:  {"06", http.StatusTooManyRequests, "Too many requests"},
		models.CodeUnavailable:  {"08", http.StatusServiceUnavailable, "Service temporarily unavailable; try again later"},
		models.CodeTooLarge:     {"07", http.StatusRequestEntityTooLarge, "Request body too large"}, // a document over its limit
		models.CodeInternal:     {"99", http.StatusInternalServerError, "Internal error"},
	}
	outcomeTooLarge = outcome{"07", http.StatusRequestEntityTooLarge, "Request body too large"}
)

// Success codes. The bank documents 020101 for writes on a process (a new
// message among them); the others follow its pattern. FF 01 is reserved
// for them: no field of these categories has the code 01.
const (
	CodeProcessUpdated   = "020101" // "Process Updated successfully"
	CodeProcessCreated   = "020102"
	CodeProcessSubmitted = "020103"
	CodeProcessCancelled = "020104"
	CodeBorrowerUpdated  = "030101"
	CodeBorrowerCreated  = "030102"
	CodeBorrowerDeleted  = "030103"
	CodePropertyUpdated  = "050101"
	CodeDocumentUpdated  = "040101"
	CodeDocumentCreated  = "040102"
	CodeDocumentDeleted  = "040103"
	CodeSignedOut        = "010101" // "Session ended": DELETE /v1/authentication

	CodeSimulationUpdated     = "060101"
	CodeSimulationCreated     = "060102"
	CodeSimulationCancelled   = "060103"
	CodeSimulationValidated   = "060104"
	CodeSimulationRulesFailed = "060105" // Validate ran; some rule failed
	CodeEsisEmailed           = "100101"

	CodeCallbackUpdated = "080101" // Callback Update replaced a subscription
	CodeCallbackCreated = "080102"
	CodeCallbackDeleted = "080103"
	CodeCallbackEchoed  = "080104" // Callback Echo delivered; the partner's answer is in the body
)

// successes are the success codes with their status and message.
var successes = map[string]outcome{
	CodeProcessUpdated:   {"", http.StatusOK, "Process Updated successfully"},
	CodeProcessCreated:   {"", http.StatusCreated, "Process created successfully"},
	CodeProcessSubmitted: {"", http.StatusOK, "Process submitted successfully"},
	CodeProcessCancelled: {"", http.StatusOK, "Process cancelled successfully"},
	CodeBorrowerUpdated:  {"", http.StatusOK, "Borrower updated successfully"},
	CodeBorrowerCreated:  {"", http.StatusCreated, "Borrower created successfully"},
	CodeBorrowerDeleted:  {"", http.StatusOK, "Borrower deleted successfully"},
	CodePropertyUpdated:  {"", http.StatusOK, "Property updated successfully"},
	CodeDocumentUpdated:  {"", http.StatusOK, "Document updated successfully"},
	CodeDocumentCreated:  {"", http.StatusCreated, "Document created successfully"},
	CodeDocumentDeleted:  {"", http.StatusOK, "Document deleted successfully"},
	CodeSignedOut:        {"", http.StatusOK, "Session ended"},

	CodeSimulationUpdated:     {"", http.StatusOK, "Simulation updated successfully"},
	CodeSimulationCreated:     {"", http.StatusCreated, "Simulation created successfully"},
	CodeSimulationCancelled:   {"", http.StatusOK, "Simulation cancelled successfully"},
	CodeSimulationValidated:   {"", http.StatusOK, "Simulation validated successfully"},
	CodeSimulationRulesFailed: {"", http.StatusOK, "Simulation checked: some rules are not met"},
	CodeEsisEmailed:           {"", http.StatusOK, "ESIS sent successfully"},

	CodeCallbackUpdated: {"", http.StatusOK, "Callback updated successfully"},
	CodeCallbackCreated: {"", http.StatusCreated, "Callback created successfully"},
	CodeCallbackDeleted: {"", http.StatusOK, "Callback deleted successfully"},
	CodeCallbackEchoed:  {"", http.StatusOK, "Callback echo delivered"},
}

// success is the envelope of a success code.
func success(code string) OperationStatus {
	return OperationStatus{Code: code, Message: successes[code].Message}
}

// fieldCodes gives each input field its CC FF, per category; a field
// error's code is that followed by 01 (invalid value). A field is looked up
// in its entity's category (the prefix of "keyBorrower.taxId",
// "borrower[2].name", "property.parishId" names it), then in the
// operation's, then among the general ones; fields found nowhere use CC 00
// of the operation.
var fieldCodes = map[string]map[string]string{
	CategoryGeneral: {
		"pageNumber": "9901",
		"pageSize":   "9902",
	},
	CategoryTaxonomy: {
		"parentId": "0901", // the {id} of a taxonomy parent filter
	},
	// The callback operations: the path's type, Update's body, List's
	// paging, Echo's body (a field inside rawBody is rawBody's).
	CategoryCallback: {
		"notificationType":   "0802",
		"url":                "0803",
		"description":        "0804",
		"rotateSecret":       "0805",
		"offset":             "0806",
		"limit":              "0807",
		"notificationTypeID": "0808",
		"processUniqueId":    "0809",
		"simulationUniqueId": "0810",
		"rawBody":            "0811",
	},
	CategoryMessage: {
		"subject": "0701", // message subject
		"text":    "0702", // message text (the bank documents 070201)
	},
	CategoryProcess: {
		"loanAmount":         "0202",
		"loanDurationMonths": "0203",
		"productSchemeId":    "0204",
		"loanPurposeId":      "0205",
		"productPurposeId":   "0206",
		"hasCrossSelling":    "0207",
		"branchId":           "0208",
		"simulationUniqueId": "0209",
		"cancelReasonId":     "0210",
		"comment":            "0211",
	},
	CategoryBorrower: {
		"borrowerTypeId":                   "0302",
		"keyBorrowerRelationId":            "0303",
		"name":                             "0304",
		"birthDate":                        "0305",
		"taxId":                            "0306",
		"identificationDocumentTypeId":     "0307",
		"identificationDocumentNumber":     "0308",
		"identificationDocumentExpiryDate": "0309",
		"nationalityId":                    "0310",
		"genderId":                         "0311",
		"maritalStatusId":                  "0312",
		"matrimonialRegimeId":              "0313",
		"residenceTypeId":                  "0314",
		"mobile":                           "0315",
		"email":                            "0316",
		"address":                          "0317",
		"zipCode":                          "0318",
		"zipCodeLocal":                     "0319",
		"professionId":                     "0320",
		"employmentSituationId":            "0321",
		"employmentContractTypeId":         "0322",
		"employerName":                     "0323",
		"employedSince":                    "0324",
		"incomeWagesPensions":              "0325",
		"incomeGreenReceipts":              "0326",
		"incomeRents":                      "0327",
		"incomeOthers":                     "0328",
		"installmentHousingCredit":         "0329",
		"installmentPersonalCredit":        "0330",
		"installmentAutoLeasingCredit":     "0331",
		"installmentCreditCard":            "0332",
		"installmentBankOverdraft":         "0333",
		"installmentOther":                 "0334",
		"hasSocialSecurityDebt":            "0335",
		"keyBorrower":                      "0399", // Submit: the process has no key borrower
	},
	CategoryDocument: {
		"fileName":             "0402",
		"title":                "0403",
		"documentTypeId":       "0404",
		"documentObservations": "0405",
		"content":              "0406",
		"borrowerUniqueId":     "0407",
		"requestItemUniqueId":  "0408",
	},
	// Simulation inputs; a borrower's or insurance's field has one code
	// whatever its index ("borrowers[1].birthDate" is borrowers.birthDate).
	CategorySimulation: {
		"loanAmount":                              "0602",
		"loanDurationMonths":                      "0603",
		"loanPurposeId":                           "0604",
		"productPurposeId":                        "0605",
		"productSchemeId":                         "0606",
		"rateTypeId":                              "0607",
		"indexTypeId":                             "0608",
		"mixedFixedPeriodId":                      "0609",
		"fixedFixedPeriodId":                      "0610",
		"propertyValue":                           "0611",
		"propertyAcquisitionAmount":               "0612",
		"propertyDistrictId":                      "0613",
		"borrowers":                               "0614",
		"borrowers.name":                          "0615",
		"borrowers.taxId":                         "0616",
		"borrowers.birthDate":                     "0617",
		"borrowers.monthlyNetIncome":              "0618",
		"borrowers.monthlyInstalmentsOtherCredit": "0619",
		"insurances":                              "0620",
		"insurances.bankChargeTypeId":             "0621",
		"insurances.monthlyPremium":               "0622",
		"insurances.required":                     "0623",
		"filterSimulationStatus":                  "0630",
	},
	// The ESIS operations: their parameters and, when the simulation
	// fails rules (ignoreRules=false), one field per failing rule.
	CategoryESIS: {
		"ignoreRules":                  "1002",
		"sendAddress":                  "1003",
		"rules.AMOUNT":                 "1010",
		"rules.TERM":                   "1011",
		"rules.LTV_OWN_PERMANENT_HOME": "1012",
		"rules.LTV_OTHER_PURPOSES":     "1013",
		"rules.DSTI":                   "1014",
		"rules.MATURITY_BY_AGE":        "1015",
		"rules.AGE_AT_LAST_INSTALMENT": "1016",
		"rules.PROPERTY_IN_PORTUGAL":   "1017",
	},
	CategoryProperty: {
		"propertyTypologyId": "0502",
		"grossBuiltArea":     "0503",
		"yearBuilt":          "0504",
		"acquisitionAmount":  "0505",
		"acquisitionDate":    "0506",
		"address":            "0507",
		"doorNumber":         "0508",
		"floor":              "0509",
		"districtId":         "0510",
		"countyId":           "0511",
		"parishId":           "0512",
		"zipCode":            "0513",
		"zipCodeLocal":       "0514",
	},
}

// Code composes a request-wide code: category + "00" + the outcome of code.
func Code(category string, code models.Code) string {
	o, ok := outcomes[code]
	if !ok {
		o = outcomes[models.CodeInternal]
	}
	return category + "00" + o.Specific
}

// fieldEntity splits an entity prefix off a field name: "keyBorrower.taxId"
// and "borrower[2].taxId" are the borrower's taxId, "property.parishId" the
// property's parishId, "keyBorrower" the key borrower as a whole.
func fieldEntity(field string) (category, name string) {
	switch {
	case field == "keyBorrower":
		return CategoryBorrower, field
	case strings.HasPrefix(field, "keyBorrower."):
		return CategoryBorrower, strings.TrimPrefix(field, "keyBorrower.")
	case strings.HasPrefix(field, "borrower["):
		if _, rest, ok := strings.Cut(field, "]."); ok {
			return CategoryBorrower, rest
		}
	case strings.HasPrefix(field, "rawBody.") || strings.HasPrefix(field, "rawBody["):
		return CategoryCallback, "rawBody"
	case strings.HasPrefix(field, "property."):
		return CategoryProperty, strings.TrimPrefix(field, "property.")
	case strings.HasPrefix(field, "borrowers["), strings.HasPrefix(field, "insurances["):
		// a simulation's lists: the operation's own codes, without the index
		list, _, _ := strings.Cut(field, "[")
		if _, rest, ok := strings.Cut(field, "]."); ok {
			return "", list + "." + rest
		}
		return "", list
	}
	return "", field
}

func fieldCode(category, field string) string {
	entity, name := fieldEntity(field)
	for _, cat := range []string{entity, category, CategoryGeneral} {
		if cf, ok := fieldCodes[cat][name]; ok && cat != "" {
			return cf + "01"
		}
	}
	return category + "0001"
}

// OperationStatus is the envelope of every answer that is not data.
type OperationStatus struct {
	Code    string `json:"operationStatusCode"`
	Message string `json:"operationStatusMessage"`
}

// FieldError names one invalid input field.
type FieldError struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Envelope is {"operationStatus":{...},"errors":[...]}.
type Envelope struct {
	OperationStatus OperationStatus `json:"operationStatus"`
	Errors          []FieldError    `json:"errors,omitempty"`
}

// fail answers err in the envelope: the one mapping from models error codes
// to API answers. Internal details are logged with the request id, never sent.
func fail(c *gin.Context, log *slog.Logger, category string, err error) {
	if wire.ClientGone(c, err) {
		log.Info("api request abandoned by the client", "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
		wire.AbortGone(c)
		return
	}
	e := models.AsError(err)
	o, ok := outcomes[e.Code]
	if !ok {
		o = outcomes[models.CodeInternal]
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		e, o = &models.Error{Code: models.CodeInvalid, Message: outcomeTooLarge.Message}, outcomeTooLarge
	}
	msg := e.Message
	if e.Code == models.CodeInternal || msg == "" {
		msg = o.Message
	}
	if e.Code == models.CodeInternal {
		log.Error("api request failed", "err", err, "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
	}
	if e.Code == models.CodeUnavailable {
		log.Warn("api request failed: database unavailable", "err", err, "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
	}
	if (e.Code == models.CodeRateLimited || e.Code == models.CodeUnavailable) && e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	env := Envelope{OperationStatus: OperationStatus{Code: category + "00" + o.Specific, Message: msg}}
	for _, f := range e.Fields {
		env.Errors = append(env.Errors, FieldError{Code: fieldCode(category, f.Field), Field: f.Field, Message: f.Message()})
	}
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(o.Status, env)
}

// NoRoute answers unknown paths under /v1 in the envelope (404) and lets
// every other path through to the next handler (the HTML 404 page).
func NoRoute(c *gin.Context) {
	if p := c.Request.URL.Path; p != "/v1" && !strings.HasPrefix(p, "/v1/") {
		c.Next()
		return
	}
	o := outcomes[models.CodeNotFound]
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(o.Status, Envelope{OperationStatus: OperationStatus{Code: CategoryGeneral + "00" + o.Specific, Message: "no such operation"}})
}
