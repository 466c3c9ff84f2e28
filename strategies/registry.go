package strategies

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/barkeep-trading/barkeep/engine"
)

// ErrUnknownStrategy is wrapped by New when no strategy has the name asked for.
var ErrUnknownStrategy = errors.New("unknown strategy")

// ErrBadParam is wrapped by New when a parameter is unknown, malformed or out of range, or when
// the strategy rejects the combination (for example sma with fast >= slow).
var ErrBadParam = errors.New("bad parameter")

// Factory builds a strategy from complete, validated parameters: every parameter of its Spec
// is present and within range. It returns an error (New wraps it in ErrBadParam) for
// combinations that are invalid together.
type Factory func(p Params) (engine.Strategy, error)

// Spec describes a strategy: what Describe prints, what New validates, and how to build it.
type Spec struct {
	Name        string // filled in by Register
	Description string
	Params      []Param
	New         Factory
}

var (
	mu       sync.RWMutex
	registry = map[string]Spec{}
)

// Register makes a strategy available by name. It panics if name is empty or already
// registered, if s.New is nil, or if a parameter is malformed (a duplicate name, a default
// outside its own range): these are programming errors, found at init.
func Register(name string, s Spec) {
	if name == "" {
		panic("strategies: Register with an empty name")
	}
	if s.New == nil {
		panic("strategies: Register " + name + " with a nil Factory")
	}
	seen := map[string]bool{}
	for _, p := range s.Params {
		if p.Name == "" || seen[p.Name] {
			panic(fmt.Sprintf("strategies: Register %s: empty or duplicate parameter name %q", name, p.Name))
		}
		seen[p.Name] = true
		if err := p.check(p.Default); err != nil {
			panic(fmt.Sprintf("strategies: Register %s: default of %s: %v", name, p.Name, err))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic("strategies: Register called twice for " + name)
	}
	s.Name = name
	s.Params = slices.Clone(s.Params)
	registry[name] = s
}

// Names returns the registered strategy names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the Spec registered under name.
func Lookup(name string) (Spec, bool) {
	mu.RLock()
	defer mu.RUnlock()
	s, ok := registry[name]
	if ok {
		s.Params = slices.Clone(s.Params)
	}
	return s, ok
}

// New builds the strategy registered under name from raw parameter values ("20", "0.5").
// Parameters not given take their defaults; the complete set is returned for the record.
// Errors wrap ErrUnknownStrategy or ErrBadParam and say what would have been valid.
func New(name string, raw map[string]string) (engine.Strategy, Params, error) {
	spec, ok := Lookup(name)
	if !ok {
		return nil, nil, fmt.Errorf("%w %q: registered strategies are %s", ErrUnknownStrategy, name, strings.Join(Names(), ", "))
	}
	p, err := spec.Parse(raw)
	if err != nil {
		return nil, nil, err
	}
	s, err := spec.New(p)
	if err != nil {
		if !errors.Is(err, ErrBadParam) {
			err = fmt.Errorf("%w: %w", ErrBadParam, err)
		}
		return nil, nil, fmt.Errorf("strategy %s: %w", name, err)
	}
	return s, p, nil
}

// Parse validates raw values against the Spec's parameters and fills in defaults.
func (s Spec) Parse(raw map[string]string) (Params, error) {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first bad parameter reported does not depend on map order
	p := make(Params, len(s.Params))
	for _, k := range keys {
		i := slices.IndexFunc(s.Params, func(p Param) bool { return p.Name == k })
		if i < 0 {
			return nil, fmt.Errorf("strategy %s: %w: unknown parameter %q: valid parameters are %s",
				s.Name, ErrBadParam, k, strings.Join(s.paramNames(), ", "))
		}
		v, err := s.Params[i].parse(raw[k])
		if err != nil {
			return nil, fmt.Errorf("strategy %s: %w: %w", s.Name, ErrBadParam, err)
		}
		p[k] = v
	}
	for _, d := range s.Params {
		if _, ok := p[d.Name]; !ok {
			p[d.Name] = d.Default
		}
	}
	return p, nil
}

func (s Spec) paramNames() []string {
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Name
	}
	return names
}

// Param describes one numeric parameter. Values must lie in [Min, Max] ((Min, Max] when
// MinExclusive is set) and be whole numbers when Integer is set.
type Param struct {
	Name, Description string
	Default, Min, Max float64
	Integer           bool
	MinExclusive      bool // Min itself is not allowed: pct must be above 0
}

// Range spells the allowed interval as Describe and errors show it: "[1, 10000]", "(0, 10]".
func (p Param) Range() string {
	open := "["
	if p.MinExclusive {
		open = "("
	}
	return open + formatFloat(p.Min) + ", " + formatFloat(p.Max) + "]"
}

func (p Param) parse(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		kind := "a number"
		if p.Integer {
			kind = "a whole number"
		}
		return 0, fmt.Errorf("%s=%q is not %s (want %s in %s)", p.Name, s, kind, kind, p.Range())
	}
	if err := p.check(v); err != nil {
		return 0, err
	}
	return v, nil
}

func (p Param) check(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s=%v is not a finite number (want %s)", p.Name, v, p.Range())
	}
	if p.Integer && v != math.Trunc(v) {
		return fmt.Errorf("%s=%v is not a whole number (want a whole number in %s)", p.Name, v, p.Range())
	}
	if v < p.Min || v > p.Max || (p.MinExclusive && v == p.Min) {
		return fmt.Errorf("%s=%v is out of range %s", p.Name, v, p.Range())
	}
	return nil
}

// formatFloat spells whole numbers in full (1000000000, not 1e+09) and others shortest.
func formatFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
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
		out[k] = formatFloat(v)
	}
	return out
}

// ParseParam splits a "name=value" command-line argument.
func ParseParam(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" {
		return "", "", fmt.Errorf("%w: %q is not of the form name=value", ErrBadParam, s)
	}
	return name, value, nil
}
