package duckdb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/barkeep-trading/barkeep/data"
)

// stageSQL creates the per-connection staging table that the Appender fills; timeframe,
// adjustment and feed are the same for a whole batch and join in at the INSERT.
const stageSQL = `CREATE TEMP TABLE IF NOT EXISTS stage (
	symbol VARCHAR, time TIMESTAMPTZ, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE,
	volume DOUBLE, trade_count UBIGINT, vwap DOUBLE)`

// deleteSQL removes the stored bars that the staged ones replace; the time bounds let DuckDB
// skip row groups by their min/max before it joins.
const deleteSQL = `DELETE FROM bars USING stage
	WHERE bars.symbol = stage.symbol AND bars.time = stage.time
	AND bars.timeframe = $1 AND bars.adjustment = $2
	AND bars.time >= make_timestamptz($3) AND bars.time <= make_timestamptz($4)`

const insertSQL = `INSERT INTO bars
	SELECT symbol, $1, $2, time, open, high, low, close, volume, trade_count, vwap, $3 FROM stage`

const seriesSQL = `INSERT OR REPLACE INTO series
	SELECT DISTINCT symbol, $1, $2, $3 FROM stage`

// Write applies b atomically: every bar is validated before anything is staged, and the bars,
// the series' feed and the merged coverage commit in one transaction.
func (s *Store) Write(ctx context.Context, b data.Batch) error {
	if err := validate(b); err != nil {
		return fmt.Errorf("write %s %s: %w", b.Timeframe, b.Adjustment.Norm(), err)
	}
	if len(b.Bars) == 0 && len(b.Covered) == 0 {
		return nil
	}
	bars := dedupe(b.Bars)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("write: store is closed")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	// Interrupt DuckDB when ctx ends; the transaction then rolls back.
	stop := context.AfterFunc(ctx, func() { mapping.Interrupt(s.wconn) })
	defer stop()
	tf, adj := b.Timeframe.String(), string(b.Adjustment.Norm())
	if err := s.write(tf, adj, b.Feed, bars, b.Covered); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = fmt.Errorf("%w (%v)", cerr, err)
		}
		return fmt.Errorf("write %s %s (%d bars): %w", tf, adj, len(bars), err)
	}
	return nil
}

func (s *Store) write(tf, adj, feed string, bars []data.Bar, spans []data.Span) (err error) {
	if err := rawExec(s.wconn, `DELETE FROM stage`); err != nil {
		return fmt.Errorf("clear staging: %w", err)
	}
	if err := s.stage(bars); err != nil {
		return err
	}
	if err := rawExec(s.wconn, `BEGIN TRANSACTION`); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			if rerr := rawExec(s.wconn, `ROLLBACK`); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	if len(bars) > 0 {
		lo, hi := bars[0].Time.UnixMicro(), bars[0].Time.UnixMicro()
		for i := range bars {
			t := bars[i].Time.UnixMicro()
			lo, hi = min(lo, t), max(hi, t)
		}
		if err := rawExec(s.wconn, deleteSQL, tf, adj, lo, hi); err != nil {
			return fmt.Errorf("remove replaced bars: %w", err)
		}
		if err := rawExec(s.wconn, insertSQL, tf, adj, feed); err != nil {
			return fmt.Errorf("insert bars: %w", err)
		}
		if err := rawExec(s.wconn, seriesSQL, tf, adj, feed); err != nil {
			return fmt.Errorf("record feed: %w", err)
		}
	}
	if err := mergeCoverage(s.wconn, tf, adj, spans); err != nil {
		return err
	}
	if err := rawExec(s.wconn, `COMMIT`); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stage bulk-loads bars into the staging table: it fills DuckDB data chunks in place (no value
// is boxed into an interface, as database/sql and the driver's AppendRow would) and hands each
// full chunk to DuckDB's Appender.
func (s *Store) stage(bars []data.Bar) error {
	if len(bars) == 0 {
		return nil
	}
	var app mapping.Appender
	if mapping.AppenderCreateExt(s.wconn, "temp", "main", "stage", &app) == mapping.StateError {
		msg := mapping.AppenderError(app)
		mapping.AppenderDestroy(&app)
		return fmt.Errorf("staging appender: %s", msg)
	}
	defer mapping.AppenderDestroy(&app)
	if n := int(mapping.AppenderColumnCount(app)); n != numCols {
		return fmt.Errorf("staging table has %d columns, want %d", n, numCols)
	}
	types := make([]mapping.LogicalType, numCols)
	for i := range types {
		types[i] = mapping.AppenderColumnType(app, mapping.IdxT(i))
	}
	chunk := mapping.CreateDataChunk(types)
	for i := range types {
		mapping.DestroyLogicalType(&types[i])
	}
	defer mapping.DestroyDataChunk(&chunk)
	size := int(mapping.VectorSize())
	for off := 0; off < len(bars); off += size {
		part := bars[off:min(off+size, len(bars))]
		mapping.DataChunkReset(chunk)
		vec := func(c int) mapping.Vector { return mapping.DataChunkGetVector(chunk, mapping.IdxT(c)) }
		symVec := vec(colSymbol)
		tm := unsafe.Slice((*int64)(mapping.VectorGetData(vec(colTime))), len(part))
		tc := unsafe.Slice((*uint64)(mapping.VectorGetData(vec(colTrades))), len(part))
		var f [numCols][]float64
		for _, c := range []int{colOpen, colHigh, colLow, colClose, colVolume, colVWAP} {
			f[c] = unsafe.Slice((*float64)(mapping.VectorGetData(vec(c))), len(part))
		}
		for i := range part {
			b := &part[i]
			mapping.VectorAssignStringElement(symVec, mapping.IdxT(i), b.Symbol)
			tm[i] = b.Time.UnixMicro()
			f[colOpen][i], f[colHigh][i], f[colLow][i], f[colClose][i] = b.Open, b.High, b.Low, b.Close
			f[colVolume][i], f[colVWAP][i], tc[i] = b.Volume, b.VWAP, b.TradeCount
		}
		mapping.DataChunkSetSize(chunk, mapping.IdxT(len(part)))
		if mapping.AppendDataChunk(app, chunk) == mapping.StateError {
			return fmt.Errorf("stage bars: %s", mapping.AppenderError(app))
		}
	}
	if mapping.AppenderClose(app) == mapping.StateError {
		return fmt.Errorf("flush staging: %s", mapping.AppenderError(app))
	}
	return nil
}

// mergeCoverage folds spans into the stored coverage of their series, inside the open
// transaction.
func mergeCoverage(conn mapping.Connection, tf, adj string, spans []data.Span) error {
	bySym := map[string][]data.Range{}
	var order []string
	for _, sp := range spans {
		if sp.Empty() {
			continue
		}
		if _, ok := bySym[sp.Symbol]; !ok {
			order = append(order, sp.Symbol)
		}
		bySym[sp.Symbol] = append(bySym[sp.Symbol], sp.Range)
	}
	for _, sym := range order {
		rs := bySym[sym]
		err := rawQuery(conn, `SELECT epoch_us(start), epoch_us("end") FROM coverage
			WHERE symbol = $1 AND timeframe = $2 AND adjustment = $3`, []any{sym, tf, adj},
			func(cols [][]int64) {
				for i := range cols[0] {
					rs = append(rs, data.Range{Start: time.UnixMicro(cols[0][i]).UTC(), End: time.UnixMicro(cols[1][i]).UTC()})
				}
			})
		if err != nil {
			return fmt.Errorf("coverage %s: %w", sym, err)
		}
		merged := data.Normalize(rs)
		if err := rawExec(conn, `DELETE FROM coverage WHERE symbol = $1 AND timeframe = $2 AND adjustment = $3`,
			sym, tf, adj); err != nil {
			return fmt.Errorf("coverage %s: %w", sym, err)
		}
		// A series has a handful of ranges, so one multi-row VALUES is enough.
		args := []any{sym, tf, adj}
		var q strings.Builder
		q.WriteString(`INSERT INTO coverage VALUES `)
		for i, r := range merged {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, micros(r.Start), micros(r.End))
			fmt.Fprintf(&q, "($1, $2, $3, make_timestamptz($%d), make_timestamptz($%d))", len(args)-1, len(args))
		}
		if err := rawExec(conn, q.String(), args...); err != nil {
			return fmt.Errorf("coverage %s: %w", sym, err)
		}
	}
	return nil
}

func validate(b data.Batch) error {
	if !b.Timeframe.Valid() {
		return fmt.Errorf("invalid timeframe %v", b.Timeframe)
	}
	if _, err := data.ParseAdjustment(string(b.Adjustment)); err != nil {
		return err
	}
	for i := range b.Bars {
		if err := b.Bars[i].Validate(); err != nil {
			return fmt.Errorf("bar %d: %w", i, err)
		}
	}
	for i, sp := range b.Covered {
		if sp.Symbol == "" {
			return fmt.Errorf("covered span %d (%s): empty symbol", i, sp.Range)
		}
		if sp.Start.IsZero() || sp.End.Before(sp.Start) {
			return fmt.Errorf("covered span %d %s: invalid range %s", i, sp.Symbol, sp.Range)
		}
	}
	return nil
}

// dedupe keeps the last of bars sharing (symbol, time), as a store replaces an older bar, since
// one INSERT OR REPLACE statement may not touch a key twice. The usual batch (each symbol's bars
// in rising time) is recognised in one pass and returned as is.
func dedupe(bars []data.Bar) []data.Bar {
	last := map[string]int64{}
	sym, prev, sorted := "", int64(math.MinInt64), true
	for i := range bars {
		if bars[i].Symbol != sym {
			if sym != "" {
				last[sym] = prev
			}
			sym = bars[i].Symbol
			prev = math.MinInt64
			if p, ok := last[sym]; ok {
				prev = p
			}
		}
		t := bars[i].Time.UnixMicro()
		if t <= prev {
			sorted = false
			break
		}
		prev = t
	}
	if sorted {
		return bars
	}
	type key struct {
		sym string
		t   int64
	}
	at := make(map[key]int, len(bars))
	for i := range bars {
		at[key{bars[i].Symbol, bars[i].Time.UnixMicro()}] = i
	}
	out := make([]data.Bar, 0, len(at))
	for i := range bars {
		if at[key{bars[i].Symbol, bars[i].Time.UnixMicro()}] == i {
			out = append(out, bars[i])
		}
	}
	return out
}
