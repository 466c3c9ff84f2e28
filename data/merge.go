package data

import "errors"

// Merge combines iterators, each in (time, symbol) order, into one stream in that order. Ties
// between iterators go to the one listed first, so the result is deterministic. Merge owns its
// inputs: closing the result closes them all. Advancing it does not allocate.
func Merge(its ...BarIterator) BarIterator {
	if len(its) == 1 {
		return its[0]
	}
	return &merger{its: its}
}

// merger is a binary heap of source indices. Each source's current bar stays in heads, and
// its open time as Unix nanoseconds in keys, so sifting moves small integers and compares
// integers, and only equal times fall back to comparing symbols.
type merger struct {
	its     []BarIterator
	heads   []Bar
	keys    []int64
	heap    []int32
	started bool
	err     error
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

// load reads source i's next bar into its head; false when the source is done or failed.
func (m *merger) load(i int32) bool {
	it := m.its[i]
	if !it.Next() {
		if err := it.Err(); err != nil {
			m.err = err
		}
		return false
	}
	m.heads[i] = it.Bar()
	m.keys[i] = m.heads[i].Time.UnixNano()
	return true
}

func (m *merger) Next() bool {
	if m.err != nil {
		return false
	}
	if !m.started {
		m.started = true
		n := len(m.its)
		m.heads = make([]Bar, n)
		m.keys = make([]int64, n)
		m.heap = make([]int32, 0, n)
		for i := range m.its {
			if m.load(int32(i)) {
				m.heap = append(m.heap, int32(i))
			} else if m.err != nil {
				return false
			}
		}
		for i := len(m.heap)/2 - 1; i >= 0; i-- {
			m.down(i)
		}
	} else if len(m.heap) > 0 {
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

func (m *merger) Bar() Bar   { return m.heads[m.heap[0]] }
func (m *merger) Err() error { return m.err }

func (m *merger) Close() error {
	var errs []error
	for _, it := range m.its {
		errs = append(errs, it.Close())
	}
	m.heap = m.heap[:0]
	return errors.Join(errs...)
}
