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

func TestRankGroups(t *testing.T) {
	type score struct{ v, trades float64 }
	higher := func(a, b *score) int { return cmp.Compare(b.v, a.v) }
	// Group 0: enough trades; 1: a few; 2: none.
	group := func(s *score) int {
		switch {
		case s.trades == 0:
			return 2
		case s.trades < 30:
			return 1
		}
		return 0
	}
	scores := []score{{0.5, 40}, {9, 2}, {0, 0}, {1.5, 31}, {3, 29}, {-1, 0}, {1.5, 100}}
	want := []int{3, 6, 0, 1, 4, 2, 5}
	if got := RankGroups(scores, higher, group); !slices.Equal(got, want) {
		t.Errorf("RankGroups = %v, want %v", got, want)
	}
	// One group is Rank.
	one := func(*score) int { return 0 }
	if got, want := RankGroups(scores, higher, one), Rank(scores, higher); !slices.Equal(got, want) {
		t.Errorf("RankGroups with one group = %v, Rank = %v", got, want)
	}
}
