package strategies

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/engine"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{5, "5"}, {0, "0"}, {-3, "-3"}, {0.5, "0.5"}, {1e9, "1000000000"}, {1e15, "1e+15"},
		{0.30000000000000004, "0.30000000000000004"}, {1.5e-7, "1.5e-07"},
	}
	for _, tt := range tests {
		got := FormatValue(tt.v)
		if got != tt.want {
			t.Errorf("FormatValue(%v) = %q, want %q", tt.v, got, tt.want)
		}
		if back, err := ParseValue(got); err != nil || back != tt.v {
			t.Errorf("ParseValue(%q) = %v, %v; want %v back", got, back, err, tt.v)
		}
	}
}

func TestRoundAsWritten(t *testing.T) {
	tests := []struct {
		v        float64
		literals []string
		want     float64
	}{
		{0.1 + 2*0.1, []string{"0.1", "0.1"}, 0.3},
		{0.05 + 3*0.05, []string{"0.05", "0.05"}, 0.2},
		{5 + 2*2.5, []string{"5", "2.5"}, 10},
		{0.1 + 2*0.1, []string{"1e-1", "1e-1"}, 0.1 + 2*0.1}, // exponent forms: left as is
		{0.1 + 2*0.1, []string{"1e-1", "0.1"}, 0.3},          // the other literal's decimals count
		{1.23456, []string{"1", "2E0"}, 1},
		{7, []string{" 7 ", "1"}, 7},
	}
	for _, tt := range tests {
		if got := RoundAsWritten(tt.v, tt.literals...); got != tt.want {
			t.Errorf("RoundAsWritten(%v, %q) = %v, want %v", tt.v, tt.literals, got, tt.want)
		}
	}
}

func TestParamsString(t *testing.T) {
	p := Params{"slow": 20, "fast": 5, "pct": 0.5, "qty": 1e9}
	if got, want := p.String(), "fast=5 pct=0.5 qty=1000000000 slow=20"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// Callers branch on the Fault of a refusal, never on its text.
func TestParamErrorFault(t *testing.T) {
	tests := []struct {
		strat string
		raw   map[string]string
		param string
		fault Fault
		msg   string // the whole message, as it has always read
	}{
		{"sma", map[string]string{"fsat": "3"}, "fsat", UnknownParam,
			`strategy sma: bad parameter: unknown parameter "fsat": valid parameters are fast, slow, pct, qty, stop_loss, take_profit, trail`},
		{"sma", map[string]string{"fast": "ten"}, "fast", NotANumber,
			`strategy sma: bad parameter: fast="ten" is not a whole number (want a whole number in [1, 100000])`},
		{"sma", map[string]string{"pct": "NaN"}, "pct", NotANumber, "strategy sma: bad parameter: pct=NaN is not a finite number (want (0, 10])"},
		{"sma", map[string]string{"fast": "2.5"}, "fast", NotWhole,
			"strategy sma: bad parameter: fast=2.5 is not a whole number (want a whole number in [1, 100000])"},
		{"rsi", map[string]string{"upper": "101"}, "upper", OutOfRange, "strategy rsi: bad parameter: upper=101 is out of range [0, 100]"},
		{"sma", map[string]string{"fast": "30", "slow": "30"}, "", Rejected, "strategy sma: bad parameter: sma needs fast (30) below slow (30)"},
		{"rsi", map[string]string{"lower": "80"}, "", Rejected, "strategy rsi: bad parameter: rsi needs lower (80) below upper (70)"},
	}
	for _, tt := range tests {
		_, _, err := New(tt.strat, tt.raw)
		var pe *ParamError
		if !errors.As(err, &pe) || !errors.Is(err, ErrBadParam) {
			t.Errorf("New(%s, %v) = %v (%T), want a *ParamError wrapping ErrBadParam", tt.strat, tt.raw, err, err)
			continue
		}
		if pe.Strategy != tt.strat || pe.Param != tt.param || pe.Fault != tt.fault || err.Error() != tt.msg {
			t.Errorf("New(%s, %v) = {%q %q %v} %q, want {%q %q %v} %q", tt.strat, tt.raw, pe.Strategy, pe.Param, pe.Fault, err,
				tt.strat, tt.param, tt.fault, tt.msg)
		}
	}
	if _, _, err := ParseParam("fast"); !strings.HasPrefix(err.Error(), "bad parameter: ") {
		t.Errorf("ParseParam: %v", err)
	}
}

// A factory of someone else's that returns a plain error, or its own "bad parameter: ...",
// still gets a Rejected ParamError whose message says "bad parameter" once.
func TestBuildWrapsFactoryErrors(t *testing.T) {
	tests := []struct {
		err error
		msg string
	}{
		{errors.New("a and b clash"), "strategy mine: bad parameter: a and b clash"},
		{fmt.Errorf("%w: a and b clash", ErrBadParam), "strategy mine: bad parameter: a and b clash"},
		{Rejectf("a and b clash"), "strategy mine: bad parameter: a and b clash"},
	}
	for _, tt := range tests {
		spec := Spec{Name: "mine", New: func(Params) (engine.Strategy, error) { return nil, tt.err }}
		_, err := spec.Build(nil)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Fault != Rejected || err.Error() != tt.msg {
			t.Errorf("Build with %q: %v, want %q of Fault Rejected", tt.err, err, tt.msg)
		}
	}
}
