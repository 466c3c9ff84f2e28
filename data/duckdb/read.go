package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/barkeep-trading/barkeep/data"
)

// Column order of readSQL; the iterator reads vectors by these positions.
const (
	colSymbol = iota
	colTime
	colOpen
	colHigh
	colLow
	colClose
	colVolume
	colTrades
	colVWAP
	numCols
)

// Read streams the bars q selects in (time, symbol) order. DuckDB sorts them and hands them
// over in vectors of about 2048 rows, so only one vector per column is in Go's view at a time.
//
// Sorting a whole series at once would make DuckDB hold all of it, so intraday bars are read
// one calendar month (UTC) at a time: each month is its own sorted query, and memory is bounded
// by the busiest month rather than by the size of the store. Writes are clustered by chunk
// (one symbol-month), so DuckDB's zone maps skip most row groups of the other months.
func (s *Store) Read(ctx context.Context, q data.Query) (data.BarIterator, error) {
	if !q.Timeframe.Valid() {
		return nil, fmt.Errorf("read: invalid timeframe %v", q.Timeframe)
	}
	feed, err := s.resolveFeed(ctx, q.Timeframe, q.Adjustment, q.Feed, q.Symbols)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	var sb strings.Builder
	// Bars of two feeds are two series: a read never mixes them.
	sb.WriteString(` FROM bars WHERE timeframe = $1 AND adjustment = $2 AND feed = $3`)
	args := []any{q.Timeframe.String(), string(q.Adjustment.Norm()), feed}
	if !q.Start.IsZero() {
		args = append(args, micros(q.Start))
		fmt.Fprintf(&sb, " AND time >= make_timestamptz($%d)", len(args))
	}
	if !q.End.IsZero() {
		args = append(args, micros(q.End))
		fmt.Fprintf(&sb, " AND time < make_timestamptz($%d)", len(args))
	}
	if len(q.Symbols) > 0 {
		sb.WriteString(" AND symbol IN (")
		for i, sym := range q.Symbols {
			args = append(args, sym)
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "$%d", len(args))
		}
		sb.WriteString(")")
	}
	from := sb.String()
	if err := s.capReadMemory(ctx); err != nil {
		return nil, fmt.Errorf("read %s %s: %w", q.Timeframe, q.Adjustment.Norm(), err)
	}
	var lo, hi *int64
	if err := s.db.QueryRowContext(ctx, "SELECT epoch_us(min(time)), epoch_us(max(time))"+from, args...).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("read %s %s: %w", q.Timeframe, q.Adjustment.Norm(), err)
	}
	w := &windowed{s: s, ctx: ctx, args: args,
		sql: "SELECT symbol, time, open, high, low, close, volume, trade_count, vwap" + from +
			fmt.Sprintf(" AND time >= make_timestamptz($%d) AND time < make_timestamptz($%d) ORDER BY time, symbol", len(args)+1, len(args)+2)}
	if lo == nil || hi == nil {
		return w, nil // nothing selected
	}
	first, last := time.UnixMicro(*lo).UTC(), time.UnixMicro(*hi+1).UTC()
	if !q.Timeframe.Intraday() {
		w.windows = [][2]int64{{*lo, *hi + 1}}
	} else {
		for t := first; t.Before(last); {
			next := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			if next.After(last) {
				next = last
			}
			w.windows = append(w.windows, [2]int64{t.UnixMicro(), next.UnixMicro()})
			t = next
		}
	}
	// Open the first window now, so that a bad query fails here rather than at Next.
	if err := w.open(); err != nil {
		return nil, fmt.Errorf("read %s %s: %w", q.Timeframe, q.Adjustment.Norm(), err)
	}
	return w, nil
}

// readMemoryLimit caps DuckDB's memory once a store is read. Its buffer pool keeps the blocks a
// scan reads, up to 80% of the machine's memory by default, so listing the series (a scan of
// every bar) or replaying years of bars would leave most of the table in memory. A stream needs
// one window's sort at a time (a month of 50 symbols' minute bars: about 410,000 rows): 64 MB cut
// the peak of a 9.6M-bar backtest by 120 MB at the same speed, capping Series as well took
// another 75 MB off a 48M-bar one, and 32 MB ran as fast as 64 (BENCHMARKS.md).
const readMemoryLimit = "32MB"

// capReadMemory sets readMemoryLimit. It is a setting of the database, not of a query, so it
// holds for what follows, writes included; DuckDB spills to disk what does not fit.
func (s *Store) capReadMemory(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "SET memory_limit = '"+readMemoryLimit+"'"); err != nil {
		return fmt.Errorf("cap memory: %w", err)
	}
	return nil
}

// windowed chains one sorted query per time window.
type windowed struct {
	s       *Store
	ctx     context.Context
	sql     string
	args    []any
	windows [][2]int64
	cur     *iterator
	err     error
}

func (w *windowed) open() error {
	if len(w.windows) == 0 {
		return nil
	}
	win := w.windows[0]
	w.windows = w.windows[1:]
	args := append(append(make([]any, 0, len(w.args)+2), w.args...), win[0], win[1])
	it, err := w.s.query(w.ctx, w.sql, args)
	if err != nil {
		return err
	}
	w.cur = it
	return nil
}

func (w *windowed) Next() bool {
	for w.err == nil && w.cur != nil {
		if w.cur.Next() {
			return true
		}
		if err := w.cur.Err(); err != nil {
			w.err = err
			return false
		}
		w.cur.Close()
		w.cur = nil
		if err := w.open(); err != nil {
			w.err = err
		}
	}
	return false
}

func (w *windowed) Bar() data.Bar { return w.cur.Bar() }
func (w *windowed) Err() error    { return w.err }

func (w *windowed) Close() error {
	w.windows = nil
	if w.cur == nil {
		return nil
	}
	err := w.cur.Close()
	w.cur = nil
	return err
}

// micros rounds t up to a whole microsecond: stored times are whole microseconds, so for any
// stored m, m >= t and m >= ceil(t) agree, and so do m < t and m < ceil(t).
func micros(t time.Time) int64 {
	m := t.UnixMicro()
	if time.UnixMicro(m).Before(t) {
		m++
	}
	return m
}

func (s *Store) query(ctx context.Context, sql string, args []any) (*iterator, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errors.New("store is closed")
	}
	it := &iterator{ctx: ctx, intern: map[string]string{}}
	if mapping.Connect(s.raw, &it.conn) == mapping.StateError {
		return nil, errors.New("connect")
	}
	// Interrupt DuckDB when ctx ends, so a long sort stops rather than finishing for nobody.
	// The callback may run while Close is disconnecting; connMu keeps it off a freed connection.
	it.stop = context.AfterFunc(ctx, func() {
		it.connMu.Lock()
		defer it.connMu.Unlock()
		if !it.disconnected {
			mapping.Interrupt(it.conn)
		}
	})
	if err := it.start(sql, args); err != nil {
		it.Close()
		return nil, err
	}
	return it, nil
}

type iterator struct {
	connMu       sync.Mutex
	disconnected bool

	ctx   context.Context
	conn  mapping.Connection
	stmt  mapping.PreparedStatement
	res   mapping.Result
	hasRs bool
	stop  func() bool

	chunk mapping.DataChunk
	n, i  int
	sym   []stringT
	tm    []int64
	f     [numCols][]float64 // the DOUBLE columns, by column index
	tc    []uint64

	intern  map[string]string
	lastSym string
	cur     data.Bar
	err     error
	done    bool
}

// stringT is the layout of duckdb_string_t: a length, then either the bytes inline (up to 12)
// or a 4-byte prefix and a pointer to them.
type stringT struct {
	n      uint32
	prefix [4]byte
	ptr    unsafe.Pointer
}

func (it *iterator) start(sql string, args []any) error {
	if mapping.Prepare(it.conn, sql, &it.stmt) == mapping.StateError {
		return fmt.Errorf("prepare: %s", mapping.PrepareError(it.stmt))
	}
	for i, a := range args {
		idx := mapping.IdxT(i + 1)
		var st mapping.State
		switch v := a.(type) {
		case string:
			st = mapping.BindVarchar(it.stmt, idx, v)
		case int64:
			st = mapping.BindInt64(it.stmt, idx, v)
		default:
			return fmt.Errorf("bind %T", a)
		}
		if st == mapping.StateError {
			return fmt.Errorf("bind parameter %d: %s", i+1, mapping.PrepareError(it.stmt))
		}
	}
	// A streaming result hands over DuckDB's vectors as the plan produces them instead of
	// first copying the whole result into a materialised buffer.
	var pending mapping.PendingResult
	if bindings.PendingPreparedStreaming(it.stmt, &pending) == mapping.StateError {
		err := fmt.Errorf("execute: %s", mapping.PendingError(pending))
		mapping.DestroyPending(&pending)
		return err
	}
	st := mapping.ExecutePending(pending, &it.res)
	mapping.DestroyPending(&pending)
	it.hasRs = true
	if st == mapping.StateError {
		return fmt.Errorf("execute: %s", it.ctxErr(mapping.ResultError(&it.res)))
	}
	if n := mapping.ColumnCount(&it.res); n != numCols {
		return fmt.Errorf("result has %d columns, want %d", n, numCols)
	}
	return nil
}

func (it *iterator) ctxErr(msg string) error {
	if err := it.ctx.Err(); err != nil {
		return fmt.Errorf("%w (%s)", err, msg)
	}
	return errors.New(msg)
}

// fetch moves to the next non-empty vector of rows.
func (it *iterator) fetch() bool {
	for {
		mapping.DestroyDataChunk(&it.chunk)
		if err := it.ctx.Err(); err != nil {
			it.err = err
			return false
		}
		it.chunk = mapping.FetchChunk(it.res)
		if it.chunk.Ptr == nil {
			if msg := mapping.ResultError(&it.res); msg != "" {
				it.err = it.ctxErr(msg)
			}
			return false
		}
		n := int(mapping.DataChunkGetSize(it.chunk))
		if n == 0 {
			continue
		}
		for c := range mapping.IdxT(numCols) {
			vec := mapping.DataChunkGetVector(it.chunk, c)
			// Columns are NOT NULL; a NULL can only come from a hand-edited table, and
			// reading it as zero would hide the damage.
			if v := mapping.VectorGetValidity(vec); v != nil {
				for r := range n {
					if !mapping.ValidityRowIsValid(v, mapping.IdxT(r)) {
						it.err = fmt.Errorf("NULL in column %d of a stored bar", c)
						return false
					}
				}
			}
			p := mapping.VectorGetData(vec)
			switch c {
			case colSymbol:
				it.sym = unsafe.Slice((*stringT)(p), n)
			case colTime:
				it.tm = unsafe.Slice((*int64)(p), n)
			case colTrades:
				it.tc = unsafe.Slice((*uint64)(p), n)
			default:
				it.f[c] = unsafe.Slice((*float64)(p), n)
			}
		}
		it.n, it.i = n, 0
		return true
	}
}

func (it *iterator) Next() bool {
	if it.done || it.err != nil {
		return false
	}
	if it.i >= it.n {
		if !it.fetch() {
			it.done = true
			return false
		}
	}
	i := it.i
	it.i++
	it.cur = data.Bar{
		Symbol:     it.symbol(&it.sym[i]),
		Time:       time.UnixMicro(it.tm[i]).UTC(),
		Open:       it.f[colOpen][i],
		High:       it.f[colHigh][i],
		Low:        it.f[colLow][i],
		Close:      it.f[colClose][i],
		Volume:     it.f[colVolume][i],
		TradeCount: it.tc[i],
		VWAP:       it.f[colVWAP][i],
	}
	return true
}

// symbol returns the interned Go string for s: a read of a million bars of a few symbols
// allocates a few strings, not a million.
func (it *iterator) symbol(s *stringT) string {
	var b []byte
	if s.n <= 12 {
		b = unsafe.Slice((*byte)(unsafe.Pointer(&s.prefix)), s.n)
	} else {
		b = unsafe.Slice((*byte)(s.ptr), s.n)
	}
	if string(b) == it.lastSym {
		return it.lastSym
	}
	sym, ok := it.intern[string(b)]
	if !ok {
		sym = string(b)
		it.intern[sym] = sym
	}
	it.lastSym = sym
	return sym
}

func (it *iterator) Bar() data.Bar { return it.cur }
func (it *iterator) Err() error    { return it.err }

// Close releases DuckDB's result and connection; it is safe to call more than once.
func (it *iterator) Close() error {
	it.done = true
	if it.stop != nil {
		it.stop()
		it.stop = nil
	}
	mapping.DestroyDataChunk(&it.chunk)
	it.sym, it.tm, it.tc, it.f = nil, nil, nil, [numCols][]float64{}
	if it.hasRs {
		mapping.DestroyResult(&it.res)
		it.hasRs = false
	}
	mapping.DestroyPrepare(&it.stmt)
	it.connMu.Lock()
	if !it.disconnected {
		mapping.Disconnect(&it.conn)
		it.disconnected = true
	}
	it.connMu.Unlock()
	return nil
}
