package backtestcmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/strategies"
	"github.com/barkeep-trading/barkeep/sweep"
)

// suggest adds "did you mean …" to the error of a mistyped strategy name, or of a parameter
// name the strategy does not have (in --param or --grid), keeping err in the chain.
func suggest(err error, strategy string) error {
	var word string
	var candidates []string
	var pe *strategies.ParamError
	var se *sweep.Error
	switch {
	case errors.Is(err, strategies.ErrUnknownStrategy):
		word, candidates = strategy, strategies.Names()
	case errors.As(err, &pe) && pe.Fault == strategies.UnknownParam:
		word, candidates = pe.Param, paramNames(strategy)
	case errors.As(err, &se) && se.Reason == sweep.UnknownParam:
		word, _, _ = strings.Cut(se.Grid, "=")
		candidates = paramNames(strategy)
	default:
		return err
	}
	if hint := cli.DidYouMean(word, candidates); hint != "" {
		return fmt.Errorf("%w%s", err, hint)
	}
	return err
}

func paramNames(strategy string) []string {
	spec, _ := strategies.Lookup(strategy)
	names := make([]string, len(spec.Params))
	for i, p := range spec.Params {
		names[i] = p.Name
	}
	return names
}
