package indicator_test

import (
	"fmt"

	"github.com/barkeep-trading/barkeep/strategies/indicator"
)

// A strategy keeps one indicator per symbol, feeds it each bar's close and trades only once it
// is Ready.
func ExampleSMA() {
	sma := indicator.NewSMA(3)
	for _, close := range []float64{10, 11, 12, 13, 14} {
		sma.Update(close)
		if !sma.Ready() {
			fmt.Printf("close %v: not ready\n", close)
			continue
		}
		fmt.Printf("close %v: SMA(3) %.2f\n", close, sma.Value())
	}
	// Output:
	// close 10: not ready
	// close 11: not ready
	// close 12: SMA(3) 11.00
	// close 13: SMA(3) 12.00
	// close 14: SMA(3) 13.00
}

// An EMA is ready after period values, seeded with their simple average; NewWilder makes the
// slower average (alpha 1/period) that RSI and ATR use.
func ExampleEMA() {
	ema := indicator.NewEMA(3) // alpha = 2/(3+1) = 0.5
	for _, close := range []float64{10, 11, 12, 13, 14} {
		ema.Update(close)
		if ema.Ready() {
			fmt.Printf("close %v: EMA(3) %.2f\n", close, ema.Value())
		}
	}
	// Output:
	// close 12: EMA(3) 11.00
	// close 13: EMA(3) 12.00
	// close 14: EMA(3) 13.00
}

// RSI is Wilder's: 100 after nothing but gains, 0 after nothing but losses, 50 when the
// average gain and loss are equal.
func ExampleRSI() {
	rsi := indicator.NewRSI(2)
	for _, close := range []float64{10, 11, 12, 11, 12, 11} {
		rsi.Update(close)
		if rsi.Ready() {
			fmt.Printf("close %v: RSI(2) %.1f\n", close, rsi.Value())
		}
	}
	// Output:
	// close 12: RSI(2) 100.0
	// close 11: RSI(2) 50.0
	// close 12: RSI(2) 75.0
	// close 11: RSI(2) 37.5
}

// ATR takes the whole bar: the true range reaches back to the previous close, so a gap counts.
func ExampleATR() {
	atr := indicator.NewATR(2)
	bars := []struct{ high, low, close float64 }{
		{11, 9, 10},  // range 2
		{12, 10, 11}, // range 2
		{16, 14, 15}, // gap up: true range 16-11 = 5
	}
	for _, b := range bars {
		atr.Update(b.high, b.low, b.close)
		if atr.Ready() {
			fmt.Printf("close %v: ATR(2) %.2f\n", b.close, atr.Value())
		}
	}
	// Output:
	// close 11: ATR(2) 2.00
	// close 15: ATR(2) 3.50
}

func ExampleBollinger() {
	bb := indicator.NewBollinger(4, 2)
	for _, close := range []float64{10, 12, 10, 12} {
		bb.Update(close)
	}
	fmt.Printf("lower %.2f middle %.2f upper %.2f\n", bb.Lower(), bb.Middle(), bb.Upper())
	// Output:
	// lower 9.00 middle 11.00 upper 13.00
}

func ExampleMACD() {
	m := indicator.NewMACD(2, 4, 2)
	for i := range 8 {
		m.Update(float64(10 + i)) // a steady rise: the fast average leads the slow one
	}
	fmt.Printf("ready %v, MACD %.2f, signal %.2f, histogram %.2f\n", m.Ready(), m.Value(), m.Signal(), m.Histogram())
	// Output:
	// ready true, MACD 1.00, signal 1.00, histogram 0.00
}

// A breakout compares the close with the channel of the bars before it, so update the channel
// after the comparison.
func ExampleDonchian() {
	d := indicator.NewDonchian(3)
	bars := []struct{ high, low, close float64 }{{11, 9, 10}, {12, 10, 11}, {11, 9, 10}, {14, 12, 13}}
	for _, b := range bars {
		if d.Ready() && b.close > d.Upper() {
			fmt.Printf("close %v breaks above the 3-bar high %v\n", b.close, d.Upper())
		}
		d.Update(b.high, b.low)
	}
	// Output:
	// close 13 breaks above the 3-bar high 12
}

func ExampleStdDev() {
	sd := indicator.NewStdDev(4)
	for _, x := range []float64{2, 4, 4, 6} {
		sd.Update(x)
	}
	fmt.Printf("mean %.2f, standard deviation %.4f\n", sd.Mean(), sd.Value())
	// Output:
	// mean 4.00, standard deviation 1.4142
}
