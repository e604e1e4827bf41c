package models_test

import (
	"testing"

	"portal/models"
	"portal/models/simulation"
)

func TestParsePercent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want simulation.Rate
		ok   bool
	}{
		{"1,234", 123400, true},
		{"1.234", 123400, true},
		{" 2,5 % ", 250000, true},
		{"3", 300000, true},
		{"3%", 300000, true},
		{"0,001", 100, true},
		{"-0,5", -50000, true},
		{"−0,25", -25000, true},
		{"+1,1", 110000, true},
		{"12,30", 1230000, true},
		{"1,2345", 0, false}, // four decimals
		{"1,", 0, false},
		{",5", 0, false},
		{"", 0, false},
		{"%", 0, false},
		{"1.234,5", 0, false}, // two marks
		{"1 234", 0, false},
		{"abc", 0, false},
		{"1e3", 0, false},
		{"12345", 0, false},
		{"--1", 0, false},
	} {
		got, ok := models.ParsePercent(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParsePercent(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
