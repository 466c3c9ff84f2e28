package sweep

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/strategies"
)

// MaxCombinations bounds a sweep: past it a typo in a step (0.001 for 1) would queue hours of
// runs, and the sweep is better split by hand.
const MaxCombinations = 10_000

// Axis is one swept parameter and its values, spelled as strategies.FormatValue spells them,
// in the order given.
type Axis struct {
	Name   string
	Values []string
}

// Run is one combination the strategy accepts.
type Run struct {
	// Index is the run's place in Plan.Runs: Execute returns scores in this order, and
	// rankings break ties by it.
	Index int
	// Params are the complete parameters: swept, fixed and defaults.
	Params strategies.Params
}

// Plan is a validated sweep: its axes and every combination, the first axis varying slowest.
type Plan struct {
	Strategy string
	Axes     []Axis
	// Columns are the parameter names a table of results shows: the axes, then the others in
	// the order of the strategy's Spec.
	Columns []string
	// Fixed are the parameters not swept, complete with defaults.
	Fixed strategies.Params
	// Runs are the combinations the strategy accepts, in combination order.
	Runs []Run
	// Combinations counts every combination of the axes; Rejected those the strategy refused,
	// Rejection being the first refusal (a Fault of strategies.Rejected), as an example.
	Combinations, Rejected int
	Rejection              *strategies.ParamError

	spec strategies.Spec
}

// NewPlan checks the grids against the parameters of the strategy registered as name and
// builds every combination with the fixed values. Everything wrong with the grids is an
// *Error (or the strategies package's error for an unknown strategy or a bad fixed value); a
// combination the strategy rejects is only counted.
func NewPlan(name string, fixed map[string]string, grids []Grid) (*Plan, error) {
	if len(grids) == 0 {
		return nil, &Error{Reason: NoGrid, Err: errors.New("no grid to sweep")}
	}
	spec, ok := strategies.Lookup(name)
	if !ok {
		_, _, err := strategies.New(name, nil)
		return nil, err
	}
	full, err := spec.Parse(fixed)
	if err != nil {
		return nil, err
	}
	p := &Plan{Strategy: name, spec: spec, Fixed: strategies.Params{}}
	total := 1.0
	for _, g := range grids {
		bad := func(r Reason, format string, args ...any) error {
			return &Error{Reason: r, Grid: g.String(), Err: fmt.Errorf("%s: "+format, append([]any{g}, args...)...)}
		}
		if !slices.ContainsFunc(spec.Params, func(sp strategies.Param) bool { return sp.Name == g.Name }) {
			var names []string
			for _, sp := range spec.Params {
				names = append(names, sp.Name)
			}
			return nil, bad(UnknownParam, "strategy %s has no parameter %q (it has %s)", name, g.Name, strings.Join(names, ", "))
		}
		if _, dup := fixed[g.Name]; dup {
			return nil, bad(AlsoFixed, "%s is also fixed with --param", g.Name)
		}
		total *= g.Count()
		if total > MaxCombinations {
			return nil, bad(TooMany, "the grid has more than %d combinations: use a coarser step or fewer values", MaxCombinations)
		}
		ax := Axis{Name: g.Name}
		for _, v := range g.Values() {
			s := strategies.FormatValue(v)
			if slices.Contains(ax.Values, s) {
				return nil, bad(TooFine, "the value %s comes twice: the step is too fine for the values", s)
			}
			// Each value is checked alone, with the same message a fixed value would get.
			if _, err := spec.Parse(map[string]string{g.Name: s}); err != nil {
				return nil, &Error{Reason: BadValue, Grid: g.String(), Err: fmt.Errorf("%s: %w", g, err)}
			}
			ax.Values = append(ax.Values, s)
		}
		p.Axes = append(p.Axes, ax)
		p.Columns = append(p.Columns, g.Name)
	}
	for _, sp := range spec.Params {
		if !slices.Contains(p.Columns, sp.Name) {
			p.Columns = append(p.Columns, sp.Name)
		}
	}
	p.Combinations = int(total)
	idx := make([]int, len(p.Axes))
	for range p.Combinations {
		raw := maps.Clone(fixed)
		if raw == nil {
			raw = map[string]string{}
		}
		for a, ax := range p.Axes {
			raw[ax.Name] = ax.Values[idx[a]]
		}
		params, err := spec.Parse(raw)
		if err == nil {
			_, err = spec.Build(params)
		}
		var pe *strategies.ParamError
		switch {
		case errors.As(err, &pe) && pe.Fault == strategies.Rejected:
			p.Rejected++
			if p.Rejection == nil {
				p.Rejection = pe
			}
		case err != nil:
			return nil, err
		default:
			p.Runs = append(p.Runs, Run{Index: len(p.Runs), Params: params})
		}
		// Odometer, last axis fastest.
		for a := len(idx) - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < len(p.Axes[a].Values) {
				break
			}
			idx[a] = 0
		}
	}
	if len(p.Runs) == 0 {
		return nil, &Error{Reason: AllRejected,
			Err: fmt.Errorf("every one of the %d combinations is invalid, for example: %w", p.Combinations, p.Rejection.Err)}
	}
	for k, v := range full {
		if !slices.ContainsFunc(p.Axes, func(a Axis) bool { return a.Name == k }) {
			p.Fixed[k] = v
		}
	}
	return p, nil
}

// Build makes a fresh strategy for r: strategies keep state, so every run, and every window
// a run is replayed over, needs its own.
func (p *Plan) Build(r Run) (engine.Strategy, error) {
	return p.spec.Build(r.Params)
}
