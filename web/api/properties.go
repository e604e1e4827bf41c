package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Property List / Update (/v1/processes/{processUniqueId}/properties[/{propertyUniqueId}]).
// Every process has its property from creation; Update replaces its data.

// propertyInputJSON is Property Update's body.
type propertyInputJSON struct {
	PropertyTypologyID *int   `json:"propertyTypologyId"`
	GrossBuiltArea     *int   `json:"grossBuiltArea"`
	YearBuilt          *int   `json:"yearBuilt"`
	AcquisitionAmount  amount `json:"acquisitionAmount"`
	AcquisitionDate    string `json:"acquisitionDate"`
	Address            string `json:"address"`
	DoorNumber         string `json:"doorNumber"`
	Floor              string `json:"floor"`
	DistrictID         *int   `json:"districtId"`
	CountyID           *int   `json:"countyId"`
	ParishID           *int   `json:"parishId"`
	ZipCode            string `json:"zipCode"`
	ZipCodeLocal       string `json:"zipCodeLocal"`
}

func (in propertyInputJSON) input(v *models.Validation) models.PropertyInput {
	return models.PropertyInput{
		PropertyTypologyID: in.PropertyTypologyID, GrossBuiltArea: in.GrossBuiltArea, YearBuilt: in.YearBuilt,
		AcquisitionAmountCents: in.AcquisitionAmount.centsPtr(v, "acquisitionAmount"), AcquisitionDate: in.AcquisitionDate,
		Address: in.Address, DoorNumber: in.DoorNumber, Floor: in.Floor,
		DistrictID: in.DistrictID, CountyID: in.CountyID, ParishID: in.ParishID, ZipCode: in.ZipCode, ZipCodeLocal: in.ZipCodeLocal,
	}
}

// propertyJSON is a property in answers.
type propertyJSON struct {
	PropertyUniqueID            string   `json:"propertyUniqueID"`
	PropertyTypologyID          *int     `json:"propertyTypologyID"`
	PropertyTypologyDescription *string  `json:"propertyTypologyDescription"`
	GrossBuiltArea              *int     `json:"grossBuiltArea"`
	YearBuilt                   *int     `json:"yearBuilt"`
	AcquisitionAmount           *float64 `json:"acquisitionAmount"`
	AcquisitionDate             *string  `json:"acquisitionDate"`
	Address                     string   `json:"address"`
	DoorNumber                  string   `json:"doorNumber"`
	Floor                       string   `json:"floor"`
	DistrictID                  *int     `json:"districtID"`
	DistrictDescription         *string  `json:"districtDescription"`
	CountyID                    *int     `json:"countyID"`
	CountyDescription           *string  `json:"countyDescription"`
	ParishID                    *int     `json:"parishID"`
	ParishDescription           *string  `json:"parishDescription"`
	ZipCode                     string   `json:"zipCode"`
	ZipCodeLocal                string   `json:"zipCodeLocal"`
}

func (d describer) property(p models.Property) propertyJSON {
	return propertyJSON{
		PropertyUniqueID: p.UUID, PropertyTypologyID: p.PropertyTypologyID,
		PropertyTypologyDescription: d.of("property-typologies", p.PropertyTypologyID),
		GrossBuiltArea:              p.GrossBuiltArea, YearBuilt: p.YearBuilt,
		AcquisitionAmount: eurosPtr(p.AcquisitionAmountCents), AcquisitionDate: date(p.AcquisitionDate),
		Address: p.Address, DoorNumber: p.DoorNumber, Floor: p.Floor,
		DistrictID: p.DistrictID, DistrictDescription: d.of(models.TaxonomyDistricts, p.DistrictID),
		CountyID: p.CountyID, CountyDescription: d.of(models.TaxonomyCounties, p.CountyID),
		ParishID: p.ParishID, ParishDescription: d.of(models.TaxonomyParishes, p.ParishID),
		ZipCode: p.ZipCode, ZipCodeLocal: p.ZipCodeLocal,
	}
}

type propertyListJSON struct {
	Properties []propertyJSON `json:"properties"`
}

// listProperties is Property List.
func (h *Handlers) listProperties(c *gin.Context) {
	list, err := h.svc.Work.ListProperties(c.Request.Context(), processID(c))
	if err != nil {
		fail(c, h.log, CategoryProperty, err)
		return
	}
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategoryProperty, err)
		return
	}
	out := propertyListJSON{Properties: make([]propertyJSON, 0, len(list))}
	for _, p := range list {
		out.Properties = append(out.Properties, d.property(p))
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

// updateProperty is Property Update (PUT: the data replaced).
func (h *Handlers) updateProperty(c *gin.Context) {
	var body propertyInputJSON
	if _, err := readJSON(c, &body); err != nil {
		fail(c, h.log, CategoryProperty, err)
		return
	}
	var v models.Validation
	in := body.input(&v)
	if err := v.Err(); err != nil {
		fail(c, h.log, CategoryProperty, err)
		return
	}
	if _, err := h.svc.Work.UpdateProperty(c.Request.Context(), processID(c), propertyID(c), in); err != nil {
		fail(c, h.log, CategoryProperty, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodePropertyUpdated)})
}
