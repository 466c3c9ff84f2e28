package strategies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// recorder wraps a strategy to see, for every bar, the position it was handled with (fills at
// that bar's open included) and the clock, so orders can be pinned to the bar that placed them
// whatever the engine's close-time convention.
type recorder struct {
	inner engine.Strategy
	qty   []float64   // position of the bar's symbol when OnBar ran
	now   []time.Time // env.Now() of each bar
}

func (r *recorder) Init(env *engine.Env) error {
	if i, ok := r.inner.(engine.Initer); ok {
		return i.Init(env)
	}
	return nil
}

func (r *recorder) OnBar(env *engine.Env, b data.Bar) error {
	r.qty = append(r.qty, env.Position(b.Symbol).Qty)
	r.now = append(r.now, env.Now())
	return r.inner.OnBar(env, b)
}

var day0 = time.Date(2024, 1, 2, 5, 0, 0, 0, time.UTC) // midnight New York

// dailyBars makes one symbol's daily bars from closes: each opens at its close (so a market
// order placed at bar i fills at close i+1) and spans ±1 around it unless hl gives high and low.
func dailyBars(sym string, closes []float64, hl [][2]float64) []data.Bar {
	bars := make([]data.Bar, len(closes))
	for i, c := range closes {
		h, l := c+1, c-1
		if hl != nil {
			h, l = hl[i][0], hl[i][1]
		}
		bars[i] = data.Bar{Symbol: sym, Time: day0.AddDate(0, 0, i), Open: c, High: h, Low: l, Close: c, Volume: 1000}
	}
	return bars
}

type placed struct {
	Bar  int
	Side engine.Side
	Qty  float64
}

func (p placed) String() string { return fmt.Sprintf("%s %v at bar %d", p.Side, p.Qty, p.Bar) }

// run runs the named strategy on bars with the real engine and returns the orders by the bar
// that placed them, and the recorder.
func run(t *testing.T, name string, raw map[string]string, cfg engine.Config, bars []data.Bar) ([]placed, *recorder, *engine.Result) {
	t.Helper()
	s, _, err := New(name, raw)
	if err != nil {
		t.Fatalf("New(%s): %v", name, err)
	}
	rec := &recorder{inner: s}
	res, err := engine.Run(context.Background(), cfg, data.NewSliceIterator(bars), rec)
	if err != nil {
		t.Fatalf("Run(%s): %v", name, err)
	}
	var out []placed
	for _, o := range res.Orders {
		i := slices.IndexFunc(rec.now, func(n time.Time) bool { return n.Equal(o.Submitted) })
		if o.Status == engine.Rejected {
			t.Errorf("order %+v rejected: %s", o.Order, o.Reason)
		}
		out = append(out, placed{i, o.Order.Side, o.Order.Qty})
	}
	return out, rec, res
}

func TestBuiltinSignals(t *testing.T) {
	const B, S = engine.Buy, engine.Sell
	cash := engine.Config{Cash: 10000}
	short := engine.Config{Cash: 10000, Short: true}
	qty := map[string]string{"qty": "10"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name  string
		strat string
		raw   map[string]string
		cfg   engine.Config
		bars  []data.Bar
		want  []placed
	}{
		{
			// SMA(2)/SMA(3): bar 2 fast=slow=10 (no side yet); 3: 9.5<9.67 (first side, no
			// cross); 4: 10.5>10.33 cross up; 6: 10<10.67 cross down; 7: close 16 makes both
			// exactly 12 (the side holds); 8: 16>13.33 is the cross up, one bar after equality.
			name: "sma", strat: "sma", raw: with(qty, "fast", "2", "slow", "3"), cfg: cash,
			bars: dailyBars("X", []float64{10, 10, 10, 9, 12, 12, 8, 16, 16, 16}, nil),
			want: []placed{{4, B, 10}, {6, S, 10}, {8, B, 10}},
		},
		{
			// above-equal-above is no cross: bar 4 goes above (10.5 > 10.33), bars 5 and 6 stay
			// above, bar 7 makes both exactly 12, bar 8 is above again (15 > 14.67).
			name: "sma equal then same side", strat: "sma", raw: with(qty, "fast", "2", "slow", "3"), cfg: cash,
			bars: dailyBars("X", []float64{10, 10, 10, 9, 12, 12, 14, 10, 20}, nil),
			want: []placed{{4, B, 10}},
		},
		{
			name: "sma short reverses", strat: "sma", raw: with(qty, "fast", "2", "slow", "3"), cfg: short,
			bars: dailyBars("X", []float64{10, 10, 10, 9, 12, 12, 8, 16, 16, 16}, nil),
			want: []placed{{4, B, 10}, {6, S, 20}, {8, B, 20}},
		},
		{
			// EMA(2) (α 2/3) / EMA(3) (α 1/2), both seeded with their first simple average:
			// bar 3: 8 < 8.5 (first side); 4: 11.33 > 10.75 up; 5: 8.44 < 8.875 down.
			name: "ema", strat: "ema", raw: with(qty, "fast", "2", "slow", "3"), cfg: cash,
			bars: dailyBars("X", []float64{10, 10, 10, 7, 13, 7}, nil),
			want: []placed{{4, B, 10}, {5, S, 10}},
		},
		{
			// MACD(1,2,2): histogram 0 at bar 2, +0.33 at 3 (first side), -0.78 at 4 (a cross
			// down while flat: nothing to sell), +0.78 at 5 (buy), -0.73 at 6 (sell).
			name: "macd", strat: "macd", raw: with(qty, "fast", "1", "slow", "2", "signal", "2"), cfg: cash,
			bars: dailyBars("X", []float64{10, 10, 10, 13, 7, 13, 7}, nil),
			want: []placed{{5, B, 10}, {6, S, 10}},
		},
		{
			name: "macd short", strat: "macd", raw: with(qty, "fast", "1", "slow", "2", "signal", "2"), cfg: short,
			bars: dailyBars("X", []float64{10, 10, 10, 13, 7, 13, 7}, nil),
			want: []placed{{4, S, 10}, {5, B, 20}, {6, S, 20}},
		},
		{
			// RSI(2): bar 2 is 100 (no loss), bar 3 25 (buy), bar 4 16.7 (held), bar 5 77.3
			// (sell), bar 6 (+1 more) stays above 70 while flat: nothing.
			name: "rsi", strat: "rsi", raw: with(qty, "period", "2"), cfg: cash,
			bars: dailyBars("X", []float64{10, 11, 12, 9, 8, 12, 13}, nil),
			want: []placed{{3, B, 10}, {5, S, 10}},
		},
		{
			name: "rsi short", strat: "rsi", raw: with(qty, "period", "2"), cfg: short,
			bars: dailyBars("X", []float64{10, 11, 12, 9, 8, 12, 13}, nil),
			want: []placed{{2, S, 10}, {3, B, 20}, {5, S, 20}},
		},
		{
			// Bollinger(3, 1): bar 3 closes 7 below 9-1.41 (buy); bar 5 closes 9 above the
			// middle 8 (sell); bar 6 closes 4 below 7-2.16 (buy); bar 8 closes 5, exactly the
			// middle of 4, 6, 5 (sell at equality).
			name: "bollinger", strat: "bollinger", raw: with(qty, "period", "3", "k", "1"), cfg: cash,
			bars: dailyBars("X", []float64{10, 10, 10, 7, 8, 9, 4, 6, 5, 5}, nil),
			want: []placed{{3, B, 10}, {5, S, 10}, {6, B, 10}, {8, S, 10}},
		},
		{
			// Upper band: bar 3 closes 13 above 11+1.41 (short); bar 4 closes 12, above the
			// middle 11.67 (held); bar 5 closes 11, below the middle 12 (cover).
			name: "bollinger short", strat: "bollinger", raw: with(qty, "period", "3", "k", "1"), cfg: short,
			bars: dailyBars("X", []float64{10, 10, 10, 13, 12, 11}, nil),
			want: []placed{{3, S, 10}, {5, B, 10}},
		},
		{
			// Donchian 3/2 on bars spanning close±1: bar 3 closes 13 above the previous three
			// highs' 12 (buy); bar 5 closes 11, not below the previous two lows' 11; bar 6 closes
			// 9 below 10 (sell).
			name: "breakout", strat: "breakout", raw: with(qty, "entry", "3", "exit", "2"), cfg: cash,
			bars: dailyBars("X", []float64{10, 11, 10, 13, 12, 11, 9, 5}, nil),
			want: []placed{{3, B, 10}, {6, S, 10}},
		},
		{
			// With shorts, bar 7 closes 5 below the previous three lows' 8: short.
			name: "breakout short", strat: "breakout", raw: with(qty, "entry", "3", "exit", "2"), cfg: short,
			bars: dailyBars("X", []float64{10, 11, 10, 13, 12, 11, 9, 5}, nil),
			want: []placed{{3, B, 10}, {6, S, 10}, {7, S, 10}},
		},
		{
			name: "buyhold", strat: "buyhold", raw: qty, cfg: cash,
			bars: dailyBars("X", []float64{10, 9, 11, 12}, nil),
			want: []placed{{0, B, 10}},
		},
		{
			// pct sizing: 50% of 10000 at the last close 10, less estimated costs (none): 500.
			name: "buyhold pct", strat: "buyhold", raw: map[string]string{"pct": "0.5"}, cfg: cash,
			bars: dailyBars("X", []float64{10, 10, 11, 12}, nil),
			want: []placed{{0, B, 500}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rec, _ := run(t, tt.strat, tt.raw, tt.cfg, tt.bars)
			if !slices.Equal(got, tt.want) {
				t.Errorf("orders %v, want %v", got, tt.want)
			}
			// Each order fills at the next bar's open: the position the strategy sees there is
			// the sum of the orders placed before it.
			pos := 0.0
			for i, q := range rec.qty {
				if q != pos {
					t.Errorf("bar %d handled with position %v, want %v", i, q, pos)
				}
				for _, p := range got {
					if p.Bar == i {
						pos += float64(p.Side) * p.Qty
					}
				}
			}
		})
	}
}

// TestPerSymbolState runs sma on two symbols whose bars interleave: each symbol must trade on
// its own closes only, exactly as if it were alone.
func TestPerSymbolState(t *testing.T) {
	raw := map[string]string{"fast": "2", "slow": "3", "qty": "10"}
	a := dailyBars("A", []float64{10, 10, 10, 9, 12, 12, 8, 16, 16, 16}, nil)
	b := dailyBars("B", []float64{20, 20, 20, 22, 18, 19, 25, 25, 25, 25}, nil)
	var both []data.Bar
	for i := range a {
		both = append(both, a[i], b[i])
	}
	bySym := func(res *engine.Result, sym string) []engine.Fill {
		var out []engine.Fill
		for _, f := range res.Fills {
			if f.Symbol == sym {
				f.OrderID = 0
				out = append(out, f)
			}
		}
		return out
	}
	_, _, alone := run(t, "sma", raw, engine.Config{Cash: 1e6}, a)
	_, _, aloneB := run(t, "sma", raw, engine.Config{Cash: 1e6}, b)
	_, _, mixed := run(t, "sma", raw, engine.Config{Cash: 1e6}, both)
	if len(alone.Fills) == 0 || len(aloneB.Fills) == 0 {
		t.Fatal("the fixture trades nothing: the test would prove nothing")
	}
	for sym, want := range map[string][]engine.Fill{"A": bySym(alone, "A"), "B": bySym(aloneB, "B")} {
		if got := bySym(mixed, sym); !slices.Equal(got, want) {
			t.Errorf("%s fills with another symbol %v, alone %v", sym, got, want)
		}
	}
}

func TestFractionalQtyRejectedAtInit(t *testing.T) {
	s, _, err := New("sma", map[string]string{"qty": "2.5"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = engine.Run(context.Background(), engine.Config{}, data.NewSliceIterator(dailyBars("X", []float64{10, 11}, nil)), s)
	if !errors.Is(err, ErrBadParam) {
		t.Errorf("Run with qty=2.5 on whole shares: %v, want ErrBadParam", err)
	}
	if _, err = engine.Run(context.Background(), engine.Config{Fractional: true}, data.NewSliceIterator(dailyBars("X", []float64{10, 11}, nil)), s); err != nil {
		t.Errorf("Run with qty=2.5 and Fractional: %v", err)
	}
}
