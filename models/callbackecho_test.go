package models

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestCheckCallbackEcho(t *testing.T) {
	const p, s = "5a0c2d0e-0f51-4c3e-9d59-0c3a9a3f7b11", "9b8f4c1e-2a6d-4f0b-8e7a-3d2c1b0a9f88"
	obj := json.RawMessage(`{"processUniqueID":"x"}`)
	cases := []struct {
		name   string
		in     CallbackEcho
		fields []string // the invalid fields, in order; none: valid
	}{
		{"a process", CallbackEcho{NotificationTypeID: 1, ProcessUUID: p, RawBody: obj}, nil},
		{"a simulation", CallbackEcho{NotificationTypeID: 3, SimulationUUID: s, RawBody: obj}, nil},
		{"both ids", CallbackEcho{NotificationTypeID: 1, ProcessUUID: p, SimulationUUID: s, RawBody: obj},
			[]string{"processUniqueId", "simulationUniqueId"}},
		{"no id", CallbackEcho{NotificationTypeID: 1, RawBody: obj}, []string{"processUniqueId"}},
		{"blank ids are none", CallbackEcho{NotificationTypeID: 1, ProcessUUID: " ", SimulationUUID: "\t", RawBody: obj},
			[]string{"processUniqueId"}},
		{"no type", CallbackEcho{ProcessUUID: p, RawBody: obj}, []string{"notificationTypeID"}},
		{"no body", CallbackEcho{NotificationTypeID: 1, ProcessUUID: p}, []string{"rawBody"}},
		{"null body", CallbackEcho{NotificationTypeID: 1, ProcessUUID: p, RawBody: json.RawMessage(" null ")}, []string{"rawBody"}},
		{"an array", CallbackEcho{NotificationTypeID: 1, ProcessUUID: p, RawBody: json.RawMessage(`[1]`)}, []string{"rawBody"}},
		{"a string", CallbackEcho{NotificationTypeID: 1, ProcessUUID: p, RawBody: json.RawMessage(`"{}"`)}, []string{"rawBody"}},
		{"everything wrong", CallbackEcho{RawBody: json.RawMessage(`7`)},
			[]string{"notificationTypeID", "processUniqueId", "rawBody"}},
	}
	for _, tc := range cases {
		err := CheckCallbackEcho(tc.in)
		var got []string
		for _, f := range AsError(err).Fields {
			got = append(got, f.Field)
			if f.Message() == f.Key {
				t.Errorf("%s: %s has no English text", tc.name, f.Key)
			}
		}
		if tc.fields == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if ErrorCode(err) != CodeInvalid || !slices.Equal(got, tc.fields) {
			t.Errorf("%s: %v %v, want invalid %v", tc.name, err, got, tc.fields)
		}
	}
}
