package indicator

// ATR is Wilder's average true range. The true range of a bar is the largest of high-low,
// |high-previous close| and |low-previous close|; the first bar, having no previous close,
// contributes high-low, as in Wilder's own worksheet. The first ATR is the simple average of
// the first Period true ranges, then Wilder's smoothing follows: Ready after Period bars.
type ATR struct {
	avg       EMA
	prevClose float64
	started   bool
}

// NewATR returns an ATR over period bars.
func NewATR(period int) *ATR {
	if period < 1 {
		panic("indicator: ATR period < 1")
	}
	return &ATR{avg: *NewWilder(period)}
}

// Update adds one bar.
func (a *ATR) Update(high, low, close float64) {
	tr := high - low
	if a.started {
		if d := abs(high - a.prevClose); d > tr {
			tr = d
		}
		if d := abs(low - a.prevClose); d > tr {
			tr = d
		}
	}
	a.started = true
	a.prevClose = close
	a.avg.Update(tr)
}

// Ready reports whether Period bars have been seen.
func (a *ATR) Ready() bool { return a.avg.Ready() }

// Value is the ATR, 0 until Ready.
func (a *ATR) Value() float64 { return a.avg.Value() }
