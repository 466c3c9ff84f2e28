package strategies

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

var builtins = []string{"bollinger", "breakout", "buyhold", "ema", "macd", "rsi", "sma"}

func TestBuiltinsRegistered(t *testing.T) {
	want := builtins
	got := Names()
	for _, n := range want {
		if !slices.Contains(got, n) {
			t.Errorf("Names() = %v, missing %s", got, n)
		}
	}
	if !slices.IsSorted(got) {
		t.Errorf("Names() = %v, not sorted", got)
	}
	for _, n := range want {
		s, ok := Lookup(n)
		if !ok || s.Name != n || s.Description == "" {
			t.Errorf("Lookup(%q) = %+v, %v", n, s, ok)
			continue
		}
		for _, sp := range append(slices.Clone(SizingParams), ExitParams...) {
			if !slices.ContainsFunc(s.Params, func(p Param) bool { return p == sp }) {
				t.Errorf("%s lacks the sizing parameter %s", n, sp.Name)
			}
		}
		// Every built-in must build from its defaults alone.
		if _, p, err := New(n, nil); err != nil || len(p) != len(s.Params) {
			t.Errorf("New(%q, nil) = %v, %v", n, p, err)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		strat   string
		raw     map[string]string
		want    Params // nil: an error is expected
		errIs   error
		errHas  []string
		wantTyp string
	}{
		{name: "defaults", strat: "sma", want: Params{"fast": 10, "slow": 30, "pct": 1, "qty": 0, "stop_loss": 0, "take_profit": 0, "trail": 0}},
		{name: "override", strat: "sma", raw: map[string]string{"fast": "5", "slow": " 50 ", "pct": "0.5"},
			want: Params{"fast": 5, "slow": 50, "pct": 0.5, "qty": 0, "stop_loss": 0, "take_profit": 0, "trail": 0}},
		{name: "float param", strat: "bollinger", raw: map[string]string{"k": "2.5"},
			want: Params{"period": 20, "k": 2.5, "pct": 1, "qty": 0, "stop_loss": 0, "take_profit": 0, "trail": 0}},
		{name: "exponent", strat: "sma", raw: map[string]string{"slow": "1e2"},
			want: Params{"fast": 10, "slow": 100, "pct": 1, "qty": 0, "stop_loss": 0, "take_profit": 0, "trail": 0}},
		{name: "unknown strategy", strat: "nope", errIs: ErrUnknownStrategy, errHas: []string{`"nope"`, "bollinger", "sma"}},
		{name: "unknown param", strat: "sma", raw: map[string]string{"fsat": "3"}, errIs: ErrBadParam,
			errHas: []string{`"fsat"`, "fast, slow, pct, qty"}},
		{name: "not a number", strat: "sma", raw: map[string]string{"fast": "ten"}, errIs: ErrBadParam,
			errHas: []string{`fast="ten"`, "whole number", "[1, 100000]"}},
		{name: "not integer", strat: "sma", raw: map[string]string{"fast": "2.5"}, errIs: ErrBadParam,
			errHas: []string{"fast=2.5", "whole number"}},
		{name: "below min", strat: "sma", raw: map[string]string{"fast": "0"}, errIs: ErrBadParam,
			errHas: []string{"fast=0", "out of range [1, 100000]"}},
		{name: "above max", strat: "rsi", raw: map[string]string{"upper": "101"}, errIs: ErrBadParam,
			errHas: []string{"upper=101", "[0, 100]"}},
		{name: "exclusive max", strat: "sma", raw: map[string]string{"stop_loss": "1"}, errIs: ErrBadParam,
			errHas: []string{"stop_loss=1", "[0, 1)"}},
		{name: "exits", strat: "sma", raw: map[string]string{"stop_loss": "0.05", "take_profit": "0.1", "trail": "0.03"},
			want: Params{"fast": 10, "slow": 30, "pct": 1, "qty": 0, "stop_loss": 0.05, "take_profit": 0.1, "trail": 0.03}},
		{name: "exclusive min", strat: "sma", raw: map[string]string{"pct": "0"}, errIs: ErrBadParam,
			errHas: []string{"pct=0", "(0, 10]"}},
		{name: "nan", strat: "sma", raw: map[string]string{"pct": "NaN"}, errIs: ErrBadParam, errHas: []string{"pct"}},
		{name: "inf", strat: "sma", raw: map[string]string{"qty": "+Inf"}, errIs: ErrBadParam, errHas: []string{"qty"}},
		{name: "fast not below slow", strat: "sma", raw: map[string]string{"fast": "30", "slow": "30"}, errIs: ErrBadParam,
			errHas: []string{"fast (30) below slow (30)"}},
		{name: "ema fast above slow", strat: "ema", raw: map[string]string{"fast": "40"}, errIs: ErrBadParam,
			errHas: []string{"fast (40) below slow (26)"}},
		{name: "macd fast above slow", strat: "macd", raw: map[string]string{"fast": "30"}, errIs: ErrBadParam},
		{name: "rsi bands crossed", strat: "rsi", raw: map[string]string{"lower": "80"}, errIs: ErrBadParam,
			errHas: []string{"lower (80) below upper (70)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p, err := New(tt.strat, tt.raw)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("New(%q, %v) succeeded with %v, want an error", tt.strat, tt.raw, p)
				}
				if !errors.Is(err, tt.errIs) {
					t.Errorf("error %q does not wrap %v", err, tt.errIs)
				}
				for _, h := range tt.errHas {
					if !strings.Contains(err.Error(), h) {
						t.Errorf("error %q does not mention %q", err, h)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q, %v): %v", tt.strat, tt.raw, err)
			}
			if s == nil || !maps.Equal(p, tt.want) {
				t.Errorf("New(%q, %v) = %v, %v; want params %v", tt.strat, tt.raw, s, p, tt.want)
			}
		})
	}
}

func TestParseParam(t *testing.T) {
	tests := []struct {
		in, name, value string
		ok              bool
	}{
		{"fast=20", "fast", "20", true},
		{" k = 2.5 ", "k", "2.5", true},
		{"a=b=c", "a", "b=c", true},
		{"fast", "", "", false},
		{"=3", "", "", false},
		{"fast=", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		n, v, err := ParseParam(tt.in)
		if (err == nil) != tt.ok || n != tt.name || v != tt.value {
			t.Errorf("ParseParam(%q) = %q, %q, %v", tt.in, n, v, err)
		}
		if err != nil && !errors.Is(err, ErrBadParam) {
			t.Errorf("ParseParam(%q) error %v does not wrap ErrBadParam", tt.in, err)
		}
	}
}

func TestParamsStringsRoundTrip(t *testing.T) {
	_, p, err := New("bollinger", map[string]string{"k": "1.75", "period": "30"})
	if err != nil {
		t.Fatal(err)
	}
	_, again, err := New("bollinger", p.Strings())
	if err != nil || !maps.Equal(p, again) {
		t.Errorf("round trip through Strings: %v -> %v (%v)", p, again, err)
	}
}

type nopStrategy struct{}

func (nopStrategy) OnBar(*engine.Env, data.Bar) error { return nil }

func TestRegisterPanics(t *testing.T) {
	okNew := func(Params) (engine.Strategy, error) { return nopStrategy{}, nil }
	Register("test-registry-once", Spec{New: okNew})
	tests := []struct {
		name string
		spec Spec
	}{
		{"", Spec{New: okNew}},
		{"test-registry-once", Spec{New: okNew}}, // duplicate
		{"test-nil-factory", Spec{}},
		{"test-dup-param", Spec{New: okNew, Params: []Param{{Name: "a", Max: 1}, {Name: "a", Max: 1}}}},
		{"test-bad-default", Spec{New: okNew, Params: []Param{{Name: "a", Default: 5, Min: 0, Max: 1}}}},
		{"test-bad-default-int", Spec{New: okNew, Params: []Param{{Name: "a", Default: 0.5, Min: 0, Max: 1, Integer: true}}}},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q, %+v) did not panic", tt.name, tt.spec)
				}
			}()
			Register(tt.name, tt.spec)
		}()
	}
	if _, ok := Lookup("test-nil-factory"); ok {
		t.Error("a rejected spec was registered")
	}
}

func TestDescribe(t *testing.T) {
	var buf bytes.Buffer
	if err := Describe(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, n := range Names() {
		s, _ := Lookup(n)
		if !strings.Contains(out, n) || !strings.Contains(out, s.Description) {
			t.Errorf("Describe output lacks %s: %q", n, s.Description)
		}
		for _, p := range s.Params {
			if !strings.Contains(out, p.Description) || !strings.Contains(out, p.Range()) {
				t.Errorf("Describe output lacks %s's %s (%s)", n, p.Name, p.Range())
			}
		}
	}
	if !strings.Contains(out, "(0, 10]") {
		t.Errorf("Describe does not show pct's open range:\n%s", out)
	}
}

// FuzzNew checks that no parameter value makes New panic, and that whatever it accepts is
// within the declared range.
func FuzzNew(f *testing.F) {
	for _, seed := range [][3]string{{"sma", "fast", "5"}, {"rsi", "lower", "2.5e1"}, {"bollinger", "k", "0x1p-3"},
		{"sma", "pct", "-0"}, {"macd", "signal", "1_000"}, {"breakout", "exit", " 7 "}, {"nope", "a", "b"}} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, name, key, value string) {
		_, p, err := New(name, map[string]string{key: value})
		if err != nil {
			if !errors.Is(err, ErrBadParam) && !errors.Is(err, ErrUnknownStrategy) {
				t.Fatalf("New(%q, %q=%q): error %v wraps neither sentinel", name, key, value, err)
			}
			return
		}
		spec, _ := Lookup(name)
		for _, d := range spec.Params {
			if err := d.check(p[d.Name]); err != nil {
				t.Fatalf("New(%q, %q=%q) accepted %v: %v", name, key, value, p, err)
			}
		}
	})
}
