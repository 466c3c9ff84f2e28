package engine_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/engine"
)

// Quarters is replayed on minute bars and also decides on 15-minute bars built from them.
type Quarters struct{ last float64 }

// Timeframes implements engine.Timeframes: the coarser bars it wants besides the minutes.
func (q *Quarters) Timeframes() []data.Timeframe { return []data.Timeframe{{N: 15, Unit: data.Min}} }

// OnBarTF implements engine.TimeframeObserver: a 15-minute bar arrives once its last minute has
// closed, with env.Now() at that close.
func (q *Quarters) OnBarTF(env *engine.Env, tf data.Timeframe, bar data.Bar) error {
	fmt.Printf("%v bar %s-%s seen at %s: open %v high %v low %v close %v\n", tf,
		bar.Time.In(ny).Format("15:04"), bar.Time.Add(tf.Duration()).In(ny).Format("15:04"),
		env.Now().In(ny).Format("15:04"), bar.Open, bar.High, bar.Low, bar.Close)
	q.last = bar.Close
	return nil
}

// OnBar implements engine.Strategy: every minute, with the last quarter's close at hand.
func (q *Quarters) OnBar(*engine.Env, data.Bar) error { return nil }

var ny = calendar.NewYork

func ExampleTimeframes() {
	var bars []data.Bar
	start := time.Date(2024, 6, 3, 9, 30, 0, 0, ny)
	for i := range 31 { // 09:30 to 10:00
		p := 100 + float64(i%7)
		bars = append(bars, data.Bar{Symbol: "SPY", Time: start.Add(time.Duration(i) * time.Minute),
			Open: p, High: p + 0.5, Low: p - 0.5, Close: p + 0.25, Volume: 100})
	}
	cfg := engine.Config{Provenance: engine.Provenance{Timeframe: data.OneMin}}
	if _, err := engine.Run(context.Background(), cfg, data.NewSliceIterator(bars), &Quarters{}); err != nil {
		log.Fatal(err)
	}
	// The 10:00 quarter has one minute when the run ends: it is not handed over.

	// Output:
	// 15Min bar 09:30-09:45 seen at 09:45: open 100 high 106.5 low 99.5 close 100.25
	// 15Min bar 09:45-10:00 seen at 10:00: open 101 high 106.5 low 99.5 close 101.25
}
