package data

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func rg(a, b int) Range {
	return Range{t0.Add(time.Duration(a) * time.Hour), t0.Add(time.Duration(b) * time.Hour)}
}

func TestRangesAdd(t *testing.T) {
	tests := []struct {
		name string
		adds []Range
		want Ranges
	}{
		{"single", []Range{rg(1, 2)}, Ranges{rg(1, 2)}},
		{"disjoint sorted", []Range{rg(5, 6), rg(1, 2)}, Ranges{rg(1, 2), rg(5, 6)}},
		{"touching merge", []Range{rg(1, 2), rg(2, 3)}, Ranges{rg(1, 3)}},
		{"overlap merge", []Range{rg(1, 4), rg(3, 6)}, Ranges{rg(1, 6)}},
		{"bridge", []Range{rg(1, 2), rg(5, 6), rg(2, 5)}, Ranges{rg(1, 6)}},
		{"inside", []Range{rg(1, 10), rg(3, 4)}, Ranges{rg(1, 10)}},
		{"empty ignored", []Range{rg(1, 2), rg(3, 3)}, Ranges{rg(1, 2)}},
		{"cover all", []Range{rg(2, 3), rg(5, 6), rg(0, 9)}, Ranges{rg(0, 9)}},
	}
	for _, tt := range tests {
		var got Ranges
		for _, r := range tt.adds {
			got = got.Add(r)
		}
		if got.String() != tt.want.String() {
			t.Errorf("%s: got %v want %v", tt.name, got, tt.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestRangesMissing(t *testing.T) {
	have := Ranges{rg(2, 4), rg(6, 8)}
	tests := []struct {
		want Range
		miss Ranges
	}{
		{rg(0, 10), Ranges{rg(0, 2), rg(4, 6), rg(8, 10)}},
		{rg(2, 4), nil},
		{rg(3, 7), Ranges{rg(4, 6)}},
		{rg(0, 1), Ranges{rg(0, 1)}},
		{rg(8, 9), Ranges{rg(8, 9)}},
		{rg(6, 8), nil},
	}
	for _, tt := range tests {
		got := have.Missing(tt.want)
		if got.String() != tt.miss.String() {
			t.Errorf("Missing(%v) = %v want %v", tt.want, got, tt.miss)
		}
		if have.Covers(tt.want) != (len(tt.miss) == 0) {
			t.Errorf("Covers(%v) wrong", tt.want)
		}
	}
}

// A random property check: the normal form covers exactly the hours that were added.
func TestRangesProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 500; iter++ {
		var rs Ranges
		var raw []Range
		covered := make([]bool, 60)
		for k := 0; k < 1+r.IntN(8); k++ {
			a := r.IntN(50)
			b := a + r.IntN(10)
			rs = rs.Add(rg(a, b))
			raw = append(raw, rg(a, b))
			for h := a; h < b; h++ {
				covered[h] = true
			}
		}
		if err := rs.Validate(); err != nil {
			t.Fatal(err)
		}
		if Normalize(raw).String() != rs.String() {
			t.Fatalf("Normalize differs from Add: %v vs %v", Normalize(raw), rs)
		}
		for h := 0; h < 60; h++ {
			if rs.Covers(rg(h, h+1)) != covered[h] {
				t.Fatalf("hour %d: covers=%v want %v (%v)", h, !covered[h], covered[h], rs)
			}
		}
		miss := rs.Missing(rg(0, 60))
		for _, m := range miss {
			for h := int(m.Start.Sub(t0).Hours()); h < int(m.End.Sub(t0).Hours()); h++ {
				if covered[h] {
					t.Fatalf("missing %v includes covered hour %d", m, h)
				}
			}
		}
	}
}
