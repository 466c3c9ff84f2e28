package indicator

// MACD is the difference of a fast and a slow EMA of the closes (the MACD line), with an EMA
// of that line (the signal line). It is Ready once the signal line is, after
// slow+signal-1 values (34 for 12/26/9).
type MACD struct {
	fast, slow, signal EMA
}

// NewMACD returns a MACD with the given EMA periods, conventionally 12, 26 and 9.
func NewMACD(fast, slow, signal int) *MACD {
	return &MACD{fast: *NewEMA(fast), slow: *NewEMA(slow), signal: *NewEMA(signal)}
}

// Update adds the next close.
func (m *MACD) Update(x float64) {
	m.fast.Update(x)
	m.slow.Update(x)
	if m.fast.Ready() && m.slow.Ready() {
		m.signal.Update(m.fast.Value() - m.slow.Value())
	}
}

// Ready reports whether the signal line has warmed up.
func (m *MACD) Ready() bool { return m.signal.Ready() }

// Value is the MACD line (fast EMA - slow EMA), 0 until Ready.
func (m *MACD) Value() float64 {
	if !m.Ready() {
		return 0
	}
	return m.fast.Value() - m.slow.Value()
}

// Signal is the EMA of the MACD line, 0 until Ready.
func (m *MACD) Signal() float64 { return m.signal.Value() }

// Histogram is MACD - Signal, 0 until Ready.
func (m *MACD) Histogram() float64 { return m.Value() - m.Signal() }
