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
	if DefaultFeeSchedule().SEC[len(d.SEC)-1].Rate != 0 {
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
