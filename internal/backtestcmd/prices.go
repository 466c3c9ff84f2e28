package backtestcmd

import (
	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/reports"
)

// maxPricePoints bounds the closes kept per symbol for plotting. Plots of years of minute bars
// need no more; statistics never use these.
const maxPricePoints = 2048

// priceTap passes bars through to the engine and keeps a thinned series of closes per symbol
// for the report's price plots, in bounded memory: it keeps every stride-th bar and, when a
// series reaches twice the limit, drops every other point and doubles the stride.
type priceTap struct {
	data.BarIterator
	index  map[string]int
	series [][]reports.PricePoint
	count  []int
	stride []int
	one    [1]data.Bar
}

func newPriceTap(it data.BarIterator, symbols []string) *priceTap {
	t := &priceTap{BarIterator: it, index: make(map[string]int, len(symbols))}
	for _, s := range symbols {
		t.add(s)
	}
	return t
}

func (t *priceTap) add(sym string) int {
	i := len(t.series)
	t.index[sym] = i
	t.series = append(t.series, make([]reports.PricePoint, 0, 2*maxPricePoints))
	t.count = append(t.count, 0)
	t.stride = append(t.stride, 1)
	return i
}

func (t *priceTap) Next() bool {
	if !t.BarIterator.Next() {
		return false
	}
	b := t.BarIterator.Bar()
	t.watch(&b)
	return true
}

// NextBatch passes batches through when the iterator it taps yields them (data.Merge does),
// so the engine keeps its batch path; otherwise it is a batch of one.
func (t *priceTap) NextBatch() []data.Bar {
	if bi, ok := t.BarIterator.(data.BatchIterator); ok {
		batch := bi.NextBatch()
		for i := range batch {
			t.watch(&batch[i])
		}
		return batch
	}
	if !t.Next() {
		return nil
	}
	t.one[0] = t.BarIterator.Bar()
	return t.one[:]
}

// watch keeps b's close when its symbol's stride says so.
func (t *priceTap) watch(b *data.Bar) {
	i, ok := t.index[b.Symbol]
	if !ok {
		i = t.add(b.Symbol)
	}
	if t.count[i]%t.stride[i] == 0 {
		s := append(t.series[i], reports.PricePoint{Time: b.Time, Price: b.Close})
		if len(s) >= 2*maxPricePoints {
			n := 0
			for k := 0; k < len(s); k += 2 {
				s[n] = s[k]
				n++
			}
			s = s[:n]
			t.stride[i] *= 2
			t.count[i] = 0
		}
		t.series[i] = s
	}
	t.count[i]++
}

// Prices returns each symbol's thinned closes in time order.
func (t *priceTap) Prices() map[string][]reports.PricePoint {
	out := make(map[string][]reports.PricePoint, len(t.series))
	for sym, i := range t.index {
		out[sym] = t.series[i]
	}
	return out
}
