package data_test

import (
	"fmt"
	"log"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// A bar is stamped with its open time in UTC; a daily bar at midnight New York of its session.
// Validate is what the engine checks of every bar it replays.
func ExampleBar() {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		log.Fatal(err)
	}
	day := data.Bar{Symbol: "AAPL", Time: time.Date(2024, 1, 2, 0, 0, 0, 0, ny).UTC(),
		Open: 187.15, High: 188.44, Low: 183.89, Close: 185.64, Volume: 82488700}
	fmt.Println(day.Time, day.Validate())

	bad := day
	bad.High = bad.Low - 1
	fmt.Println(bad.Validate())
	// Output:
	// 2024-01-02 05:00:00 +0000 UTC <nil>
	// bar AAPL 2024-01-02T05:00:00Z: high 182.89 / low 183.89 do not bound open 187.15 and close 185.64
}

// Bars made in memory stream like a store's, for tests and for engine.Run on data of your own.
// They must already be in (time, symbol) order.
func ExampleNewSliceIterator() {
	t0 := time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC)
	it := data.NewSliceIterator([]data.Bar{
		{Symbol: "AAPL", Time: t0, Open: 1, High: 1, Low: 1, Close: 1},
		{Symbol: "MSFT", Time: t0, Open: 2, High: 2, Low: 2, Close: 2},
		{Symbol: "AAPL", Time: t0.Add(time.Minute), Open: 3, High: 3, Low: 3, Close: 3},
	})
	defer it.Close()
	for it.Next() {
		b := it.Bar()
		fmt.Println(b.Time.Format(time.Kitchen), b.Symbol, b.Close)
	}
	if err := it.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 2:30PM AAPL 1
	// 2:30PM MSFT 2
	// 2:31PM AAPL 3
}
