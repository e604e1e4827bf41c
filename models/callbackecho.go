package models

import (
	"bytes"
	"encoding/json"
	"strings"
)

func init() {
	englishText["callback_echo.one_id"] = "Give exactly one of processUniqueId and simulationUniqueId."
}

// CheckCallbackEcho checks the shape of Callback Echo's request before
// anything is looked up: a notification type, exactly one of the process and
// the simulation, and a raw body that is one JSON object. Whether the body
// fits the type's payload schema, and whether the ids are the caller's, is
// the service's to say (CallbackService.EchoCallback).
func CheckCallbackEcho(in CallbackEcho) error {
	var v Validation
	if in.NotificationTypeID == 0 {
		v.Add("notificationTypeID", "field.required", Args{"Field": "notificationTypeID"})
	}
	process, simulation := strings.TrimSpace(in.ProcessUUID) != "", strings.TrimSpace(in.SimulationUUID) != ""
	switch {
	case process && simulation:
		v.Add("processUniqueId", "callback_echo.one_id", nil)
		v.Add("simulationUniqueId", "callback_echo.one_id", nil)
	case !process && !simulation:
		v.Add("processUniqueId", "callback_echo.one_id", nil)
	}
	raw := bytes.TrimSpace(in.RawBody)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		v.Add("rawBody", "field.required", Args{"Field": "rawBody"})
	case raw[0] != '{' || !json.Valid(raw):
		v.Add("rawBody", "field.json_type", Args{"Field": "rawBody", "Type": "object"})
	}
	return v.Err()
}
