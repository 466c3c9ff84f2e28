package engine

import (
	"math"
	"time"
)

// FeeRate is a regulatory fee rate in force from a date on (New York time).
type FeeRate struct {
	From     time.Time
	Rate     float64 // SEC: dollars per dollar of notional sold; TAF: dollars per share sold
	PerTrade float64 // TAF only: the cap per trade
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// SECFeeSchedule is the SEC Section 31 fee on sales, by effective date, as Alpaca passes it on.
// A backtest charges the rate in force on the fill's date, so that a 2024 run pays what a 2024
// trade paid. Sources (looked up 2026):
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
// Entries are in date order; the last one whose From is not after the fill date applies.
var SECFeeSchedule = []FeeRate{
	{From: time.Time{}, Rate: 22.10e-6},
	{From: day(2021, 2, 25), Rate: 5.10e-6},
	{From: day(2023, 2, 27), Rate: 8.00e-6},
	{From: day(2024, 5, 22), Rate: 27.80e-6},
	{From: day(2025, 5, 14), Rate: 0},
}

// TAFSchedule is FINRA's trading activity fee on sales of covered equities, per share with a cap
// per trade. $0.000166 per share, at most $8.30 per trade, is the current figure on
// docs.alpaca.markets/docs/regulatory-fees (looked up 2026) and has applied since 2024-01-01.
// $0.000119 / $5.95 is the figure Alpaca listed in 2021; the 2022 ($0.000130 / $6.49) and 2023
// ($0.000145 / $7.27) steps are from FINRA's fee schedule as remembered, not re-verified.
var TAFSchedule = []FeeRate{
	{From: time.Time{}, Rate: 0.000119, PerTrade: 5.95},
	{From: day(2022, 1, 1), Rate: 0.000130, PerTrade: 6.49},
	{From: day(2023, 1, 1), Rate: 0.000145, PerTrade: 7.27},
	{From: day(2024, 1, 1), Rate: 0.000166, PerTrade: 8.30},
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

// regulatoryFees is what a sale of qty shares at price pays under AlpacaFees on t's date.
func regulatoryFees(qty, price float64, t time.Time) float64 {
	sec := rateOn(SECFeeSchedule, t)
	taf := rateOn(TAFSchedule, t)
	return ceilCent(qty*price*sec.Rate) + ceilCent(math.Min(qty*taf.Rate, taf.PerTrade))
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
		fees = regulatoryFees(qty, price, t)
	}
	return comm, fees
}
