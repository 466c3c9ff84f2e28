package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

func TestFillPrice(t *testing.T) {
	bar := func(o, h, l, c float64) *data.Bar { return &data.Bar{Open: o, High: h, Low: l, Close: c} }
	tests := []struct {
		name      string
		o         Order
		triggered bool
		b         *data.Bar
		want      float64
		slip, ok  bool
		trig      bool // triggered after the bar
	}{
		{"market buy at open", Order{Side: Buy, Type: Market}, false, bar(100, 105, 95, 101), 100, true, true, false},
		{"market sell at open", Order{Side: Sell, Type: Market}, false, bar(100, 105, 95, 101), 100, true, true, false},
		{"limit buy touched", Order{Side: Buy, Type: Limit, LimitPrice: 96}, false, bar(100, 105, 95, 101), 96, false, true, false},
		{"limit buy exactly at low", Order{Side: Buy, Type: Limit, LimitPrice: 95}, false, bar(100, 105, 95, 101), 95, false, true, false},
		{"limit buy not reached", Order{Side: Buy, Type: Limit, LimitPrice: 94.99}, false, bar(100, 105, 95, 101), 0, false, false, false},
		{"limit buy gap down fills at open", Order{Side: Buy, Type: Limit, LimitPrice: 98}, false, bar(90, 92, 89, 91), 90, false, true, false},
		{"limit sell touched", Order{Side: Sell, Type: Limit, LimitPrice: 104}, false, bar(100, 105, 95, 101), 104, false, true, false},
		{"limit sell gap up fills at open", Order{Side: Sell, Type: Limit, LimitPrice: 104}, false, bar(110, 112, 108, 109), 110, false, true, false},
		{"limit sell not reached", Order{Side: Sell, Type: Limit, LimitPrice: 105.5}, false, bar(100, 105, 95, 101), 0, false, false, false},
		{"stop buy triggered", Order{Side: Buy, Type: Stop, StopPrice: 103}, false, bar(100, 105, 95, 101), 103, true, true, false},
		{"stop buy gap up fills at open", Order{Side: Buy, Type: Stop, StopPrice: 103}, false, bar(107, 108, 106, 107), 107, true, true, false},
		{"stop buy not triggered", Order{Side: Buy, Type: Stop, StopPrice: 106}, false, bar(100, 105, 95, 101), 0, false, false, false},
		{"stop sell triggered", Order{Side: Sell, Type: Stop, StopPrice: 97}, false, bar(100, 105, 95, 101), 97, true, true, false},
		{"stop sell gap down fills at open", Order{Side: Sell, Type: Stop, StopPrice: 97}, false, bar(90, 92, 89, 91), 90, true, true, false},
		{"stop-limit buy triggers and fills at stop", Order{Side: Buy, Type: StopLimit, StopPrice: 103, LimitPrice: 104}, false, bar(100, 105, 95, 101), 103, false, true, true},
		{"stop-limit buy gap between stop and limit fills at open", Order{Side: Buy, Type: StopLimit, StopPrice: 103, LimitPrice: 108}, false, bar(106, 110, 105, 107), 106, false, true, true},
		{"stop-limit buy gap above limit, dips back to it", Order{Side: Buy, Type: StopLimit, StopPrice: 103, LimitPrice: 104}, false, bar(106, 110, 103.5, 107), 104, false, true, true},
		{"stop-limit buy gap above limit, stays above", Order{Side: Buy, Type: StopLimit, StopPrice: 103, LimitPrice: 104}, false, bar(106, 110, 105, 107), 0, false, false, true},
		{"stop-limit buy limit below stop, intrabar trigger: no fill", Order{Side: Buy, Type: StopLimit, StopPrice: 103, LimitPrice: 101}, false, bar(100, 105, 95, 101), 0, false, false, true},
		{"stop-limit buy not triggered", Order{Side: Buy, Type: StopLimit, StopPrice: 106, LimitPrice: 107}, false, bar(100, 105, 95, 101), 0, false, false, false},
		{"stop-limit buy triggered earlier acts as limit", Order{Side: Buy, Type: StopLimit, StopPrice: 103, LimitPrice: 101}, true, bar(100, 105, 95, 101), 100, false, true, true},
		{"stop-limit sell triggers and fills at stop", Order{Side: Sell, Type: StopLimit, StopPrice: 97, LimitPrice: 96}, false, bar(100, 105, 95, 101), 97, false, true, true},
		{"stop-limit sell gap below limit, rallies to it", Order{Side: Sell, Type: StopLimit, StopPrice: 97, LimitPrice: 96}, false, bar(94, 96.5, 93, 95), 96, false, true, true},
		{"stop-limit sell gap below limit, stays below", Order{Side: Sell, Type: StopLimit, StopPrice: 97, LimitPrice: 96}, false, bar(94, 95, 93, 95), 0, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os := orderState{triggered: tt.triggered}
			got, slip, ok := fillPrice(&tt.o, &os, tt.b)
			if got != tt.want || slip != tt.slip || ok != tt.ok || os.triggered != tt.trig {
				t.Errorf("got price %v slip %v ok %v triggered %v; want %v %v %v %v",
					got, slip, ok, os.triggered, tt.want, tt.slip, tt.ok, tt.trig)
			}
		})
	}
}

// TestNextBarFills checks through Run that orders fill on their symbol's next bar, never the bar
// they were placed on, with slippage on market and stop fills only.
func TestNextBarFills(t *testing.T) {
	bars := minutes("AAA", monday0930,
		ohlc{100, 101, 99, 100}, // 0: orders placed here
		ohlc{102, 103, 95, 96},  // 1: market fills at 102; limit 97 fills at 97; stop 102.5 fills
		ohlc{96, 97, 90, 91})
	tests := []struct {
		name  string
		o     Order
		slip  float64
		price float64
	}{
		{"market", Order{Type: Market}, 0, 102},
		{"market with slippage", Order{Type: Market}, 10, 102 * 1.001},
		{"limit no slippage", Order{Type: Limit, LimitPrice: 97}, 10, 97},
		{"stop with slippage", Order{Type: Stop, StopPrice: 102.5}, 10, 102.5 * 1.001},
		{"stop-limit no slippage", Order{Type: StopLimit, StopPrice: 102.5, LimitPrice: 103}, 10, 102.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			o.Symbol, o.Side, o.Qty, o.TIF = "AAA", Buy, 10, GTC
			s := &script{bar: at(0, o)}
			res := run(t, Config{SlippageBps: tt.slip}, bars, s)
			if len(res.Fills) != 1 {
				t.Fatalf("fills: %+v", res.Fills)
			}
			f := res.Fills[0]
			if !near(f.Price, tt.price, 1e-9) || !f.Time.Equal(bars[1].Time) {
				t.Errorf("fill %v at %v, want %v at %v", f.Price, f.Time, tt.price, bars[1].Time)
			}
			if !near(res.Positions[0].Qty, 10, 0) || !near(res.Equity[2].Cash, 100000-10*tt.price, 1e-6) {
				t.Errorf("position %+v, cash %v", res.Positions[0], res.Equity[2].Cash)
			}
			if len(s.fills) != 1 || s.fills[0] != f {
				t.Errorf("OnFill saw %+v", s.fills)
			}
		})
	}
}

func TestSellSlippage(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(100), flat(100), ohlc{100, 100, 80, 90})
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		switch i {
		case 0:
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 10, Type: Market, TIF: GTC})
			return err
		case 1:
			_, err := e.Submit(Order{Symbol: "AAA", Side: Sell, Qty: 10, Type: Stop, StopPrice: 95, TIF: GTC})
			return err
		}
		return nil
	}}
	res := run(t, Config{SlippageBps: 50}, bars, s)
	if got, want := res.Fills[1].Price, 95*(1-0.005); !near(got, want, 1e-9) {
		t.Errorf("stop sell filled at %v, want %v", got, want)
	}
	if got, want := res.Fills[0].Price, 100*1.005; !near(got, want, 1e-9) {
		t.Errorf("market buy filled at %v, want %v", got, want)
	}
}

func TestCommission(t *testing.T) {
	tests := []struct {
		name string
		c    Commission
		qty  float64
		px   float64
		want float64
	}{
		{"none", Commission{}, 100, 50, 0},
		{"per share", Commission{Kind: PerShare, Rate: 0.005, Min: 1}, 1000, 50, 5},
		{"per share minimum", Commission{Kind: PerShare, Rate: 0.005, Min: 1}, 100, 50, 1},
		{"per order", Commission{Kind: PerOrder, Rate: 4.95}, 7, 50, 4.95},
		{"percent", Commission{Kind: Percent, Rate: 0.001}, 100, 50, 5},
		{"percent minimum", Commission{Kind: Percent, Rate: 0.001, Min: 7}, 100, 50, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bars := minutes("AAA", monday0930, flat(tt.px), flat(tt.px), flat(tt.px))
			s := &script{bar: at(0, Order{Symbol: "AAA", Side: Buy, Qty: tt.qty, TIF: GTC})}
			res := run(t, Config{Commission: tt.c}, bars, s)
			f := res.Fills[0]
			if !near(f.Commission, tt.want, 1e-12) || f.Fees != 0 {
				t.Errorf("commission %v fees %v, want %v and 0", f.Commission, f.Fees, tt.want)
			}
			if want := 100000 - tt.qty*tt.px - tt.want; !near(res.Equity[1].Cash, want, 1e-9) {
				t.Errorf("cash %v, want %v", res.Equity[1].Cash, want)
			}
		})
	}
}

// A crypto pair is no security: a sale of one pays neither the SEC fee nor the TAF, while a stock
// sold on the same bar pays both.
func TestAlpacaFeesSkipCrypto(t *testing.T) {
	start, err := data.ParseStart("2024-06-03T13:30:00Z")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		sym  string
		fees float64
	}{{"BTC/USD", 0}, {"AAA", 4.17 + 0.17}} {
		bars := minutes(tt.sym, start, flat(150), flat(150), flat(150))
		s := &script{bar: func(e *Env, b data.Bar, i int) error {
			if i < 2 {
				_, err := e.Submit(Order{Symbol: tt.sym, Side: []Side{Buy, Sell}[i], Qty: 1000, TIF: GTC})
				return err
			}
			return nil
		}}
		res := run(t, Config{Fees: AlpacaFees, Cash: 1e7}, bars, s)
		if len(res.Fills) != 2 {
			t.Fatalf("%s: %d fills, want 2", tt.sym, len(res.Fills))
		}
		if got := res.Fills[1].Fees; !near(got, tt.fees, 1e-9) {
			t.Errorf("%s: sell paid fees %v, want %v", tt.sym, got, tt.fees)
		}
	}
}

func TestAlpacaFees(t *testing.T) {
	tests := []struct {
		name      string
		qty, px   float64
		when      string
		sec, taf  float64
		buyCharge bool
	}{
		// 1000 x 150 = 150,000 x $27.80/M = 4.17; TAF 1000 x 0.000166 = 0.166 -> 0.17.
		{"2024 rates", 1000, 150, "2024-06-03T13:30:00Z", 4.17, 0.17, false},
		// 10 x 33.33 = 333.30 x 27.8e-6 = 0.00926574 -> 0.01; TAF 0.00166 -> 0.01.
		{"round up to the cent", 10, 33.33, "2024-06-03T13:30:00Z", 0.01, 0.01, false},
		// TAF 100,000 x 0.000166 = 16.60, capped at 8.30; SEC 100,000 x 10 x 27.8e-6 = 27.80.
		{"TAF cap", 100000, 10, "2024-06-03T13:30:00Z", 27.80, 8.30, false},
		// SEC rate is $0 from 2025-05-14.
		{"2025 no SEC fee", 1000, 150, "2025-06-02T13:30:00Z", 0, 0.17, false},
		// 2021-03: $5.10/M: 150,000 x 5.1e-6 = 0.765 -> 0.77; TAF 0.000119 x 1000 = 0.119 -> 0.12.
		{"2021 rates", 1000, 150, "2021-03-01T14:30:00Z", 0.77, 0.12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, err := data.ParseStart(tt.when)
			if err != nil {
				t.Fatal(err)
			}
			bars := minutes("AAA", start, flat(tt.px), flat(tt.px), flat(tt.px))
			s := &script{bar: func(e *Env, b data.Bar, i int) error {
				side := []Side{Buy, Sell}[i%2]
				if i < 2 {
					_, err := e.Submit(Order{Symbol: "AAA", Side: side, Qty: tt.qty, TIF: GTC})
					return err
				}
				return nil
			}}
			res := run(t, Config{Fees: AlpacaFees, Cash: 1e7}, bars, s)
			if res.Fills[0].Fees != 0 {
				t.Errorf("buy paid fees %v", res.Fills[0].Fees)
			}
			if got, want := res.Fills[1].Fees, tt.sec+tt.taf; !near(got, want, 1e-9) {
				t.Errorf("sell fees %v, want %v + %v", got, tt.sec, tt.taf)
			}
			if want := 1e7 - tt.sec - tt.taf; !near(res.Equity[2].Cash, want, 1e-6) {
				t.Errorf("cash %v, want %v", res.Equity[2].Cash, want)
			}
		})
	}
}

func TestShorts(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(100), flat(100), flat(90), flat(90))
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		var err error
		switch i {
		case 0:
			_, err = e.Submit(Order{Symbol: "AAA", Side: Sell, Qty: 10, TIF: GTC})
		case 2:
			_, err = e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 10, TIF: GTC})
		}
		return err
	}}
	res := run(t, Config{Short: true}, bars, s)
	// Short 10 at 100, marked at 90 (equity +100), covered at 90.
	if p := res.Equity[2]; p.Short != -900 || p.Cash != 101000 || p.Equity() != 100100 {
		t.Errorf("while short: %+v", p)
	}
	tr := res.Trades
	if len(tr) != 1 || tr[0].Side != Sell || tr[0].PnL != 100 || tr[0].Return != 0.1 || tr[0].Open {
		t.Errorf("trades %+v", tr)
	}
	if res.Positions[0].Realized != 100 || res.Equity[3].Equity() != 100100 {
		t.Errorf("position %+v, final %+v", res.Positions[0], res.Equity[3])
	}

	// With shorts off the same sell is refused at once.
	s2 := &script{bar: func(e *Env, b data.Bar, i int) error {
		if i == 0 {
			if _, err := e.Submit(Order{Symbol: "AAA", Side: Sell, Qty: 10}); !errors.Is(err, ErrRejected) {
				t.Errorf("short sell with Short off: err %v", err)
			}
		}
		return nil
	}}
	res = run(t, Config{}, bars, s2)
	if len(res.Orders) != 1 || res.Orders[0].Status != Rejected || !strings.Contains(res.Orders[0].Reason, "short") {
		t.Errorf("orders %+v", res.Orders)
	}
	if len(s2.updates) != 1 || s2.updates[0].Status != Rejected {
		t.Errorf("updates %+v", s2.updates)
	}
}

// TestOversell: with shorts off, a sell that was allowed at submission (shares on order) but
// exceeds the holding when it fills is rejected, not clipped.
func TestOversell(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(100), flat(100), flat(100))
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		if i == 0 {
			// Buy 5 limit that never fills, and a sell of 5 that counts on it.
			if _, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 5, Type: Limit, LimitPrice: 50, TIF: GTC}); err != nil {
				return err
			}
			_, err := e.Submit(Order{Symbol: "AAA", Side: Sell, Qty: 5, TIF: GTC})
			return err
		}
		return nil
	}}
	res := run(t, Config{}, bars, s)
	r := res.Orders[1]
	if r.Status != Rejected || !strings.Contains(r.Reason, "exceeds") || !r.Closed.Equal(bars[1].Time) {
		t.Errorf("oversell: %+v", r)
	}
}

func TestBuyingPower(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		qty      float64
		side     Side
		reject   string // substring of the reason, "" to fill
		nextOpen float64
	}{
		{"cash account fits", Config{}, 1000, Buy, "", 100},
		{"cash account one share over", Config{}, 1001, Buy, "insufficient cash", 100},
		{"cash account gap up", Config{}, 1000, Buy, "insufficient cash", 100.01},
		{"commission tips it over", Config{Commission: Commission{Kind: PerOrder, Rate: 1}}, 1000, Buy, "insufficient cash", 100},
		{"margin 2x fits", Config{Leverage: 2}, 2000, Buy, "", 100},
		{"margin 2x over", Config{Leverage: 2}, 2001, Buy, "exceeds leverage", 100},
		{"short within 1x", Config{Short: true}, 1000, Sell, "", 100},
		{"short over 1x", Config{Short: true}, 1001, Sell, "exceeds leverage", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bars := minutes("AAA", monday0930, flat(100), flat(tt.nextOpen), flat(100))
			s := &script{bar: at(0, Order{Symbol: "AAA", Side: tt.side, Qty: tt.qty, TIF: GTC})}
			res := run(t, tt.cfg, bars, s)
			r := res.Orders[0]
			if tt.reject == "" {
				if r.Status != Filled {
					t.Fatalf("want a fill, got %+v", r)
				}
				return
			}
			if r.Status != Rejected || !strings.Contains(r.Reason, tt.reject) || len(res.Fills) != 0 {
				t.Fatalf("want rejection %q, got %+v", tt.reject, r)
			}
			last := s.updates[len(s.updates)-1]
			if last.Status != Rejected || last.Reason != r.Reason || !last.Time.Equal(bars[1].Time) {
				t.Errorf("observer saw %+v", last)
			}
			if res.Equity[2].Equity() != 100000 {
				t.Errorf("equity moved: %+v", res.Equity[2])
			}
		})
	}
}

func TestSubmitValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		o    Order
		want string
	}{
		{"zero qty", Config{}, Order{Symbol: "AAA", Side: Buy, Qty: 0}, "positive"},
		{"negative qty", Config{}, Order{Symbol: "AAA", Side: Buy, Qty: -1}, "positive"},
		{"fractional off", Config{}, Order{Symbol: "AAA", Side: Buy, Qty: 1.5}, "fractional"},
		{"no symbol", Config{}, Order{Side: Buy, Qty: 1}, "symbol"},
		{"no side", Config{}, Order{Symbol: "AAA", Qty: 1}, "side"},
		{"limit without price", Config{}, Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit}, "limit price"},
		{"stop without price", Config{}, Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Stop}, "stop price"},
		{"stop-limit without limit", Config{}, Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: StopLimit, StopPrice: 1}, "stop-limit"},
		{"bad type", Config{}, Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: 9}, "type"},
		{"bad tif", Config{}, Order{Symbol: "AAA", Side: Buy, Qty: 1, TIF: 9}, "time in force"},
		{"short off", Config{}, Order{Symbol: "AAA", Side: Sell, Qty: 1}, "short"},
		{"fractional on", Config{Fractional: true}, Order{Symbol: "AAA", Side: Buy, Qty: 1.5}, ""},
		{"short on", Config{Short: true}, Order{Symbol: "AAA", Side: Sell, Qty: 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			s := &script{bar: func(e *Env, b data.Bar, i int) error {
				if i == 0 {
					_, err = e.Submit(tt.o)
				}
				return nil
			}}
			res := run(t, tt.cfg, minutes("AAA", monday0930, flat(10), flat(10)), s)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want ErrRejected mentioning %q", err, tt.want)
			}
			if r := res.Orders[0]; r.Status != Rejected || r.Reason == "" || !r.Closed.Equal(r.Submitted) {
				t.Errorf("record %+v", r)
			}
		})
	}
}

func TestDayExpiryIntraday(t *testing.T) {
	day1 := minutes("AAA", monday0930, flat(100), flat(100))
	day2 := minutes("AAA", monday0930.AddDate(0, 0, 1), flat(90), flat(90))
	bars := append(day1, day2...)
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		if i == 0 {
			// Day limit at 95 is not reached on day 1; day 2 opens below it but the order
			// expired with day 1's session.
			if _, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95, TIF: Day}); err != nil {
				return err
			}
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95, TIF: GTC})
			return err
		}
		if i == 1 {
			// Placed at the session's last bar: expires unfilled, even as a market order.
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, TIF: Day})
			return err
		}
		return nil
	}}
	res := run(t, Config{}, bars, s)
	day, gtc, late := res.Orders[0], res.Orders[1], res.Orders[2]
	if day.Status != Expired || !day.Closed.Equal(day2[0].Time) {
		t.Errorf("day order: %+v", day)
	}
	if late.Status != Expired {
		t.Errorf("last-bar day order: %+v", late)
	}
	if gtc.Status != Filled || gtc.FillPrice != 90 || !gtc.Closed.Equal(day2[0].Time) {
		t.Errorf("gtc order: %+v", gtc)
	}
}

func TestDayExpiryDaily(t *testing.T) {
	bars := days("AAA", flat(100), ohlc{100, 101, 99, 100}, ohlc{100, 100, 90, 95}, flat(95))
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		if i == 0 {
			// A day order on daily bars gets the next bar only: the limit at 95 is not reached
			// on bar 1 and expires before bar 2 would fill it.
			if _, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95, TIF: Day}); err != nil {
				return err
			}
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Market, TIF: Day})
			return err
		}
		return nil
	}}
	res := run(t, Config{}, bars, s)
	if r := res.Orders[0]; r.Status != Expired || !r.Closed.Equal(res.Equity[1].Time()) {
		t.Errorf("limit day order: %+v (bar 1 closes %v)", r, res.Equity[1].Time())
	}
	if r := res.Orders[1]; r.Status != Filled || r.FillPrice != 100 {
		t.Errorf("market day order: %+v", r)
	}
}

func TestCancel(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(100), flat(100), flat(90))
	var id OrderID
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		switch i {
		case 0:
			var err error
			id, err = e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95, TIF: GTC})
			if err != nil {
				return err
			}
			if _, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 2, Type: Limit, LimitPrice: 95, TIF: GTC}); err != nil {
				return err
			}
			if n := e.OpenOrders("AAA"); n != 2 {
				t.Errorf("open orders %d, want 2", n)
			}
		case 1:
			if err := e.Cancel(id); err != nil {
				return err
			}
			if err := e.Cancel(id); err == nil {
				t.Error("second cancel succeeded")
			}
			if err := e.Cancel(99); err == nil {
				t.Error("cancel of unknown order succeeded")
			}
			if n, all := e.OpenOrders("AAA"), e.OpenOrders(""); n != 1 || all != 1 {
				t.Errorf("open orders %d / %d, want 1", n, all)
			}
		}
		return nil
	}}
	res := run(t, Config{}, bars, s)
	if r := res.Orders[0]; r.Status != Cancelled || !r.Closed.Equal(res.Equity[1].Time()) {
		t.Errorf("cancelled order %+v", r)
	}
	if r := res.Orders[1]; r.Status != Filled || r.FillPrice != 90 {
		t.Errorf("other order %+v", r)
	}
	var cancels int
	for _, u := range s.updates {
		if u.Status == Cancelled {
			cancels++
		}
	}
	if cancels != 1 {
		t.Errorf("%d cancel updates, want 1", cancels)
	}
}

func TestCancelAll(t *testing.T) {
	bars := []data.Bar{
		{Symbol: "AAA", Time: monday0930, Open: 100, High: 100, Low: 100, Close: 100},
		{Symbol: "BBB", Time: monday0930, Open: 50, High: 50, Low: 50, Close: 50},
	}
	limit := func(sym string) Order {
		return Order{Symbol: sym, Side: Buy, Qty: 1, Type: Limit, LimitPrice: 1, TIF: GTC}
	}
	s := &script{step: func(e *Env, _ time.Time) error {
		for _, sym := range []string{"AAA", "AAA", "BBB"} {
			if _, err := e.Submit(limit(sym)); err != nil {
				return err
			}
		}
		e.CancelAll("AAA")
		if a, b := e.OpenOrders("AAA"), e.OpenOrders("BBB"); a != 0 || b != 1 {
			t.Errorf("after CancelAll(AAA): %d and %d open", a, b)
		}
		e.CancelAll("")
		if n := e.OpenOrders(""); n != 0 {
			t.Errorf("after CancelAll(\"\"): %d open", n)
		}
		return nil
	}}
	res := run(t, Config{}, bars, s)
	for _, r := range res.Orders {
		if r.Status != Cancelled {
			t.Errorf("order %+v", r)
		}
	}
}
