package engine

import (
	"context"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// roundTrips trades 100 shares at a flat 100 in and out every four bars, so that every sale's
// fees show the schedule the run charged.
func roundTrips() ([]data.Bar, func() Strategy) {
	px := make([]ohlc, 300)
	for i := range px {
		px[i] = flat(100)
	}
	bars := minutes("AAA", monday0930, px...)
	strat := func() Strategy {
		return &script{bar: func(e *Env, b data.Bar, i int) error {
			var side Side
			switch i % 4 {
			case 0:
				side = Buy
			case 2:
				side = Sell
			default:
				return nil
			}
			_, err := e.Submit(Order{Symbol: "AAA", Side: side, Qty: 100, TIF: GTC})
			return err
		}}
	}
	return bars, strat
}

// TestFeeSchedulesInParallel runs two schedules side by side, as a sweep does: each run must
// charge its own rates and record its own schedule (run it under -race too).
func TestFeeSchedulesInParallel(t *testing.T) {
	flatRate := func(rate, cap float64) []FeeRate { return []FeeRate{{Rate: rate, PerTrade: cap}} }
	schedules := []struct {
		fs   FeeSchedule
		sale float64 // fees of one sale of 100 shares at 100
	}{
		// SEC 10,000 x 1e-4 = 1.00; TAF 100 x 0.01 = 1.00, no cap.
		{FeeSchedule{SEC: flatRate(1e-4, 0), TAF: flatRate(0.01, 0)}, 2.00},
		// SEC 10,000 x 2e-4 = 2.00; TAF 100 x 0.02 = 2.00, capped at 1.00.
		{FeeSchedule{SEC: flatRate(2e-4, 0), TAF: flatRate(0.02, 1)}, 3.00},
	}
	bars, strat := roundTrips()
	const runs = 8
	results := make([]*Result, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := Config{Cash: 1e6, Fees: AlpacaFees, FeeSchedule: schedules[i%2].fs}
			results[i], errs[i] = Run(context.Background(), cfg, data.NewSliceIterator(bars), strat())
		}()
	}
	wg.Wait()
	for i, res := range results {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		want := schedules[i%2]
		sales := 0
		for _, f := range res.Fills {
			switch {
			case f.Side == Buy && f.Fees != 0:
				t.Errorf("run %d: a buy paid fees %v", i, f.Fees)
			case f.Side == Sell:
				sales++
				if math.Abs(f.Fees-want.sale) > 1e-9 {
					t.Errorf("run %d: a sale paid %v, want %v", i, f.Fees, want.sale)
				}
			}
		}
		if sales < 50 {
			t.Errorf("run %d: only %d sales", i, sales)
		}
		if !reflect.DeepEqual(res.Config.FeeSchedule, want.fs) {
			t.Errorf("run %d recorded schedule %+v, want %+v", i, res.Config.FeeSchedule, want.fs)
		}
	}
}

func TestFeeScheduleDefault(t *testing.T) {
	bars, strat := roundTrips()
	res := run(t, Config{Cash: 1e6, Fees: AlpacaFees}, bars, strat())
	if !reflect.DeepEqual(res.Config.FeeSchedule, DefaultFeeSchedule()) {
		t.Errorf("a zero schedule recorded %+v, want the default", res.Config.FeeSchedule)
	}
	// 2024-06-03: SEC $27.80 per million of 10,000 = 0.278 -> 0.28; TAF 100 x 0.000166 -> 0.02.
	if f := res.Fills[1]; f.Side != Sell || math.Abs(f.Fees-0.30) > 1e-9 {
		t.Errorf("first sale %+v, want fees 0.30", f)
	}
	if res := run(t, Config{Cash: 1e6}, bars, strat()); !res.Config.FeeSchedule.IsZero() {
		t.Errorf("a run without fees recorded schedule %+v", res.Config.FeeSchedule)
	}

	// Each call is a fresh copy: changing one cannot reach the next run.
	d := DefaultFeeSchedule()
	d.SEC[len(d.SEC)-1].Rate = 1
	if DefaultFeeSchedule().SEC[len(d.SEC)-1].Rate == 1 {
		t.Error("DefaultFeeSchedule returned a shared table")
	}
}

// The run keeps its own copy: the caller's tables may change once Run has them.
func TestFeeScheduleCopied(t *testing.T) {
	bars, strat := roundTrips()
	fs := FeeSchedule{SEC: []FeeRate{{Rate: 1e-4}}, TAF: []FeeRate{{Rate: 0.01}}}
	res := run(t, Config{Cash: 1e6, Fees: AlpacaFees, FeeSchedule: fs}, bars, strat())
	fs.SEC[0].Rate = 5
	if got := res.Config.FeeSchedule.SEC[0].Rate; got != 1e-4 {
		t.Errorf("recorded SEC rate changed with the caller's table: %v", got)
	}
}

func TestFeeScheduleInvalid(t *testing.T) {
	ok := []FeeRate{{Rate: 1e-5}}
	d := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		fs   FeeSchedule
		want string
	}{
		{"TAF missing", FeeSchedule{SEC: ok}, "TAF fee schedule: no entry"},
		{"SEC missing", FeeSchedule{TAF: ok}, "SEC fee schedule: no entry"},
		{"negative rate", FeeSchedule{SEC: []FeeRate{{Rate: -1}}, TAF: ok}, "entry 0"},
		{"NaN cap", FeeSchedule{SEC: ok, TAF: []FeeRate{{Rate: 1, PerTrade: math.NaN()}}}, "entry 0"},
		{"out of date order", FeeSchedule{SEC: ok, TAF: []FeeRate{{From: d(2024)}, {From: d(2023)}}}, "entry 1: 2023-01-01"},
		{"same date twice", FeeSchedule{SEC: []FeeRate{{From: d(2024)}, {From: d(2024)}}, TAF: ok}, "entry 1"},
	}
	bars, strat := roundTrips()
	for _, tt := range tests {
		for _, fees := range []Fees{NoFees, AlpacaFees} {
			_, err := Run(context.Background(), Config{Fees: fees, FeeSchedule: tt.fs}, data.NewSliceIterator(bars), strat())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s (fees %d): error %v, want one containing %q", tt.name, fees, err, tt.want)
			}
		}
	}
}

// TestDefaultFeeHistory charges one sale in each period of DefaultFeeSchedule. Every want is
// worked by hand from the published rate: notional x rate per million, shares x rate per share
// capped per trade, each rounded up to the cent.
func TestDefaultFeeHistory(t *testing.T) {
	tests := []struct {
		date       string // New York trade date
		qty, price float64
		sec, taf   float64
	}{
		// Before the first tabulated date the first entries apply: $21.80/M, $0.000119/share.
		{"2015-06-01", 1000, 100, 2.18, 0.12}, // 100,000 x 21.80e-6 = 2.18; 0.119 -> 0.12
		{"2016-03-01", 100, 50, 0.11, 0.02},   // 5,000 x 21.80e-6 = 0.109 -> 0.11; 0.0119 -> 0.02
		{"2017-07-03", 1000, 100, 2.18, 0.12}, // the day before $23.10
		{"2017-07-05", 1000, 100, 2.31, 0.12}, // 100,000 x 23.10e-6 = 2.31
		{"2018-05-22", 1000, 100, 1.30, 0.12}, // $13.00/M
		{"2019-05-01", 500, 40, 0.42, 0.06},   // 20,000 x 20.70e-6 = 0.414 -> 0.42; 0.0595 -> 0.06
		{"2020-03-02", 60000, 10, 13.26, 5.95},
		// ^ 600,000 x 22.10e-6 = 13.26; 60,000 x 0.000119 = 7.14, capped at 5.95
		{"2021-03-01", 1000, 100, 0.51, 0.12},  // $5.10/M
		{"2022-01-03", 1000, 100, 0.51, 0.13},  // TAF 1,000 x 0.000130 = 0.13
		{"2022-05-13", 1000, 100, 0.51, 0.13},  // Friday before $22.90
		{"2022-05-16", 1000, 100, 2.29, 0.13},  // first trading day at $22.90
		{"2022-06-01", 60000, 10, 13.74, 6.49}, // 600,000 x 22.90e-6 = 13.74; 7.80 capped at 6.49
		{"2023-02-24", 1000, 100, 2.29, 0.15},  // TAF 0.145 -> 0.15
		{"2023-03-01", 1000, 100, 0.80, 0.15},  // $8.00/M
		{"2024-05-21", 1000, 100, 0.80, 0.17},  // TAF 0.166 -> 0.17
		{"2024-05-22", 1000, 100, 2.78, 0.17},  // $27.80/M
		{"2024-06-03", 60000, 10, 16.68, 8.30}, // 600,000 x 27.80e-6 = 16.68; 9.96 capped at 8.30
		{"2025-05-14", 1000, 100, 0, 0.17},     // SEC fee $0
		{"2026-01-02", 100000, 1, 0, 9.79},     // 100,000 x 0.000195 = 19.50, capped at 9.79
		{"2026-04-02", 1000, 100, 0, 0.20},     // TAF 0.195 -> 0.20
		{"2026-04-06", 1000, 100, 2.06, 0.20},  // $20.60/M from 2026-04-04
		{"2026-09-30", 1000, 100, 2.06, 0.20},
		{"2026-10-01", 1000, 100, 2.06, 0}, // TAF holiday
		{"2026-12-31", 60000, 10, 12.36, 0},
		{"2027-01-04", 1000, 100, 2.06, 0.20}, // TAF resumes (unconfirmed)
	}
	fs := DefaultFeeSchedule()
	for _, tt := range tests {
		d, err := time.ParseInLocation(time.DateOnly, tt.date, nyLoc)
		if err != nil {
			t.Fatal(err)
		}
		// Late in the New York day: the date, not the UTC date, picks the rate.
		at := d.Add(19 * time.Hour)
		sec, taf := fs.saleFees(tt.qty, tt.price, at)
		if !near(sec, tt.sec, 1e-9) || !near(taf, tt.taf, 1e-9) {
			t.Errorf("%s: sell %g at %g: SEC %.2f TAF %.2f, want %.2f and %.2f",
				tt.date, tt.qty, tt.price, sec, taf, tt.sec, tt.taf)
		}
	}
}

// TestFeesOnFillsSplit: a run's fills carry the fees of the sale's date, and the Fill's
// Slippage and RefPrice let a reader recompute what slippage cost.
func TestFeesOnFillsSplit(t *testing.T) {
	start := time.Date(2026, 10, 1, 9, 30, 0, 0, nyLoc).UTC() // TAF holiday, SEC $20.60/M
	bars := minutes("AAA", start, flat(100), flat(100), flat(100), flat(100))
	s := &script{bar: func(e *Env, b data.Bar, i int) error {
		switch i {
		case 0:
			_, err := e.Submit(Order{Symbol: "AAA", Side: Buy, Qty: 1000})
			return err
		case 1:
			_, err := e.Submit(Order{Symbol: "AAA", Side: Sell, Qty: 1000})
			return err
		}
		return nil
	}}
	res := run(t, Config{Cash: 1e6, Fees: AlpacaFees, SlippageBps: 10}, bars, s)
	if len(res.Fills) != 2 {
		t.Fatalf("fills %+v", res.Fills)
	}
	buy, sell := res.Fills[0], res.Fills[1]
	// Buy at 100 x 1.001 = 100.1: 1,000 x 0.1 = 100 of slippage, no fees.
	if buy.RefPrice != 100 || !near(buy.Slippage, 100, 1e-6) || buy.Fees != 0 {
		t.Errorf("buy %+v", buy)
	}
	// Sell at 99.9: slippage 100; SEC 99,900 x 20.60e-6 = 2.05794 -> 2.06, TAF 0.
	if sell.RefPrice != 100 || !near(sell.Slippage, 100, 1e-6) || !near(sell.Fees, 2.06, 1e-9) {
		t.Errorf("sell %+v", sell)
	}
}
