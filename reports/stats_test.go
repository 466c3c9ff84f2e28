package reports

import (
	"math"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

// fiveDays is the hand-worked fixture: closes on Tue 2024-01-02 .. Mon 2024-01-08 (16:00 New
// York), equity 100, 110, 99, 99, 108.9.
//
//	daily returns r = 110/100−1, 99/110−1, 99/99−1, 108.9/99−1 = 0.1, −0.1, 0, 0.1   (N = 4)
//	mean = 0.1/4 = 0.025
//	deviations 0.075, −0.125, −0.025, 0.075; squares sum to 0.0275
//	sample var = 0.0275/3 = 0.0091667, std = 0.0957427
//	volatility = 0.0957427 × √252 (15.874508) = 1.5198684
//	Sharpe = 0.025 / 0.0957427 × 15.874508 = 4.1450957
//	downside: only −0.1 → mean(min(0,r)²) = 0.01/4 = 0.0025, DD = 0.05
//	Sortino = 0.025 / 0.05 × 15.874508 = 7.9372539
//	z = dev/std = 0.783349, −1.305582, −0.261116, 0.783349
//	skew = 4/(3·2) × Σz³ (0.480702 − 2.225426 − 0.017803 + 0.480702 = −1.281825) = −0.854563
//	ex. kurtosis = 4·5/(3·2·1) × Σz⁴ (3.663200) − 3·3²/(2·1) (13.5) = −1.289256
//	VaR 95%: sorted −0.1, 0, 0.1, 0.1; ⌈0.05·4⌉ = 1st smallest = −0.1
//	best day 0.1, worst −0.1
//	TR = 108.9/100 − 1 = 0.089; days = 6 (Jan 2 16:00 → Jan 8 16:00)
//	CAGR = 1.089^(365.25/6) − 1 = 1.089^60.875 − 1 = 178.503194
//	drawdown: peak 110 (Jan 3), trough 99 (−0.1), not regained by Jan 8:
//	  max −0.1, duration Jan 3 → Jan 8 = 5 days, one episode: average −0.1, longest 5
//	Calmar = 178.503194 / 0.1 = 1785.03194
//	exposure: points 2 (long 110) and 3 (long 50, short −50: hedged, still exposed) of 5 = 0.4
func fiveDays() *engine.Result {
	r := &engine.Result{Equity: dailyCurve(100, 110, 99, 99, 108.9)}
	r.Equity[1].Cash, r.Equity[1].Long = 0, 110 // Equity() stays Cash + Long + Short
	r.Equity[2].Long, r.Equity[2].Short = 50, -50
	return r
}

// withTrades adds three closed round trips and one open one to r.
//
//	closed PnL 30, −10, 20; returns 0.03, −0.01, 0.05; bars 2, 1, 3 (N = 3)
//	win rate 2/3; average return 0.07/3 = 0.0233333; median of −0.01, 0.03, 0.05 = 0.03
//	best 0.05, worst −0.01; profit factor 50/10 = 5; expectancy 40/3 = 13.333333
//	std(PnL) = √((16.667² + 23.333² + 6.667²)/2) = √433.33 = 20.816660
//	SQN = √3 × 13.333333 / 20.816660 = 1.1094004
//	average bars held = 6/3 = 2
//	fills: 10 × 100, 10 × 103, 5 × 98 → notional 2520; commissions 1+1+2 = 4, fees 0.5+0.5 = 1, no slippage
//	turnover = 2520 / mean equity (516.9/5 = 103.38) / (6/365.25) = 1483.894370
//	break-even slippage: no reference prices, so Σ qty × price = 2520; 0 assumed
//	  + (108.9 − 100) / (1e-4 × 2520) = 8.9 / 0.252 = 35.317460 bps
func withTrades(r *engine.Result) *engine.Result {
	day := r.Equity[0].Time()
	r.Trades = []engine.Trade{
		{Symbol: "A", Side: engine.Buy, PnL: 30, Return: 0.03, BarsHeld: 2},
		{Symbol: "A", Side: engine.Sell, PnL: -10, Return: -0.01, BarsHeld: 1},
		{Symbol: "B", Side: engine.Buy, PnL: 20, Return: 0.05, BarsHeld: 3},
		{Symbol: "B", Side: engine.Buy, PnL: 999, Return: 0.5, BarsHeld: 9, Open: true},
	}
	r.Fills = []engine.Fill{
		{Symbol: "A", Side: engine.Buy, Qty: 10, Price: 100, Time: day, Commission: 1},
		{Symbol: "A", Side: engine.Sell, Qty: 10, Price: 103, Time: day, Commission: 1, Fees: 0.5},
		{Symbol: "B", Side: engine.Sell, Qty: 5, Price: 98, Time: day, Commission: 2, Fees: 0.5},
	}
	return r
}

// benchmarkOfFive has daily returns 0.04, −0.02, 0.01, 0.03 on the same dates.
//
//	OLS of y = 0.1, −0.1, 0, 0.1 on x: mean x 0.015, mean y 0.025
//	Σdx·dy = 0.025·0.075 + 0.035·0.125 + 0.005·0.025 + 0.015·0.075 = 0.0075
//	Σdx² = 0.000625 + 0.001225 + 0.000025 + 0.000225 = 0.0021
//	β = 0.0075/0.0021 = 3.5714286; a = 0.025 − 3.5714286·0.015 = −0.0285714; alpha = a·252 = −7.2
func benchmarkOfFive() *engine.Result {
	return &engine.Result{Equity: dailyCurve(100, 104, 101.92, 102.9392, 106.027376)}
}

func TestStats(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		r    *engine.Result
		o    Options
		want map[string]float64 // by JSON key; NaN means "not computed"
	}{
		{
			name: "five days, hand worked",
			r:    withTrades(fiveDays()),
			o:    Options{Benchmark: benchmarkOfFive()},
			want: map[string]float64{
				"duration_days": 6, "sessions": 5, "exposure": 0.4, "start_equity": 100, "final_equity": 108.9,
				"total_return": 0.089, "cagr": 178.503194, "volatility": 1.5198684, "sharpe": 4.1450957,
				"sortino": 7.9372539, "calmar": 1785.03194, "max_drawdown": -0.1, "max_drawdown_intraday": -0.1,
				"max_drawdown_days": 5, "avg_drawdown": -0.1, "longest_drawdown_days": 5,
				"best_day": 0.1, "worst_day": -0.1, "skew": -0.854563, "excess_kurtosis": -1.289256, "var_95": -0.1,
				"alpha": -7.2, "beta": 3.5714286,
				"trades": 3, "open_trades": 1, "win_rate": 2.0 / 3, "avg_trade_return": 0.0233333,
				"median_trade_return": 0.03, "best_trade": 0.05, "worst_trade": -0.01, "profit_factor": 5,
				"expectancy": 13.333333, "sqn": 1.1094004, "avg_bars_held": 2, "commission_paid": 4, "fees_paid": 1, "slippage_paid": 0, "breakeven_slippage_bps": 35.317460, "turnover": 1483.894370,
			},
		},
		{
			// rf = 5%: rf_d = 1.05^(1/252) − 1 = 0.000193631
			// Sharpe = (0.025 − 0.000193631)/0.0957427 × √252 = 4.1129910
			// downside of e = r − rf_d: only −0.100193631 → DD = 0.100193631/2 = 0.0500968
			// Sortino = 0.024806369/0.0500968 × √252 = 7.8605430
			// the OLS on excess returns keeps β; a = mean(e) − β·mean(e_b) = 0.024806369 − 3.5714286·0.014806369
			//   = −0.0280728, alpha = −7.0745274
			name: "five days with a risk-free rate",
			r:    fiveDays(),
			o:    Options{RiskFree: 0.05, Benchmark: benchmarkOfFive()},
			want: map[string]float64{
				"sharpe": 4.1129910, "sortino": 7.8605430, "volatility": 1.5198684, "beta": 3.5714286, "alpha": -7.0745274,
				"trades": 0, "win_rate": nan, "profit_factor": nan, "sqn": nan, "commission_paid": 0, "fees_paid": 0, "slippage_paid": 0, "breakeven_slippage_bps": nan,
			},
		},
		{
			// Intraday: Jan 2 09:30 100, 12:00 120, 15:59 105; Jan 3 09:30 90, 15:59 94.5, 20:00 99.75
			// (20:00 New York is 01:00 UTC on Jan 4, still Jan 3 in New York).
			// daily closes 105, 99.75 from the first point 100: r = 0.05, −0.05
			// mean 0, so Sharpe 0; std = √(0.005/1) = 0.0707107, volatility 1.1224972
			// daily drawdown: peak 105, trough 99.75: −0.05; intraday: peak 120, trough 90: −0.25
			name: "intraday resampled at the New York date",
			r: &engine.Result{Equity: []engine.EquityPoint{
				{UnixNano: ny(2024, 1, 2, 9, 30).UnixNano(), Cash: 100}, {UnixNano: ny(2024, 1, 2, 12, 0).UnixNano(), Cash: 120},
				{UnixNano: ny(2024, 1, 2, 15, 59).UnixNano(), Cash: 105}, {UnixNano: ny(2024, 1, 3, 9, 30).UnixNano(), Cash: 90},
				{UnixNano: ny(2024, 1, 3, 15, 59).UnixNano(), Cash: 94.5}, {UnixNano: ny(2024, 1, 3, 20, 0).UnixNano(), Cash: 99.75},
			}},
			want: map[string]float64{
				"sessions": 2, "best_day": 0.05, "worst_day": -0.05, "sharpe": 0, "volatility": 1.1224972,
				"max_drawdown": -0.05, "max_drawdown_intraday": -0.25, "total_return": -0.0025, "exposure": 0,
				"alpha": nan, "beta": nan,
			},
		},
		{
			// A flat curve: zero volatility, so Sharpe, Sortino and Calmar cannot be computed.
			name: "flat",
			r:    &engine.Result{Equity: dailyCurve(100, 100, 100)},
			want: map[string]float64{
				"total_return": 0, "volatility": 0, "sharpe": nan, "sortino": nan, "calmar": nan,
				"max_drawdown": 0, "avg_drawdown": 0, "skew": nan, "excess_kurtosis": nan,
			},
		},
		{
			// Recovery: 100, 90, 100, 95, 120 on Jan 2, 3, 4, 5, 8.
			// episodes: Jan 2 → Jan 4 (2 days, −0.1) and Jan 4 → Jan 8 (4 days, −0.05)
			// max −0.1 lasting 2 days; average (−0.1 − 0.05)/2 = −0.075; longest 4 days
			name: "drawdown episodes",
			r:    &engine.Result{Equity: dailyCurve(100, 90, 100, 95, 120)},
			want: map[string]float64{
				"max_drawdown": -0.1, "max_drawdown_days": 2, "avg_drawdown": -0.075, "longest_drawdown_days": 4,
			},
		},
		{
			// Even count of trades: median of −0.02, 0.01, 0.03, 0.04 is (0.01 + 0.03)/2 = 0.02;
			// no PnL is negative, so the profit factor is null; a zero PnL is not a win: win rate 3/4.
			name: "even trade count median",
			r: &engine.Result{Equity: dailyCurve(100, 101), Trades: []engine.Trade{
				{Return: 0.04, PnL: 5}, {Return: -0.02, PnL: 0}, {Return: 0.03, PnL: 7}, {Return: 0.01, PnL: 1},
			}},
			want: map[string]float64{"median_trade_return": 0.02, "win_rate": 0.75, "profit_factor": nan, "trades": 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compute(tt.r, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			for key, want := range tt.want {
				m, ok := metricByKey(key)
				if !ok {
					t.Fatalf("no metric %q", key)
				}
				got := toFloat(m.get(&s.Strategy))
				if !near(got, want) {
					t.Errorf("%s = %v, want %v", key, got, want)
				}
			}
		})
	}
}

func metricByKey(key string) (metric, bool) {
	for _, m := range metrics {
		if m.Key == key {
			return m, true
		}
	}
	return metric{}, false
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case time.Time:
		return float64(v.Unix())
	}
	return math.NaN()
}

// near compares to the precision the hand computations carry (7 significant digits).
func near(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= 1e-6*math.Max(1, math.Abs(want))
}

func TestBenchmarkSideBySide(t *testing.T) {
	s, err := Compute(fiveDays(), Options{Benchmark: benchmarkOfFive()})
	if err != nil {
		t.Fatal(err)
	}
	if s.Benchmark == nil {
		t.Fatal("no benchmark stats")
	}
	// The benchmark: 100 → 106.027376, total return 0.06027376; against itself β = 1, alpha 0.
	for key, want := range map[string]float64{"total_return": 0.06027376, "beta": 1, "alpha": 0, "final_equity": 106.027376} {
		m, _ := metricByKey(key)
		if got := toFloat(m.get(s.Benchmark)); !near(got, want) {
			t.Errorf("benchmark %s = %v, want %v", key, got, want)
		}
	}
}

func TestMonthlyAndYearly(t *testing.T) {
	// Jan 30 100, Jan 31 110, Feb 1 99, Feb 29 121 (2024), Jan 2 2025 133.1:
	// Jan 2024 = 110/100 − 1 = 0.1; Feb = 121/110 − 1 = 0.1; 2024 = 121/100 − 1 = 0.21
	// Jan 2025 = 133.1/121 − 1 = 0.1 = year 2025; March to December 2024 have no data.
	eq := []engine.EquityPoint{
		{UnixNano: ny(2024, 1, 30, 16, 0).UnixNano(), Cash: 100}, {UnixNano: ny(2024, 1, 31, 16, 0).UnixNano(), Cash: 110},
		{UnixNano: ny(2024, 2, 1, 16, 0).UnixNano(), Cash: 99}, {UnixNano: ny(2024, 2, 29, 16, 0).UnixNano(), Cash: 121},
		{UnixNano: ny(2025, 1, 2, 16, 0).UnixNano(), Cash: 133.1},
	}
	s, err := Compute(&engine.Result{Equity: eq}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Monthly) != 2 || s.Monthly[0].Year != 2024 || s.Monthly[1].Year != 2025 {
		t.Fatalf("monthly rows = %+v", s.Monthly)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"2024-01", s.Monthly[0].Months[0], 0.1},
		{"2024-02", s.Monthly[0].Months[1], 0.1},
		{"2024-03", s.Monthly[0].Months[2], math.NaN()},
		{"2024", s.Monthly[0].Total, 0.21},
		{"2025-01", s.Monthly[1].Months[0], 0.1},
		{"2025", s.Monthly[1].Total, 0.1},
		{"yearly 2024", s.Yearly[0].Strategy, 0.21},
		{"yearly 2024 benchmark", s.Yearly[0].Benchmark, math.NaN()},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestComputeRejects(t *testing.T) {
	tests := []struct {
		name string
		r    *engine.Result
	}{
		{"nil", nil},
		{"NaN equity", &engine.Result{Equity: dailyCurve(100, math.NaN())}},
		{"time goes back", &engine.Result{Equity: []engine.EquityPoint{{UnixNano: ny(2024, 1, 3, 16, 0).UnixNano(), Cash: 1}, {UnixNano: ny(2024, 1, 2, 16, 0).UnixNano(), Cash: 1}}}},
		{"zero start", &engine.Result{Equity: dailyCurve(0, 100)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Compute(tt.r, Options{}); err == nil {
				t.Error("Compute accepted it")
			}
		})
	}
}

func TestEmptyResult(t *testing.T) {
	s, err := Compute(&engine.Result{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(s.Strategy.TotalReturn) || s.Strategy.Trades != 0 {
		t.Errorf("empty result: total return %v, trades %d", s.Strategy.TotalReturn, s.Strategy.Trades)
	}
}
