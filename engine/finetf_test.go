package engine

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

var tuesday0930 = monday0930.Add(24 * time.Hour)

func runIntrabar(t *testing.T, cfg Config, fine []data.Bar, s Strategy) *Result {
	t.Helper()
	res, err := RunIntrabar(context.Background(), cfg, data.NewSliceIterator(fine), data.OneMin, s, nil)
	if err != nil {
		t.Fatalf("RunIntrabar: %v", err)
	}
	checkIdentity(t, res)
	return res
}

// TestFillTFBracketOrder: Tuesday's daily bar touches both the bracket's stop (90) and its
// target (110). On daily bars alone the stop is taken and counted ambiguous; walking the minute
// bars, the leg whose level the minutes reached first fills, at that minute's price.
func TestFillTFBracketOrder(t *testing.T) {
	monday := minutes("AAA", monday0930, ohlc{100, 101, 99, 100}, ohlc{100, 100.5, 99.5, 100})
	entry := Order{Symbol: "AAA", Side: Buy, Qty: 10, Class: Bracket, TakeProfit: 110, StopLoss: 90}
	for _, c := range []struct {
		name    string
		tuesday []ohlc
		reason  ExitReason
		price   float64
		minute  int
	}{
		{"target first", []ohlc{{100, 100.5, 99.5, 100}, {105, 111, 104, 108}, {95, 96, 89, 90}}, ExitTakeProfit, 110, 1},
		{"stop first", []ohlc{{100, 100.5, 99.5, 100}, {95, 96, 89, 90}, {105, 111, 104, 108}}, ExitStopLoss, 90, 1},
		{"gap through the stop", []ohlc{{100, 100.5, 99.5, 100}, {88, 95, 87, 94}, {105, 111, 104, 108}}, ExitStopLoss, 88, 1},
		{"gap through the target", []ohlc{{100, 100.5, 99.5, 100}, {112, 113, 89, 95}}, ExitTakeProfit, 112, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			fine := append(slices.Clone(monday), minutes("AAA", tuesday0930, c.tuesday...)...)
			var seen []data.Bar
			var nows []time.Time
			s := &script{bar: func(e *Env, b data.Bar, i int) error {
				seen, nows = append(seen, b), append(nows, e.Now())
				if i == 0 {
					_, err := e.Submit(entry)
					return err
				}
				return nil
			}}
			cfg := Config{Provenance: Provenance{Timeframe: data.OneDay}}
			res := runIntrabar(t, cfg, fine, s)
			daily := days("AAA", ohlc{100, 101, 99, 100}, aggregateOHLC(c.tuesday))
			for i := range seen {
				seen[i].VWAP, daily[i].Volume = 0, seen[i].Volume
				if !seen[i].Time.Equal(daily[i].Time) || seen[i].Open != daily[i].Open || seen[i].High != daily[i].High ||
					seen[i].Low != daily[i].Low || seen[i].Close != daily[i].Close {
					t.Fatalf("strategy saw %+v, want the day's bar %+v", seen[i], daily[i])
				}
			}
			if len(seen) != 2 || !nows[0].Equal(monday0930.Add(6*time.Hour+30*time.Minute)) {
				t.Fatalf("saw %d bars, the first at %v: want 2, Monday's at the 16:00 close", len(seen), nows)
			}
			if res.AmbiguousFills != 0 {
				t.Fatalf("ambiguous fills %d with minute bars", res.AmbiguousFills)
			}
			if len(res.Trades) != 1 || res.Trades[0].ExitReason != c.reason || res.Trades[0].ExitPrice != c.price {
				t.Fatalf("trades %+v: want one closed by %s at %v", res.Trades, c.reason, c.price)
			}
			if want := tuesday0930.Add(time.Duration(c.minute) * time.Minute); !res.Trades[0].ExitTime.Equal(want) {
				t.Fatalf("exit at %v, want the minute that touched it, %v", res.Trades[0].ExitTime, want)
			}
			if len(res.Equity) != 2 || res.Bars != 2 {
				t.Fatalf("%d equity points, %d bars: want one per day", len(res.Equity), res.Bars)
			}
			// The same days alone: both legs touched, the pessimistic rule decides.
			coarse := run(t, cfg, daily, &script{bar: at(0, entry)})
			if coarse.AmbiguousFills != 1 || coarse.Trades[0].ExitReason != ExitStopLoss {
				t.Fatalf("daily bars alone: ambiguous %d, exit %s; want 1 and the stop", coarse.AmbiguousFills, coarse.Trades[0].ExitReason)
			}
		})
	}
}

func aggregateOHLC(px []ohlc) ohlc {
	a := px[0]
	for _, p := range px[1:] {
		a[1], a[2], a[3] = max(a[1], p[1]), min(a[2], p[2]), p[3]
	}
	return a
}

// TestFillTFDayOrder: a day limit order placed at Monday's close works through all of
// Tuesday's minutes (not only the first), and expires with Tuesday's session.
func TestFillTFDayOrder(t *testing.T) {
	fine := append(minutes("AAA", monday0930, flat(100)),
		minutes("AAA", tuesday0930, flat(100), flat(100), ohlc{100, 100, 97, 98})...)
	fine = append(fine, minutes("AAA", tuesday0930.Add(24*time.Hour), ohlc{90, 90, 80, 85})...)
	mk := func(limit float64) *script {
		return &script{bar: at(0, Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: limit, TIF: Day})}
	}
	cfg := Config{Provenance: Provenance{Timeframe: data.OneDay}}
	res := runIntrabar(t, cfg, fine, mk(97.5))
	if len(res.Fills) != 1 || res.Fills[0].Price != 97.5 || !res.Fills[0].Time.Equal(tuesday0930.Add(2*time.Minute)) {
		t.Fatalf("fills %+v: want 97.5 at Tuesday 09:32", res.Fills)
	}
	res = runIntrabar(t, cfg, fine, mk(95))
	if len(res.Fills) != 0 || res.Orders[0].Status != Expired {
		t.Fatalf("fills %+v, order %+v: want none, expired with Tuesday", res.Fills, res.Orders[0])
	}
}

// TestFillTFProperties: with random orders on daily bars built from minute bars, every equity
// point adds up, two runs agree bit for bit, and changing the minute bars from a cut on changes
// nothing the strategy saw or did before the cut: no fine bar is seen before the coarse bar
// containing it has been decided on.
func TestFillTFProperties(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	fineDays := func(seed uint64) []data.Bar {
		var out []data.Bar
		d := 0
		for day := 0; day < 12; day++ {
			start := monday0930.AddDate(0, 0, d)
			if wd := start.Weekday(); wd == time.Saturday || wd == time.Sunday {
				d += 2
				start = monday0930.AddDate(0, 0, d)
			}
			d++
			for _, b := range walkBars(seed+uint64(day)*101, syms, 60, false) {
				b.Time = start.Add(b.Time.Sub(monday0930))
				out = append(out, b)
			}
		}
		return out
	}
	for ci, cfg := range chaosConfigs {
		if cfg.Hours == AllHours {
			continue
		}
		cfg.Provenance.Timeframe = data.OneDay
		t.Run(fmt.Sprint("cfg", ci), func(t *testing.T) {
			past := fineDays(3)
			ra := runIntrabar(t, cfg, past, newChaos(t, 8, syms))
			if rb := runIntrabar(t, cfg, past, newChaos(t, 8, syms)); !reflect.DeepEqual(ra, rb) {
				t.Fatal("two runs differ")
			}
			if len(ra.Fills) == 0 {
				t.Fatal("no fills: nothing exercised")
			}
			for _, k := range []int{2, 7} {
				// The cut is a minute inside day k: the minutes from it on change.
				cut := past[0].Time.AddDate(0, 0, 0)
				days := 0
				for i := 1; i < len(past); i++ {
					if past[i].Time.Sub(past[i-1].Time) > time.Hour {
						if days++; days == k {
							cut = past[i].Time.Add(17 * time.Minute)
							break
						}
					}
				}
				future := fineDays(4)
				mixed := slices.Clone(past[:slices.IndexFunc(past, func(b data.Bar) bool { return !b.Time.Before(cut) })])
				for _, b := range future {
					if !b.Time.Before(cut) {
						mixed = append(mixed, b)
					}
				}
				a, b := newChaos(t, 8, syms), newChaos(t, 8, syms)
				runIntrabar(t, cfg, past, a)
				rb := runIntrabar(t, cfg, mixed, b)
				// Decisions up to the day before the cut's day: the cut's day's bar contains
				// changed minutes.
				dayStart, _ := calendar.DaySpan(cut)
				n := len(a.log)
				for i, l := range a.log {
					if l.kind == "bar" && !l.time.Before(dayStart) {
						n = i
						break
					}
				}
				if n == 0 || len(b.log) < n || !a.log[:n].equal(b.log[:n]) {
					t.Fatalf("k=%d: the strategy's view before %v depends on later minutes (%d lines)", k, cut, n)
				}
				if reflect.DeepEqual(ra.Equity, rb.Equity) {
					t.Fatalf("k=%d: different futures gave the same curve: the test is not testing", k)
				}
			}
		})
	}
}

// TestFillTFHourSession: deciding on 1Hour bars, the bar stamped 09:00 holds the regular
// minutes 09:30-09:59 alone with RegularHours (and is replayed), the pre-market too with
// AllHours; either way a limit order without ExtendedHours skips the pre-market minute that
// touched it and fills at the first regular minute that does.
func TestFillTFHourSession(t *testing.T) {
	fine := append(minutes("AAA", monday0930.Add(-30*time.Minute), ohlc{100, 100, 97, 99}),
		minutes("AAA", monday0930, ohlc{100, 100, 99, 100}, ohlc{99, 99, 97.5, 98})...)
	fine = append(fine, minutes("AAA", monday0930.Add(30*time.Minute), ohlc{98, 99, 98, 99})...)
	for _, c := range []struct {
		hours   Hours
		low     float64
		skipped int64
	}{{RegularHours, 97.5, 1}, {AllHours, 97, 0}} {
		var seen []data.Bar
		s := &script{
			init: func(e *Env) error {
				_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1, Type: Limit, LimitPrice: 98})
				return err
			},
			bar: func(e *Env, b data.Bar, i int) error { seen = append(seen, b); return nil },
		}
		res := runIntrabar(t, Config{Hours: c.hours, Provenance: Provenance{Timeframe: data.OneHour}}, fine, s)
		if len(seen) != 2 || !seen[0].Time.Equal(monday0930.Add(-30*time.Minute)) || seen[0].Open != 100 || seen[0].Low != c.low {
			t.Fatalf("hours %d: saw %+v; want the 09:00 and 10:00 hours, the first with low %v", c.hours, seen, c.low)
		}
		if res.Skipped != c.skipped || len(res.Fills) != 1 || res.Fills[0].Price != 98 || !res.Fills[0].Time.Equal(monday0930.Add(time.Minute)) {
			t.Fatalf("hours %d: skipped %d, fills %+v; want %d skipped and 98 at 09:31", c.hours, res.Skipped, res.Fills, c.skipped)
		}
	}
}

// TestFillTFOrderForALaterSymbol: an order for BBB placed on AAA's daily bar, at the day's
// close, fills at BBB's next day's open, as on daily bars, not on BBB's minutes of the day
// just decided on (which the walk of BBB's bar at the same timestamp goes over).
func TestFillTFOrderForALaterSymbol(t *testing.T) {
	var fine []data.Bar
	for d, px := range []float64{100, 110} {
		for m := range 3 {
			at := monday0930.Add(time.Duration(d)*24*time.Hour + time.Duration(m)*time.Minute)
			for _, sym := range []string{"AAA", "BBB"} {
				fine = append(fine, data.Bar{Symbol: sym, Time: at, Open: px + float64(m), High: px + float64(m), Low: px + float64(m), Close: px + float64(m), Volume: 100})
			}
		}
	}
	s := &script{bar: at(0, Order{Symbol: "BBB", Side: Buy, Qty: 1})}
	res := runIntrabar(t, Config{Provenance: Provenance{Timeframe: data.OneDay}}, fine, s)
	if len(res.Fills) != 1 || res.Fills[0].Price != 110 || !res.Fills[0].Time.Equal(tuesday0930) {
		t.Fatalf("fills %+v: want BBB at Tuesday's open, 110", res.Fills)
	}
}

// TestFillTFCryptoAndStocks: a crypto pair's day ends at midnight, a stock's at the session's
// close, both stamped at midnight New York: the stock's daily bar waits for the pair's, so
// that the strategy gets both, in (time, symbol) order, the pair's with its evening minutes.
func TestFillTFCryptoAndStocks(t *testing.T) {
	bar := func(sym string, at time.Time, px float64) data.Bar {
		return data.Bar{Symbol: sym, Time: at, Open: px, High: px, Low: px, Close: px, Volume: 1}
	}
	mon := nyTime(2024, 6, 3, 9, 30)
	fine := []data.Bar{
		bar("BTC/USD", mon, 1), bar("SPY", mon, 10),
		bar("BTC/USD", mon.Add(389*time.Minute), 2), bar("SPY", mon.Add(389*time.Minute), 11),
		bar("BTC/USD", mon.Add(630*time.Minute), 3), // 20:00
		bar("BTC/USD", mon.Add(24*time.Hour), 4), bar("SPY", mon.Add(24*time.Hour), 12),
	}
	// With RegularHours the evening minute is skipped for the pair too, as Run skips it.
	for hours, close := range map[Hours]float64{RegularHours: 2, AllHours: 3} {
		var seen []string
		s := &script{bar: func(e *Env, b data.Bar, i int) error {
			seen = append(seen, fmt.Sprintf("%s %s %v", b.Symbol, b.Time.In(calendar.NewYork).Format("01-02 15:04"), b.Close))
			return nil
		}}
		runIntrabar(t, Config{Hours: hours, Provenance: Provenance{Timeframe: data.OneDay}}, fine, s)
		want := []string{fmt.Sprint("BTC/USD 06-03 00:00 ", close), "SPY 06-03 00:00 11", "BTC/USD 06-04 00:00 4", "SPY 06-04 00:00 12"}
		if !slices.Equal(seen, want) {
			t.Fatalf("hours %d: saw %q, want %q", hours, seen, want)
		}
	}
}
