package data

import (
	"fmt"
	"math"
	"time"
)

// Bar is one OHLCV bar. Time is the bar's open time in UTC, as Alpaca stamps it; daily bars are
// stamped at midnight America/New_York of their session.
type Bar struct {
	Symbol     string
	Time       time.Time
	Open       float64
	High       float64
	Low        float64
	Close      float64
	Volume     float64
	TradeCount uint64
	VWAP       float64
}

// Validate reports the first reason b cannot be a real bar. Engines fail fast on such bars
// rather than trade on them.
func (b *Bar) Validate() error {
	switch {
	case b.Symbol == "":
		return fmt.Errorf("bar at %s: empty symbol", b.Time.Format(time.RFC3339))
	case b.Time.IsZero():
		return fmt.Errorf("bar %s: zero time", b.Symbol)
	}
	for _, v := range [...]float64{b.Open, b.High, b.Low, b.Close} {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("bar %s %s: price %v is not a positive finite number", b.Symbol, b.Time.Format(time.RFC3339), v)
		}
	}
	if b.High < b.Low || b.High < b.Open || b.High < b.Close || b.Low > b.Open || b.Low > b.Close {
		return fmt.Errorf("bar %s %s: high %v / low %v do not bound open %v and close %v",
			b.Symbol, b.Time.Format(time.RFC3339), b.High, b.Low, b.Open, b.Close)
	}
	if b.Volume < 0 || math.IsNaN(b.Volume) {
		return fmt.Errorf("bar %s %s: negative volume %v", b.Symbol, b.Time.Format(time.RFC3339), b.Volume)
	}
	return nil
}

// Less orders bars by time, then symbol: the order in which every Store streams bars and the
// engine replays them.
func Less(a, b *Bar) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.Symbol < b.Symbol
}
