package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
)

// oneByOne hides a BatchIterator's batches, so RunEach's one-bar path is tested too.
type oneByOne struct{ data.BarIterator }

// TestRunEach: replays in lockstep over one read give each the Result Run gives it over its own
// read of the same bars (its Symbols' alone), with or without a Recorder, whether the bars come
// in batches or one by one, with the timeframe set or inferred.
func TestRunEach(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	bars := randomBars(41, syms, 3000) // enough for every chaos order kind; more only slows -race
	var onlyB []data.Bar
	for _, b := range bars {
		if b.Symbol == "BBB" {
			onlyB = append(onlyB, b)
		}
	}
	for _, batched := range []bool{true, false} {
		for _, ci := range []int{1, 3} {
			t.Run(fmt.Sprintf("batched=%v/cfg%d", batched, ci), func(t *testing.T) {
				cfg := chaosConfigs[ci]
				runs := []*chaos{newChaos(t, 3, syms), newChaos(t, 5, syms), newChaos(t, 7, []string{"BBB"})}
				want := []*Result{
					run(t, cfg, bars, runs[0]),
					run(t, chaosConfigs[0], bars, runs[1]),
					run(t, cfg, onlyB, runs[2]),
				}
				var tp tape
				replays := []*Replay{
					{Config: cfg, Strategy: newChaos(t, 3, syms)},
					{Config: chaosConfigs[0], Strategy: newChaos(t, 5, syms), Recorder: &tp},
					{Config: cfg, Strategy: newChaos(t, 7, []string{"BBB"}), Symbols: []string{"BBB"}},
				}
				var it data.BarIterator = data.NewSliceIterator(bars)
				if !batched {
					it = oneByOne{it}
				}
				if err := RunEach(context.Background(), it, replays); err != nil {
					t.Fatal(err)
				}
				for i, p := range replays {
					if p.Err != nil || p.Result == nil {
						t.Fatalf("replay %d: err %v, result %v", i, p.Err, p.Result)
					}
				}
				got := replays[1].Result
				if !reflect.DeepEqual(tp.orders, want[1].Orders) || !reflect.DeepEqual(tp.fills, want[1].Fills) || !reflect.DeepEqual(tp.trades, want[1].Trades) {
					t.Error("the recorded replay's records differ from Run's")
				}
				got.Orders, got.Fills, got.Trades = want[1].Orders, want[1].Fills, want[1].Trades
				for i, p := range replays {
					if !reflect.DeepEqual(p.Result, want[i]) {
						t.Errorf("replay %d: Result differs from Run's (%d and %d equity points, %d and %d orders)",
							i, len(p.Result.Equity), len(want[i].Equity), len(p.Result.Orders), len(want[i].Orders))
					}
					if !p.Strategy.(*chaos).log.equal(runs[i].log) {
						t.Errorf("replay %d: the strategy saw something else", i)
					}
				}
			})
		}
	}
}

// TestRunEachError: a failing replay stops every replay, each keeping what it replayed.
func TestRunEachError(t *testing.T) {
	bars := minutes("AAA", monday0930, flat(1), flat(1), flat(1), flat(1))
	replays := []*Replay{
		{Strategy: &failing{at: 100}},
		{Strategy: &failing{at: 3}},
	}
	err := RunEach(context.Background(), data.NewSliceIterator(bars), replays)
	if err == nil || !strings.Contains(err.Error(), "boom") || !errors.Is(replays[0].Err, err) || replays[1].Err != err {
		t.Fatalf("err %v; replay errors %v, %v", err, replays[0].Err, replays[1].Err)
	}
	want, _ := Run(context.Background(), Config{}, data.NewSliceIterator(bars), &failing{at: 3})
	if replays[0].Result == nil || replays[0].Result.Bars == 0 || !reflect.DeepEqual(replays[1].Result, want) {
		t.Errorf("results %+v, %+v: want a partial one and Run's (%+v)", replays[0].Result, replays[1].Result, want)
	}
	if err := RunEach(context.Background(), data.NewSliceIterator(bars), []*Replay{{}}); err == nil {
		t.Error("a replay without a strategy was accepted")
	}
}
