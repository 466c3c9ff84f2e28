package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// nyBar is a bar of sym opening at hh:mm New York on 2024-06-dd (a Monday on the 3rd).
func nyBar(sym string, dd, hh, mm int, p ohlc) data.Bar {
	return data.Bar{Symbol: sym, Time: time.Date(2024, 6, dd, hh, mm, 0, 0, calendar.NewYork).UTC(),
		Open: p[0], High: p[1], Low: p[2], Close: p[3], Volume: 1000}
}

var allMinutes = Config{Hours: AllHours, Provenance: Provenance{Timeframe: data.OneMin}}

// TestExtendedHours: with AllHours, a pre-market bar fills only orders that ask for extended
// hours; the others wait for 09:30.
func TestExtendedHours(t *testing.T) {
	bars := []data.Bar{
		nyBar("AAA", 3, 8, 0, ohlc{100, 101, 94, 95}), // pre-market
		nyBar("AAA", 3, 9, 30, ohlc{96, 97, 95, 96}),  // the open
	}
	orders := []Order{
		{Symbol: "AAA", Side: Buy, Qty: 1}, // market, GTC by default
		{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95, TIF: Day, ExtendedHours: true}, // fills pre-market
		{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95, TIF: Day},                      // waits for the open
		{Symbol: "AAA", Side: Buy, Qty: 1, ExtendedHours: true},                                        // market: refused
		{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95, ExtendedHours: true},           // GTC: refused
	}
	var errs []error
	s := &script{init: func(e *Env) error {
		for _, o := range orders {
			_, err := e.Submit(o)
			errs = append(errs, err)
		}
		return nil
	}}
	res := run(t, allMinutes, bars, s)
	want := []struct {
		status OrderStatus
		price  float64
		at     time.Time
	}{
		{Filled, 96, bars[1].Time},
		{Filled, 95, bars[0].Time}, // min(open 100, limit 95) on the pre-market bar
		{Filled, 95, bars[1].Time}, // min(open 96, limit 95) at the open
		{Rejected, 0, time.Time{}},
		{Rejected, 0, time.Time{}},
	}
	for i, w := range want {
		r := res.Orders[i]
		if r.Status != w.status || r.FillPrice != w.price || (w.status == Filled && !r.Closed.Equal(w.at)) {
			t.Errorf("order %d: %+v; want %v at %v on %v", i+1, r, w.status, w.price, w.at)
		}
		if w.status == Rejected && (errs[i] == nil || !strings.Contains(r.Reason, "extended hours")) {
			t.Errorf("order %d: error %v, reason %q", i+1, errs[i], r.Reason)
		}
	}
}

// TestOutsideSessionDayOrders: a Day order placed after the close belongs to the next session
// (Alpaca queues it), one placed at the session's last bar expires at the close, and an
// extended-hours Day order lives until its New York date ends.
func TestOutsideSessionDayOrders(t *testing.T) {
	bars := []data.Bar{
		nyBar("AAA", 3, 15, 59, flat(100)), // 0: last regular minute
		nyBar("AAA", 3, 16, 30, flat(100)), // 1: after hours
		nyBar("AAA", 4, 8, 0, flat(90)),    // 2: pre-market
		nyBar("AAA", 4, 9, 30, flat(91)),   // 3: the open
		nyBar("AAA", 4, 16, 5, flat(92)),   // 4: after hours
	}
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		var os []Order
		switch i {
		case 0:
			os = []Order{{Symbol: "AAA", Side: Buy, Qty: 1, TIF: Day}} // 1
		case 1:
			os = []Order{
				{Symbol: "AAA", Side: Buy, Qty: 1, TIF: Day},                                                   // 2
				{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95, TIF: Day, ExtendedHours: true}, // 3
			}
		case 3:
			os = []Order{
				{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 92.5, TIF: Day, ExtendedHours: true}, // 4
				{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 92.5},                                // 5: GTC
			}
		}
		for _, o := range os {
			if _, err := e.Submit(o); err != nil {
				return err
			}
		}
		return nil
	}}
	res := run(t, allMinutes, bars, s)
	want := []struct {
		status OrderStatus
		price  float64
		at     time.Time
	}{
		{Expired, 0, bars[1].Time}, // its session closed before the next bar
		{Filled, 91, bars[3].Time}, // placed after the close: fills at the next open, not pre-market
		{Expired, 0, bars[2].Time}, // extended, but its date ended
		{Filled, 92, bars[4].Time}, // extended: fills after hours
		{Accepted, 0, time.Time{}}, // GTC without extended hours waits for the next session
	}
	for i, w := range want {
		if r := res.Orders[i]; r.Status != w.status || r.FillPrice != w.price || !r.Closed.Equal(w.at) {
			t.Errorf("order %d: %+v; want %v at %v on %v", i+1, r, w.status, w.price, w.at)
		}
	}
}

// TestCryptoAroundTheClock: crypto has no regular session, so AllHours fills it at any hour.
func TestCryptoAroundTheClock(t *testing.T) {
	bars := []data.Bar{nyBar("BTC/USD", 8, 3, 0, flat(60000)), nyBar("BTC/USD", 8, 3, 1, flat(60100))}
	s := &script{init: func(e *Env) error {
		if _, err := e.Submit(Order{Symbol: "BTC/USD", Side: Buy, Qty: 1}); err != nil {
			return err
		}
		_, err := e.Submit(Order{Symbol: "BTC/USD", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 60000, TIF: Day})
		return err
	}}
	res := run(t, Config{Cash: 1e6, Hours: AllHours, Provenance: Provenance{Timeframe: data.OneMin}}, bars, s)
	for _, r := range res.Orders {
		if r.Status != Filled || r.FillPrice != 60000 || !r.Closed.Equal(bars[0].Time) {
			t.Errorf("order %+v, want filled at 60000 on a Saturday 03:00 bar", r)
		}
	}
}

// TestTIFDefaultsToGTC: an order that names no time in force outlives its session.
func TestTIFDefaultsToGTC(t *testing.T) {
	if (Order{}).TIF != GTC || GTC.String() != "gtc" || Day.String() != "day" {
		t.Fatalf("zero TIF is %v", Order{}.TIF)
	}
	bars := append(minutes("AAA", monday0930, flat(100), flat(100)),
		minutes("AAA", monday0930.AddDate(0, 0, 1), flat(90))...)
	s := &script{bar: at(0, Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 95})}
	res := run(t, Config{}, bars, s)
	if r := res.Orders[0]; r.Order.TIF != GTC || r.Status != Filled || r.FillPrice != 90 || !r.Closed.Equal(bars[2].Time) {
		t.Errorf("order without TIF: %+v, want filled at 90 the next day", r)
	}
}

// TestStartEquityCountsInitFills: a buy placed in Init fills at the first bar, and its costs
// show against StartEquity, the cash before any fill.
func TestStartEquityCountsInitFills(t *testing.T) {
	bars := minutes("AAA", monday0930, ohlc{50, 51, 49, 50}, flat(50))
	s := &script{init: func(e *Env) error {
		_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 100})
		return err
	}}
	cfg := Config{Cash: 10000, SlippageBps: 10, Commission: Commission{Kind: PerOrder, Rate: 1}}
	res := run(t, cfg, bars, s)
	// Bought 100 at 50 x 1.001 = 50.05 plus 1 of commission: cash 10,000 - 5,005 - 1 = 4,994;
	// marked at the close of 50, equity 4,994 + 5,000 = 9,994, 6 below the start.
	if res.StartEquity != 10000 {
		t.Errorf("start equity %v, want 10000", res.StartEquity)
	}
	if p := res.Equity[0]; !near(p.Cash, 4994, 1e-9) || !near(p.Equity(), 9994, 1e-9) {
		t.Errorf("first point %+v, want cash 4994 and equity 9994", p)
	}
	if f := res.Fills[0]; !f.Time.Equal(bars[0].Time) || !near(f.Slippage, 5, 1e-9) || f.RefPrice != 50 {
		t.Errorf("fill %+v, want at the first bar with 5 of slippage from 50", f)
	}
}
