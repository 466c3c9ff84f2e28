package fetchcmd

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/alpaca"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// BenchmarkFetchIngest measures a whole fetch, end to end: the fake Alpaca server's JSON
// pages, the SDK, our transport, the fetch loop and the store's writes, into a fresh store
// each iteration. The server answers at once and nothing paces the requests. The "nostore"
// case runs the same fetch loop into a store that keeps nothing: the ceiling that the
// server, the HTTP client and the decoding set, without any store.
//
// The fetch is 2 symbols x 12 months of 1Min bars (about 190,000 bars), so that a store's
// fixed costs (creating it, the checkpoint when it closes, about 70 ms for DuckDB) weigh on
// the figure as they do on a real fetch rather than dominate it; a quarter (about 47,000
// bars) was the earlier size, and is still BENCH_FETCH_SPAN=quarter.
//
//	go test -run '^$' -bench FetchIngest -benchmem -benchtime 5x ./internal/fetchcmd/
func BenchmarkFetchIngest(b *testing.B) {
	startDay, endDay := "2024-01-01", "2024-12-31"
	if os.Getenv("BENCH_FETCH_SPAN") == "quarter" {
		endDay = "2024-03-31"
	}
	syms := twoStocks
	r := span(b, startDay, endDay)
	bars := len(wantBars(b, syms, data.OneMin, r))
	for _, k := range storeKinds {
		b.Run(k.name, func(b *testing.B) {
			srv := newServer(b, nil)
			env := keyEnv(srv)
			dir := b.TempDir()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				store := k.path(filepath.Join(dir, strconv.Itoa(i)))
				res := runFetch(b, env, fetchArgs(store, syms, startDay, endDay, "--quiet", "--concurrency", "2")...)
				if res.code != cli.ExitOK {
					b.Fatalf("exit %d\n%s", res.code, res.stderr)
				}
			}
			b.ReportMetric(float64(bars)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
		})
	}
	b.Run("nostore", func(b *testing.B) {
		srv := newServer(b, nil)
		src, err := alpaca.New(alpaca.Config{KeyID: testKey, SecretKey: testSecret, BaseURL: srv.URL, RPM: -1,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		plan := fetch.Plan{Symbols: syms, Timeframes: []data.Timeframe{data.OneMin}, Start: r.Start, End: r.End, Concurrency: 2}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var st discard
			if _, err := fetch.Run(context.Background(), src, &st, plan, nil); err != nil {
				b.Fatal(err)
			}
			if st.bars != bars {
				b.Fatalf("fetched %d bars, want %d", st.bars, bars)
			}
		}
		b.ReportMetric(float64(bars)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	})
}

// discard is a data.Store that counts what it is given and keeps nothing.
type discard struct{ bars int }

func (d *discard) Write(_ context.Context, b data.Batch) error { d.bars += len(b.Bars); return nil }
func (d *discard) Coverage(context.Context, data.Series) (data.Ranges, error) {
	return nil, nil
}
func (d *discard) Read(context.Context, data.Query) (data.BarIterator, error) {
	return data.NewSliceIterator(nil), nil
}
func (d *discard) Series(context.Context) ([]data.SeriesInfo, error) { return nil, nil }
func (d *discard) Close() error                                      { return nil }
