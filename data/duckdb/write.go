package duckdb

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
	AND bars.timeframe = $1 AND bars.adjustment = $2 AND bars.feed = $5
	AND bars.time >= make_timestamptz($3) AND bars.time <= make_timestamptz($4)`

const insertSQL = `INSERT INTO bars
	SELECT symbol, $1, $2, time, open, high, low, close, volume, trade_count, vwap, $3 FROM stage`

// Write applies b atomically: every bar is validated before anything is staged, and the bars,
// the series rows (with AsOf) and the merged coverage commit in one transaction; with Replace,
// the series' stored bars and coverage are deleted first in that same transaction.
func (s *Store) Write(ctx context.Context, b data.Batch) error {
	if err := validate(b); err != nil {
		return fmt.Errorf("write %s %s: %w", b.Timeframe, b.Adjustment.Norm(), err)
	}
	if len(b.Bars) == 0 && len(b.Covered) == 0 && !b.Replace {
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
	if err := s.write(tf, adj, data.NormFeed(b.Feed), bars, b.Covered, b.Replace, b.AsOf); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = fmt.Errorf("%w (%v)", cerr, err)
		}
		return fmt.Errorf("write %s %s (%d bars): %w", tf, adj, len(bars), err)
	}
	return nil
}

// write applies one batch in a transaction of few calls into DuckDB, since each call that
// takes a while may cost the writer its turn on a busy processor: one that begins the
// transaction (deleting the series first for a replace) and asks whether the bars replace
// stored ones and what coverage is stored; the bars' append; and one that records the series
// and the coverage and commits.
func (s *Store) write(tf, adj, feed string, bars []data.Bar, spans []data.Span, replace bool, asof time.Time) (err error) {
	syms := extents(bars)
	covSyms, covNew := groupSpans(spans)
	lits, err := literals(tf, adj, feed, syms, covSyms)
	if err != nil {
		return err
	}
	touched := slices.Clone(covSyms)
	for _, e := range syms {
		if !slices.Contains(touched, e.sym) {
			touched = append(touched, e.sym)
		}
	}
	if replace {
		for _, sp := range spans {
			if sp.Empty() && !slices.Contains(touched, sp.Symbol) {
				touched = append(touched, sp.Symbol)
				lits.sym[sp.Symbol] = lits.quote(sp.Symbol)
			}
		}
		if lits.err != nil {
			return lits.err
		}
	}
	q := lits.lookup(syms, covSyms)
	if replace && len(touched) > 0 {
		// Deleted first, the series' old bars and coverage are not there for the lookup to find:
		// the new bars are appended and the new coverage stands alone.
		in := lits.list(touched)
		q = fmt.Sprintf(`DELETE FROM bars WHERE timeframe = %s AND adjustment = %s AND feed = %s AND symbol IN (%s); `+
			`DELETE FROM coverage WHERE timeframe = %[1]s AND adjustment = %[2]s AND feed = %[3]s AND symbol IN (%[4]s); `,
			lits.tf, lits.adj, lits.feed, in) + q
	}
	defer func() {
		if err != nil {
			// A failed COMMIT has already ended the transaction (a full disk, say): then
			// ROLLBACK has nothing to do, and saying so would only bury the real error.
			if rerr := rawExec(s.wconn, `ROLLBACK`); rerr != nil && !strings.Contains(rerr.Error(), "no transaction is active") {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	overlap := false
	stored := make([][]data.Range, len(covSyms))
	err = rawQueryText(s.wconn, `BEGIN TRANSACTION; `+q, func(cols [][]int64) {
		for i, k := range cols[0] {
			a, b := cols[1][i], cols[2][i]
			switch {
			case k == lookupOverlap:
				overlap = a > 0
			default:
				stored[k] = append(stored[k], data.Range{Start: time.UnixMicro(a).UTC(), End: time.UnixMicro(b).UTC()})
			}
		}
	})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if len(bars) > 0 {
		if overlap {
			err = s.replace(tf, adj, feed, bars)
		} else {
			// Nothing stored to replace (the usual fetch of new ranges): append straight into
			// bars, in this transaction.
			err = s.appendRows("", "bars", barsLayout, bars, tf, adj, feed)
		}
		if err != nil {
			return err
		}
	}
	var end strings.Builder
	if len(touched) > 0 {
		at := "NULL"
		if !asof.IsZero() {
			at = fmt.Sprintf("make_timestamptz(%d)", micros(asof))
		}
		rows := make([]string, len(touched))
		for i, sym := range touched {
			rows[i] = "(" + lits.sym[sym] + ", " + lits.tf + ", " + lits.adj + ", " + lits.feed + ", " + at + ")"
		}
		// A write without AsOf (an import, a source without a clock) keeps what is recorded.
		end.WriteString(`INSERT INTO series VALUES ` + strings.Join(rows, ", ") +
			` ON CONFLICT DO UPDATE SET fetched_at = coalesce(excluded.fetched_at, series.fetched_at); `)
	}
	if len(covSyms) > 0 {
		fmt.Fprintf(&end, `DELETE FROM coverage WHERE timeframe = %s AND adjustment = %s AND feed = %s AND symbol IN (%s); `,
			lits.tf, lits.adj, lits.feed, lits.list(covSyms))
		end.WriteString(`INSERT INTO coverage (symbol, timeframe, adjustment, start, "end", feed) VALUES `)
		for i, sym := range covSyms {
			for j, r := range data.Normalize(append(stored[i], covNew[i]...)) {
				if i > 0 || j > 0 {
					end.WriteString(", ")
				}
				fmt.Fprintf(&end, `(%s, %s, %s, make_timestamptz(%d), make_timestamptz(%d), %s)`,
					lits.sym[sym], lits.tf, lits.adj, micros(r.Start), micros(r.End), lits.feed)
			}
		}
		end.WriteString(`; `)
	}
	end.WriteString(`COMMIT`)
	if err := rawQueryText(s.wconn, end.String(), nil); err != nil {
		return fmt.Errorf("record feed and coverage, commit: %w", err)
	}
	return nil
}

// Kind of row in the answer of the lookup query; others are indexes of covered symbols.
const lookupOverlap = -1

// sqlLiterals are a batch's strings quoted for SQL text, which lets several statements go to
// DuckDB in one call; prepared statements take one each.
type sqlLiterals struct {
	tf, adj, feed string
	sym           map[string]string
	err           error // the first string that cannot be quoted
}

func (l *sqlLiterals) quote(v string) string {
	if strings.IndexByte(v, 0) >= 0 && l.err == nil {
		l.err = fmt.Errorf("NUL byte in %q", v)
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

func literals(tf, adj, feed string, syms []extent, covSyms []string) (*sqlLiterals, error) {
	l := &sqlLiterals{sym: map[string]string{}}
	l.tf, l.adj, l.feed = l.quote(tf), l.quote(adj), l.quote(feed)
	for _, e := range syms {
		l.sym[e.sym] = l.quote(e.sym)
	}
	for _, sym := range covSyms {
		l.sym[sym] = l.quote(sym)
	}
	return l, l.err
}

func (l *sqlLiterals) list(syms []string) string {
	q := make([]string, len(syms))
	for i, s := range syms {
		q[i] = l.sym[s]
	}
	return strings.Join(q, ", ")
}

// lookup is a query of rows (kind, a, b): whether a stored bar of the batch's series lies
// within their time spans (lookupOverlap, a > 0 if so) and the stored coverage of each covered
// symbol (kind its index in covSyms, [a, b) in microseconds).
func (l *sqlLiterals) lookup(syms []extent, covSyms []string) string {
	var parts []string
	if len(syms) > 0 {
		lo, hi := syms[0].lo, syms[0].hi
		for _, e := range syms {
			lo, hi = min(lo, e.lo), max(hi, e.hi)
		}
		// The overall time bounds let DuckDB skip row groups by their min/max of time. A batch
		// of very many symbols asks about its whole span for any symbol, which may find a bar
		// of another symbol and so take the staged path without need, but never misses one.
		var q strings.Builder
		fmt.Fprintf(&q, `SELECT %d::BIGINT, (SELECT count(*) FROM (SELECT 1 FROM bars
			WHERE timeframe = %s AND adjustment = %s AND feed = %s
			AND time >= make_timestamptz(%d) AND time <= make_timestamptz(%d)`, lookupOverlap, l.tf, l.adj, l.feed, lo, hi)
		if len(syms) <= maxOverlapTerms {
			q.WriteString(` AND (`)
			for i, e := range syms {
				if i > 0 {
					q.WriteString(` OR `)
				}
				fmt.Fprintf(&q, `(symbol = %s AND time >= make_timestamptz(%d) AND time <= make_timestamptz(%d))`, l.sym[e.sym], e.lo, e.hi)
			}
			q.WriteString(`)`)
		}
		q.WriteString(` LIMIT 1)), 0::BIGINT`)
		parts = append(parts, q.String())
	}
	if len(covSyms) > 0 {
		parts = append(parts, fmt.Sprintf(`SELECT (list_position([%s], symbol) - 1)::BIGINT, epoch_us(start), epoch_us("end")
			FROM coverage WHERE timeframe = %s AND adjustment = %s AND feed = %s AND symbol IN (%[1]s)`,
			l.list(covSyms), l.tf, l.adj, l.feed))
	}
	if len(parts) == 0 {
		return `SELECT 0::BIGINT, 0::BIGINT, 0::BIGINT WHERE false`
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

// groupSpans returns the symbols of the non-empty spans, in order of first appearance, and
// their ranges.
func groupSpans(spans []data.Span) ([]string, [][]data.Range) {
	var syms []string
	var ranges [][]data.Range
	for _, sp := range spans {
		if sp.Empty() {
			continue
		}
		i := slices.Index(syms, sp.Symbol)
		if i < 0 {
			syms, ranges = append(syms, sp.Symbol), append(ranges, nil)
			i = len(syms) - 1
		}
		ranges[i] = append(ranges[i], sp.Range)
	}
	return syms, ranges
}

// replace writes bars of which some may be stored already: it stages them, deletes the stored
// bars they replace, and inserts them, inside the open transaction.
func (s *Store) replace(tf, adj, feed string, bars []data.Bar) error {
	if err := rawExec(s.wconn, `DELETE FROM stage`); err != nil {
		return fmt.Errorf("clear staging: %w", err)
	}
	if err := s.appendRows("temp", "stage", stageLayout, bars, "", "", ""); err != nil {
		return err
	}
	lo, hi := bars[0].Time.UnixMicro(), bars[0].Time.UnixMicro()
	for i := range bars {
		t := bars[i].Time.UnixMicro()
		lo, hi = min(lo, t), max(hi, t)
	}
	if err := rawExec(s.wconn, deleteSQL, tf, adj, lo, hi, feed); err != nil {
		return fmt.Errorf("remove replaced bars: %w", err)
	}
	if err := rawExec(s.wconn, insertSQL, tf, adj, feed); err != nil {
		return fmt.Errorf("insert bars: %w", err)
	}
	return nil
}

// extent is the time span of one symbol's bars in a batch, in microseconds, both ends included.
type extent struct {
	sym    string
	lo, hi int64
}

// extents returns each symbol's span in bars, in order of first appearance.
func extents(bars []data.Bar) []extent {
	var out []extent
	at := -1
	for i := range bars {
		b := &bars[i]
		if at < 0 || out[at].sym != b.Symbol {
			at = slices.IndexFunc(out, func(e extent) bool { return e.sym == b.Symbol })
			if at < 0 {
				t := b.Time.UnixMicro()
				out = append(out, extent{b.Symbol, t, t})
				at = len(out) - 1
				continue
			}
		}
		t := b.Time.UnixMicro()
		out[at].lo, out[at].hi = min(out[at].lo, t), max(out[at].hi, t)
	}
	return out
}

// maxOverlapTerms bounds the per-symbol conditions of the overlap question.
const maxOverlapTerms = 64

// layout places a bar's fields, and the batch's timeframe, adjustment and feed, in the columns
// of a table; -1 is a field the table does not have.
type layout struct {
	symbol, timeframe, adjustment, time          int
	open, high, low, close, volume, trades, vwap int
	feed, cols                                   int
}

var (
	stageLayout = layout{colSymbol, -1, -1, colTime, colOpen, colHigh, colLow, colClose, colVolume, colTrades, colVWAP, -1, numCols}
	barsLayout  = layout{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} // as schemaSQL creates bars
)

// appendRows bulk-loads bars into a table with DuckDB's Appender, inside the connection's
// transaction if one is open: it fills DuckDB data chunks in place (no value is boxed into an
// interface, as database/sql and the driver's AppendRow would) and hands each full chunk over.
func (s *Store) appendRows(catalog, table string, l layout, bars []data.Bar, tf, adj, feed string) error {
	if len(bars) == 0 {
		return nil
	}
	var app mapping.Appender
	if mapping.AppenderCreateExt(s.wconn, catalog, "main", table, &app) == mapping.StateError {
		msg := mapping.AppenderError(app)
		mapping.AppenderDestroy(&app)
		return fmt.Errorf("appender on %s: %s", table, msg)
	}
	defer mapping.AppenderDestroy(&app)
	if n := int(mapping.AppenderColumnCount(app)); n != l.cols {
		return fmt.Errorf("table %s has %d columns, want %d", table, n, l.cols)
	}
	types := make([]mapping.LogicalType, l.cols)
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
		f64 := func(c int) []float64 { return unsafe.Slice((*float64)(mapping.VectorGetData(vec(c))), len(part)) }
		symVec := vec(l.symbol)
		tm := unsafe.Slice((*int64)(mapping.VectorGetData(vec(l.time))), len(part))
		tc := unsafe.Slice((*uint64)(mapping.VectorGetData(vec(l.trades))), len(part))
		open, high, low, cls, vol, vwap := f64(l.open), f64(l.high), f64(l.low), f64(l.close), f64(l.volume), f64(l.vwap)
		syms := strs(symVec, len(part))
		var lastSym string
		var lastInline [16]byte
		lastOK := false
		for i := range part {
			b := &part[i]
			if b.Symbol != lastSym || i == 0 {
				lastSym = b.Symbol
				lastInline, lastOK = inlineString(b.Symbol)
			}
			if lastOK {
				syms[i] = lastInline
			} else {
				mapping.VectorAssignStringElement(symVec, mapping.IdxT(i), b.Symbol)
			}
			tm[i] = b.Time.UnixMicro()
			open[i], high[i], low[i], cls[i] = b.Open, b.High, b.Low, b.Close
			vol[i], vwap[i], tc[i] = b.Volume, b.VWAP, b.TradeCount
		}
		for _, c := range [...]struct {
			col int
			v   string
		}{{l.timeframe, tf}, {l.adjustment, adj}, {l.feed, feed}} {
			if c.col < 0 {
				continue
			}
			v := vec(c.col)
			if in, ok := inlineString(c.v); ok {
				for i, dst := 0, strs(v, len(part)); i < len(dst); i++ {
					dst[i] = in
				}
				continue
			}
			for i := range part {
				mapping.VectorAssignStringElement(v, mapping.IdxT(i), c.v)
			}
		}
		mapping.DataChunkSetSize(chunk, mapping.IdxT(len(part)))
		if mapping.AppendDataChunk(app, chunk) == mapping.StateError {
			return fmt.Errorf("append bars to %s: %s", table, mapping.AppenderError(app))
		}
	}
	if mapping.AppenderClose(app) == mapping.StateError {
		return fmt.Errorf("flush bars to %s: %s", table, mapping.AppenderError(app))
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

// dedupe keeps the last of bars sharing (symbol, time), as a store replaces an older bar: the
// direct append and the staged insert would otherwise store both. The usual batch, chunks of
// distinct ranges each in rising time but in any order (a chunk of a later month may finish
// first), is recognised without a map and returned as is.
func dedupe(bars []data.Bar) []data.Bar {
	if distinctRuns(bars) {
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

// maxRuns bounds the runs distinctRuns sorts; a batch cut into more is left to the map.
const maxRuns = 4096

// distinctRuns reports that no two bars share (symbol, time): bars cut into runs of one symbol
// in strictly rising time, and runs of the same symbol do not overlap in time.
func distinctRuns(bars []data.Bar) bool {
	type run struct {
		sym    string
		lo, hi int64
	}
	var runs []run
	for i := range bars {
		b := &bars[i]
		t := b.Time.UnixMicro()
		if n := len(runs); n > 0 && runs[n-1].sym == b.Symbol && runs[n-1].hi < t {
			runs[n-1].hi = t
			continue
		}
		if len(runs) == maxRuns {
			return false
		}
		runs = append(runs, run{b.Symbol, t, t})
	}
	slices.SortFunc(runs, func(a, b run) int {
		if c := strings.Compare(a.sym, b.sym); c != 0 {
			return c
		}
		return cmp.Compare(a.lo, b.lo)
	})
	for i := 1; i < len(runs); i++ {
		if runs[i].sym == runs[i-1].sym && runs[i].lo <= runs[i-1].hi {
			return false
		}
	}
	return true
}

// strs is a VARCHAR vector's data: DuckDB's 16-byte duckdb_string_t per row.
func strs(v mapping.Vector, n int) [][16]byte {
	return unsafe.Slice((*[16]byte)(mapping.VectorGetData(v)), n)
}

// inlineString returns s as the duckdb_string_t that holds it inline (its length as a uint32,
// then its bytes, zero-padded: DuckDB compares inlined strings by all 16 bytes), when s is short
// enough for that and is what VectorAssignStringElement would accept as it is: valid UTF-8 and
// no NUL. Writing it in place saves a call into DuckDB per row and column; other strings go
// through VectorAssignStringElement, which copies them into the vector's heap.
func inlineString(s string) (v [16]byte, ok bool) {
	if len(s) > 12 || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return v, false
	}
	binary.NativeEndian.PutUint32(v[:4], uint32(len(s)))
	copy(v[4:], s)
	return v, true
}

// rawQueryText runs q, which may hold several statements, in one call: DuckDB runs them in
// turn and stops at the first error. each, if not nil, receives the last statement's result
// chunks as int64 columns, as for rawQuery.
func rawQueryText(conn mapping.Connection, q string, each func(cols [][]int64)) error {
	var res mapping.Result
	defer mapping.DestroyResult(&res)
	if mapping.Query(conn, q, &res) == mapping.StateError {
		return errors.New(mapping.ResultError(&res))
	}
	eachChunk(&res, each)
	return nil
}
