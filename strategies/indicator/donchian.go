package indicator

import "fmt"

// Donchian is the channel of the highest high and lowest low over the last Period bars. Each
// side is a monotonic deque on a ring buffer: a value leaves the deque when a later, at least
// as extreme one arrives or when it falls out of the window, so each update costs O(1)
// amortised and nothing is allocated.
type Donchian struct {
	hi, lo monoDeque
	t      int // bars seen
	period int
}

// NewDonchian returns a channel over period bars.
func NewDonchian(period int) *Donchian {
	if period < 1 {
		panic(fmt.Sprintf("indicator: Donchian period %d < 1", period))
	}
	return &Donchian{hi: newMonoDeque(period, true), lo: newMonoDeque(period, false), period: period}
}

// Update adds one bar's high and low.
func (d *Donchian) Update(high, low float64) {
	d.hi.push(d.t, high, d.period)
	d.lo.push(d.t, low, d.period)
	d.t++
}

// Ready reports whether Period bars have been seen.
func (d *Donchian) Ready() bool { return d.t >= d.period }

// Upper is the highest high of the window, 0 until Ready.
func (d *Donchian) Upper() float64 {
	if !d.Ready() {
		return 0
	}
	return d.hi.front()
}

// Lower is the lowest low of the window, 0 until Ready.
func (d *Donchian) Lower() float64 {
	if !d.Ready() {
		return 0
	}
	return d.lo.front()
}

// Value is the middle of the channel, 0 until Ready.
func (d *Donchian) Value() float64 { return (d.Upper() + d.Lower()) / 2 }

type dqItem struct {
	t int
	v float64
}

// monoDeque keeps, in a ring of capacity period, the window's candidates for its extreme:
// values strictly decreasing (max) or increasing (min) from front to back.
type monoDeque struct {
	ring       []dqItem
	head, size int
	max        bool
}

func newMonoDeque(period int, max bool) monoDeque {
	return monoDeque{ring: make([]dqItem, period), max: max}
}

func (q *monoDeque) push(t int, v float64, period int) {
	// Drop candidates the new value dominates; ties go to the newer one, which stays longer.
	for q.size > 0 {
		back := &q.ring[(q.head+q.size-1)%len(q.ring)]
		if (q.max && back.v > v) || (!q.max && back.v < v) {
			break
		}
		q.size--
	}
	// Expire the front if it left the window.
	if q.size > 0 && q.ring[q.head].t <= t-period {
		q.head = (q.head + 1) % len(q.ring)
		q.size--
	}
	q.ring[(q.head+q.size)%len(q.ring)] = dqItem{t, v}
	q.size++
}

func (q *monoDeque) front() float64 { return q.ring[q.head].v }
