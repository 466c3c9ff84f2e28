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

// DefaultFeeSchedule returns the history of both fees from 2016, as Alpaca passes them on; a
// Config whose FeeSchedule is zero charges these. Each call returns fresh slices, so a caller may
// change its copy freely. A backtest charges the rate in force on the fill's date, so that a 2018
// run pays what a 2018 sale paid.
//
// Each entry cites its SEC or FINRA notice, from research of 2026 on stored copies of those
// notices and of pages quoting them. Where the figure or its date was not read in the notice
// itself the comment says how sure it is: "secondary" is third-party material citing the notice
// (news, broker pages, code reconciled with Alpaca's charges), "derived" a date computed from the
// statute (a new SEC rate takes effect 60 days after the fiscal year's appropriation is
// enacted), "unconfirmed" conflicting or missing sources.
func DefaultFeeSchedule() FeeSchedule {
	return FeeSchedule{
		// SEC Section 31 fee, dollars per dollar sold (the SEC states it per million).
		SEC: []FeeRate{
			// $21.80: FINRA Information Notice 3/15/16 (the SEC kept "the current rate of $21.80
			// per million" through fiscal 2016); fiscal 2016 order, 81 FR 1458 (FR Doc 2016-00406).
			// The date 2016-02-16 is secondary (a published table of past rates). Being the first
			// entry it is also charged before that date: the fiscal 2015 rate is not tabulated.
			{From: day(2016, 2, 16), Rate: 21.80e-6},
			// $23.10: fiscal 2017 order, Release 34-80816 (82 FR 25895): the appropriation was
			// signed 2017-05-05, so the date is derived, and a copy of the SEC's text says "starting
			// on July 4, 2017" (secondary). Fee Rate Advisory #3 for fiscal 2018 confirms it held
			// until 2018-05-21.
			{From: day(2017, 7, 4), Rate: 23.10e-6},
			// $13.00: SEC Fee Rate Advisory #3 for fiscal 2018 (2018-04-17); FINRA Information
			// Notice 5/7/18.
			{From: day(2018, 5, 22), Rate: 13.00e-6},
			// $20.70: SEC Fee Rate Advisory #2 for fiscal 2019 (2019-03-12); order 84 FR 9576.
			{From: day(2019, 4, 16), Rate: 20.70e-6},
			// $22.10: FINRA Information Notice 2/3/2020 (rate primary; the date is from a law
			// firm's summary of it, secondary). SEC Advisory #3 for fiscal 2020: no mid-year change.
			{From: day(2020, 2, 18), Rate: 22.10e-6},
			// $5.10: SEC Fee Rate Advisory #2 for fiscal 2021 (2021-01-15), FR Doc 2021-01341;
			// FINRA Information Notice 2/16/21.
			{From: day(2021, 2, 25), Rate: 5.10e-6},
			// $22.90: rate from the SEC's fiscal 2023 announcement (2023-01-23: $22.90 "through
			// February 26, 2023"); the date 2022-05-14 (a Saturday: first charged on Monday
			// 2022-05-16) is secondary, from a published table of past rates and from code
			// reconciled with Alpaca's charges. The fiscal 2022 advisory itself was not read.
			{From: day(2022, 5, 14), Rate: 22.90e-6},
			// $8.00: SEC fiscal 2023 announcement (2023-01-23); Release 34-96724, 88 FR 5051.
			{From: day(2023, 2, 27), Rate: 8.00e-6},
			// $27.80: SEC Fee Rate Advisory #2 for fiscal 2024 ("$27.80 per million ... on or
			// after May 22, 2024"); Release 34-99973, 89 FR 29402.
			{From: day(2024, 5, 22), Rate: 27.80e-6},
			// $0.00: fiscal 2025 order, Release 34-102779 (90 FR 15492), the year's collections
			// reached; the rate and date are secondary (FINRA Information Notice 4/24/25 as
			// summarised, SEC Fee Rate Advisory 2025-2 as cited). It carried into fiscal 2026.
			{From: day(2025, 5, 14), Rate: 0},
			// $20.60: SEC Fee Rate Advisory 2026-2 and order of 2026-02-27, Release 34-104909 (91
			// FR 10643, of which only the header was read); the figure and date are secondary
			// (high confidence: FINRA Information Notice of 2026-03-17, Alpaca's fee schedule and
			// several independent sources agree). It stays until 60 days after the fiscal 2027
			// appropriation; no fiscal 2027 advisory was found as of late 2026.
			{From: day(2026, 4, 4), Rate: 20.60e-6},
		},
		// FINRA trading activity fee on covered equity sales, dollars per share, capped per trade
		// (FINRA By-Laws, Schedule A, section 1(b)).
		TAF: []FeeRate{
			// $0.000119, at most $5.95: FINRA's fee increase schedule for SR-FINRA-2020-032 shows
			// it for 2020 and 2021 (primary); for 2016 to 2019 it is secondary (a broker's fee FAQ
			// and FINRA's TAF rule flow as copied). When it began, after the $0.000095 / $4.75 of
			// Regulatory Notice 12-06 (2012-03-01), was not found: as the first entry it is also
			// charged before 2016.
			{From: time.Time{}, Rate: 0.000119, PerTrade: 5.95},
			// SR-FINRA-2020-032 (85 FR 66592) schedule, by calendar year: 2022 $0.000130 / $6.49,
			// 2023 $0.000145 / $7.27, 2024 $0.000166 / $8.30. January 1 as the day is the usual
			// start, not read in the filing. SR-FINRA-2024-019 (89 FR 93709) leaves 2025 unchanged.
			{From: day(2022, 1, 1), Rate: 0.000130, PerTrade: 6.49},
			{From: day(2023, 1, 1), Rate: 0.000145, PerTrade: 7.27},
			{From: day(2024, 1, 1), Rate: 0.000166, PerTrade: 8.30},
			// $0.000195, at most $9.79: SR-FINRA-2024-019 fee adjustment schedule; secondary (high
			// confidence: quoted alike by brokers, Alpaca's fee schedule and SR-FINRA-2026-021).
			{From: day(2026, 1, 1), Rate: 0.000195, PerTrade: 9.79},
			// The TAF holiday, by trade date 2026-10-01 to 2026-12-31: SR-FINRA-2026-021 (filed
			// 2026-09-15 for immediate effectiveness; Release 34-106409, 91 FR 60435). Secondary:
			// no primary text was read; several independent sources and Alpaca's Broker API
			// Exhibit B (revised 2026-10-01) agree. Whether Alpaca's Trading API accounts pass the
			// holiday on was not verified.
			{From: day(2026, 10, 1), Rate: 0},
			// Unconfirmed: $0.000195 / $9.79 resumes, if SR-FINRA-2026-020 keeps the rates at their
			// current levels through 2028-12-31 as newer sources say; older ones list the
			// scheduled 2027 step of $0.000232 / $11.61. Read SR-FINRA-2026-020 before relying on
			// either.
			{From: day(2027, 1, 1), Rate: 0.000195, PerTrade: 9.79},
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
	sec, taf := f.saleFees(qty, price, t)
	return sec + taf
}

// saleFees is the SEC fee and the TAF of one sale, each rounded up to the cent. Alpaca rounds
// each fee's daily total per account up instead: rounding each fill up never charges less, and
// charges at most a cent more per fee and fill.
func (f FeeSchedule) saleFees(qty, price float64, t time.Time) (sec, taf float64) {
	s := rateOn(f.SEC, t)
	r := rateOn(f.TAF, t)
	tafFee := qty * r.Rate
	if r.PerTrade > 0 {
		tafFee = math.Min(tafFee, r.PerTrade)
	}
	return ceilCent(qty * price * s.Rate), ceilCent(tafFee)
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

// costs returns commission and fees of a fill. The SEC fee and the TAF are charged on sales of
// securities; a crypto pair is not one, and Alpaca passes neither on for it.
func (e *Env) costs(side Side, crypto bool, qty, price float64, t time.Time) (comm, fees float64) {
	comm = commission(e.cfg.Commission, qty, price)
	if side == Sell && e.cfg.Fees == AlpacaFees && !crypto {
		fees = e.cfg.FeeSchedule.regulatoryFees(qty, price, t)
	}
	return comm, fees
}
