//go:build ignore

// This program made the version 1 fixtures (data/duckdb/testdata/v1.duckdb and
// data/parquet/testdata/v1lake): it builds only in a checkout of commit b3cde84, as
//   git worktree add /tmp/old b3cde84 && cp main.go /tmp/old/cmd/mkfixture/ &&
//   (cd /tmp/old && go run ./cmd/mkfixture v1.duckdb v1lake)

// Command mkfixture writes the v1 stores that the migration tests of the next version open.
package main

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/duckdb"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/data/parquet"
	"github.com/barkeep-trading/barkeep/data/synth"
)

func bars(sym string, start time.Time, n int, f float64) []data.Bar {
	var out []data.Bar
	for i := 0; i < n; i++ {
		p := f * float64(100+i)
		out = append(out, data.Bar{Symbol: sym, Time: start.AddDate(0, 0, i), Open: p, High: p + 1, Low: p - 1, Close: p, Volume: 1000, TradeCount: 10, VWAP: p})
	}
	return out
}

func main() {
	ctx := context.Background()
	day0 := time.Date(2024, 3, 4, 5, 0, 0, 0, time.UTC)
	cov := func(sym string, from, to int) data.Span {
		return data.Span{Symbol: sym, Range: data.Range{Start: day0.AddDate(0, 0, from), End: day0.AddDate(0, 0, to)}}
	}
	write := func(st interface {
		Write(context.Context, data.Batch) error
	}) {
		for _, b := range []data.Batch{
			// One feed: keeps its coverage.
			{Timeframe: data.OneDay, Feed: "iex", Bars: bars("AAPL", day0, 5, 1), Covered: []data.Span{cov("AAPL", 0, 5)}},
			// Two feeds in one series: bars split, coverage dropped.
			{Timeframe: data.OneDay, Feed: "iex", Bars: bars("MSFT", day0, 3, 1), Covered: []data.Span{cov("MSFT", 0, 3)}},
			{Timeframe: data.OneDay, Feed: "sip", Bars: bars("MSFT", day0.AddDate(0, 0, 3), 2, 2), Covered: []data.Span{cov("MSFT", 3, 5)}},
			// Adjusted, one feed.
			{Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip", Bars: bars("AAPL", day0, 5, 0.5), Covered: []data.Span{cov("AAPL", 0, 5)}},
		} {
			if err := st.Write(ctx, b); err != nil {
				log.Fatal(err)
			}
		}
	}
	d, err := duckdb.Open(ctx, os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	write(d)
	// And a fetch from the synthetic source, as a user's store would have been made.
	src := synth.New()
	if _, err := fetch.Run(ctx, src, d, fetch.Plan{Symbols: []string{"SPY"}, Timeframes: []data.Timeframe{data.OneMin},
		Start: time.Date(2024, 3, 4, 14, 30, 0, 0, time.UTC), End: time.Date(2024, 3, 4, 16, 0, 0, 0, time.UTC)}, nil); err != nil {
		log.Fatal(err)
	}
	if err := d.Close(); err != nil {
		log.Fatal(err)
	}
	p, err := parquet.Open(ctx, os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	write(p)
	if _, err := fetch.Run(ctx, src, p, fetch.Plan{Symbols: []string{"SPY"}, Timeframes: []data.Timeframe{data.OneMin},
		Start: time.Date(2024, 3, 4, 14, 30, 0, 0, time.UTC), End: time.Date(2024, 3, 4, 16, 0, 0, 0, time.UTC)}, nil); err != nil {
		log.Fatal(err)
	}
}
