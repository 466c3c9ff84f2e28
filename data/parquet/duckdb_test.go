package parquet

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/storetest"
)

// TestDuckDBReadsLake checks the promise of the layout: DuckDB, knowing nothing of barkeep,
// reads the lake as it is and finds exactly the stored bars, with the Hive columns decoded.
func TestDuckDBReadsLake(t *testing.T) {
	s, dir := newStore(t)
	newYear := time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC) // spans two year partitions
	raw := append(storetest.Bars("BTC/USD", newYear, 150, time.Minute), storetest.Bars("AAPL", newYear, 90, time.Minute)...)
	split := storetest.Scale(storetest.Bars("AAPL", newYear, 30, time.Minute), 0.5)
	daily := storetest.Bars("AAPL", storetest.Day0, 3, 24*time.Hour)
	mustWrite(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: raw})
	mustWrite(t, s, data.Batch{Timeframe: data.OneMin, Adjustment: data.Split, Feed: "iex", Bars: split})
	mustWrite(t, s, data.Batch{Timeframe: data.OneDay, Feed: "sip", Bars: daily})
	// A leftover of a crashed write must not show up either.
	mustWriteFile(t, filepath.Join(dir, "timeframe=1Min", "symbol=AAPL", "feed=iex", "year=2024", ".raw.parquet.0000.tmp"), []byte("PAR1 garbage"))

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	defer db.Close()
	glob := filepath.Join(dir, "**", "*.parquet")
	tests := []struct {
		name  string
		where string
		want  []data.Bar
		feed  string
	}{
		{"raw minute bars", "timeframe = '1Min' AND adjustment = 'raw'", raw, "iex"},
		{"split-adjusted bars", "timeframe = '1Min' AND adjustment = 'split'", split, "iex"},
		{"daily bars", "timeframe = '1Day'", daily, "sip"},
		{"escaped symbol from the path", "symbol = 'BTC/USD' AND adjustment = 'raw'", raw[:150], "iex"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := db.QueryContext(t.Context(), `
				SELECT symbol, time, open, high, low, close, volume, trade_count, vwap, feed, year
				FROM read_parquet(?, hive_partitioning = true)
				WHERE `+tc.where+` ORDER BY time, symbol`, glob)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			defer rows.Close()
			var got []data.Bar
			for rows.Next() {
				var b data.Bar
				var feed string
				var year int
				if err := rows.Scan(&b.Symbol, &b.Time, &b.Open, &b.High, &b.Low, &b.Close, &b.Volume, &b.TradeCount, &b.VWAP, &feed, &year); err != nil {
					t.Fatalf("scan: %v", err)
				}
				if feed != tc.feed {
					t.Fatalf("feed %q, want %q", feed, tc.feed)
				}
				if year != b.Time.UTC().Year() {
					t.Fatalf("bar at %s in partition year=%d", b.Time, year)
				}
				b.Time = b.Time.UTC()
				got = append(got, b)
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("rows: %v", err)
			}
			storetest.Equal(t, tc.name, got, storetest.Sorted(tc.want))
		})
	}
}
