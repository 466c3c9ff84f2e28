package sweep

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/strategies"
)

func TestParseGrid(t *testing.T) {
	tests := []struct {
		in     string
		want   []string // the values, spelled as --param takes them; nil for an error
		reason Reason
		err    string // part of the error
	}{
		{"fast=5:50:5", []string{"5", "10", "15", "20", "25", "30", "35", "40", "45", "50"}, 0, ""},
		{"fast=5:52:5", []string{"5", "10", "15", "20", "25", "30", "35", "40", "45", "50"}, 0, ""}, // stop not on the step
		{"fast=7:7:1", []string{"7"}, 0, ""},
		{" slow = 20:60:20 ", []string{"20", "40", "60"}, 0, ""},
		{"pct=0.1:0.3:0.1", []string{"0.1", "0.2", "0.3"}, 0, ""}, // inclusive despite rounding
		{"pct=0.05:0.2:0.05", []string{"0.05", "0.1", "0.15", "0.2"}, 0, ""},
		{"pct=1e-1:3e-1:1e-1", []string{"0.1", "0.2", "0.30000000000000004"}, 0, ""}, // exponent forms are not rounded
		{"fast=5,10,50", []string{"5", "10", "50"}, 0, ""},
		{"fast=50,5", []string{"50", "5"}, 0, ""}, // list order is kept
		{"fast=12", []string{"12"}, 0, ""},
		{"fast", nil, BadSyntax, "name=start:stop:step"},
		{"=1:2:1", nil, BadSyntax, "name=start:stop:step"},
		{"fast=", nil, BadSyntax, "name=start:stop:step"},
		{"fast=1:2", nil, BadSyntax, "start:stop:step"},
		{"fast=1:2:3:4", nil, BadSyntax, "start:stop:step"},
		{"fast=1:10:0", nil, BadRange, "above zero"},
		{"fast=1:10:-1", nil, BadRange, "above zero"},
		{"fast=10:1:1", nil, BadRange, "above stop"},
		{"fast=a:10:1", nil, BadSyntax, "not a number"},
		{"fast=1:10:NaN", nil, BadSyntax, "not a number"},
		{"fast=1,,2", nil, BadSyntax, "not a number"},
		{"fast=1,2,1", nil, Repeated, "twice"},
		{"fast=Inf", nil, BadSyntax, "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g, err := ParseGrid(tt.in)
			if tt.want == nil {
				var se *Error
				if !errors.As(err, &se) || se.Reason != tt.reason || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want a %v error mentioning %q", err, tt.reason, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range g.Values() {
				got = append(got, strategies.FormatValue(v))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("values %v, want %v", got, tt.want)
			}
			if int(g.Count()) != len(got) {
				t.Errorf("count %v, but %d values", g.Count(), len(got))
			}
		})
	}
}

func TestGridsSet(t *testing.T) {
	var gs Grids
	for _, s := range []string{"fast=1,2", "slow=10:30:10"} {
		if err := gs.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	if got := gs.String(); got != "fast=1,2 slow=10:30:10" {
		t.Errorf("String() = %q", got)
	}
	err := gs.Set("fast=3")
	var se *Error
	if !errors.As(err, &se) || se.Reason != Repeated || se.Grid != "fast=3" || err.Error() != "fast is swept twice" {
		t.Errorf("sweeping fast twice: %v", err)
	}
	if len(gs) != 2 {
		t.Errorf("%d grids kept, want 2", len(gs))
	}
}

func FuzzParseGrid(f *testing.F) {
	for _, s := range []string{"fast=5:50:5", "pct=0.1:0.3:0.1", "fast=1,2,3", "x=1e-1:3e-1:1e-1", "x=0:1e300:1e-300", "a=-5:5:2.5", "b="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGrid(s)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Reason == 0 {
				t.Fatalf("%q: error %v carries no Reason", s, err)
			}
			return
		}
		n := g.Count()
		if !(n >= 1) {
			t.Fatalf("%q: count %v", s, n)
		}
		if n > MaxCombinations {
			return // NewPlan refuses it before expanding
		}
		vals := g.Values()
		if len(vals) != int(n) {
			t.Fatalf("%q: %d values, count %v", s, len(vals), n)
		}
		for i, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q: value %v", s, v)
			}
			// Steps finer than float64 at these values repeat a value (NewPlan refuses that);
			// they never go backwards.
			if g.isRange && (i > 0 && v < vals[i-1]) {
				t.Fatalf("%q: values decreasing: %v", s, vals)
			}
		}
	})
}
