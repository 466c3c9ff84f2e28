package sweep

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/strategies"
)

func TestNewPlan(t *testing.T) {
	p := mustPlan(t, "sma", map[string]string{"pct": "0.5"}, "fast=5,10,20", "slow=10:30:10")
	// The first grid varies slowest; fast >= slow is skipped and counted.
	var got []string
	for i, r := range p.Runs {
		got = append(got, strategies.FormatValue(r.Params["fast"])+"/"+strategies.FormatValue(r.Params["slow"]))
		if r.Index != i {
			t.Errorf("run %d has index %d", i, r.Index)
		}
		if r.Params["pct"] != 0.5 || r.Params["qty"] != 0 {
			t.Errorf("run %v lost the fixed or default parameters", r.Params)
		}
	}
	want := []string{"5/10", "5/20", "5/30", "10/20", "10/30", "20/30"}
	if !slices.Equal(got, want) {
		t.Errorf("combinations %v, want %v", got, want)
	}
	if p.Combinations != 9 || p.Rejected != 3 {
		t.Errorf("combinations %d rejected %d, want 9 and 3", p.Combinations, p.Rejected)
	}
	// The reason is a typed value, read without trimming any message.
	if r := p.Rejection; r == nil || r.Fault != strategies.Rejected || r.Err.Error() != "sma needs fast (10) below slow (10)" {
		t.Errorf("rejection %#v", p.Rejection)
	}
	// The axes first, then the strategy's other parameters in its Spec's order.
	if !slices.Equal(p.Columns[:4], []string{"fast", "slow", "pct", "qty"}) || len(p.Columns) != len(smaParams()) {
		t.Errorf("columns %v", p.Columns)
	}
	if len(p.Fixed) != len(p.Columns)-2 || p.Fixed["pct"] != 0.5 || p.Fixed["qty"] != 0 {
		t.Errorf("fixed %v", p.Fixed)
	}
	if len(p.Axes) != 2 || !slices.Equal(p.Axes[1].Values, []string{"10", "20", "30"}) {
		t.Errorf("axes %v", p.Axes)
	}
	// Every run gets a strategy of its own: they run in parallel.
	a, err1 := p.Build(p.Runs[0])
	b, err2 := p.Build(p.Runs[0])
	if err1 != nil || err2 != nil || a == b {
		t.Errorf("Build: %v %v, shared %v", err1, err2, a == b)
	}

	// Three axes: the product of the three.
	p = mustPlan(t, "sma", nil, "fast=1,2", "slow=10,20,30", "pct=0.5,1")
	if p.Combinations != 12 || len(p.Runs) != 12 || p.Runs[1].Params["pct"] != 1 || p.Runs[2].Params["slow"] != 20 {
		t.Errorf("three axes: combinations %d, runs %d, second %v", p.Combinations, len(p.Runs), p.Runs[1].Params)
	}
	if p.Rejection != nil {
		t.Errorf("rejection %v with none rejected", p.Rejection)
	}
}

func TestNewPlanErrors(t *testing.T) {
	tests := []struct {
		name     string
		strategy string
		fixed    map[string]string
		grids    []string
		reason   Reason // 0: an error of the strategies package
		is       error
		want     string
	}{
		{"no grid", "sma", nil, nil, NoGrid, nil, "no grid"},
		{"unknown strategy", "nope", nil, []string{"fast=1,2"}, 0, strategies.ErrUnknownStrategy, "sma"},
		{"unknown param", "sma", nil, []string{"speed=1:3:1"}, UnknownParam, nil, `speed=1:3:1: strategy sma has no parameter "speed" (it has fast, slow, pct, qty`},
		{"below min", "sma", nil, []string{"fast=0:10:5"}, BadValue, strategies.ErrBadParam, "fast=0:10:5: strategy sma: bad parameter: fast=0 is out of range"},
		{"above max", "sma", nil, []string{"slow=99990:100010:10"}, BadValue, strategies.ErrBadParam, "out of range"},
		{"not whole", "sma", nil, []string{"fast=1.5,2"}, BadValue, strategies.ErrBadParam, "whole number"},
		{"not whole step", "sma", nil, []string{"fast=1:3:0.5"}, BadValue, strategies.ErrBadParam, "whole number"},
		{"too many", "sma", nil, []string{"fast=1:100:1", "slow=2:1000:1"}, TooMany, nil, "slow=2:1000:1: the grid has more than 10000"},
		{"too many alone", "sma", nil, []string{"fast=1:1e9:1"}, TooMany, nil, "10000"},
		{"also fixed", "sma", map[string]string{"fast": "5"}, []string{"fast=1,2"}, AlsoFixed, nil, "fast=1,2: fast is also fixed"},
		{"bad fixed", "sma", map[string]string{"speed": "5"}, []string{"fast=1,2"}, 0, strategies.ErrBadParam, "speed"},
		{"all invalid", "sma", nil, []string{"fast=50,60", "slow=20,30"}, AllRejected, nil,
			"every one of the 4 combinations is invalid, for example: sma needs fast (50) below slow (20)"},
		{"step below resolution", "sma", nil, []string{"pct=0.5:0.5000000000000002:4e-17"}, TooFine, nil, "too fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gs Grids
			for _, s := range tt.grids {
				if err := gs.Set(s); err != nil {
					t.Fatal(err)
				}
			}
			_, err := NewPlan(tt.strategy, tt.fixed, gs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			var se *Error
			switch {
			case tt.reason == 0 && errors.As(err, &se):
				t.Errorf("err %v is a sweep error (%v), want the strategies package's own", err, se.Reason)
			case tt.reason != 0 && (!errors.As(err, &se) || se.Reason != tt.reason):
				t.Errorf("err %v (%T), want reason %v", err, err, tt.reason)
			case se != nil && len(tt.grids) > 0 && tt.reason != AllRejected && !slices.Contains(tt.grids, se.Grid):
				t.Errorf("err names grid %q, want one of %v", se.Grid, tt.grids)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err %v does not wrap %v", err, tt.is)
			}
		})
	}
}
