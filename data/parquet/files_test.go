package parquet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/data/files"
)

// userCol is one column of a user's file as a test writes it: a node and the values of every
// row (nil for a null in an optional column).
type userCol struct {
	node *schema.PrimitiveNode
	vals []any
}

func node(t *testing.T, name string, rep pq.Repetition, lt schema.LogicalType, typ pq.Type) *schema.PrimitiveNode {
	t.Helper()
	n, err := schema.NewPrimitiveNodeLogical(name, rep, lt, typ, -1, -1)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// writeUserFile writes cols as one row group, the way pandas or Polars might.
func writeUserFile(t *testing.T, path string, cols []userCol) {
	t.Helper()
	fields := make(schema.FieldList, len(cols))
	for i, c := range cols {
		fields[i] = c.node
	}
	g, err := schema.NewGroupNode("schema", pq.Repetitions.Required, fields, -1)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fw := file.NewParquetWriter(f, g)
	rg := fw.AppendRowGroup()
	for _, c := range cols {
		cw, err := rg.NextColumn()
		if err != nil {
			t.Fatal(err)
		}
		var def []int16
		if c.node.RepetitionType() == pq.Repetitions.Optional {
			def = make([]int16, len(c.vals))
		}
		var (
			ints   []int64
			ints32 []int32
			floats []float64
			bytes  []pq.ByteArray
		)
		for i, v := range c.vals {
			if v == nil {
				continue
			}
			if def != nil {
				def[i] = 1
			}
			switch v := v.(type) {
			case int64:
				ints = append(ints, v)
			case int32:
				ints32 = append(ints32, v)
			case float64:
				floats = append(floats, v)
			case string:
				bytes = append(bytes, pq.ByteArray(v))
			}
		}
		switch w := cw.(type) {
		case *file.Int64ColumnChunkWriter:
			_, err = w.WriteBatch(ints, def, nil)
		case *file.Int32ColumnChunkWriter:
			_, err = w.WriteBatch(ints32, def, nil)
		case *file.Float64ColumnChunkWriter:
			_, err = w.WriteBatch(floats, def, nil)
		case *file.ByteArrayColumnChunkWriter:
			_, err = w.WriteBatch(bytes, def, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := cw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rg.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

func floats(t *testing.T, name string, vs ...float64) userCol {
	c := userCol{node: node(t, name, pq.Repetitions.Required, schema.NoLogicalType{}, pq.Types.Double)}
	for _, v := range vs {
		c.vals = append(c.vals, v)
	}
	return c
}

func TestReadRows(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC)
	micros := func(d time.Duration) any { return t0.Add(d).UnixMicro() }

	// Minute bars of two symbols, tz-aware times, an optional trade_count with a null, an
	// integer volume and pandas' index column.
	minutes := filepath.Join(dir, "minutes.parquet")
	vol := userCol{node: node(t, "volume", pq.Repetitions.Required, schema.NoLogicalType{}, pq.Types.Int64), vals: []any{int64(100), int64(200), int64(300)}}
	writeUserFile(t, minutes, []userCol{
		{node(t, "symbol", pq.Repetitions.Optional, schema.StringLogicalType{}, pq.Types.ByteArray), []any{"AAA", "AAA", "BBB"}},
		{node(t, "timestamp", pq.Repetitions.Optional, schema.NewTimestampLogicalType(true, schema.TimeUnitMicros), pq.Types.Int64), []any{micros(0), micros(time.Minute), micros(0)}},
		floats(t, "open", 10, 11, 20), floats(t, "high", 11, 12, 21), floats(t, "low", 9, 10, 19), floats(t, "close", 10.5, 11.5, 20.5),
		vol,
		{node(t, "trade_count", pq.Repetitions.Optional, schema.NoLogicalType{}, pq.Types.Int64), []any{int64(5), nil, int64(7)}},
		{node(t, "__index_level_0__", pq.Repetitions.Required, schema.NoLogicalType{}, pq.Types.Int64), []any{int64(0), int64(1), int64(2)}},
	})
	set, err := files.Collect(context.Background(), files.Options{Feed: "parquet"}, ReadRows(minutes))
	if err != nil {
		t.Fatal(err)
	}
	if set.Timeframe != data.OneMin || set.Counts != (files.Counts{Rows: 3, Bars: 3}) || set.Feed() != "parquet" {
		t.Fatalf("timeframe %v counts %+v", set.Timeframe, set.Counts)
	}
	var got []data.Bar
	for page, err := range set.Bars(context.Background(), data.Request{Symbols: []string{"AAA", "BBB"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
	}
	want := []data.Bar{
		{Symbol: "AAA", Time: t0, Open: 10, High: 11, Low: 9, Close: 10.5, Volume: 100, TradeCount: 5},
		{Symbol: "AAA", Time: t0.Add(time.Minute), Open: 11, High: 12, Low: 10, Close: 11.5, Volume: 200},
		{Symbol: "BBB", Time: t0, Open: 20, High: 21, Low: 19, Close: 20.5, Volume: 300, TradeCount: 7},
	}
	if len(got) != len(want) {
		t.Fatalf("bars %+v", got)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("bar %d %+v, want %+v", i, got[i], want[i])
		}
	}

	// Daily bars as dates, named by the file; a null close is a bad row at its line.
	daily := filepath.Join(dir, "spy.parquet")
	writeUserFile(t, daily, []userCol{
		{node(t, "Date", pq.Repetitions.Required, schema.DateLogicalType{}, pq.Types.Int32), []any{int32(19724), int32(19725), int32(19726)}},
		floats(t, "Open", 1, 1, 1), floats(t, "High", 2, 2, 2), floats(t, "Low", 1, 1, 1),
		{node(t, "Close", pq.Repetitions.Optional, schema.NoLogicalType{}, pq.Types.Double), []any{1.5, nil, 1.5}},
		floats(t, "Volume", 1, 1, 1),
	})
	_, err = files.Collect(context.Background(), files.Options{}, ReadRows(daily))
	var bad *files.BadRowsError
	if !errors.As(err, &bad) || len(bad.Rows) != 1 || bad.Rows[0].Error() != daily+":3: empty close" {
		t.Fatalf("err = %v, want %s:3: empty close", err, daily)
	}
	set, err = files.Collect(context.Background(), files.Options{SkipBad: true}, ReadRows(daily))
	if err != nil {
		t.Fatal(err)
	}
	s := set.Series()
	if set.Timeframe != data.OneDay || len(s) != 1 || s[0].Symbol != "SPY" || s[0].Bars != 2 ||
		s[0].Covered.String() != (data.Ranges{{Start: day(2024, 1, 2), End: day(2024, 1, 3)}, {Start: day(2024, 1, 4), End: day(2024, 1, 5)}}).String() {
		t.Fatalf("daily: %v %+v", set.Timeframe, s)
	}

	// A lake's own file is not a user's file: its extra columns are refused by name.
	lake := filepath.Join(dir, "lake")
	st, err := Open(context.Background(), lake)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(context.Background(), data.Batch{Timeframe: data.OneMin, Feed: "x", Bars: want[:1]}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = files.Collect(context.Background(), files.Options{}, ReadRows(st.partitionFile(data.Series{Symbol: "AAA", Timeframe: data.OneMin, Adjustment: data.Raw, Feed: "x"}, 2024)))
	if err == nil || !strings.Contains(err.Error(), `:1: unknown column "feed"`) {
		t.Fatalf("lake file: %v", err)
	}
}

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.NewYork).UTC()
}
