package indicator

import (
	"fmt"
	"math"
)

// window is a fixed-length ring of the last values with exact-enough running sums of
// d = x - shift and d*d. Shifting by a level near the mean keeps the variance formula
// (S2 - S1²/n)/n free of catastrophic cancellation (a mean alone needs no shift, and is better
// without: a shift far from the values, left by a spike, would round every d); Neumaier compensation keeps S1 and S2 from
// drifting when large values enter and leave; periodic recomputation bounds what compensation
// cannot.
type window struct {
	buf     []float64
	next    int // slot the next value overwrites
	n       int // values held, up to len(buf)
	squares bool

	shift  float64
	s1, c1 float64 // Neumaier sum of d and its compensation
	s2, c2 float64 // Neumaier sum of d*d and its compensation
	age    int     // updates since the last exact recomputation
}

// recomputeEvery is how many window lengths of updates may pass between exact resums.
const recomputeEvery = 4

func newWindow(period int, squares bool, what string) window {
	if period < 1 {
		panic(fmt.Sprintf("indicator: %s period %d < 1", what, period))
	}
	return window{buf: make([]float64, period), squares: squares}
}

// neumaier adds v to the compensated sum (s, c).
func neumaier(s, c, v float64) (float64, float64) {
	t := s + v
	if abs(s) >= abs(v) {
		c += (s - t) + v
	} else {
		c += (v - t) + s
	}
	return t, c
}

func abs(x float64) float64 { return math.Abs(x) }

func (w *window) push(x float64) {
	if w.n == 0 && w.squares {
		w.shift = x
	}
	if w.n == len(w.buf) {
		old := w.buf[w.next] - w.shift
		w.s1, w.c1 = neumaier(w.s1, w.c1, -old)
		if w.squares {
			w.s2, w.c2 = neumaier(w.s2, w.c2, -old*old)
		}
	} else {
		w.n++
	}
	w.buf[w.next] = x
	if w.next++; w.next == len(w.buf) {
		w.next = 0
	}
	d := x - w.shift
	w.s1, w.c1 = neumaier(w.s1, w.c1, d)
	if w.squares {
		w.s2, w.c2 = neumaier(w.s2, w.c2, d*d)
	}
	w.age++
	// Resumming every few window lengths costs O(1) amortised and bounds what compensation
	// leaves; drift in the variance's reference level cannot wait that long.
	if w.age >= recomputeEvery*len(w.buf) || (w.squares && w.drifted()) {
		w.recompute()
	}
}

// drifted reports whether the mean has moved more than one standard deviation from the shift:
// past that point S1²/n is larger than the variance term and would start to cancel it. Offsets
// below 1e-9 of the level are ignored: their cancellation cannot matter, and without the floor a
// constant window whose mean rounds off by an ulp would recompute on every update.
func (w *window) drifted() bool {
	n := float64(w.n)
	off := (w.s1 + w.c1) / n
	v := (w.s2+w.c2)/n - off*off
	return off*off > v && abs(off) > 1e-9*abs(w.shift)
}

// recompute re-centres the shift near the window mean and resums the window exactly (to
// compensated precision), in two passes over at most len(buf) values.
func (w *window) recompute() {
	w.age = 0
	var s, c float64
	for _, x := range w.buf[:w.n] {
		s, c = neumaier(s, c, x)
	}
	if w.squares {
		// Shift by the window value nearest the mean rather than the mean itself: differences
		// of nearby values are exact (Sterbenz), so round inputs keep round sums, and a close
		// that equals the window's mean compares equal to Mean().
		m := (s + c) / float64(w.n)
		best := w.buf[0]
		for _, x := range w.buf[1:w.n] {
			if abs(x-m) < abs(best-m) {
				best = x
			}
		}
		w.shift = best
	}
	w.s1, w.c1, w.s2, w.c2 = 0, 0, 0, 0
	for _, x := range w.buf[:w.n] {
		d := x - w.shift
		w.s1, w.c1 = neumaier(w.s1, w.c1, d)
		if w.squares {
			w.s2, w.c2 = neumaier(w.s2, w.c2, d*d)
		}
	}
}

func (w *window) full() bool { return w.n == len(w.buf) }

func (w *window) mean() float64 {
	if w.n == 0 {
		return 0
	}
	return w.shift + (w.s1+w.c1)/float64(w.n)
}

// variance is the population variance of the window.
func (w *window) variance() float64 {
	if w.n == 0 {
		return 0
	}
	n := float64(w.n)
	off := (w.s1 + w.c1) / n
	v := (w.s2+w.c2)/n - off*off
	if v < 0 {
		return 0 // rounding on a constant window
	}
	return v
}
