package backtestcmd

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/reports"
)

// researchFlags are the flags of the figures that say how far a result can be trusted: the
// bootstrap intervals of a single run and the overfitting odds of a sweep.
type researchFlags struct {
	pboBlocks setInt
	bootstrap setInt
	seed      uint64
}

// setInt is an int flag that knows whether it was given, so that a flag of the other mode is
// refused rather than ignored.
type setInt struct {
	v   int
	set bool
}

func (f *setInt) String() string { return strconv.Itoa(f.v) }

func (f *setInt) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	f.v, f.set = v, true
	return nil
}

func addResearchFlags(fs *flag.FlagSet, r *researchFlags) {
	r.pboBlocks.v = reports.DefaultPBOBlocks
	fs.Var(&r.pboBlocks, "pbo-blocks", fmt.Sprintf("sweep: blocks of daily returns for the probability of backtest overfitting in summary.json (even, 2 to %d)", reports.MaxPBOBlocks))
	fs.Var(&r.bootstrap, "bootstrap", fmt.Sprintf("single run: resamples for 95%% intervals of Sharpe, CAGR and max drawdown in stats.json (0: off; %d is a good choice)", reports.SuggestedBootstrap))
	fs.Uint64Var(&r.seed, "seed", 1, "seed of --bootstrap's random numbers: the same seed gives the same intervals")
}

// check refuses values out of range, and a flag of the other mode.
func (r *researchFlags) check(sweeping bool) error {
	switch b := r.pboBlocks.v; {
	case b < 2 || b > reports.MaxPBOBlocks || b%2 != 0:
		return cli.Usagef("--pbo-blocks %d: want an even number from 2 to %d", b, reports.MaxPBOBlocks)
	case r.bootstrap.v < 0 || r.bootstrap.v > 1_000_000:
		return cli.Usagef("--bootstrap %d: want 0 (off) to 1000000; %d is a good choice", r.bootstrap.v, reports.SuggestedBootstrap)
	case sweeping && r.bootstrap.set:
		return cli.Usagef("--bootstrap gives a single run's intervals; a sweep's odds of overfitting are in its summary.json")
	case !sweeping && r.pboBlocks.set:
		return cli.Usagef("--pbo-blocks needs a sweep (--grid)")
	}
	return nil
}
