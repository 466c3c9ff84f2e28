package engine

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// monday0930 is 09:30 New York (EDT) on Monday 2024-06-03: the first regular-session minute.
var monday0930 = time.Date(2024, 6, 3, 13, 30, 0, 0, time.UTC)

type ohlc [4]float64

// minutes builds consecutive one-minute bars of sym from start.
func minutes(sym string, start time.Time, px ...ohlc) []data.Bar {
	out := make([]data.Bar, len(px))
	for i, p := range px {
		out[i] = data.Bar{Symbol: sym, Time: start.Add(time.Duration(i) * time.Minute),
			Open: p[0], High: p[1], Low: p[2], Close: p[3], Volume: 1000}
	}
	return out
}

// days builds daily bars of sym, stamped at midnight New York, on consecutive calendar days
// from 2024-06-03.
func days(sym string, px ...ohlc) []data.Bar {
	out := make([]data.Bar, len(px))
	for i, p := range px {
		out[i] = data.Bar{Symbol: sym, Time: time.Date(2024, 6, 3+i, 0, 0, 0, 0, calendar.NewYork).UTC(),
			Open: p[0], High: p[1], Low: p[2], Close: p[3], Volume: 1000}
	}
	return out
}

// flat is a bar that opens, closes and stays at p.
func flat(p float64) ohlc { return ohlc{p, p, p, p} }

// script is a strategy driven by closures, recording what the engine told it.
type script struct {
	init    func(e *Env) error
	bar     func(e *Env, b data.Bar, i int) error
	step    func(e *Env, t time.Time) error
	i       int
	fills   []Fill
	updates []OrderUpdate
	events  []string
}

func (s *script) Init(e *Env) error {
	if s.init != nil {
		return s.init(e)
	}
	return nil
}

func (s *script) OnBar(e *Env, b data.Bar) error {
	s.events = append(s.events, "bar "+b.Symbol+" "+b.Time.Format("15:04"))
	i := s.i
	s.i++
	if s.bar != nil {
		return s.bar(e, b, i)
	}
	return nil
}

func (s *script) OnStep(e *Env, t time.Time) error {
	s.events = append(s.events, "step "+t.Format("15:04"))
	if s.step != nil {
		return s.step(e, t)
	}
	return nil
}

func (s *script) OnFill(e *Env, f Fill) { s.fills = append(s.fills, f) }

func (s *script) OnOrderUpdate(e *Env, u OrderUpdate) { s.updates = append(s.updates, u) }

// at returns a bar hook that submits o when handling bar number i (0-based, all symbols).
func at(i int, o Order) func(e *Env, b data.Bar, j int) error {
	return func(e *Env, b data.Bar, j int) error {
		if j == i {
			_, err := e.Submit(o)
			return err
		}
		return nil
	}
}

func run(t *testing.T, cfg Config, bars []data.Bar, s Strategy) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg, data.NewSliceIterator(bars), s)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkIdentity(t, res)
	return res
}

// checkIdentity checks every equity point's long and short sides have their signs (Equity()
// is their sum with the cash by construction), that the last one agrees with cash and
// positions rebuilt from the fills alone, starting from StartEquity, and that each fill's
// Slippage is what its prices say.
func checkIdentity(t *testing.T, res *Result) {
	t.Helper()
	for _, p := range res.Equity {
		if !(p.Long >= 0) || !(p.Short <= 0) {
			t.Fatalf("%s: long %v, short %v: a side has the wrong sign", p.Time(), p.Long, p.Short)
		}
	}
	if len(res.Equity) == 0 {
		return
	}
	if res.StartEquity != res.Config.Cash {
		t.Fatalf("start equity %v, cash before any fill %v", res.StartEquity, res.Config.Cash)
	}
	cash := res.StartEquity - res.BorrowPaid - res.InterestPaid
	qty := map[string]float64{}
	for _, f := range res.Fills {
		if slip := f.Qty * math.Abs(f.Price-f.RefPrice); f.RefPrice <= 0 || !near(f.Slippage, slip, 1e-9*(1+slip)) {
			t.Fatalf("fill %+v: slippage should be %v", f, slip)
		}
		cash -= float64(f.Side)*f.Qty*f.Price + f.Commission + f.Fees
		qty[f.Symbol] += float64(f.Side) * f.Qty
	}
	eq := cash
	for _, p := range res.Positions {
		if !near(p.Qty, qty[p.Symbol], 1e-9) {
			t.Fatalf("position %s: %v, fills add to %v", p.Symbol, p.Qty, qty[p.Symbol])
		}
		eq += p.Qty * p.LastPrice
	}
	last := res.Equity[len(res.Equity)-1]
	if !near(last.Cash, cash, 0.005) || !near(last.Equity(), eq, 0.005) {
		t.Fatalf("last point cash %v equity %v; rebuilt from fills: %v and %v", last.Cash, last.Equity(), cash, eq)
	}
}

func near(a, b, tol float64) bool {
	d := a - b
	return d <= tol && d >= -tol
}

// loadCSV reads bars from a testdata file with a header: symbol,time,open,high,low,close.
func loadCSV(t *testing.T, name string) []data.Bar {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []data.Bar
	for _, r := range recs[1:] {
		tm, err := time.Parse(time.RFC3339, r[1])
		if err != nil {
			t.Fatal(err)
		}
		b := data.Bar{Symbol: r[0], Time: tm, Volume: 100}
		for k, p := range []*float64{&b.Open, &b.High, &b.Low, &b.Close} {
			if *p, err = strconv.ParseFloat(r[2+k], 64); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, b)
	}
	return out
}
