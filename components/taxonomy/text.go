package taxonomy

// T holds the cascade's user-visible strings.
var T = struct {
	Legend, District, County, Parish, ChooseDistrict, ChooseCounty, ChooseParish string
	DistrictFirst, CountyFirst, Update, Loading                                  string
}{
	Legend:         "Location",
	District:       "District or autonomous region",
	County:         "Municipality",
	Parish:         "Parish",
	ChooseDistrict: "Choose a district",
	ChooseCounty:   "Choose a municipality",
	ChooseParish:   "Choose a parish",
	DistrictFirst:  "Choose a district first",
	CountyFirst:    "Choose a municipality first",
	Update:         "Show municipalities and parishes",
	Loading:        "Loading…",
}

// Lang is the language of the descriptions the views show (the UI's).
const Lang = "en"
