package data

import (
	"errors"
	"slices"
	"time"
)

// Merge combines iterators, each in (time, symbol) order, into one stream in that order. Ties
// between iterators go to the one listed first, so the result is deterministic. Merge owns its
// inputs: closing the result closes them all. Advancing it does not allocate. The result is a
// BatchIterator, and Merge reads inputs that are BatchIterators a batch at a time.
func Merge(its ...BarIterator) BarIterator {
	if len(its) == 1 {
		return its[0]
	}
	return &merger{its: its, cur: -1}
}

// mergeBatch is how many bars merger.NextBatch returns at most: enough to make the call per
// batch negligible, few enough to stay in the L1 cache.
const mergeBatch = 128

// merger keeps the sources that have a current bar (a head) in a queue sorted by the heads'
// (time, symbol, source index). Taking the head of the first source and inserting the source
// back with its next bar costs one comparison when, as usual, that next bar sorts after every
// other head (bars of a timestamp come out symbol by symbol, then the next timestamp in the
// same order); otherwise a binary search and a short move of source indices. Heads are
// compared by open time as Unix ns, then by the rank of their symbol among the symbols seen, so
// comparing never touches strings.
type merger struct {
	its     []BarIterator
	srcs    []mergeSrc
	hs      []mergeHead
	q       []int32 // q[lo:] sorted by head; room to grow at both ends
	lo      int
	syms    []string // every symbol seen (and ""), sorted: a symbol's rank is its index
	cur     int32    // the source whose head is the current bar, -1 if none
	out     []Bar
	batched bool // the current bar is out's last, returned by NextBatch
	started bool
	err     error
}

// mergeHead is what ordering a source needs: its head's time, symbol rank and place.
type mergeHead struct {
	key  int64
	rank int32
	bar  *Bar
}

// mergeSrc is where one source's head lives: in its batch, or in one for a plain iterator.
type mergeSrc struct {
	batch BatchIterator // nil: read with Next and Bar
	bars  []Bar         // the current batch; the head is bars[i]
	i     int
	one   Bar
	sym   string // the head's symbol, whose rank is in mergeHead
}

func (m *merger) less(a, b int32) bool {
	ha, hb := &m.hs[a], &m.hs[b]
	if ha.key != hb.key {
		return ha.key < hb.key
	}
	if ha.rank != hb.rank {
		return ha.rank < hb.rank
	}
	return a < b
}

// load moves source i to its next bar; false when the source is done or failed.
func (m *merger) load(i int32) bool {
	s := &m.srcs[i]
	var b *Bar
	if s.batch != nil {
		if s.i++; s.i >= len(s.bars) {
			s.bars, s.i = s.batch.NextBatch(), 0
			if len(s.bars) == 0 {
				if err := s.batch.Err(); err != nil {
					m.err = err
				}
				return false
			}
		}
		b = &s.bars[s.i]
	} else {
		it := m.its[i]
		if !it.Next() {
			if err := it.Err(); err != nil {
				m.err = err
			}
			return false
		}
		s.one = it.Bar()
		b = &s.one
	}
	h := &m.hs[i]
	h.bar, h.key = b, b.Time.UnixNano()
	if b.Symbol != s.sym {
		s.sym = b.Symbol
		h.rank = m.rank(b.Symbol)
	}
	return true
}

// rank returns sym's index among the symbols seen, adding it if new: the ranks at or after
// its place then move up by one, which keeps the queue's order.
func (m *merger) rank(sym string) int32 {
	r, found := slices.BinarySearch(m.syms, sym)
	if !found {
		m.syms = slices.Insert(m.syms, r, sym)
		for j := range m.hs {
			if m.hs[j].rank >= int32(r) {
				m.hs[j].rank++
			}
		}
	}
	return int32(r)
}

// insert puts source i, which has a head, in its place in the queue.
func (m *merger) insert(i int32) {
	if n := len(m.q); n == m.lo || m.less(m.q[n-1], i) {
		if n == cap(m.q) {
			m.compact()
		}
		m.q = append(m.q, i)
		return
	}
	m.insertBefore(i)
}

// insertBefore is insert when i goes before the queue's last source.
func (m *merger) insertBefore(i int32) {
	live := m.q[m.lo:]
	p, _ := slices.BinarySearchFunc(live, i, func(x, i int32) int {
		if m.less(x, i) {
			return -1
		}
		return 1
	})
	// Move whichever side of p is shorter.
	if at := m.lo + p; m.lo > 0 && p <= len(live)-p {
		copy(m.q[m.lo-1:], m.q[m.lo:at])
		m.lo--
		m.q[at-1] = i
	} else {
		if len(m.q) == cap(m.q) {
			at -= m.lo
			m.compact()
		}
		m.q = append(m.q, 0)
		copy(m.q[at+1:], m.q[at:])
		m.q[at] = i
	}
}

// compact moves the queue to the front of its storage.
func (m *merger) compact() {
	n := copy(m.q, m.q[m.lo:])
	m.q, m.lo = m.q[:n], 0
}

func (m *merger) Next() bool {
	m.batched = false
	return m.next()
}

func (m *merger) next() bool {
	if c := m.cur; c >= 0 {
		// Refill from the source whose bar was returned last. (A failed load sets m.err and
		// leaves no current bar, so that the checks below stop every later call.)
		m.cur = -1
		if m.load(c) {
			m.insert(c)
		} else if m.err != nil {
			return false
		}
	} else if m.err != nil {
		return false
	} else if !m.started {
		if !m.start() {
			return false
		}
	}
	if m.lo == len(m.q) {
		return false
	}
	m.cur = m.q[m.lo]
	m.lo++
	return true
}

// nextFast is next for the usual case, without calls: the source of the bar returned last
// has its next bar in the batch at hand, with the same symbol, and that bar sorts after every
// other head. It returns false, having changed nothing, when that is not so.
func (m *merger) nextFast() bool {
	c := m.cur
	if c < 0 {
		return false
	}
	s := &m.srcs[c]
	j := s.i + 1
	if s.batch == nil || j >= len(s.bars) {
		return false
	}
	b := &s.bars[j]
	if b.Symbol != s.sym {
		return false
	}
	key := b.Time.UnixNano()
	h := &m.hs[c]
	n := len(m.q)
	if n == cap(m.q) {
		return false
	}
	if n > m.lo {
		x := m.q[n-1]
		hx := &m.hs[x]
		if hx.key > key || hx.key == key && (hx.rank > h.rank || hx.rank == h.rank && x > c) {
			return false
		}
	}
	s.i = j
	h.bar, h.key = b, key
	m.q = append(m.q, c)
	m.cur = m.q[m.lo]
	m.lo++
	return true
}

func (m *merger) start() bool {
	m.started = true
	n := len(m.its)
	m.srcs = make([]mergeSrc, n)
	m.hs = make([]mergeHead, n)
	m.q = make([]int32, 0, 2*n)
	m.syms = []string{""}
	m.cur = -1
	for i, it := range m.its {
		if b, ok := it.(BatchIterator); ok {
			m.srcs[i].batch = b
		}
		if m.load(int32(i)) {
			m.q = append(m.q, int32(i))
		} else if m.err != nil {
			return false
		}
	}
	slices.SortFunc(m.q, func(a, b int32) int {
		if m.less(a, b) {
			return -1
		}
		return 1
	})
	return true
}

// NextBatch returns up to mergeBatch bars, copied once from the sources.
func (m *merger) NextBatch() []Bar {
	if m.out == nil {
		m.out = make([]Bar, 0, mergeBatch)
	}
	out := m.out[:mergeBatch]
	n := 0
	for n < len(out) {
		if !m.nextFast() && !m.next() {
			break
		}
		copyBar(&out[n], m.hs[m.cur].bar)
		n++
	}
	m.out, m.batched = out[:n], n > 0
	return m.out
}

// copyBar is *dst = *src field by field: a plain assignment of the struct is a call to
// typedmemmove, which while the collector runs also walks the type's pointer bitmap.
func copyBar(dst, src *Bar) {
	dst.Symbol = src.Symbol
	dst.Time = src.Time
	dst.Open, dst.High, dst.Low, dst.Close = src.Open, src.High, src.Low, src.Close
	dst.Volume, dst.TradeCount, dst.VWAP = src.Volume, src.TradeCount, src.VWAP
}

// A field added to Bar must be added to copyBar: this conversion stops compiling until then.
var _ = Bar(struct {
	Symbol                         string
	Time                           time.Time
	Open, High, Low, Close, Volume float64
	TradeCount                     uint64
	VWAP                           float64
}{})

func (m *merger) Bar() Bar {
	if m.batched {
		return m.out[len(m.out)-1]
	}
	return *m.hs[m.cur].bar
}

func (m *merger) Err() error { return m.err }

func (m *merger) Close() error {
	var errs []error
	for _, it := range m.its {
		errs = append(errs, it.Close())
	}
	m.q, m.lo, m.cur, m.batched = m.q[:0], 0, -1, false
	m.started = true
	return errors.Join(errs...)
}
