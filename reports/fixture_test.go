package reports

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/engine"
)

// ny builds a New York wall-clock time.
func ny(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.NewYork)
}

// dailyCurve is an equity curve with one point per session close, from 2024-01-02 on weekdays.
func dailyCurve(equity ...float64) []engine.EquityPoint {
	out := make([]engine.EquityPoint, 0, len(equity))
	day := ny(2024, 1, 2, 16, 0)
	for _, e := range equity {
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		out = append(out, engine.EquityPoint{UnixNano: day.UnixNano(), Cash: e})
		day = day.AddDate(0, 0, 1)
	}
	return out
}

// synthetic builds a Result of n minute points (390 a session, weekdays from 2015-01-02), a
// random walk with a small drift, trading symbol "SYN" every ~400 points. It is what the size
// test and the benchmarks use: the engine is not needed to exercise the reports.
func synthetic(n int, seed uint64) (*engine.Result, []PricePoint) {
	rng := rand.New(rand.NewPCG(seed, 1))
	r := &engine.Result{Config: engine.Config{
		Cash: 100000, Strategy: "sma", Params: map[string]string{"fast": "10", "slow": "30"},
		Provenance: engine.Provenance{Store: "duckdb:bars.duckdb", Symbols: []string{"SYN"}, Timeframe: data.OneMin,
			Feed: "iex", Adjustment: data.All},
	}}
	r.Equity = make([]engine.EquityPoint, 0, n)
	prices := make([]PricePoint, 0, n)
	day := ny(2015, 1, 2, 9, 30)
	minute := 0
	price, equity := 100.0, 100000.0
	var qty, entryPrice float64
	var entryTime time.Time
	var entryBar int
	for i := range n {
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		t := day.Add(time.Duration(minute) * time.Minute).UTC()
		ret := 0.000003 + 0.0007*rng.NormFloat64()
		old := price
		price *= 1 + ret
		equity += qty * (price - old)
		if i%400 == 0 && i > 0 {
			if qty == 0 {
				qty = math.Floor(equity / price)
				entryPrice, entryTime, entryBar = price, t, i
				r.Fills = append(r.Fills, engine.Fill{Symbol: "SYN", Side: engine.Buy, Qty: qty, Price: price, Time: t, Commission: 1})
				equity--
			} else {
				pnl := qty*(price-entryPrice) - 2
				r.Trades = append(r.Trades, engine.Trade{Symbol: "SYN", Side: engine.Buy, Qty: qty, EntryTime: entryTime,
					EntryPrice: entryPrice, ExitTime: t, ExitPrice: price, PnL: pnl, Return: pnl / (qty * entryPrice),
					BarsHeld: i - entryBar, Commission: 2})
				r.Fills = append(r.Fills, engine.Fill{Symbol: "SYN", Side: engine.Sell, Qty: qty, Price: price, Time: t, Commission: 1})
				equity--
				qty = 0
			}
		}
		long := qty * price
		r.Equity = append(r.Equity, engine.EquityPoint{UnixNano: t.UnixNano(), Cash: equity - long, Long: long})
		prices = append(prices, PricePoint{Time: t, Price: price})
		minute++
		if minute == 390 {
			minute = 0
			day = day.AddDate(0, 0, 1)
		}
	}
	if qty != 0 {
		r.Trades = append(r.Trades, engine.Trade{Symbol: "SYN", Side: engine.Buy, Qty: qty, EntryTime: entryTime,
			EntryPrice: entryPrice, PnL: qty * (price - entryPrice), BarsHeld: n - entryBar, Open: true})
	}
	r.Bars = int64(n)
	r.Start, r.End = r.Equity[0].Time(), r.Equity[n-1].Time()
	r.Config.Provenance.Start, r.Config.Provenance.End = r.Start, r.End
	return r, prices
}

// buyAndHold is the benchmark of synthetic: fully invested in SYN from the first point.
func buyAndHold(prices []PricePoint) *engine.Result {
	b := &engine.Result{Config: engine.Config{Cash: 100000, Strategy: "buy-and-hold"}}
	b.Equity = make([]engine.EquityPoint, len(prices))
	qty := 100000 / prices[0].Price
	for i, p := range prices {
		b.Equity[i] = engine.EquityPoint{UnixNano: p.Time.UnixNano(), Long: qty * p.Price}
	}
	return b
}
