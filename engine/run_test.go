package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// randomBars builds n timestamps of regular-session minute bars for syms, a seeded random walk.
// Some symbols skip some minutes, as thin stocks do.
func randomBars(seed uint64, syms []string, n int) []data.Bar {
	return walkBars(seed, syms, n, false)
}

// barsFor is randomBars for a run with cfg: with AllHours, 10-minute bars from 04:00 to 20:00
// New York, so that pre-market, regular and after-hours bars alternate.
func barsFor(cfg Config, seed uint64, syms []string, n int) []data.Bar {
	return walkBars(seed, syms, n, cfg.Hours == AllHours)
}

func walkBars(seed uint64, syms []string, n int, extended bool) []data.Bar {
	rng := rand.New(rand.NewPCG(seed, 7))
	px := make([]float64, len(syms))
	for i := range px {
		px[i] = 20 + 80*rng.Float64()
	}
	var out []data.Bar
	t, step := monday0930, time.Minute
	if extended {
		t, step = monday0930.Add(-5*time.Hour-30*time.Minute), 10*time.Minute
	}
	for k := 0; k < n; k++ {
		for i, s := range syms {
			if rng.IntN(10) == 0 {
				continue
			}
			o := px[i] * (1 + 0.01*rng.NormFloat64())
			c := o * (1 + 0.01*rng.NormFloat64())
			hi := math.Max(o, c) * (1 + 0.005*rng.Float64())
			lo := math.Min(o, c) * (1 - 0.005*rng.Float64())
			out = append(out, data.Bar{Symbol: s, Time: t, Open: o, High: hi, Low: lo, Close: c, Volume: 100})
			px[i] = c
		}
		t = t.Add(step)
		switch ny := t.In(calendar.NewYork); {
		case !extended && ny.Hour() >= 16:
			t = t.Add(17*time.Hour + 30*time.Minute) // next morning; weekends are just more bars
		case extended && ny.Hour() >= 20:
			t = t.Add(8 * time.Hour)
		}
	}
	return out
}

// chaos places random orders of every kind. Its choices depend on its own seeded generator and
// on everything it can observe, so that any leak of a later bar into the Env changes them. It
// logs what it observed and did.
type chaos struct {
	rng   *rand.Rand
	syms  []string
	log   chaosLog
	cash0 float64
	cash  float64 // rebuilt from fills
	t     *testing.T
}

// entry is one line of a chaos log: what the strategy observed at a bar (kind "bar"), or an
// order it placed ("submit", "target") or cancelled ("cancel") and the answer. Entries compare
// with ==, every field exactly; they hold values rather than text because formatting them cost
// a third of the engine's tests under -race.
type entry struct {
	kind      string
	sym       string
	time, now time.Time
	eq, cash  float64
	pos       Position
	open      int
	id        OrderID
	order     Order
	pct       float64
	err       string
}

// chaosLog holds its entries by pointer: growing a slice of the large entries themselves cost
// more under -race than formatting them had.
type chaosLog []*entry

// equal says whether two logs hold equal entries.
func (l chaosLog) equal(o chaosLog) bool {
	return slices.EqualFunc(l, o, func(a, b *entry) bool { return *a == *b })
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func newChaos(t *testing.T, seed uint64, syms []string) *chaos {
	return &chaos{rng: rand.New(rand.NewPCG(seed, 11)), syms: syms, t: t}
}

func (c *chaos) Init(e *Env) error {
	c.cash0, c.cash = e.Cash(), e.Cash()
	return nil
}

func (c *chaos) OnFill(e *Env, f Fill) {
	c.cash -= float64(f.Side)*f.Qty*f.Price + f.Commission + f.Fees
}

func (c *chaos) OnBar(e *Env, b data.Bar) error {
	eq := e.Equity()
	c.log = append(c.log, &entry{kind: "bar", sym: b.Symbol, time: b.Time, now: e.Now(), eq: eq, cash: e.Cash(),
		pos: e.Position(b.Symbol), open: e.OpenOrders("")})
	// Observations steer the draw: a leak would change the orders, not just the log.
	if int(eq*100)%7 == 0 {
		c.rng.IntN(2)
	}
	switch r := c.rng.IntN(20); {
	case r < 6:
		o := Order{Symbol: c.syms[c.rng.IntN(len(c.syms))], Side: Buy, Qty: float64(1 + c.rng.IntN(300))}
		if c.rng.IntN(2) == 0 {
			o.Side = Sell
		}
		o.Type = OrderType(c.rng.IntN(5))
		o.TIF = TIF(c.rng.IntN(4))
		// Mostly on limit day orders, which may have it; sometimes on others, which are refused.
		o.ExtendedHours = c.rng.IntN(3) == 0
		ref := b.Close
		if p := e.Price(o.Symbol); p > 0 {
			ref = p
		}
		o.LimitPrice = ref * (1 + 0.02*(c.rng.Float64()-0.5))
		o.StopPrice = ref * (1 + 0.02*(c.rng.Float64()-0.5))
		c.exotic(&o, ref)
		id, err := e.Submit(o)
		c.log = append(c.log, &entry{kind: "submit", id: id, order: o, err: errText(err)})
	case r < 8:
		pct := 2*c.rng.Float64() - 1
		id, err := e.TargetPercent(b.Symbol, pct)
		c.log = append(c.log, &entry{kind: "target", sym: b.Symbol, pct: pct, id: id, err: errText(err)})
	case r < 9:
		id := OrderID(1 + c.rng.IntN(max(1, len(c.log))))
		err := e.Cancel(id)
		c.log = append(c.log, &entry{kind: "cancel", id: id, err: errText(err)})
	case r < 10:
		e.CancelAll(b.Symbol)
	}
	return nil
}

// exotic makes o a trailing stop, an auction order, or a bracket, OTO or OCO order some of the
// time, with legs placed around ref so that most are accepted.
func (c *chaos) exotic(o *Order, ref float64) {
	if o.Type == TrailingStop {
		o.StopPrice, o.LimitPrice = 0, 0
		if c.rng.IntN(2) == 0 {
			o.TrailPercent = 0.2 + c.rng.Float64()
		} else {
			o.TrailPrice = ref * 0.01 * c.rng.Float64()
		}
	}
	if o.TIF >= OPG && c.rng.IntN(2) == 0 {
		o.Type = OrderType(c.rng.IntN(2)) // market or limit, as Alpaca takes them
	}
	if o.ExtendedHours {
		if c.rng.IntN(2) == 0 {
			o.Type, o.TIF = Limit, Day // mostly as Alpaca takes it
		}
		return
	}
	switch cl := OrderClass(c.rng.IntN(7)); {
	case cl > OTO:
	default:
		o.Class, o.TIF, o.ExtendedHours = cl, TIF(c.rng.IntN(2)), false
		if o.Type == TrailingStop {
			o.Type = Market
		}
		long := (o.Side == Buy) != (cl == OCO)
		up, down := ref*(1+0.008*c.rng.Float64()), ref*(1-0.008*c.rng.Float64())
		if !long {
			up, down = down, up
		}
		o.TakeProfit, o.StopLoss = up, down
		if c.rng.IntN(3) == 0 {
			o.TrailPercent = 0.3 + c.rng.Float64()
		}
		if cl == OTO {
			if c.rng.IntN(2) == 0 {
				o.TakeProfit = 0
			} else {
				o.StopLoss, o.TrailPercent = 0, 0
			}
		}
	}
}

// OnStep checks the portfolio identity through the public API and against cash rebuilt from
// fills, at every timestamp.
func (c *chaos) OnStep(e *Env, t time.Time) error {
	mv := 0.0
	for _, s := range c.syms {
		p := e.Position(s)
		mv += p.Qty * e.Price(s)
	}
	if !near(e.Cash()+mv, e.Equity(), 0.005) {
		return fmt.Errorf("%s: cash %v + market value %v != equity %v", t, e.Cash(), mv, e.Equity())
	}
	borrow, interest := e.Financing()
	if !near(e.Cash(), c.cash-borrow-interest, 0.005) {
		return fmt.Errorf("%s: cash %v, rebuilt from fills %v and financing %v", t, e.Cash(), c.cash, borrow+interest)
	}
	return nil
}

var chaosConfigs = []Config{
	{},
	{Short: true, SlippageBps: 5, Commission: Commission{Kind: PerShare, Rate: 0.005, Min: 1}, Fees: AlpacaFees},
	{Short: true, Leverage: 2, Commission: Commission{Kind: Percent, Rate: 0.001}, Fractional: true},
	{Leverage: 4, Commission: Commission{Kind: PerOrder, Rate: 1}, Hours: AllHours},
	{Short: true, SlippageBps: 3, Fees: AlpacaFees, Hours: AllHours},
	{Short: true, Leverage: 2, SlippageBps: 2, MaxVolumePct: 40, BorrowRate: 0.05, MarginRate: 0.08},
	// Short proceeds keep the config above's cash positive at the close; a long-only margin
	// account borrows cash and pays interest on it.
	{Leverage: 2, MarginRate: 0.08},
}

// TestPortfolioProperty runs random orders through several account types and checks the
// identity cash + market value == equity at every step (in OnStep and in every EquityPoint),
// cash against a rebuild from fills, and that rejected fills never broke the account's limits.
func TestPortfolioProperty(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	interestRuns := 0 // not every seed ends a day with negative cash: counted over them all
	for seed := uint64(1); seed <= 6; seed++ {
		for ci, cfg := range chaosConfigs {
			t.Run(fmt.Sprintf("seed%d/cfg%d", seed, ci), func(t *testing.T) {
				bars := barsFor(cfg, seed, syms, 400)
				c := newChaos(t, seed, syms)
				res := run(t, cfg, bars, c)
				if len(res.Fills) == 0 {
					t.Fatal("no fills: the test exercises nothing")
				}
				checkSessions(t, res)
				var statuses [6]int
				for _, r := range res.Orders {
					statuses[r.Status]++
				}
				if cfg.Leverage <= 1 && !cfg.Short {
					for _, p := range res.Equity {
						if p.Cash < -0.005 || p.Short != 0 {
							t.Fatalf("cash account went negative or short: %+v", p)
						}
					}
				}
				lev := max(cfg.Leverage, 1)
				for _, p := range res.Equity {
					// Gross exposure is checked at fills only; marks can drift past it, but not
					// by more than prices moved. A loose bound catches gross errors.
					if p.Long-p.Short > 3*lev*math.Max(p.Equity(), 0)+1 && p.Equity() > 0 {
						t.Fatalf("gross exposure %v far over %v x equity %v", p.Long-p.Short, lev, p.Equity())
					}
				}
				if res.InterestPaid > 0 {
					interestRuns++
				}
				if cfg.MaxVolumePct > 0 && res.PartialFills == 0 || cfg.BorrowRate > 0 && res.BorrowPaid == 0 {
					t.Fatal("no partial fill or no borrow fee: the new paths are not exercised")
				}
				t.Logf("orders by status %v, fills %d, trades %d, ambiguous %d, partial %d, exits %v",
					statuses, len(res.Fills), len(res.Trades), res.AmbiguousFills, res.PartialFills, exitCounts(res))
			})
		}
	}
	if interestRuns == 0 {
		t.Fatal("no run paid margin interest: the path is not exercised")
	}
}

func exitCounts(res *Result) [len(ExitReasons)]int {
	var n [len(ExitReasons)]int
	for _, t := range res.Trades {
		n[t.ExitReason]++
	}
	return n
}

// checkSessions checks the session rules on a run's orders: outside a regular session only
// orders that asked for extended hours fill, and Day orders never fill after they expire.
func checkSessions(t *testing.T, res *Result) {
	t.Helper()
	ext := 0
	for _, r := range res.Orders {
		if r.Status != Filled {
			continue
		}
		// A CLS order fills at its session's close, the end of the session.
		in := calendar.InSession(r.Closed) || r.Order.TIF == CLS && calendar.InSession(r.Closed.Add(-time.Nanosecond))
		if !in && !r.Order.ExtendedHours && res.Config.Provenance.Timeframe.Intraday() {
			t.Fatalf("order %+v filled outside the regular session without extended hours", r)
		}
		if !in {
			ext++
		}
		// A leg's day begins when its entry fills, not when it was placed.
		if tf := res.Config.Provenance.Timeframe; r.Order.TIF == Day && tf.Intraday() && !r.Submitted.IsZero() && r.Parent == 0 {
			placed := r.Submitted.Add(-tf.Duration()) // the open of the bar it was placed at
			var end time.Time
			if s, ok := calendar.SessionOn(placed); r.Order.ExtendedHours {
				_, end = calendar.DaySpan(placed)
			} else if ok && placed.Before(s.Close) {
				end = s.Close
			} else {
				end = calendar.NextSession(placed).Close
			}
			if !r.Closed.Before(end) {
				t.Fatalf("day order %+v filled at or after its end %v", r, end)
			}
		}
	}
	if res.Config.Hours == AllHours && ext == 0 {
		t.Fatal("no fill outside the regular session: the extended-hours path is not exercised")
	}
}

// TestDeterminism: the same inputs give the same Result, bit for bit.
func TestDeterminism(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC", "DDD"}
	for ci, cfg := range chaosConfigs {
		bars := barsFor(cfg, 99, syms, 300)
		a := run(t, cfg, bars, newChaos(t, 5, syms))
		b := run(t, cfg, bars, newChaos(t, 5, syms))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("config %d: two runs differ", ci)
		}
	}
}

// TestNoLookAhead changes every bar after timestamp k and checks that everything the strategy
// observed and did up to k is unchanged.
func TestNoLookAhead(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	for _, k := range []int{1, 50, 151} {
		for ci, cfg := range chaosConfigs {
			past := barsFor(cfg, 3, syms, 300)
			future := barsFor(cfg, 4, syms, 300) // same times and symbols except the skips
			cut := past[0].Time.Add(0)
			seen := map[time.Time]bool{}
			for _, b := range past {
				if !seen[b.Time] {
					seen[b.Time] = true
					if len(seen) == k+1 {
						cut = b.Time
						break
					}
				}
			}
			mixed := slices.Clone(past[:slices.IndexFunc(past, func(b data.Bar) bool { return !b.Time.Before(cut) })])
			for _, b := range future {
				if !b.Time.Before(cut) {
					mixed = append(mixed, b)
				}
			}
			a, b := newChaos(t, 8, syms), newChaos(t, 8, syms)
			ra := run(t, cfg, past, a)
			rb := run(t, cfg, mixed, b)
			logUpTo := func(c *chaos) chaosLog {
				// Entries up to the first bar line at or after cut.
				for i, l := range c.log {
					if l.kind == "bar" && !l.time.Before(cut) {
						return c.log[:i]
					}
				}
				return c.log
			}
			la, lb := logUpTo(a), logUpTo(b)
			if len(la) == 0 || !la.equal(lb) {
				t.Fatalf("k=%d config %d: the strategy's view before %v depends on later bars", k, ci, cut)
			}
			submitted := func(r *Result) []OrderRecord {
				var out []OrderRecord
				for _, o := range r.Orders {
					if o.Submitted.Before(cut.Add(time.Minute)) { // placed at closes up to cut
						out = append(out, OrderRecord{ID: o.ID, Order: o.Order, Submitted: o.Submitted})
					}
				}
				return out
			}
			if sa, sb := submitted(ra), submitted(rb); !reflect.DeepEqual(sa, sb) {
				t.Fatalf("k=%d config %d: orders placed up to %v differ", k, ci, cut)
			}
			if reflect.DeepEqual(ra.Equity, rb.Equity) {
				t.Fatalf("k=%d: different futures gave the same curve: the test is not testing", k)
			}
		}
	}
}

func TestHoursFilter(t *testing.T) {
	ny := func(y int, m time.Month, d, hh, mm int) time.Time {
		return time.Date(y, m, d, hh, mm, 0, 0, calendar.NewYork).UTC()
	}
	times := []time.Time{
		ny(2024, 7, 3, 9, 29),  // pre-market
		ny(2024, 7, 3, 9, 30),  // open
		ny(2024, 7, 3, 12, 59), // early close day: last minute
		ny(2024, 7, 3, 13, 0),  // after the early close
		ny(2024, 7, 4, 10, 0),  // holiday
		ny(2024, 7, 5, 15, 59), // last minute
		ny(2024, 7, 5, 16, 0),  // after hours
	}
	var bars []data.Bar
	for _, tm := range times {
		bars = append(bars, data.Bar{Symbol: "AAA", Time: tm, Open: 1, High: 1, Low: 1, Close: 1})
	}
	tests := []struct {
		name          string
		hours         Hours
		tf            data.Timeframe
		bars, skipped int64
	}{
		{"rth", RegularHours, data.OneMin, 3, 4},
		{"all hours", AllHours, data.OneMin, 7, 0},
		{"daily never filtered", RegularHours, data.OneDay, 7, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{}
			res := run(t, Config{Hours: tt.hours, Provenance: Provenance{Timeframe: tt.tf}}, bars, s)
			if res.Bars != tt.bars || res.Skipped != tt.skipped || len(res.Equity) != int(tt.bars) || s.i != int(tt.bars) {
				t.Errorf("bars %d skipped %d points %d calls %d; want %d and %d",
					res.Bars, res.Skipped, len(res.Equity), s.i, tt.bars, tt.skipped)
			}
		})
	}
}

// TestSessionCache checks the per-day cache against calendar.InSession minute by minute over a
// holiday, an early close and both daylight-saving changes.
func TestSessionCache(t *testing.T) {
	for _, start := range []time.Time{
		time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 10, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 11, 27, 0, 0, 0, 0, time.UTC),
	} {
		var c sessionCache
		for tm := start; tm.Before(start.AddDate(0, 0, 7)); tm = tm.Add(time.Minute) {
			if got, want := c.in(tm, tm.UnixNano()), calendar.InSession(tm); got != want {
				t.Fatalf("%s: cache says %v, calendar %v", tm, got, want)
			}
		}
	}
}

// TestStepOrder: OnStep comes once per timestamp, after the bars of that timestamp.
func TestStepOrder(t *testing.T) {
	var bars []data.Bar
	for k := 0; k < 3; k++ {
		for _, s := range []string{"AAA", "BBB"} {
			if k == 1 && s == "AAA" {
				continue
			}
			bars = append(bars, data.Bar{Symbol: s, Time: monday0930.Add(time.Duration(k) * time.Minute),
				Open: 1, High: 1, Low: 1, Close: 1})
		}
	}
	s := &script{}
	res := run(t, Config{}, bars, s)
	want := []string{
		"bar AAA 13:30", "bar BBB 13:30", "step 13:30",
		"bar BBB 13:31", "step 13:31",
		"bar AAA 13:32", "bar BBB 13:32", "step 13:32",
	}
	if !slices.Equal(s.events, want) {
		t.Errorf("events\n got %q\nwant %q", s.events, want)
	}
	if len(res.Equity) != 3 || !res.Equity[1].Time().Equal(monday0930.Add(2*time.Minute)) {
		t.Errorf("equity points %+v", res.Equity)
	}
}

func TestNowAndInitOrders(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(10), flat(11))
	var nows []time.Time
	s := &script{
		init: func(e *Env) error {
			if !e.Now().IsZero() {
				t.Errorf("Now in Init: %v", e.Now())
			}
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1})
			return err
		},
		bar: func(e *Env, b data.Bar, i int) error {
			nows = append(nows, e.Now())
			return nil
		},
	}
	res := run(t, Config{}, bars, s)
	if !nows[0].Equal(monday0930.Add(time.Minute)) || !nows[1].Equal(monday0930.Add(2*time.Minute)) {
		t.Errorf("Now: %v", nows)
	}
	if len(res.Fills) != 1 || res.Fills[0].Price != 10 || !res.Fills[0].Time.Equal(monday0930) {
		t.Errorf("an Init order fills at the first bar's open: %+v", res.Fills)
	}
	if !res.Start.Equal(monday0930) || !res.End.Equal(monday0930.Add(2*time.Minute)) {
		t.Errorf("start %v end %v", res.Start, res.End)
	}
}

func TestTimeframeInference(t *testing.T) {
	at := func(ny time.Time, step time.Duration, n int) []data.Bar {
		var out []data.Bar
		for i := 0; i < n; i++ {
			out = append(out, data.Bar{Symbol: "AAA", Time: ny.Add(time.Duration(i) * step).UTC(), Open: 1, High: 1, Low: 1, Close: 1})
		}
		return out
	}
	midnight := time.Date(2024, 6, 3, 0, 0, 0, 0, calendar.NewYork)
	tests := []struct {
		name  string
		bars  []data.Bar
		tf    data.Timeframe
		close time.Time // of the first bar
	}{
		{"minutes", at(monday0930, time.Minute, 5), data.OneMin, monday0930.Add(time.Minute)},
		{"five minutes", at(monday0930, 5*time.Minute, 5), data.Timeframe{N: 5, Unit: data.Min}, monday0930.Add(5 * time.Minute)},
		{"hours", at(monday0930, time.Hour, 5), data.OneHour, monday0930.Add(time.Hour)},
		{"days", at(midnight, 24*time.Hour, 5), data.OneDay, time.Date(2024, 6, 3, 16, 0, 0, 0, calendar.NewYork)},
		{"one bar", at(monday0930, time.Minute, 1), data.OneMin, monday0930.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var first time.Time
			s := &script{bar: func(e *Env, b data.Bar, i int) error {
				if i == 0 {
					first = e.Now()
				}
				return nil
			}}
			res := run(t, Config{Hours: AllHours}, tt.bars, s)
			if res.Config.Provenance.Timeframe != tt.tf || !first.Equal(tt.close) || res.Bars != int64(len(tt.bars)) {
				t.Errorf("timeframe %v close %v bars %d; want %v %v %d", res.Config.Provenance.Timeframe, first, res.Bars, tt.tf, tt.close, len(tt.bars))
			}
		})
	}
}

func TestEarlyCloseDailyBar(t *testing.T) {
	b := data.Bar{Symbol: "AAA", Time: time.Date(2024, 7, 3, 0, 0, 0, 0, calendar.NewYork).UTC(), Open: 1, High: 1, Low: 1, Close: 1}
	res := run(t, Config{Provenance: Provenance{Timeframe: data.OneDay}}, []data.Bar{b}, &script{})
	if want := time.Date(2024, 7, 3, 13, 0, 0, 0, calendar.NewYork); !res.End.Equal(want) {
		t.Errorf("daily bar of an early close day closes %v, want %v", res.End, want)
	}
}

func TestBadBars(t *testing.T) {
	good := func(sym string, min int) data.Bar {
		return data.Bar{Symbol: sym, Time: monday0930.Add(time.Duration(min) * time.Minute), Open: 10, High: 11, Low: 9, Close: 10}
	}
	bad := good("AAA", 2)
	bad.High = 8
	nan := good("AAA", 2)
	nan.Close = math.NaN()
	noSym := good("", 2)
	zero := good("AAA", 2)
	zero.Time = time.Time{}
	tests := []struct {
		name string
		bars []data.Bar
		want string
		seen int // bars the strategy saw before the error
	}{
		{"high below low", []data.Bar{good("AAA", 0), good("AAA", 1), bad}, "high", 2},
		{"nan", []data.Bar{good("AAA", 0), nan}, "not a positive", 1},
		{"empty symbol", []data.Bar{good("AAA", 0), noSym}, "symbol", 1},
		{"zero time", []data.Bar{good("AAA", 0), zero}, "zero time", 1},
		{"time goes back", []data.Bar{good("AAA", 0), good("AAA", 2), good("AAA", 1)}, "out of order", 2},
		{"symbols unsorted", []data.Bar{good("BBB", 0), good("AAA", 0)}, "out of order", 1},
		{"duplicate", []data.Bar{good("AAA", 0), good("AAA", 0)}, "duplicate", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{}
			res, err := Run(context.Background(), Config{Provenance: Provenance{Timeframe: data.OneMin}},
				data.NewSliceIterator(tt.bars), s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one mentioning %q", err, tt.want)
			}
			if s.i != tt.seen || res == nil || res.Bars != int64(tt.seen) {
				t.Errorf("strategy saw %d bars, result %+v; want %d", s.i, res, tt.seen)
			}
		})
	}
}

type failing struct{ at int }

func (f *failing) OnBar(e *Env, b data.Bar) error {
	if f.at--; f.at == 0 {
		return errors.New("boom")
	}
	return nil
}

func TestStrategyError(t *testing.T) {
	_, err := Run(context.Background(), Config{}, data.NewSliceIterator(minutes("AAA", monday0930, flat(1), flat(1), flat(1))), &failing{at: 2})
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "AAA") {
		t.Errorf("err %v", err)
	}
}

type canceller struct {
	cancel context.CancelFunc
	at, n  int
}

func (c *canceller) OnBar(e *Env, b data.Bar) error {
	if c.n++; c.n == c.at {
		c.cancel()
	}
	return nil
}

func TestContextCancel(t *testing.T) {
	bars := sessionBars(1, 50000)[0]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := Run(ctx, Config{}, data.NewSliceIterator(bars), &canceller{cancel: cancel, at: 10000})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if res == nil || res.Bars < 10000 || res.Bars >= 10000+ctxEvery {
		t.Errorf("stopped after %v bars, want within %d of 10000", res.Bars, ctxEvery)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Cash: -1}, {Leverage: -2}, {SlippageBps: math.NaN()}, {Commission: Commission{Kind: 9}},
		{Commission: Commission{Kind: PerShare, Rate: -1}}, {Fees: 7}, {Hours: 9},
	} {
		if _, err := Run(context.Background(), cfg, data.NewSliceIterator(nil), &script{}); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
	if _, err := Run(context.Background(), Config{}, data.NewSliceIterator(nil), nil); err == nil {
		t.Error("nil strategy accepted")
	}
}

// TestMergedInput: per-symbol iterators merged by data.Merge replay exactly as the merged slice.
func TestMergedInput(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	bars := randomBars(21, syms, 300)
	its := make([]data.BarIterator, len(syms))
	for i, s := range syms {
		var mine []data.Bar
		for _, b := range bars {
			if b.Symbol == s {
				mine = append(mine, b)
			}
		}
		its[i] = data.NewSliceIterator(mine)
	}
	cfg := chaosConfigs[1]
	merged, err := Run(context.Background(), cfg, data.Merge(its...), newChaos(t, 2, syms))
	if err != nil {
		t.Fatal(err)
	}
	if flat := run(t, cfg, bars, newChaos(t, 2, syms)); !reflect.DeepEqual(merged, flat) {
		t.Error("merged iterators and the merged slice give different results")
	}
}
