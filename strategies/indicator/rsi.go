package indicator

// RSI is Wilder's relative strength index: 100 - 100/(1 + avgGain/avgLoss), the averages being
// Wilder's smoothing of the close-to-close gains and losses, seeded with their simple average
// over the first Period changes. It is Ready after Period+1 values.
//
// With no loss in the window RSI is 100; with neither gain nor loss (a flat price) it is 50,
// neutral, rather than the 0 some libraries return, so that a flat market never looks oversold.
type RSI struct {
	gain, loss EMA
	prev       float64
	started    bool
}

// NewRSI returns an RSI over period changes.
func NewRSI(period int) *RSI {
	if period < 1 {
		panic("indicator: RSI period < 1")
	}
	return &RSI{gain: *NewWilder(period), loss: *NewWilder(period)}
}

// Update adds the next close.
func (r *RSI) Update(x float64) {
	if !r.started {
		r.started = true
		r.prev = x
		return
	}
	ch := x - r.prev
	r.prev = x
	if ch > 0 {
		r.gain.Update(ch)
		r.loss.Update(0)
	} else {
		r.gain.Update(0)
		r.loss.Update(-ch)
	}
}

// Ready reports whether Period changes have been seen.
func (r *RSI) Ready() bool { return r.gain.Ready() }

// Value is the RSI in [0, 100], 0 until Ready.
func (r *RSI) Value() float64 {
	if !r.Ready() {
		return 0
	}
	g, l := r.gain.Value(), r.loss.Value()
	switch {
	case l == 0 && g == 0:
		return 50
	case l == 0:
		return 100
	}
	return 100 - 100/(1+g/l)
}
