package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/barkeep-trading/barkeep/data"
)

// stageSQL creates the per-connection staging table that the Appender fills; timeframe,
// adjustment and feed are the same for a whole batch and join in at the INSERT.
const stageSQL = `CREATE TEMP TABLE IF NOT EXISTS stage (
	symbol VARCHAR, time TIMESTAMPTZ, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE,
	volume DOUBLE, trade_count UBIGINT, vwap DOUBLE)`

const mergeSQL = `INSERT OR REPLACE INTO bars
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
	tf, adj := b.Timeframe.String(), string(b.Adjustment.Norm())
	if err := s.write(ctx, tf, adj, b.Feed, bars, b.Covered); err != nil {
		return fmt.Errorf("write %s %s (%d bars): %w", tf, adj, len(bars), err)
	}
	return nil
}

func (s *Store) write(ctx context.Context, tf, adj, feed string, bars []data.Bar, spans []data.Span) error {
	if _, err := s.wconn.ExecContext(ctx, `DELETE FROM stage`); err != nil {
		return fmt.Errorf("clear staging: %w", err)
	}
	if err := s.stage(bars); err != nil {
		return err
	}
	tx, err := s.wconn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if len(bars) > 0 {
		if _, err := tx.ExecContext(ctx, mergeSQL, tf, adj, feed); err != nil {
			return fmt.Errorf("upsert bars: %w", err)
		}
		if _, err := tx.ExecContext(ctx, seriesSQL, tf, adj, feed); err != nil {
			return fmt.Errorf("record feed: %w", err)
		}
	}
	if err := mergeCoverage(ctx, tx, tf, adj, spans); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stage bulk-loads bars into the staging table through DuckDB's Appender.
func (s *Store) stage(bars []data.Bar) error {
	if len(bars) == 0 {
		return nil
	}
	return s.wconn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "stage")
		if err != nil {
			return fmt.Errorf("staging appender: %w", err)
		}
		for i := range bars {
			b := &bars[i]
			if err := app.AppendRow(b.Symbol, b.Time, b.Open, b.High, b.Low, b.Close, b.Volume, b.TradeCount, b.VWAP); err != nil {
				app.Close()
				return fmt.Errorf("stage bar %s %s: %w", b.Symbol, b.Time.Format(time.RFC3339), err)
			}
		}
		if err := app.Close(); err != nil {
			return fmt.Errorf("flush staging: %w", err)
		}
		return nil
	})
}

// mergeCoverage folds spans into the stored coverage of their series, inside tx.
func mergeCoverage(ctx context.Context, tx *sql.Tx, tf, adj string, spans []data.Span) error {
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
		rows, err := tx.QueryContext(ctx, `SELECT start, "end" FROM coverage
			WHERE symbol = ? AND timeframe = ? AND adjustment = ?`, sym, tf, adj)
		if err != nil {
			return fmt.Errorf("coverage %s: %w", sym, err)
		}
		old, err := scanRanges(rows)
		if err != nil {
			return fmt.Errorf("coverage %s: %w", sym, err)
		}
		merged := data.Normalize(append(old, bySym[sym]...))
		if _, err := tx.ExecContext(ctx, `DELETE FROM coverage WHERE symbol = ? AND timeframe = ? AND adjustment = ?`,
			sym, tf, adj); err != nil {
			return fmt.Errorf("coverage %s: %w", sym, err)
		}
		// A series has a handful of ranges, so one multi-row VALUES is enough.
		args := make([]any, 0, 5*len(merged))
		for _, r := range merged {
			args = append(args, sym, tf, adj, r.Start.UTC(), r.End.UTC())
		}
		q := `INSERT INTO coverage VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(merged)), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
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
