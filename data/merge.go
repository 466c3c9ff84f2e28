package data

import "errors"

// BatchIterator is an optional fast path of a BarIterator, found by type assertion as
// io.WriterTo is: NextBatch advances past a run of bars and returns them all at once, sparing
// an interface call and a copy of each bar. After it the iterator stands on the batch's last
// bar (Bar returns it), so Next and NextBatch may be mixed. The batch is valid until the next
// call of Next or NextBatch and must not be modified; an empty batch means the end (then check
// Err). Wrappers that watch every bar must not expose it unless they watch batches too.
type BatchIterator interface {
	BarIterator
	NextBatch() []Bar
}

// NextBatch returns every bar left, without copying.
func (s *SliceIterator) NextBatch() []Bar {
	lo := min(s.i+1, len(s.bars))
	s.i = len(s.bars) - 1
	if lo == len(s.bars) {
		s.i = len(s.bars)
	}
	return s.bars[lo:]
}

// Merge combines iterators, each in (time, symbol) order, into one stream in that order. Ties
// between iterators go to the one listed first, so the result is deterministic. Merge owns its
// inputs: closing the result closes them all. Advancing it does not allocate. The result is a
// BatchIterator, and Merge reads inputs that are BatchIterators a batch at a time.
func Merge(its ...BarIterator) BarIterator {
	if len(its) == 1 {
		return its[0]
	}
	return &merger{its: its}
}

// mergeBatch is how many bars merger.NextBatch returns at most: enough to make the call per
// batch negligible, few enough to stay in the L1 cache.
const mergeBatch = 128

// merger is a binary heap of source indices. Each source's current bar is reached through
// heads, and its open time as Unix nanoseconds is in keys, so sifting moves small integers and
// compares integers, and only equal times fall back to comparing symbols.
type merger struct {
	its     []BarIterator
	srcs    []mergeSrc
	heads   []*Bar
	keys    []int64
	heap    []int32
	out     []Bar
	batched bool // the current bar is out's last, returned by NextBatch
	started bool
	err     error
}

// mergeSrc is where one source's current bar lives: in its batch, or in one for a plain
// iterator.
type mergeSrc struct {
	batch BatchIterator // nil: read with Next and Bar
	bars  []Bar         // the current batch; the head is bars[i]
	i     int
	one   Bar
}

func (m *merger) less(a, b int32) bool {
	if ka, kb := m.keys[a], m.keys[b]; ka != kb {
		return ka < kb
	}
	if sa, sb := m.heads[a].Symbol, m.heads[b].Symbol; sa != sb {
		return sa < sb
	}
	return a < b
}

func (m *merger) down(i int) {
	h := m.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && m.less(h[r], h[l]) {
			j = r
		}
		if !m.less(h[j], h[i]) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
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
	m.heads[i] = b
	m.keys[i] = b.Time.UnixNano()
	return true
}

func (m *merger) Next() bool {
	m.batched = false
	return m.next()
}

func (m *merger) next() bool {
	if m.err != nil {
		return false
	}
	if !m.started {
		return m.start()
	}
	if len(m.heap) > 0 {
		// Refill the root from the source whose bar was returned last.
		if !m.load(m.heap[0]) {
			if m.err != nil {
				return false
			}
			last := len(m.heap) - 1
			m.heap[0] = m.heap[last]
			m.heap = m.heap[:last]
		}
		m.down(0)
	}
	return len(m.heap) > 0
}

func (m *merger) start() bool {
	m.started = true
	n := len(m.its)
	m.srcs = make([]mergeSrc, n)
	m.heads = make([]*Bar, n)
	m.keys = make([]int64, n)
	m.heap = make([]int32, 0, n)
	for i, it := range m.its {
		if b, ok := it.(BatchIterator); ok {
			m.srcs[i].batch = b
		}
		if m.load(int32(i)) {
			m.heap = append(m.heap, int32(i))
		} else if m.err != nil {
			return false
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return len(m.heap) > 0
}

// NextBatch returns up to mergeBatch bars, copied once from the sources.
func (m *merger) NextBatch() []Bar {
	if m.out == nil {
		m.out = make([]Bar, 0, mergeBatch)
	}
	out := m.out[:0]
	for len(out) < mergeBatch && m.next() {
		out = append(out, *m.heads[m.heap[0]])
	}
	m.out, m.batched = out, len(out) > 0
	return out
}

func (m *merger) Bar() Bar {
	if m.batched {
		return m.out[len(m.out)-1]
	}
	return *m.heads[m.heap[0]]
}

func (m *merger) Err() error { return m.err }

func (m *merger) Close() error {
	var errs []error
	for _, it := range m.its {
		errs = append(errs, it.Close())
	}
	m.heap = m.heap[:0]
	return errors.Join(errs...)
}
