package backtestcmd

import (
	"flag"
	"fmt"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// fillFlags is --fill-tf: the strategy decides on --tf bars built from a finer stored series,
// and orders fill by walking that series inside each bar (engine.RunIntrabar).
type fillFlags struct {
	tf string
}

func addFillFlags(fs *flag.FlagSet, f *fillFlags) {
	fs.StringVar(&f.tf, "fill-tf", "", "fill orders on this finer stored timeframe (e.g. 1Min): the strategy decides on --tf bars built from it, and stops and targets trigger in the order its bars touched them (single runs)")
}

// selecting returns o as the store selection should see it, and the timeframe the strategy
// decides on: with --fill-tf the fine series is the one read, and --tf, which is required,
// is built from it. Without --fill-tf it returns o and a zero timeframe.
func (f fillFlags) selecting(o options) (options, data.Timeframe, error) {
	if f.tf == "" {
		return o, data.Timeframe{}, nil
	}
	fine, err := data.ParseTimeframe(f.tf)
	if err != nil {
		return o, data.Timeframe{}, cli.Usage(fmt.Errorf("--fill-tf: %w", err))
	}
	if o.tf == "" {
		return o, data.Timeframe{}, cli.Usagef("--fill-tf %s needs --tf, the timeframe the strategy decides on (1Day, say)", fine)
	}
	coarse, err := data.ParseTimeframe(o.tf)
	if err != nil {
		return o, data.Timeframe{}, cli.Usage(fmt.Errorf("--tf: %w", err))
	}
	if _, err := engine.NewAggregator(coarse); err != nil || !fine.Intraday() ||
		coarse.Intraday() && (coarse.Duration() <= fine.Duration() || coarse.Duration()%fine.Duration() != 0) {
		return o, data.Timeframe{}, cli.Usagef("--fill-tf %s with --tf %s: want a finer intraday timeframe that divides --tf (minutes or hours), and --tf in minutes, hours or 1Day", fine, coarse)
	}
	o.tf = f.tf
	return o, coarse, nil
}
