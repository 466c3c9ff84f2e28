package reports

import (
	"math"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// checkStats computes r under o and compares the strategy's figures by key (NaN: not computed).
func checkStats(t *testing.T, r *engine.Result, o Options, want map[string]float64) Summary {
	t.Helper()
	s, err := Compute(r, o)
	if err != nil {
		t.Fatal(err)
	}
	for key, w := range want {
		m, ok := metricByKey(key)
		if !ok {
			t.Fatalf("no metric %q", key)
		}
		if got := toFloat(m.get(&s.Strategy)); !near(got, w) {
			t.Errorf("%s = %v, want %v", key, got, w)
		}
	}
	return s
}

// twoFills is a round trip at 2 bps of slippage from 10,000 of cash:
//
//	buy 100 at 50 (ref) → 50 × 1.0002 = 50.01, slippage 100 × 0.01 = 1.00, commission 1
//	sell 100 at 51 (ref) → 51 × 0.9998 = 50.9898, slippage 100 × 0.0102 = 1.02, commission 1
//	final equity 10000 − 5001 − 1 + 5098.98 − 1 = 10095.98
//
// At s bps per side the same fills cost 100 × 50 × s × 1e-4 = 0.5 s on the buy and 0.51 s on the
// sell, so the final equity is 10000 − 5000 − 1 + 5100 − 1 − 1.01 s = 10098 − 1.01 s, zero return
// at s = 98 / 1.01 = 97.029703 bps.
func twoFills(final float64) *engine.Result {
	r := &engine.Result{Config: engine.Config{Cash: 10000, SlippageBps: 2}, StartEquity: 10000,
		Equity: dailyCurve(10000, 10050, final)}
	day := r.Equity[1].Time()
	r.Fills = []engine.Fill{
		{Symbol: "A", Side: engine.Buy, Qty: 100, Price: 50.01, RefPrice: 50, Slippage: 1, Commission: 1, Time: day},
		{Symbol: "A", Side: engine.Sell, Qty: 100, Price: 50.9898, RefPrice: 51, Slippage: 1.02, Commission: 1, Time: r.Equity[2].Time()},
	}
	return r
}

func TestBreakevenSlippage(t *testing.T) {
	checkStats(t, twoFills(10095.98), Options{}, map[string]float64{
		"commission_paid": 2, "fees_paid": 0, "slippage_paid": 2.02, "breakeven_slippage_bps": 97.029703,
		"total_return": 0.009598,
	})
	// The same fills ending at 9,900 (a loss of 98 more): 2 + (9900 − 10000) / 1.01 = −97.009901,
	// negative because the run loses even without slippage.
	checkStats(t, twoFills(9900), Options{}, map[string]float64{"breakeven_slippage_bps": -97.009901})
	// No fill, no break-even.
	checkStats(t, &engine.Result{Equity: dailyCurve(100, 101)}, Options{}, map[string]float64{
		"breakeven_slippage_bps": math.NaN(), "commission_paid": 0, "slippage_paid": 0,
	})
}

// A strategy that buys in Init fills before the first equity point: its costs and the first
// day's move are part of the return, measured from the cash before any fill.
//
//	start 100, closes 99, 110, 99 → r = −0.01, 0.1111111, −0.1; TR = 99/100 − 1 = −0.01
//	drawdown: the peak starts at 100: 99 (−0.01), then peak 110, trough 99: −0.1
func TestStartEquityBeforeFirstPoint(t *testing.T) {
	r := &engine.Result{StartEquity: 100, Equity: dailyCurve(99, 110, 99)}
	s := checkStats(t, r, Options{}, map[string]float64{
		"start_equity": 100, "total_return": -0.01, "best_day": 0.1111111, "worst_day": -0.1,
		"max_drawdown": -0.1, "max_drawdown_intraday": -0.1, "sessions": 3,
	})
	if got := s.Monthly[0].Months[0]; !near(got, -0.01) {
		t.Errorf("January %v, want −0.01 from the start equity", got)
	}
	if _, err := Compute(&engine.Result{StartEquity: -5, Equity: dailyCurve(99)}, Options{}); err == nil {
		t.Error("a negative start equity was accepted")
	}
}

// Crypto trades every day: the five-day fixture on BTC/USD annualises with 365 days.
//
//	volatility 0.0957427 × √365 (19.104973) = 1.8291619; Sharpe 0.025 / 0.0957427 × √365 = 4.9886234
func TestCryptoAnnualisation(t *testing.T) {
	r := fiveDays()
	r.Config.Provenance.Symbols = []string{"BTC/USD", "ETH/USD"}
	s := checkStats(t, r, Options{}, map[string]float64{"volatility": 1.8291619, "sharpe": 4.9886234})
	if s.AnnualisationDays != 365 {
		t.Errorf("annualisation %v, want 365", s.AnnualisationDays)
	}
	r.Config.Provenance.Symbols = []string{"BTC/USD", "SPY"}
	checkStats(t, r, Options{}, map[string]float64{"volatility": 1.5198684, "sharpe": 4.1450957})
}

// With every hour replayed, a stock run's daily returns are still sampled at the regular close:
//
//	Fri 2024-01-05 09:31 100, 16:00 105 (the close), 20:00 110 (after hours: counts on Monday)
//	Mon 2024-01-08 04:01 108, 16:00 102 (the close), 19:00 103 (after the run's last close:
//	counts on Monday, the last session)
//	closes 105, 103 from 100: r = 0.05, 103/105 − 1 = −0.0190476
//
// Sampled at the end of the New York date instead, the closes would be 110, 103: r = 0.1, −0.0636.
func TestAllHoursSampledAtRegularClose(t *testing.T) {
	pts := []engine.EquityPoint{
		{UnixNano: ny(2024, 1, 5, 9, 31).UnixNano(), Cash: 100}, {UnixNano: ny(2024, 1, 5, 16, 0).UnixNano(), Cash: 105},
		{UnixNano: ny(2024, 1, 5, 20, 0).UnixNano(), Cash: 110}, {UnixNano: ny(2024, 1, 8, 4, 1).UnixNano(), Cash: 108},
		{UnixNano: ny(2024, 1, 8, 16, 0).UnixNano(), Cash: 102}, {UnixNano: ny(2024, 1, 8, 19, 0).UnixNano(), Cash: 103},
	}
	r := &engine.Result{Config: engine.Config{Hours: engine.AllHours, Provenance: engine.Provenance{Timeframe: data.OneMin}},
		StartEquity: 100, Equity: pts}
	s := checkStats(t, r, Options{}, map[string]float64{"sessions": 2, "best_day": 0.05, "worst_day": -0.0190476, "total_return": 0.03})
	if got := s.strat.dates; len(got) != 2 || got[0].Format(time.DateOnly) != "2024-01-05" || got[1].Format(time.DateOnly) != "2024-01-08" {
		t.Errorf("dates %v, want 2024-01-05 and 2024-01-08", got)
	}
	r.Config.Hours = engine.RegularHours
	checkStats(t, r, Options{}, map[string]float64{"best_day": 0.1, "worst_day": -0.0636364})
}
