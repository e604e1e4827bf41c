package models

import (
	"bytes"
	"encoding/json"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// The pure rules of partner callbacks: names and data schemas of the
// notification types, the subscription input, the payload of an event and
// the retry delays.

// callbackField is one key of a type's data: its JSON kind and whether it
// must be present.
type callbackField struct {
	kind     string // "uuid", "integer", "string"
	required bool
}

// callbackType describes one notification type.
type callbackType struct {
	name    string
	subject string // "process" or "simulation": which id an echo names
	fields  map[string]callbackField
}

var (
	reqUUID = callbackField{"uuid", true}
	reqInt  = callbackField{"integer", true}
	optInt  = callbackField{"integer", false}
	optUUID = callbackField{"uuid", false}
	reqStr  = callbackField{"string", true}
)

var callbackTypes = map[int]callbackType{
	NotificationProcessStatusChanged: {"process.status_changed", "process", map[string]callbackField{
		"processUniqueId": reqUUID, "processNumber": reqInt, "fromStatusId": reqInt, "toStatusId": reqInt}},
	NotificationProcessMessageCreated: {"process.message_created", "process", map[string]callbackField{
		"processUniqueId": reqUUID, "processNumber": reqInt, "messageUniqueId": reqUUID, "seq": optInt, "authorKind": reqStr}},
	NotificationSimulationStatusChanged: {"simulation.status_changed", "simulation", map[string]callbackField{
		"simulationUniqueId": reqUUID, "simulationNumber": reqInt, "fromStatusId": reqInt, "toStatusId": reqInt}},
	NotificationSimulationMessageCreated: {"simulation.message_created", "simulation", map[string]callbackField{
		"simulationUniqueId": reqUUID, "simulationNumber": reqInt, "messageUniqueId": reqUUID, "seq": optInt, "authorKind": reqStr}},
	NotificationDocumentsRequested: {"documents.requested", "process", map[string]callbackField{
		"processUniqueId": reqUUID, "processNumber": reqInt, "documentRequestUniqueId": reqUUID}},
	NotificationEsisIssued: {"esis.issued", "simulation", map[string]callbackField{
		"simulationUniqueId": reqUUID, "simulationNumber": reqInt, "esisUniqueId": reqUUID,
		"processUniqueId": optUUID, "processNumber": optInt}},
}

// CallbackTypeName is the payload "type" of a notification type ("" when
// unknown).
func CallbackTypeName(typeID int) string { return callbackTypes[typeID].name }

// CallbackSubject is which id an echo of typeID names: "process" or
// "simulation" ("" when unknown).
func CallbackSubject(typeID int) string { return callbackTypes[typeID].subject }

// ValidCallbackType reports whether typeID is a notification type.
func ValidCallbackType(typeID int) bool { _, ok := callbackTypes[typeID]; return ok }

// ValidateCallbackInput checks Callback Update's body: an absolute https URL
// with a host that is not, by its literal form, loopback, private,
// link-local or unspecified (names are checked after DNS when sending), and
// a one-line description. allowLoopback (tests and development only) lets
// 127.0.0.0/8, ::1 and localhost through.
func ValidateCallbackInput(in CallbackInput, allowLoopback bool) error {
	var v Validation
	if !callbackURLOK(in.URL, allowLoopback) {
		v.Add("url", "callback.url.invalid", nil)
	}
	if utf8.RuneCountInString(in.Description) > MaxCallbackDesc || strings.ContainsAny(in.Description, "\r\n") {
		v.Add("description", "callback.description.invalid", Args{"Max": MaxCallbackDesc})
	}
	return v.Err()
}

func callbackURLOK(raw string, allowLoopback bool) bool {
	if raw == "" || len(raw) > MaxCallbackURL || strings.TrimSpace(raw) != raw {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Opaque != "" {
		return false
	}
	host := u.Hostname()
	if host == "" {
		return false
	}
	if lower := strings.ToLower(host); lower == "localhost" || strings.HasSuffix(lower, ".localhost") {
		return allowLoopback
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if ip.IsLoopback() {
			return allowLoopback
		}
		if ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
			ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
			return false
		}
	} else if net.ParseIP(host) != nil {
		return false
	}
	return true
}

// ValidateCallbackData checks data against typeID's schema: an object with
// every required key, each key of its kind, and no other key.
func ValidateCallbackData(typeID int, data json.RawMessage) error {
	t, ok := callbackTypes[typeID]
	if !ok {
		return Invalid("notificationTypeID", "callback.type.invalid", nil)
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if len(bytes.TrimSpace(data)) == 0 || bytes.TrimSpace(data)[0] != '{' || dec.Decode(&obj) != nil || dec.More() {
		return Invalid("rawBody", "callback.rawbody.object", nil)
	}
	var v Validation
	for key := range obj {
		if _, known := t.fields[key]; !known {
			v.Add("rawBody."+key, "callback.rawbody.unknown", Args{"Key": key})
		}
	}
	for key, f := range t.fields {
		raw, present := obj[key]
		if !present {
			if f.required {
				v.Add("rawBody."+key, "callback.rawbody.required", Args{"Key": key})
			}
			continue
		}
		if !fieldKindOK(f.kind, raw) {
			v.Add("rawBody."+key, "callback.rawbody.kind", Args{"Key": key, "Kind": f.kind})
		}
	}
	return v.Err()
}

func fieldKindOK(kind string, raw json.RawMessage) bool {
	switch kind {
	case "integer":
		if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
			return false // a string holding digits is not a number
		}
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return false
		}
		_, err := n.Int64()
		return err == nil
	case "uuid", "string":
		var s string
		if json.Unmarshal(raw, &s) != nil || s == "" {
			return false
		}
		if kind == "uuid" {
			return isUUID(s)
		}
		return len(s) <= 64
	}
	return false
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// CallbackNumbers are the numbers an event's payload names, looked up by
// the store.
type CallbackNumbers struct {
	ProcessNumber    int64
	SimulationNumber int64
}

// CallbackData is the data of ev's payload: ids, numbers and what changed,
// never text or personal data. It fits ValidateCallbackData of its type.
func CallbackData(ev Event, n CallbackNumbers) (json.RawMessage, int, error) {
	typeID := NotificationTypeOf(ev.Kind)
	d := map[string]any{}
	switch typeID {
	case NotificationProcessStatusChanged:
		d = map[string]any{"processUniqueId": ev.ProcessUUID, "processNumber": n.ProcessNumber,
			"fromStatusId": ev.FromStatusID, "toStatusId": ev.ToStatusID}
	case NotificationProcessMessageCreated:
		d = map[string]any{"processUniqueId": ev.ProcessUUID, "processNumber": n.ProcessNumber,
			"messageUniqueId": ev.MessageUUID, "authorKind": string(ev.AuthorKind)}
		if ev.Seq > 0 {
			d["seq"] = ev.Seq
		}
	case NotificationSimulationStatusChanged:
		d = map[string]any{"simulationUniqueId": ev.SimulationUUID, "simulationNumber": n.SimulationNumber,
			"fromStatusId": ev.FromStatusID, "toStatusId": ev.ToStatusID}
	case NotificationSimulationMessageCreated:
		d = map[string]any{"simulationUniqueId": ev.SimulationUUID, "simulationNumber": n.SimulationNumber,
			"messageUniqueId": ev.MessageUUID, "authorKind": string(ev.AuthorKind)}
		if ev.Seq > 0 {
			d["seq"] = ev.Seq
		}
	case NotificationDocumentsRequested:
		d = map[string]any{"processUniqueId": ev.ProcessUUID, "processNumber": n.ProcessNumber,
			"documentRequestUniqueId": ev.DocumentRequestUUID}
	case NotificationEsisIssued:
		d = map[string]any{"simulationUniqueId": ev.SimulationUUID, "simulationNumber": n.SimulationNumber,
			"esisUniqueId": ev.EsisUUID}
		if ev.ProcessUUID != "" {
			d["processUniqueId"], d["processNumber"] = ev.ProcessUUID, n.ProcessNumber
		}
	default:
		return nil, 0, Invalid("kind", "callback.type.invalid", nil)
	}
	b, err := json.Marshal(d)
	return b, typeID, err
}

// CallbackBody is the JSON body of a delivery of data of typeID at ts.
func CallbackBody(typeID int, ts time.Time, data json.RawMessage) ([]byte, error) {
	return json.Marshal(CallbackPayload{Type: CallbackTypeName(typeID), NotificationTypeID: typeID,
		Timestamp: ts.UTC(), Data: data})
}

// CallbackRetryDelay is the wait after failed attempt n (from 1) under
// schedule, jittered by up to ±10 % with r in [0,1); false after the last.
func CallbackRetryDelay(schedule []time.Duration, n int, r float64) (time.Duration, bool) {
	if n < 1 || n > len(schedule) {
		return 0, false
	}
	base := schedule[n-1]
	return base + time.Duration((r*2-1)*0.1*float64(base)), true
}

func init() {
	for k, v := range map[string]string{
		"callback.url.invalid":         "The URL must be an absolute https URL of a public host, at most 2000 characters.",
		"callback.description.invalid": "The description must be one line of at most {{.Max}} characters.",
		"callback.type.invalid":        "This is not a notification type (see the notification-types list).",
		"callback.rawbody.object":      "rawBody must be a JSON object.",
		"callback.rawbody.unknown":     "rawBody has a key this notification type does not have: {{.Key}}.",
		"callback.rawbody.required":    "rawBody needs the key {{.Key}}.",
		"callback.rawbody.kind":        "rawBody's {{.Key}} must be a {{.Kind}}.",
		"callback.offset.invalid":      "The offset must be 0 or more.",
		"callback.limit.invalid":       "The limit must be between 1 and {{.Max}}.",
		"callback.cursor.invalid":      "Invalid page cursor.",
		"callback.echo.one_id":         "Give exactly one of processUniqueId and simulationUniqueId.",
		"callback.echo.process_id":     "This notification type is about a process: give processUniqueId.",
		"callback.echo.simulation_id":  "This notification type is about a simulation: give simulationUniqueId.",
	} {
		englishText[k] = v
	}
}
