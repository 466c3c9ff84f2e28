package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// exits lists the trades' exit reasons.
func exits(res *Result) []ExitReason {
	var out []ExitReason
	for _, t := range res.Trades {
		out = append(out, t.ExitReason)
	}
	return out
}

func TestBracketLegsOnEntryBar(t *testing.T) {
	tests := []struct {
		name      string
		bar       ohlc // the bar the market entry fills on, at its open 100
		price     float64
		exit      ExitReason
		ambiguous int64
	}{
		{"target only", ohlc{100, 106, 99, 104}, 105, ExitTakeProfit, 0},
		{"stop only", ohlc{100, 101, 94, 96}, 95, ExitStopLoss, 0},
		{"both: stop first", ohlc{100, 106, 94, 100}, 95, ExitStopLoss, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bars := minutes("AAA", monday0930, flat(100), tt.bar, flat(100))
			s := &script{bar: at(0, Order{Symbol: "AAA", Side: Buy, Qty: 10, Class: Bracket, TakeProfit: 105, StopLoss: 95})}
			res := run(t, Config{}, bars, s)
			if len(res.Fills) != 2 || res.Fills[1].Price != tt.price || res.AmbiguousFills != tt.ambiguous {
				t.Fatalf("fills %+v ambiguous %d; want the exit at %v, %d ambiguous", res.Fills, res.AmbiguousFills, tt.price, tt.ambiguous)
			}
			if got := exits(res); len(got) != 1 || got[0] != tt.exit {
				t.Errorf("exit reasons %v, want %v", got, tt.exit)
			}
			var cancelled int
			for _, r := range res.Orders {
				if r.Status == Cancelled && r.Parent == 1 {
					cancelled++
				}
			}
			if cancelled != 1 {
				t.Errorf("the other leg should be cancelled: %+v", res.Orders)
			}
		})
	}
}

func TestBracketLegsWaitForEntry(t *testing.T) {
	// A limit entry filled inside bar 1 (not at its open): its legs trade from bar 2 on, and a
	// gap through the stop fills at the open.
	bars := minutes("AAA", monday0930, flat(100), ohlc{100, 100, 97, 99}, ohlc{90, 91, 89, 90})
	s := &script{bar: at(0, Order{Symbol: "AAA", Side: Buy, Qty: 10, Type: Limit, LimitPrice: 98, Class: Bracket, TakeProfit: 105, StopLoss: 97.5})}
	res := run(t, Config{}, bars, s)
	if len(res.Fills) != 2 || res.Fills[0].Price != 98 || res.Fills[1].Price != 90 || !res.Fills[1].Time.Equal(bars[2].Time) {
		t.Fatalf("fills %+v", res.Fills)
	}
	// An entry that never fills cancels its legs.
	s = &script{bar: func(e *Env, b data.Bar, i int) error {
		if i == 0 {
			id, _ := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 10, Type: Limit, LimitPrice: 50, Class: OTO, StopLoss: 40})
			return e.Cancel(id)
		}
		return nil
	}}
	res = run(t, Config{}, bars, s)
	if len(res.Orders) != 2 || res.Orders[1].Status != Cancelled || res.Orders[1].Parent != 1 || e2(res) != 0 {
		t.Errorf("orders %+v", res.Orders)
	}
}

func e2(res *Result) int { return len(res.Fills) }

func TestOCOPair(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(100), flat(100), ohlc{100, 103, 99, 102}, ohlc{102, 106, 101, 105})
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		switch i {
		case 0:
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 10})
			return err
		case 1:
			id, err := e.Submit(Order{Symbol: "AAA", Side: Sell, Qty: 10, Class: OCO, TakeProfit: 105, StopLoss: 95})
			if id != 2 || err != nil {
				t.Errorf("oco id %d err %v", id, err)
			}
		}
		return nil
	}}
	res := run(t, Config{}, bars, s)
	if len(res.Fills) != 2 || res.Fills[1].Price != 105 || res.Orders[2].Status != Cancelled || exits(res)[0] != ExitTakeProfit {
		t.Fatalf("fills %+v orders %+v", res.Fills, res.Orders)
	}
}

func TestTrailingStop(t *testing.T) {
	// Sell trailing 5% from 100: the mark rises to 110 with bar 2's high, so the stop is 104.5
	// at bar 3, which opens at 106 and falls to 103.
	bars := minutes("AAA", monday0930, flat(100), ohlc{100, 102, 99, 101}, ohlc{101, 110, 100, 108}, ohlc{106, 107, 103, 104})
	s := &script{init: func(e *Env) error {
		_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 10})
		return err
	}, bar: at(0, Order{Symbol: "AAA", Side: Sell, Qty: 10, Type: TrailingStop, TrailPercent: 5})}
	res := run(t, Config{}, bars, s)
	if len(res.Fills) != 2 || !near(res.Fills[1].Price, 104.5, 1e-9) || exits(res)[0] != ExitTrail {
		t.Fatalf("fills %+v exits %v", res.Fills, exits(res))
	}
	// By amount, gapping through: fills at the open.
	bars[3] = data.Bar{Symbol: "AAA", Time: bars[3].Time, Open: 90, High: 91, Low: 89, Close: 90}
	s = &script{init: s.init, bar: at(0, Order{Symbol: "AAA", Side: Sell, Qty: 10, Type: TrailingStop, TrailPrice: 3})}
	if res = run(t, Config{}, bars, s); len(res.Fills) != 2 || res.Fills[1].Price != 90 {
		t.Fatalf("fills %+v", res.Fills)
	}
}

func TestTrailingStopLossLeg(t *testing.T) {
	// The leg's stop is the tighter of the fixed stop and the trail: the fixed 95 until the mark
	// passes 100/0.95·... here the trail (10% under 110 = 99) takes over.
	bars := minutes("AAA", monday0930, flat(100), ohlc{100, 110, 100, 109}, ohlc{105, 106, 98, 99})
	s := &script{bar: at(0, Order{Symbol: "AAA", Side: Buy, Qty: 10, Class: Bracket, TakeProfit: 120, StopLoss: 95, TrailPercent: 10})}
	res := run(t, Config{}, bars, s)
	if len(res.Fills) != 2 || !near(res.Fills[1].Price, 99, 1e-9) || exits(res)[0] != ExitTrail {
		t.Fatalf("fills %+v exits %v", res.Fills, exits(res))
	}
}

func TestAuctionOrders(t *testing.T) {
	ny := func(d, hh, mm int) time.Time { return time.Date(2024, 6, d, hh, mm, 0, 0, calendar.NewYork).UTC() }
	var bars []data.Bar
	for _, tm := range []time.Time{ny(3, 9, 30), ny(3, 10, 0), ny(3, 15, 30), ny(4, 9, 30), ny(4, 15, 30)} {
		p := float64(tm.Hour()*100 + tm.Minute())
		bars = append(bars, data.Bar{Symbol: "AAA", Time: tm, Open: p, High: p + 5, Low: p - 5, Close: p + 1, Volume: 100})
	}
	cfg := Config{Provenance: Provenance{Timeframe: data.Timeframe{N: 30, Unit: data.Min}}}
	var errs []error
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		if i == 0 {
			// At 10:00 New York: OPG is past 09:28, so refused; CLS goes to today's close.
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, TIF: OPG})
			errs = append(errs, err)
			_, err = e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, TIF: CLS})
			errs = append(errs, err)
		}
		return nil
	}}
	res := run(t, cfg, bars, s)
	if !errors.Is(errs[0], ErrRejected) || errs[1] != nil {
		t.Fatalf("errors %v", errs)
	}
	// The 15:30 bar ends at the 16:00 close: the CLS order fills at its close, stamped 16:00.
	if len(res.Fills) != 1 || res.Fills[0].Price != bars[2].Close || !res.Fills[0].Time.Equal(ny(3, 16, 0)) {
		t.Fatalf("fills %+v", res.Fills)
	}
	// Placed in Init, OPG fills at the first bar's open; a limit OPG not met at the open is cancelled.
	s = &script{init: func(e *Env) error {
		if _, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, TIF: OPG}); err != nil {
			return err
		}
		_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, TIF: OPG, Type: Limit, LimitPrice: 900})
		return err
	}}
	res = run(t, cfg, bars, s)
	if len(res.Fills) != 1 || res.Fills[0].Price != bars[0].Open || res.Orders[1].Status != Cancelled {
		t.Fatalf("fills %+v orders %+v", res.Fills, res.Orders)
	}
	// Daily bars: OPG trades at the next bar's open, CLS at its close.
	d := days("AAA", ohlc{10, 12, 9, 11}, ohlc{20, 22, 19, 21})
	s = &script{bar: func(e *Env, b data.Bar, i int) error {
		if i == 0 {
			e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, TIF: OPG})
			e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, TIF: CLS})
		}
		return nil
	}}
	res = run(t, Config{}, d, s)
	if len(res.Fills) != 2 || res.Fills[0].Price != 20 || res.Fills[1].Price != 21 {
		t.Fatalf("daily fills %+v", res.Fills)
	}
}

func TestMaxVolumePct(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(10), flat(10), flat(11), flat(12))
	for i := range bars {
		bars[i].Volume = 1000
	}
	// 10% of 1000 shares a bar: a 250-share order fills 100, 100, 50, shared with a second order
	// on the same bar only after the first has taken its part.
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		if i == 0 {
			e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 250})
			e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 5})
		}
		return nil
	}}
	res := run(t, Config{MaxVolumePct: 10}, bars, s)
	var q []float64
	for _, f := range res.Fills {
		q = append(q, f.Qty)
	}
	if len(q) != 4 || q[0] != 100 || q[1] != 100 || q[2] != 50 || q[3] != 5 || res.PartialFills != 2 {
		t.Fatalf("fill quantities %v partial %d", q, res.PartialFills)
	}
	if r := res.Orders[0]; r.Status != Filled || r.FilledQty != 250 || !near(r.FillPrice, (100*10+100*11+50*12)/250.0, 1e-9) {
		t.Errorf("record %+v", r)
	}
}

func TestFinancing(t *testing.T) {
	// Short 100 at 50 on Friday 2024-06-07 with 2x leverage, cash positive; a long on margin on
	// Monday. Friday's close to Monday is three days of borrow on 100 x 50.
	d := func(day int, p float64) data.Bar {
		return data.Bar{Symbol: "AAA", Time: time.Date(2024, 6, day, 0, 0, 0, 0, calendar.NewYork).UTC(), Open: p, High: p, Low: p, Close: p}
	}
	bars := []data.Bar{d(6, 50), d(7, 50), d(10, 50), d(11, 50)}
	s := &script{bar: at(0, Order{Symbol: "AAA", Side: Sell, Qty: 100})}
	cfg := Config{Short: true, Leverage: 2, BorrowRate: 0.036, MarginRate: 0.072}
	res := run(t, cfg, bars, s)
	want := 5000 * 0.036 / 360 * (3 + 1) // Fri->Mon, Mon->Tue
	if !near(res.BorrowPaid, want, 1e-9) || res.InterestPaid != 0 {
		t.Fatalf("borrow %v interest %v, want %v and 0", res.BorrowPaid, res.InterestPaid, want)
	}
	// A long of 150000 on 100000 cash borrows 50000: one day of interest.
	bars = []data.Bar{d(6, 50), d(7, 50), d(10, 50)}
	s = &script{bar: at(0, Order{Symbol: "AAA", Side: Buy, Qty: 3000})}
	res = run(t, cfg, bars, s)
	if want := 50000 * 0.072 / 360 * 3; !near(res.InterestPaid, want, 1e-9) || res.BorrowPaid != 0 {
		t.Fatalf("interest %v, want %v", res.InterestPaid, want)
	}
}

func TestClassValidation(t *testing.T) {
	bad := []Order{
		{Class: Bracket, TakeProfit: 105},                         // no stop leg
		{Class: Bracket, TakeProfit: 95, StopLoss: 105},           // target below stop for a long
		{Class: OTO, TakeProfit: 105, StopLoss: 95},               // two legs
		{Class: OCO, Side: Sell},                                  // no leg
		{Class: Bracket, TakeProfit: 105, StopLoss: 95, TIF: OPG}, // auction TIF
		{Type: TrailingStop},                                      // no trail
		{Type: TrailingStop, TrailPrice: 1, TrailPercent: 1},      // both
		{Type: TrailingStop, TrailPercent: 100},                   // all of it
		{Type: Stop, StopPrice: 1, TrailPercent: 1},               // trail on a plain stop
		{StopLoss: 95},                       // legs on a simple order
		{TIF: OPG, Type: Stop, StopPrice: 1}, // opg on a stop
	}
	for _, o := range bad {
		o.Symbol, o.Qty = "AAA", 1
		if o.Side == 0 {
			o.Side = Buy
		}
		s := &script{bar: func(e *Env, b data.Bar, i int) error {
			if i == 0 {
				if _, err := e.Submit(o); !errors.Is(err, ErrRejected) {
					t.Errorf("%+v accepted", o)
				}
			}
			return nil
		}}
		run(t, Config{Short: true}, minutes("AAA", monday0930, flat(100)), s)
	}
}

func TestOneLegOCO(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(100), flat(100), ohlc{100, 104, 99, 102}, ohlc{102, 106, 99, 105})
	for _, tt := range []struct {
		o    Order
		exit ExitReason
		px   float64
	}{
		{Order{Symbol: "AAA", Side: Sell, Qty: 10, Class: OCO, TakeProfit: 105}, ExitTakeProfit, 105},
		{Order{Symbol: "AAA", Side: Sell, Qty: 10, Class: OCO, TrailPrice: 4}, ExitTrail, 100},
	} {
		s := &script{init: func(e *Env) error {
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 10})
			return err
		}, bar: at(0, tt.o)}
		res := run(t, Config{}, bars, s)
		if len(res.Orders) != 2 || len(res.Fills) != 2 || res.Fills[1].Price != tt.px || exits(res)[0] != tt.exit {
			t.Errorf("%+v: orders %+v fills %+v exits %v", tt.o, res.Orders, res.Fills, exits(res))
		}
	}
}
