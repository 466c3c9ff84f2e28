package sweep

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/barkeep-trading/barkeep/strategies"
)

// Grid is one swept parameter as typed: name=start:stop:step (stop included) or
// name=v1,v2,... Whether the values suit the parameter is checked against the strategy by
// NewPlan.
type Grid struct {
	Name, Spec          string
	isRange             bool
	start, stop, step   float64
	list                []float64
	startText, stepText string
}

func (g Grid) String() string { return g.Name + "=" + g.Spec }

// ParseGrid reads the syntax of one grid.
func ParseGrid(s string) (Grid, error) {
	name, spec, ok := strings.Cut(s, "=")
	name, spec = strings.TrimSpace(name), strings.TrimSpace(spec)
	if !ok || name == "" || spec == "" {
		return Grid{}, &Error{Reason: BadSyntax, Err: fmt.Errorf("want name=start:stop:step or name=v1,v2,..., such as fast=5:50:5")}
	}
	g := Grid{Name: name, Spec: spec}
	bad := func(r Reason, format string, args ...any) error {
		return &Error{Reason: r, Err: fmt.Errorf("%s=%s: "+format, append([]any{name, spec}, args...)...)}
	}
	num := func(what, t string) (float64, error) {
		v, err := strategies.ParseValue(t)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, bad(BadSyntax, "%s %q is not a number", what, t)
		}
		return v, nil
	}
	if strings.Contains(spec, ":") {
		parts := strings.Split(spec, ":")
		if len(parts) != 3 {
			return g, bad(BadSyntax, "want start:stop:step, such as 5:50:5")
		}
		var err error
		if g.start, err = num("start", parts[0]); err != nil {
			return g, err
		}
		if g.stop, err = num("stop", parts[1]); err != nil {
			return g, err
		}
		if g.step, err = num("step", parts[2]); err != nil {
			return g, err
		}
		if g.step <= 0 {
			return g, bad(BadRange, "step %s must be above zero", parts[2])
		}
		if g.start > g.stop {
			return g, bad(BadRange, "start %s is above stop %s", parts[0], parts[1])
		}
		g.isRange, g.startText, g.stepText = true, strings.TrimSpace(parts[0]), strings.TrimSpace(parts[2])
		return g, nil
	}
	for _, t := range strings.Split(spec, ",") {
		v, err := num("value", t)
		if err != nil {
			return g, err
		}
		if slices.Contains(g.list, v) {
			return g, bad(Repeated, "%s is listed twice", strings.TrimSpace(t))
		}
		g.list = append(g.list, v)
	}
	return g, nil
}

// Count is how many values the grid gives, computed before they are, so that a step typed far
// too small is refused without allocating its values.
func (g Grid) Count() float64 {
	if !g.isRange {
		return float64(len(g.list))
	}
	// The epsilon keeps an inclusive stop reached through rounding (0.1:0.3:0.1).
	return math.Floor((g.stop-g.start)/g.step+1e-9) + 1
}

// Values expands the grid, a list in the order given. Range values are start + i×step,
// rounded as strategies.RoundAsWritten does, so that 0.1:0.3:0.1 gives 0.3 and not
// 0.30000000000000004. Call it only once Count is known to be reasonable.
func (g Grid) Values() []float64 {
	if !g.isRange {
		return slices.Clone(g.list)
	}
	n := int(g.Count())
	out := make([]float64, 0, n)
	for i := range n {
		out = append(out, strategies.RoundAsWritten(g.start+float64(i)*g.step, g.startText, g.stepText))
	}
	return out
}

// Grids collects repeated grid flags; it is a flag.Value.
type Grids []Grid

func (gs *Grids) String() string {
	parts := make([]string, len(*gs))
	for i, g := range *gs {
		parts[i] = g.String()
	}
	return strings.Join(parts, " ")
}

// Set parses one more grid, refusing a parameter swept twice.
func (gs *Grids) Set(s string) error {
	g, err := ParseGrid(s)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(*gs, func(x Grid) bool { return x.Name == g.Name }) {
		return &Error{Reason: Repeated, Grid: g.String(), Err: fmt.Errorf("%s is swept twice", g.Name)}
	}
	*gs = append(*gs, g)
	return nil
}
