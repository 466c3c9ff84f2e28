package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// TestRoundTrips replays testdata/roundtrip.csv: buy 10 at 100, sell 5 at 110, sell 15 at 120
// (closing the long and opening a short of 10), cover at 100, buy 3 at 105 left open at 107.
// Every fill pays $1. The expected figures are worked out by hand in the comments.
func TestRoundTrips(t *testing.T) {
	bars := loadCSV(t, "roundtrip.csv")
	plan := map[int]Order{
		0: {Side: Buy, Qty: 10},
		1: {Side: Sell, Qty: 5},
		2: {Side: Sell, Qty: 15},
		3: {Side: Buy, Qty: 10},
		5: {Side: Buy, Qty: 3},
	}
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		if o, ok := plan[i]; ok {
			o.Symbol, o.TIF = "AAA", GTC
			_, err := e.Submit(o)
			return err
		}
		return nil
	}}
	res := run(t, Config{Short: true, Commission: Commission{Kind: PerOrder, Rate: 1}}, bars, s)
	if len(res.Trades) != 3 {
		t.Fatalf("trades: %+v", res.Trades)
	}
	third := 1.0 / 3
	want := []Trade{
		// Long: realised 5x10 + 5x20 = 150; costs 1 + 1 + 5/15 of the reversing fill's $1.
		{Symbol: "AAA", Side: Buy, Qty: 10, EntryTime: bars[1].Time, EntryPrice: 100, ExitTime: bars[3].Time,
			ExitPrice: 115, PnL: 150 - 2 - third, Return: (150 - 2 - third) / 1000, BarsHeld: 2, Commission: 2 + third},
		// Short 10 at 120 covered at 100: 200, costs 10/15 of $1 + $1.
		{Symbol: "AAA", Side: Sell, Qty: 10, EntryTime: bars[3].Time, EntryPrice: 120, ExitTime: bars[4].Time,
			ExitPrice: 100, PnL: 200 - 1 - 2*third, Return: (200 - 1 - 2*third) / 1200, BarsHeld: 1, Commission: 1 + 2*third},
		// Open: 3 at 105 marked at 107: 6 - 1.
		{Symbol: "AAA", Side: Buy, Qty: 3, EntryTime: bars[6].Time, EntryPrice: 105, ExitTime: res.End,
			ExitPrice: 107, PnL: 5, Return: 5.0 / 315, BarsHeld: 1, Commission: 1, Open: true},
	}
	for i, w := range want {
		g := res.Trades[i]
		if g.Symbol != w.Symbol || g.Side != w.Side || g.Qty != w.Qty || !g.EntryTime.Equal(w.EntryTime) ||
			!g.ExitTime.Equal(w.ExitTime) || g.BarsHeld != w.BarsHeld || g.Open != w.Open ||
			!near(g.EntryPrice, w.EntryPrice, 1e-9) || !near(g.ExitPrice, w.ExitPrice, 1e-9) ||
			!near(g.PnL, w.PnL, 1e-9) || !near(g.Return, w.Return, 1e-12) || !near(g.Commission, w.Commission, 1e-9) {
			t.Errorf("trade %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// Cash: -1000 +550 +1800 -1000 -315, five fills at $1.
	last := res.Equity[len(res.Equity)-1]
	if !near(last.Cash, 100030, 1e-9) || !near(last.Long, 321, 1e-9) || !near(last.Equity(), 100351, 1e-9) {
		t.Errorf("last point %+v", last)
	}
	p := res.Positions[0]
	if p.Qty != 3 || p.AvgCost != 105 || p.LastPrice != 107 || p.Realized != 350 {
		t.Errorf("position %+v", p)
	}
	if !res.End.Equal(bars[6].Time.Add(time.Minute)) {
		t.Errorf("end %v", res.End)
	}
}

// TestAveraging: adds move the average cost; a partial sale realises against it.
func TestAveraging(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(100), flat(100), flat(110), flat(130), flat(130))
	plan := map[int]Order{0: {Side: Buy, Qty: 10}, 1: {Side: Buy, Qty: 10}, 2: {Side: Sell, Qty: 5}}
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		if o, ok := plan[i]; ok {
			o.Symbol, o.TIF = "AAA", GTC
			_, err := e.Submit(o)
			return err
		}
		return nil
	}}
	res := run(t, Config{}, bars, s)
	p := res.Positions[0]
	// Bought 10 at 100 and 10 at 110: average 105; sold 5 at 130: realised 125.
	if p.Qty != 15 || p.AvgCost != 105 || p.Realized != 125 {
		t.Errorf("position %+v", p)
	}
	if tr := res.Trades; len(tr) != 1 || !tr[0].Open || tr[0].Qty != 20 || tr[0].EntryPrice != 105 ||
		tr[0].PnL != 125+15*25 || tr[0].BarsHeld != 4 {
		t.Errorf("trades %+v", tr)
	}
}

func TestTargetPercent(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		pct      float64
		hold     float64 // position entered at bar 0 (filled at bar 1's open of 100)
		nextOpen float64 // open of the bar the target order fills on
		want     float64 // position after
		reason   string
	}{
		{"all in", Config{}, 1, 0, 100, 1000, ""},
		{"all in with slippage", Config{SlippageBps: 10}, 1, 0, 100, 999, ""},
		{"all in with per-share commission", Config{Commission: Commission{Kind: PerShare, Rate: 0.01, Min: 1}}, 1, 0, 100, 999, ""},
		{"half", Config{}, 0.5, 0, 100, 500, ""},
		{"gap up shrinks the fill", Config{}, 1, 0, 100.5, 995, "filled 995 of 1000"},
		{"reduce", Config{}, 0.25, 600, 100, 250, ""},
		{"already there", Config{}, 0.6, 600, 100, 600, ""},
		{"short half", Config{Short: true}, -0.5, 0, 100, -500, ""},
		{"long to short", Config{Short: true}, -0.5, 600, 100, -500, ""},
		{"fractional", Config{Fractional: true}, 1.0 / 3, 0, 100, 333.333333333, ""},
		{"margin 2x", Config{Leverage: 2}, 2, 0, 100, 2000, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bars := minutes("AAA", monday0930, flat(100), flat(100), flat(tt.nextOpen), flat(tt.nextOpen))
			s := &script{bar: func(e *Env, b data.Bar, i int) error {
				switch {
				case i == 0 && tt.hold != 0:
					_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: tt.hold, TIF: GTC})
					return err
				case i == 1:
					_, err := e.TargetPercent("AAA", tt.pct)
					return err
				}
				return nil
			}}
			cfg := tt.cfg
			res := run(t, cfg, bars, s)
			if got := res.Positions[0].Qty; !near(got, tt.want, 1e-9) {
				t.Errorf("position %v, want %v (orders %+v)", got, tt.want, res.Orders)
			}
			if tt.reason != "" && !strings.Contains(res.Orders[len(res.Orders)-1].Reason, tt.reason) {
				t.Errorf("reason %q, want %q", res.Orders[len(res.Orders)-1].Reason, tt.reason)
			}
		})
	}
}

func TestTargetQuantity(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(10), flat(10), flat(10), flat(10))
	var ids []OrderID
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		var id OrderID
		var err error
		switch i {
		case 0:
			// An open order of the symbol is cancelled by the target.
			if _, err = e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 1, TIF: GTC}); err != nil {
				return err
			}
			id, err = e.TargetQuantity("AAA", 50)
		case 1:
			id, err = e.TargetQuantity("AAA", 50) // already there: nothing to do
		case 2:
			id, err = e.TargetQuantity("AAA", 20)
		}
		ids = append(ids, id)
		return err
	}}
	res := run(t, Config{}, bars, s)
	if ids[1] != 0 || ids[0] == 0 || ids[2] == 0 {
		t.Errorf("ids %v", ids)
	}
	if res.Orders[0].Status != Cancelled {
		t.Errorf("open order not cancelled: %+v", res.Orders[0])
	}
	if len(res.Fills) != 2 || res.Fills[0].Side != Buy || res.Fills[0].Qty != 50 || res.Fills[1].Side != Sell || res.Fills[1].Qty != 30 {
		t.Errorf("fills %+v", res.Fills)
	}
	if res.Positions[0].Qty != 20 {
		t.Errorf("position %+v", res.Positions[0])
	}
}

func TestTargetErrors(t *testing.T) {
	s := &script{init: func(e *Env) error {
		if _, err := e.TargetPercent("AAA", 1); err == nil {
			t.Error("TargetPercent before any price succeeded")
		}
		if _, err := e.TargetQuantity("AAA", 1.5); err == nil {
			t.Error("fractional TargetQuantity with Fractional off succeeded")
		}
		return nil
	}}
	run(t, Config{}, minutes("AAA", monday0930, flat(10)), s)
}
