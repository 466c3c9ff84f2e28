package storetest

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// Bars returns n valid bars of symbol starting at start and step apart, in UTC. The values
// depend only on the arguments, so a test can regenerate what it wrote; prices carry many
// significant digits so that a store which rounds them fails the round-trip checks.
func Bars(symbol string, start time.Time, n int, step time.Duration) []data.Bar {
	h := fnv.New64a()
	h.Write([]byte(symbol))
	seed := h.Sum64() ^ uint64(start.UnixMicro())
	rng := rand.New(rand.NewPCG(seed, uint64(step)))
	price := 20 + rng.Float64()*200
	out := make([]data.Bar, n)
	t := start.UTC()
	for i := range out {
		open := price
		cls := open * math.Exp(rng.NormFloat64()*0.002)
		high := math.Max(open, cls) * (1 + rng.Float64()*0.001)
		low := math.Min(open, cls) * (1 - rng.Float64()*0.001)
		out[i] = data.Bar{
			Symbol:     symbol,
			Time:       t,
			Open:       open,
			High:       high,
			Low:        low,
			Close:      cls,
			Volume:     math.Round(rng.Float64()*1e5) + 0.5, // fractional: crypto-style volumes exist
			TradeCount: uint64(rng.IntN(5000)),
			VWAP:       low + (high-low)*rng.Float64(),
		}
		price = cls
		t = t.Add(step)
	}
	return out
}

// Scale returns copies of bars with every price and the volume multiplied by f: a rewrite with
// changed values that still passes Validate.
func Scale(bars []data.Bar, f float64) []data.Bar {
	out := make([]data.Bar, len(bars))
	for i, b := range bars {
		b.Open *= f
		b.High *= f
		b.Low *= f
		b.Close *= f
		b.VWAP *= f
		b.Volume *= f
		b.TradeCount++
		out[i] = b
	}
	return out
}
