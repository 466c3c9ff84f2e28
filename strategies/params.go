package strategies

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Param describes one numeric parameter. Values must lie in [Min, Max] ((Min, Max] when
// MinExclusive is set) and be whole numbers when Integer is set.
type Param struct {
	Name, Description string
	Default, Min, Max float64
	Integer           bool
	MinExclusive      bool // Min itself is not allowed: pct must be above 0
	MaxExclusive      bool // Max itself is not allowed: a stop-loss fraction must be below 1
}

// Range spells the allowed interval as Describe and errors show it: "[1, 10000]", "(0, 10]",
// "[0, 1)".
func (p Param) Range() string {
	open := "["
	if p.MinExclusive {
		open = "("
	}
	end := "]"
	if p.MaxExclusive {
		end = ")"
	}
	return open + FormatValue(p.Min) + ", " + FormatValue(p.Max) + end
}

func (p Param) parse(s string) (float64, *ParamError) {
	v, err := ParseValue(s)
	if err != nil {
		kind := "a number"
		if p.Integer {
			kind = "a whole number"
		}
		return 0, &ParamError{Param: p.Name, Fault: NotANumber,
			Err: fmt.Errorf("%s=%q is not %s (want %s in %s)", p.Name, s, kind, kind, p.Range())}
	}
	if pe := p.check(v); pe != nil {
		return 0, pe
	}
	return v, nil
}

func (p Param) check(v float64) *ParamError {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return &ParamError{Param: p.Name, Fault: NotANumber, Err: fmt.Errorf("%s=%v is not a finite number (want %s)", p.Name, v, p.Range())}
	}
	if p.Integer && v != math.Trunc(v) {
		return &ParamError{Param: p.Name, Fault: NotWhole, Err: fmt.Errorf("%s=%v is not a whole number (want a whole number in %s)", p.Name, v, p.Range())}
	}
	if v < p.Min || v > p.Max || (p.MinExclusive && v == p.Min) || (p.MaxExclusive && v == p.Max) {
		return &ParamError{Param: p.Name, Fault: OutOfRange, Err: fmt.Errorf("%s=%v is out of range %s", p.Name, v, p.Range())}
	}
	return nil
}

// ParseValue reads a parameter value as --param, --grid and New take it: a decimal or
// exponent literal, surrounding spaces ignored. Whether it suits a parameter is Spec.Parse's
// business.
func ParseValue(s string) (float64, error) {
	return strconv.ParseFloat(strings.TrimSpace(s), 64)
}

// FormatValue spells a value as ParseValue reads it back exactly: whole numbers in full
// (1000000000, not 1e+09), others shortest. Params.Strings, reports, sweep.csv and Describe
// all use it, so that a value reads the same everywhere and can be pasted into --param.
func FormatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// RoundAsWritten rounds v, computed from the literals (start + i×step), to the most decimals
// written in any of them, so that 0.1 + 2×0.1 reads 0.3 and not 0.30000000000000004.
// Literals with an exponent say nothing about decimals: when all have one, v is left as is.
func RoundAsWritten(v float64, literals ...string) float64 {
	dec := -1
	for _, s := range literals {
		s = strings.TrimSpace(s)
		switch _, frac, ok := strings.Cut(s, "."); {
		case strings.ContainsAny(s, "eE"):
		case ok:
			dec = max(dec, len(frac))
		default:
			dec = max(dec, 0)
		}
	}
	if dec < 0 {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', dec, 64), 64)
	return r
}

// Params are a strategy's parameter values by name, complete once New has filled defaults.
type Params map[string]float64

// Get returns the named value, 0 if absent.
func (p Params) Get(name string) float64 { return p[name] }

// Int returns the named value as an int, for Integer parameters.
func (p Params) Int(name string) int { return int(p[name]) }

// Strings returns the values spelled as New parses them, for engine.Config.Params and reports.
func (p Params) Strings() map[string]string {
	out := make(map[string]string, len(p))
	for k, v := range p {
		out[k] = FormatValue(v)
	}
	return out
}

// String spells p as name=value pairs sorted by name, "fast=5 pct=1 qty=0 slow=20", to name a
// run in messages.
func (p Params) String() string {
	parts := make([]string, 0, len(p))
	for _, k := range slices.Sorted(maps.Keys(p)) {
		parts = append(parts, k+"="+FormatValue(p[k]))
	}
	return strings.Join(parts, " ")
}

// ParseParam splits a "name=value" command-line argument.
func ParseParam(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" {
		return "", "", &ParamError{Fault: Malformed, Err: fmt.Errorf("%q is not of the form name=value", s)}
	}
	return name, value, nil
}

// Fault says what is wrong with parameters, so that callers branch on a value rather than on
// the text of a message: a sweep skips the combinations a strategy Rejected and refuses the
// rest.
type Fault uint8

const (
	Malformed    Fault = iota + 1 // not of the form name=value
	UnknownParam                  // the strategy has no parameter of that name
	NotANumber                    // the value does not parse, or is NaN or infinite
	NotWhole                      // a fraction for an Integer parameter
	OutOfRange                    // outside the parameter's Range
	Rejected                      // every value valid alone, the set refused by the strategy (sma with fast >= slow)
)

func (f Fault) String() string {
	switch f {
	case Malformed:
		return "malformed"
	case UnknownParam:
		return "unknown parameter"
	case NotANumber:
		return "not a number"
	case NotWhole:
		return "not a whole number"
	case OutOfRange:
		return "out of range"
	case Rejected:
		return "rejected by the strategy"
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// ParamError is why parameters were refused. It wraps ErrBadParam and Err.
type ParamError struct {
	Strategy string // empty when refused before a strategy was known (ParseParam, Sizing.Check)
	Param    string // the parameter at fault; empty when a set is Rejected as a whole
	Fault    Fault
	Err      error // what is wrong, without the strategy's name: "sma needs fast (10) below slow (10)"
}

func (e *ParamError) Error() string {
	var b strings.Builder
	if e.Strategy != "" {
		b.WriteString("strategy " + e.Strategy + ": ")
	}
	// A factory's own "bad parameter: ..." error is not prefixed twice.
	if !errors.Is(e.Err, ErrBadParam) {
		b.WriteString(ErrBadParam.Error() + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParamError) Unwrap() []error { return []error{ErrBadParam, e.Err} }

// Rejectf is how a Factory refuses values that are invalid together: a *ParamError of Fault
// Rejected, whose message New prefixes with the strategy's name.
func Rejectf(format string, args ...any) error {
	return &ParamError{Fault: Rejected, Err: fmt.Errorf(format, args...)}
}
