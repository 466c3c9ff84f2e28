package engine

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// FeeRate is a regulatory fee rate in force from a date on (New York time).
type FeeRate struct {
	From     time.Time // midnight UTC of the New York date it takes effect
	Rate     float64   // SEC: dollars per dollar of notional sold; TAF: dollars per share sold
	PerTrade float64   // TAF only: the cap per trade; 0 for no cap
}

// FeeSchedule is the regulatory fees a run charges on sales under AlpacaFees. It travels in the
// run's Config rather than in package variables, so that runs in parallel (a sweep) and
// programs importing the engine never see each other's settings, and the Result records the
// schedule its fees were computed with.
//
// Each table is in date order; the last entry whose From is not after the fill's New York date
// applies, and the first entry also covers every date before its own.
type FeeSchedule struct {
	SEC []FeeRate // SEC Section 31 fee on the notional sold
	TAF []FeeRate // FINRA trading activity fee on the shares sold, capped per trade
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// DefaultFeeSchedule returns today's tables, as Alpaca passes the fees on; a Config whose
// FeeSchedule is zero charges these. Each call returns fresh slices, so a caller may change its
// copy freely. A backtest charges the rate in force on the fill's date, so that a 2024 run pays
// what a 2024 trade paid.
//
// SEC sources (looked up 2026):
//   - $22.10 per million until 2021-02-24 and $5.10 from 2021-02-25: SEC fee rate advisory for
//     fiscal 2021 (press release 2021-8). Earlier years, which varied between about $13 and $23,
//     are not tabulated and use $22.10.
//   - $8.00 per million "in fiscal 2023 and until 2024-05-21", $27.80 from 2024-05-22: SEC fee rate
//     advisory #2 for fiscal 2024. The start of the $8.00 rate (2023-02-27) is from memory and the
//     fiscal 2022 rate ($22.90 for part of 2022) is not tabulated: both unverified.
//   - $0.00 from 2025-05-14: SEC announcement of 2025-04-08 (fiscal 2025 appropriation collected),
//     and alpaca.markets/support/regulatory-fees, which lists $0.00 per $1,000,000.
//   - The SEC's order of 2026-02-27 (Release 34-104909, 91 FR 10643) sets the fiscal 2026 rate; its
//     figure was not retrieved, so the schedule keeps $0.00 after 2025-05-14. Update it here.
//
// TAF: $0.000166 per share, at most $8.30 per trade, is the current figure on
// docs.alpaca.markets/docs/regulatory-fees (looked up 2026) and has applied since 2024-01-01.
// $0.000119 / $5.95 is the figure Alpaca listed in 2021; the 2022 ($0.000130 / $6.49) and 2023
// ($0.000145 / $7.27) steps are from FINRA's fee schedule as remembered, not re-verified.
func DefaultFeeSchedule() FeeSchedule {
	return FeeSchedule{
		SEC: []FeeRate{
			{From: time.Time{}, Rate: 22.10e-6},
			{From: day(2021, 2, 25), Rate: 5.10e-6},
			{From: day(2023, 2, 27), Rate: 8.00e-6},
			{From: day(2024, 5, 22), Rate: 27.80e-6},
			{From: day(2025, 5, 14), Rate: 0},
		},
		TAF: []FeeRate{
			{From: time.Time{}, Rate: 0.000119, PerTrade: 5.95},
			{From: day(2022, 1, 1), Rate: 0.000130, PerTrade: 6.49},
			{From: day(2023, 1, 1), Rate: 0.000145, PerTrade: 7.27},
			{From: day(2024, 1, 1), Rate: 0.000166, PerTrade: 8.30},
		},
	}
}

// IsZero reports whether f names no table, which a run reads as DefaultFeeSchedule.
func (f FeeSchedule) IsZero() bool { return len(f.SEC) == 0 && len(f.TAF) == 0 }

// forRun is the schedule a run with fee model m keeps in its Config: a copy of f that no caller
// can change under the run, DefaultFeeSchedule when f is zero and fees are charged, and zero
// when they are not (a NoFees result then records no schedule it did not use).
func (f FeeSchedule) forRun(m Fees) (FeeSchedule, error) {
	if f.IsZero() {
		if m == AlpacaFees {
			return DefaultFeeSchedule(), nil
		}
		return FeeSchedule{}, nil
	}
	for _, t := range []struct {
		name  string
		rates []FeeRate
	}{{"SEC", f.SEC}, {"TAF", f.TAF}} {
		if err := checkRates(t.rates); err != nil {
			return f, fmt.Errorf("engine: %s fee schedule: %w", t.name, err)
		}
	}
	return FeeSchedule{SEC: slices.Clone(f.SEC), TAF: slices.Clone(f.TAF)}, nil
}

// checkRates rejects a table rateOn could not read: rateOn needs an entry, and one out of date
// order would be silently skipped.
func checkRates(rates []FeeRate) error {
	if len(rates) == 0 {
		return errors.New("no entry (give both tables, or neither for the default)")
	}
	bad := func(v float64) bool { return v < 0 || math.IsNaN(v) || math.IsInf(v, 0) }
	for i, r := range rates {
		if bad(r.Rate) || bad(r.PerTrade) {
			return fmt.Errorf("entry %d: rate %v and cap %v must be zero or positive", i, r.Rate, r.PerTrade)
		}
		if i > 0 && !r.From.After(rates[i-1].From) {
			return fmt.Errorf("entry %d: %s is not after the previous entry's date", i, r.From.Format(time.DateOnly))
		}
	}
	return nil
}

// rateOn finds the entry in force on the New York calendar date of t. The schedules are keyed by
// midnight UTC of that date so that the comparison needs no time zone per fill.
func rateOn(sched []FeeRate, t time.Time) FeeRate {
	ny := t.In(nyLoc)
	key := day(ny.Year(), ny.Month(), ny.Day())
	r := sched[0]
	for _, e := range sched[1:] {
		if e.From.After(key) {
			break
		}
		r = e
	}
	return r
}

// ceilCent rounds a fee up to the next cent, as Alpaca does. The small tolerance keeps an amount
// that is a whole number of cents up to float noise (0.0300000000001) from gaining a cent.
func ceilCent(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return math.Ceil(x*100-1e-7) / 100
}

// regulatoryFees is what a sale of qty shares at price pays under f on t's date.
func (f FeeSchedule) regulatoryFees(qty, price float64, t time.Time) float64 {
	sec := rateOn(f.SEC, t)
	taf := rateOn(f.TAF, t)
	tafFee := qty * taf.Rate
	if taf.PerTrade > 0 {
		tafFee = math.Min(tafFee, taf.PerTrade)
	}
	return ceilCent(qty*price*sec.Rate) + ceilCent(tafFee)
}

// commission charged for one fill under c.
func commission(c Commission, qty, price float64) float64 {
	var v float64
	switch c.Kind {
	case PerShare:
		v = c.Rate * qty
	case PerOrder:
		return c.Rate
	case Percent:
		v = c.Rate * qty * price
	default:
		return 0
	}
	if v < c.Min {
		v = c.Min
	}
	return v
}

// costs returns commission and fees of a fill.
func (e *Env) costs(side Side, qty, price float64, t time.Time) (comm, fees float64) {
	comm = commission(e.cfg.Commission, qty, price)
	if side == Sell && e.cfg.Fees == AlpacaFees {
		fees = e.cfg.FeeSchedule.regulatoryFees(qty, price, t)
	}
	return comm, fees
}
