package backtestcmd

import (
	"flag"

	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// executionFlags are the flags of how fills and financing are modelled beyond prices: the
// volume a fill may take and the rates of borrowing shares and cash.
type executionFlags struct {
	maxVolumePct, borrowRate, marginRate float64
}

func addExecutionFlags(fs *flag.FlagSet, x *executionFlags) {
	fs.Float64Var(&x.maxVolumePct, "max-volume-pct", 0, "a fill takes at most this percent of its bar's volume, the rest working on later bars (0 = no cap)")
	fs.Float64Var(&x.borrowRate, "borrow-rate", 0, "annual stock borrow fee on short market value, charged daily at rate/360, as a fraction (0.025 = 2.5%)")
	fs.Float64Var(&x.marginRate, "margin-rate", 0, "annual margin interest on negative cash, charged daily at rate/360, as a fraction (0.0375 = 3.75%)")
}

// apply checks the flags and sets them in cfg.
func (x executionFlags) apply(cfg *engine.Config) error {
	if !(x.maxVolumePct >= 0) || x.maxVolumePct > 100 {
		return cli.Usagef("--max-volume-pct %v is out of range: want 0 (no cap) to 100", x.maxVolumePct)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"--borrow-rate", x.borrowRate}, {"--margin-rate", x.marginRate}} {
		if !(r.v >= 0) || r.v > 1 {
			return cli.Usagef("%s %v is out of range: want an annual fraction from 0 to 1 (0.05 = 5%%)", r.name, r.v)
		}
	}
	cfg.MaxVolumePct, cfg.BorrowRate, cfg.MarginRate = x.maxVolumePct, x.borrowRate, x.marginRate
	return nil
}
