package simulation

import "testing"

func TestInstalmentPublishedCases(t *testing.T) {
	cases := []struct {
		name string
		c    int64
		tan  Rate
		n    int
		want int64
	}{
		// The usual published example: 150 000 € over 30 years at 3.5 %.
		{"150k 360m 3.5%", 15_000_000, 350_000, 360, 67_357},
		// Hand-checked with P = C·i/(1−(1+i)^−n):
		{"100k 300m 4%", 10_000_000, 400_000, 300, 52_784},     // 527.8368…
		{"200k 480m 2.125%", 20_000_000, 212_500, 480, 61_889}, // 618.8872…
		{"zero rate", 12_000_000, 0, 360, 33_333},
		{"one month", 100_000, 600_000, 1, 100_500},
	}
	for _, tc := range cases {
		if got := Instalment(tc.c, tc.tan, tc.n); got != tc.want {
			t.Errorf("%s: Instalment = %d, want %d", tc.name, got, tc.want)
		}
	}
}
