package strategies

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/barkeep-trading/barkeep/engine"
)

// ErrUnknownStrategy is wrapped by New when no strategy has the name asked for.
var ErrUnknownStrategy = errors.New("unknown strategy")

// ErrBadParam is wrapped by New when a parameter is unknown, malformed or out of range, or when
// the strategy rejects the combination (for example sma with fast >= slow). The error is then
// a *ParamError, whose Fault says which.
var ErrBadParam = errors.New("bad parameter")

// Factory builds a strategy from complete, validated parameters: every parameter of its Spec
// is present and within range. It returns an error for combinations that are invalid together,
// best made with Rejectf (New turns any other error into a *ParamError of Fault Rejected).
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
			panic(fmt.Sprintf("strategies: Register %s: default of %s: %v", name, p.Name, err.Err))
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
	s, err := spec.Build(p)
	if err != nil {
		return nil, nil, err
	}
	return s, p, nil
}

// Build makes a strategy from p, complete and valid parameters (as Parse returns them), so
// that callers building many strategies from one parsed set, such as a sweep's runs, skip
// parsing. A refusal of the factory is a *ParamError of Fault Rejected.
func (s Spec) Build(p Params) (engine.Strategy, error) {
	st, err := s.New(p)
	if err != nil {
		// Only the factory's own ParamError is taken as is: one wrapped in more context keeps
		// that context as the detail.
		pe, ok := err.(*ParamError)
		if !ok {
			pe = &ParamError{Fault: Rejected, Err: err}
		}
		named := *pe
		named.Strategy = s.Name
		return nil, &named
	}
	return st, nil
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
			return nil, &ParamError{Strategy: s.Name, Param: k, Fault: UnknownParam,
				Err: fmt.Errorf("unknown parameter %q: valid parameters are %s", k, strings.Join(s.paramNames(), ", "))}
		}
		v, pe := s.Params[i].parse(raw[k])
		if pe != nil {
			pe.Strategy = s.Name
			return nil, pe
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
