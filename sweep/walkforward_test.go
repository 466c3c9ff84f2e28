package sweep

import (
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

func TestParseWalkSpec(t *testing.T) {
	for in, want := range map[string]WalkSpec{
		"train=252,test=63":                  {252, 63, 63, false},
		"train=10, test=5, step=7, anchored": {10, 5, 7, true},
	} {
		got, err := ParseWalkSpec(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "train=10", "test=5", "train=10,test=5,step=4", "train=0,test=5", "train=10,test=5,size=3", "train=x,test=5"} {
		if _, err := ParseWalkSpec(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestWindows(t *testing.T) {
	got := WalkSpec{Train: 4, Test: 2, Step: 2}.Windows(11)
	want := []Window{{0, 0, 3, 4, 5}, {1, 2, 5, 6, 7}, {2, 4, 7, 8, 9}, {3, 6, 9, 10, 10}}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("window %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, w := range got {
		if w.TestStart != w.TrainEnd+1 {
			t.Fatalf("%v: a test span does not follow its train span", w)
		}
	}
	a := WalkSpec{Train: 4, Test: 3, Step: 3, Anchored: true}.Windows(10)
	if len(a) != 2 || a[1].TrainStart != 0 || a[1].TrainEnd != 6 || a[1].TestEnd != 9 {
		t.Fatalf("anchored: %v", a)
	}
	if w := (WalkSpec{Train: 10, Test: 2, Step: 2}).Windows(10); len(w) != 0 {
		t.Fatalf("no day after the train span, yet windows %v", w)
	}
}

func TestDays(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	at := func(d, h int) data.Bar {
		return data.Bar{Symbol: "A", Time: time.Date(2024, 1, d, h, 0, 0, 0, ny)}
	}
	// 23:00 in New York is the next day in UTC: dates are New York's.
	bars := []data.Bar{at(2, 10), at(2, 23), at(3, 9), at(5, 12), at(5, 13)}
	dates, starts := Days(bars)
	if len(dates) != 3 || dates[1].Day() != 3 || len(starts) != 4 || starts[1] != 2 || starts[2] != 3 || starts[3] != 5 {
		t.Fatalf("dates %v starts %v", dates, starts)
	}
}
