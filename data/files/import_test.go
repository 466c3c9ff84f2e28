package files

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/data/synth"
	"github.com/barkeep-trading/barkeep/engine"
)

// writeCSV writes bars as a vendor would: a symbol column, RFC 3339 times and every digit of
// every number, so that the file holds exactly the bars.
func writeCSV(bars []data.Bar) []byte {
	var b bytes.Buffer
	b.WriteString("symbol,timestamp,open,high,low,close,volume,trade_count,vwap\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, x := range bars {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%d,%s\n", x.Symbol, x.Time.Format(time.RFC3339Nano),
			f(x.Open), f(x.High), f(x.Low), f(x.Close), f(x.Volume), x.TradeCount, f(x.VWAP))
	}
	return b.Bytes()
}

// flipper buys on one bar of each symbol and sells on the next, so every bar counts.
type flipper struct{ n map[string]int }

func (f *flipper) OnBar(env *engine.Env, bar data.Bar) error {
	f.n[bar.Symbol]++
	side := engine.Buy
	if f.n[bar.Symbol]%2 == 0 {
		side = engine.Sell
	}
	_, err := env.Submit(engine.Order{Symbol: bar.Symbol, Side: side, Qty: 1, Type: engine.Market, TIF: engine.Day})
	if err != nil && side == engine.Sell {
		return nil // nothing to sell yet
	}
	return err
}

func backtest(t *testing.T, st *memStore, q data.Query) *engine.Result {
	t.Helper()
	it, err := st.Read(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Run(context.Background(), engine.Config{Cash: 1e6, Strategy: "flipper"}, it, &flipper{n: map[string]int{}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestImportMatchesFetch writes synthetic bars to a CSV file, imports it into one store and
// fetches the same bars straight into another: both hold the same bars, and a backtest on
// either gives the same result.
func TestImportMatchesFetch(t *testing.T) {
	ctx := context.Background()
	for _, tf := range []data.Timeframe{{N: 5, Unit: data.Min}, data.OneDay} {
		t.Run(tf.String(), func(t *testing.T) {
			syms := []string{"AAA", "BBB"}
			start := nyTime(2024, 1, 29, 0, 0)
			end := nyTime(2024, 3, 6, 0, 0)
			if !tf.Intraday() {
				start = nyTime(2023, 11, 1, 0, 0)
			}
			fetched := newMemStore()
			src := synth.New(synth.WithSeed(3))
			if _, err := fetch.Run(ctx, src, fetched, fetch.Plan{Symbols: syms, Timeframes: []data.Timeframe{tf}, Start: start, End: end}, nil); err != nil {
				t.Fatal(err)
			}
			q := data.Query{Timeframe: tf}
			bars := fetched.all(q)
			if len(bars) < 100 {
				t.Fatalf("only %d synthetic bars", len(bars))
			}

			set, err := Collect(ctx, Options{Feed: "csv"}, ReadCSV(bytes.NewReader(writeCSV(bars)), "bars.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if set.Timeframe != tf {
				t.Fatalf("inferred %v, want %v", set.Timeframe, tf)
			}
			imported := newMemStore()
			rep, err := set.Import(ctx, imported, nil)
			if err != nil {
				t.Fatal(err)
			}
			var added int64
			for _, s := range rep.Series {
				added += s.BarsAdded
			}
			if added != int64(len(bars)) || set.Counts != (Counts{Rows: len(bars), Bars: len(bars)}) || rep.Feed != "csv" {
				t.Fatalf("added %d of %d bars, counts %+v, feed %q", added, len(bars), set.Counts, rep.Feed)
			}
			if got := imported.all(q); !reflect.DeepEqual(got, bars) {
				t.Fatalf("imported %d bars differ from the %d fetched", len(got), len(bars))
			}
			a, b := backtest(t, fetched, q), backtest(t, imported, q)
			if len(a.Fills) < 50 {
				t.Fatalf("only %d fills: the comparison would prove little", len(a.Fills))
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("backtests differ:\nfetched  %+v\nimported %+v", a.Fills[:min(3, len(a.Fills))], b.Fills[:min(3, len(b.Fills))])
			}

			// A rerun finds everything covered and writes nothing.
			writes := imported.writes
			rep, err = set.Import(ctx, imported, nil)
			if err != nil {
				t.Fatal(err)
			}
			if imported.writes != writes || rep.ChunksTotal != 0 {
				t.Fatalf("rerun wrote %d times in %d chunks", imported.writes-writes, rep.ChunksTotal)
			}
			for _, sym := range syms {
				s := data.Series{Symbol: sym, Timeframe: tf, Adjustment: data.Raw}
				cov, _ := imported.Coverage(ctx, s)
				if want := set.index[s].covered; cov.String() != want.String() {
					t.Fatalf("%s coverage %v, want %v", sym, cov, want)
				}
			}
		})
	}
}

func TestImportExtendsAndProgress(t *testing.T) {
	ctx := context.Background()
	head := "timestamp,open,high,low,close,volume\n"
	first := head + "2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,1\n"
	second := first + "2024-01-04,2,2,2,2,2\n2025-01-02,3,3,3,3,3\n"
	st := newMemStore()
	for i, text := range []string{first, second} {
		set, err := collect(t, Options{Symbols: []string{"X"}}, "x.csv", text)
		if err != nil {
			t.Fatal(err)
		}
		var calls []fetch.Progress
		rep, err := set.Import(ctx, st, func(p fetch.Progress) { calls = append(calls, p) })
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{2, 2}[i]
		if rep.Series[0].BarsAdded != want || len(calls) != rep.ChunksTotal || calls[len(calls)-1].BarsDone != want || calls[len(calls)-1].ChunksDone != rep.ChunksTotal {
			t.Fatalf("import %d: report %+v, progress %+v", i, rep.Series, calls)
		}
	}
	if n := len(st.all(data.Query{Timeframe: data.OneDay})); n != 4 {
		t.Fatalf("%d bars stored, want 4", n)
	}
}
