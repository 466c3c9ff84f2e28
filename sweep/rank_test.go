package sweep

import (
	"cmp"
	"math"
	"slices"
	"testing"
)

func TestRank(t *testing.T) {
	higher := func(a, b *float64) int { return cmp.Compare(*b, *a) }
	nearZero := func(a, b *float64) int { return cmp.Compare(math.Abs(*a), math.Abs(*b)) }
	tests := []struct {
		name   string
		scores []float64
		cmp    func(a, b *float64) int
		want   []int
	}{
		{"higher first", []float64{0.5, 2, -1, 1.5}, higher, []int{1, 3, 0, 2}},
		{"ties keep plan order", []float64{1, 2, 1, 2}, higher, []int{1, 3, 0, 2}},
		{"nearer zero first", []float64{-0.3, -0.05, -0.2, 0}, nearZero, []int{3, 1, 2, 0}},
		{"empty", nil, higher, []int{}},
	}
	for _, tt := range tests {
		if got := Rank(tt.scores, tt.cmp); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Rank(%v) = %v, want %v", tt.name, tt.scores, got, tt.want)
		}
	}
}
