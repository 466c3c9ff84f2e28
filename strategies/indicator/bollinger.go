package indicator

// Bollinger bands: the SMA of the last Period values plus and minus K population standard
// deviations of the same window.
type Bollinger struct {
	sd StdDev
	k  float64
}

// NewBollinger returns bands over period values, k standard deviations wide.
func NewBollinger(period int, k float64) *Bollinger {
	return &Bollinger{sd: *NewStdDev(period), k: k}
}

// Update adds x.
func (b *Bollinger) Update(x float64) { b.sd.Update(x) }

// Ready reports whether Period values have been seen.
func (b *Bollinger) Ready() bool { return b.sd.Ready() }

// Value is the middle band (the SMA), 0 until Ready.
func (b *Bollinger) Value() float64 { return b.sd.Mean() }

// Middle is the SMA, 0 until Ready.
func (b *Bollinger) Middle() float64 { return b.sd.Mean() }

// Upper is Middle + K·stddev, 0 until Ready.
func (b *Bollinger) Upper() float64 { return b.sd.Mean() + b.k*b.sd.Value() }

// Lower is Middle - K·stddev, 0 until Ready.
func (b *Bollinger) Lower() float64 { return b.sd.Mean() - b.k*b.sd.Value() }
