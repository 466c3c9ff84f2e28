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

type mergeItem struct {
	bar Bar
	src int
}

type merger struct {
	its     []BarIterator
	heap    []mergeItem
	cur     Bar
	started bool
	err     error
}

func (m *merger) less(i, j int) bool {
	a, b := &m.heap[i], &m.heap[j]
	if !a.bar.Time.Equal(b.bar.Time) {
		return a.bar.Time.Before(b.bar.Time)
	}
	if a.bar.Symbol != b.bar.Symbol {
		return a.bar.Symbol < b.bar.Symbol
	}
	return a.src < b.src
}

func (m *merger) down(i int) {
	n := len(m.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && m.less(r, l) {
			j = r
		}
		if !m.less(j, i) {
			return
		}
		m.heap[i], m.heap[j] = m.heap[j], m.heap[i]
		i = j
	}
}

func (m *merger) Next() bool {
	if m.err != nil {
		return false
	}
	if !m.started {
		m.started = true
		m.heap = make([]mergeItem, 0, len(m.its))
		for i, it := range m.its {
			if it.Next() {
				m.heap = append(m.heap, mergeItem{it.Bar(), i})
			} else if err := it.Err(); err != nil {
				m.err = err
				return false
			}
		}
		for i := len(m.heap)/2 - 1; i >= 0; i-- {
			m.down(i)
		}
	} else if len(m.heap) > 0 {
		// Refill the root from the iterator whose bar was returned last.
		top := &m.heap[0]
		it := m.its[top.src]
		if it.Next() {
			top.bar = it.Bar()
		} else {
			if err := it.Err(); err != nil {
				m.err = err
				return false
			}
			last := len(m.heap) - 1
			m.heap[0] = m.heap[last]
			m.heap = m.heap[:last]
		}
		m.down(0)
	}
	if len(m.heap) == 0 {
		return false
	}
	m.cur = m.heap[0].bar
	return true
}

func (m *merger) Bar() Bar   { return m.cur }
func (m *merger) Err() error { return m.err }

func (m *merger) Close() error {
	var errs []error
	for _, it := range m.its {
		errs = append(errs, it.Close())
	}
	m.heap = m.heap[:0]
	return errors.Join(errs...)
}
