package parquet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/barkeep-trading/barkeep/data"
)

// Column positions in every file we write; readers look them up by name instead, so a file
// rewritten by another tool with the same columns in another order still reads.
const (
	colSymbol = iota
	colTime
	colOpen
	colHigh
	colLow
	colClose
	colVolume
	colTradeCount
	colVWAP
	colFeed
	colAdjustment
	numCols
)

var colNames = [numCols]string{"symbol", "time", "open", "high", "low", "close", "volume", "trade_count", "vwap", "feed", "adjustment"}

var colTypes = [numCols]pq.Type{
	pq.Types.ByteArray, pq.Types.Int64, pq.Types.Double, pq.Types.Double, pq.Types.Double,
	pq.Types.Double, pq.Types.Double, pq.Types.Int64, pq.Types.Double, pq.Types.ByteArray, pq.Types.ByteArray,
}

const (
	// rowGroupRows bounds what a reader holds per open file and lets it skip a row group by
	// its time statistics; 128K minute bars are about three months of a 24/7 symbol.
	rowGroupRows = 128 * 1024
	// dataPageBytes is small so that a reader of many symbols at once keeps only a small
	// decompressed page per column in memory.
	dataPageBytes = 64 * 1024
	// readChunk is how many rows a reader decodes per column at a time.
	readChunk = 2048
	// feedKey names the key-value metadata entry holding the feed of the last write, so that
	// Series can report a feed even when a crash lost the sidecar.
	feedKey = "barkeep.feed"
)

var fileSchema = func() *schema.GroupNode {
	fields := make(schema.FieldList, numCols)
	for i, name := range colNames {
		var lt schema.LogicalType = schema.NoLogicalType{}
		switch i {
		case colSymbol, colFeed, colAdjustment:
			lt = schema.StringLogicalType{}
		case colTime:
			lt = schema.NewTimestampLogicalType(true, schema.TimeUnitMicros)
		case colTradeCount:
			lt = schema.NewIntLogicalType(64, false)
		}
		n, err := schema.NewPrimitiveNodeLogical(name, pq.Repetitions.Required, lt, colTypes[i], -1, -1)
		if err != nil {
			panic(fmt.Sprintf("parquet schema column %s: %v", name, err))
		}
		fields[i] = n
	}
	g, err := schema.NewGroupNode("schema", pq.Repetitions.Required, fields, -1)
	if err != nil {
		panic(fmt.Sprintf("parquet schema: %v", err))
	}
	return g
}()

var writerProps = pq.NewWriterProperties(
	pq.WithCompression(compress.Codecs.Zstd),
	pq.WithDictionaryDefault(false),
	// Delta encoding turns evenly spaced timestamps into almost nothing before zstd sees them.
	pq.WithEncodingFor("time", pq.Encodings.DeltaBinaryPacked),
	// Byte-stream split groups the exponent bytes of prices, which zstd then compresses well
	// and decodes fast; DuckDB reads it.
	pq.WithEncodingFor("open", pq.Encodings.ByteStreamSplit),
	pq.WithEncodingFor("high", pq.Encodings.ByteStreamSplit),
	pq.WithEncodingFor("low", pq.Encodings.ByteStreamSplit),
	pq.WithEncodingFor("close", pq.Encodings.ByteStreamSplit),
	pq.WithEncodingFor("volume", pq.Encodings.ByteStreamSplit),
	pq.WithEncodingFor("vwap", pq.Encodings.ByteStreamSplit),
	pq.WithMaxRowGroupLength(rowGroupRows),
	pq.WithDataPageSize(dataPageBytes),
	pq.WithStats(true),
	pq.WithSortingColumns([]pq.SortingColumn{{ColumnIdx: colTime}}),
)

// columns holds one partition's bars column by column, sorted by time, as they are written.
type columns struct {
	times                            []int64 // microseconds since the epoch, UTC
	open, high, low, close, vol, vwp []float64
	trades                           []int64 // uint64 bits
	feeds                            []string
}

func (c *columns) len() int { return len(c.times) }

func (c *columns) grow(n int) {
	c.times = make([]int64, 0, n)
	c.open = make([]float64, 0, n)
	c.high = make([]float64, 0, n)
	c.low = make([]float64, 0, n)
	c.close = make([]float64, 0, n)
	c.vol = make([]float64, 0, n)
	c.vwp = make([]float64, 0, n)
	c.trades = make([]int64, 0, n)
	c.feeds = make([]string, 0, n)
}

func (c *columns) appendBar(b *data.Bar, feed string) {
	c.times = append(c.times, b.Time.UnixMicro())
	c.open = append(c.open, b.Open)
	c.high = append(c.high, b.High)
	c.low = append(c.low, b.Low)
	c.close = append(c.close, b.Close)
	c.vol = append(c.vol, b.Volume)
	c.vwp = append(c.vwp, b.VWAP)
	c.trades = append(c.trades, int64(b.TradeCount))
	c.feeds = append(c.feeds, feed)
}

func (c *columns) appendRow(o *columns, i int) {
	c.times = append(c.times, o.times[i])
	c.open = append(c.open, o.open[i])
	c.high = append(c.high, o.high[i])
	c.low = append(c.low, o.low[i])
	c.close = append(c.close, o.close[i])
	c.vol = append(c.vol, o.vol[i])
	c.vwp = append(c.vwp, o.vwp[i])
	c.trades = append(c.trades, o.trades[i])
	c.feeds = append(c.feeds, o.feeds[i])
}

// writeParquet encodes one partition of symbol sym.
func writeParquet(w io.Writer, sym string, adj data.Adjustment, feed string, c *columns) (err error) {
	defer recoverInto(&err)
	kv := metadata.NewKeyValueMetadata()
	if err := kv.Append(feedKey, feed); err != nil {
		return err
	}
	fw, err := file.NewParquetWriterWithError(w, fileSchema, file.WithWriterProps(writerProps), file.WithWriteMetadata(kv))
	if err != nil {
		return err
	}
	// Constant and low-cardinality strings go through a reused slice of shared byte arrays:
	// the dictionary encoder sees the same value and allocates nothing per row.
	symBytes, adjBytes := pq.ByteArray(sym), pq.ByteArray(adj)
	consts := make([]pq.ByteArray, 0, readChunk)
	feedVals := make([]pq.ByteArray, 0, readChunk)
	feedBytes := map[string]pq.ByteArray{}
	writeConst := func(cw *file.ByteArrayColumnChunkWriter, v pq.ByteArray, n int) error {
		consts = consts[:0]
		for range min(n, readChunk) {
			consts = append(consts, v)
		}
		for n > 0 {
			k := min(n, readChunk)
			if _, err := cw.WriteBatch(consts[:k], nil, nil); err != nil {
				return err
			}
			n -= k
		}
		return nil
	}
	for lo := 0; lo < c.len(); lo += rowGroupRows {
		hi := min(lo+rowGroupRows, c.len())
		rg, err := fw.AppendRowGroupChecked()
		if err != nil {
			return err
		}
		for col := range numCols {
			cw, err := rg.NextColumn()
			if err != nil {
				return fmt.Errorf("column %s: %w", colNames[col], err)
			}
			switch col {
			case colSymbol:
				err = writeConst(cw.(*file.ByteArrayColumnChunkWriter), symBytes, hi-lo)
			case colAdjustment:
				err = writeConst(cw.(*file.ByteArrayColumnChunkWriter), adjBytes, hi-lo)
			case colFeed:
				bw := cw.(*file.ByteArrayColumnChunkWriter)
				for s := lo; s < hi && err == nil; s += readChunk {
					feedVals = feedVals[:0]
					for _, f := range c.feeds[s:min(s+readChunk, hi)] {
						b, ok := feedBytes[f]
						if !ok {
							b = pq.ByteArray(f)
							feedBytes[f] = b
						}
						feedVals = append(feedVals, b)
					}
					_, err = bw.WriteBatch(feedVals, nil, nil)
				}
			case colTime:
				_, err = cw.(*file.Int64ColumnChunkWriter).WriteBatch(c.times[lo:hi], nil, nil)
			case colTradeCount:
				_, err = cw.(*file.Int64ColumnChunkWriter).WriteBatch(c.trades[lo:hi], nil, nil)
			default:
				_, err = cw.(*file.Float64ColumnChunkWriter).WriteBatch(c.floats(col)[lo:hi], nil, nil)
			}
			if err != nil {
				return fmt.Errorf("column %s: %w", colNames[col], err)
			}
			if err := cw.Close(); err != nil {
				return fmt.Errorf("column %s: %w", colNames[col], err)
			}
		}
		if err := rg.Close(); err != nil {
			return err
		}
	}
	return fw.Close()
}

func (c *columns) floats(col int) []float64 {
	switch col {
	case colOpen:
		return c.open
	case colHigh:
		return c.high
	case colLow:
		return c.low
	case colClose:
		return c.close
	case colVolume:
		return c.vol
	case colVWAP:
		return c.vwp
	}
	panic("not a float column")
}

// recoverInto turns a panic inside arrow-go, which a corrupt file can provoke, into an error.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("parquet: %v", r)
	}
}

// pqFile is an open partition file whose schema has been checked.
type pqFile struct {
	r    *file.Reader
	idx  [numCols]int
	size int64 // bytes
}

// openParquet opens path and checks that it holds our columns with our types, so that a foreign
// or damaged file fails here with its name rather than deep inside a decoder.
func openParquet(path string) (*pqFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return newPQFile(f)
}

// newPQFile reads the footer of f, which it owns from then on.
func newPQFile(f *os.File) (pf *pqFile, err error) {
	path := f.Name()
	defer func() {
		if r := recover(); r != nil {
			f.Close()
			err = fmt.Errorf("read %s: parquet: %v", path, r)
		}
	}()
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	pf = &pqFile{size: st.Size()}
	r, err := file.NewParquetReader(f, file.WithReadProps(readerPropsFor(pf.size)))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	pf.r = r
	sc := r.MetaData().Schema
	for i, name := range colNames {
		j := sc.ColumnIndexByName(name)
		if j < 0 {
			r.Close()
			return nil, fmt.Errorf("read %s: no column %q", path, name)
		}
		c := sc.Column(j)
		if c.PhysicalType() != colTypes[i] || c.MaxDefinitionLevel() != 0 || c.MaxRepetitionLevel() != 0 {
			r.Close()
			return nil, fmt.Errorf("read %s: column %q is %s, want required %s", path, name, c.PhysicalType(), colTypes[i])
		}
		pf.idx[i] = j
	}
	if err := pf.checkMetadata(pf.size); err != nil {
		r.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return pf, nil
}

func (pf *pqFile) Close() error { return pf.r.Close() }

// timeBounds returns the first and last time of row group rg from its statistics; ok is false
// when the writer left none.
func (pf *pqFile) timeBounds(rg int) (lo, hi int64, ok bool) {
	md, err := pf.r.MetaData().RowGroup(rg).ColumnChunk(pf.idx[colTime])
	if err != nil {
		return 0, 0, false
	}
	if set, err := md.StatsSet(); err != nil || !set {
		return 0, 0, false
	}
	st, err := md.Statistics()
	if err != nil || st == nil || !st.HasMinMax() {
		return 0, 0, false
	}
	is, isInt := st.(*metadata.Int64Statistics)
	if !isInt {
		return 0, 0, false
	}
	return is.Min(), is.Max(), true
}

// rowGroupCursor decodes one row group in chunks into reused slices.
type rowGroupCursor struct {
	times, trades *file.Int64ColumnChunkReader
	floats        [6]*file.Float64ColumnChunkReader // open, high, low, close, volume, vwap
	feed          *file.ByteArrayColumnChunkReader  // nil unless asked for
	left          int64
}

var floatCols = [6]int{colOpen, colHigh, colLow, colClose, colVolume, colVWAP}

func (pf *pqFile) rowGroup(i int, withFeed bool) (cur rowGroupCursor, err error) {
	defer recoverInto(&err)
	rg := pf.r.RowGroup(i)
	col := func(c int) (file.ColumnChunkReader, error) {
		cr, err := rg.Column(pf.idx[c])
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", colNames[c], err)
		}
		return cr, nil
	}
	var cr file.ColumnChunkReader
	if cr, err = col(colTime); err != nil {
		return cur, err
	}
	cur.times = cr.(*file.Int64ColumnChunkReader)
	if cr, err = col(colTradeCount); err != nil {
		return cur, err
	}
	cur.trades = cr.(*file.Int64ColumnChunkReader)
	for k, c := range floatCols {
		if cr, err = col(c); err != nil {
			return cur, err
		}
		cur.floats[k] = cr.(*file.Float64ColumnChunkReader)
	}
	if withFeed {
		if cr, err = col(colFeed); err != nil {
			return cur, err
		}
		cur.feed = cr.(*file.ByteArrayColumnChunkReader)
	}
	cur.left = rg.NumRows()
	return cur, nil
}

// chunk is the decoded form of up to readChunk rows.
type chunk struct {
	times, trades []int64
	floats        [6][]float64
	feeds         []pq.ByteArray
	n             int
}

func newChunk(withFeed bool) *chunk {
	c := &chunk{times: make([]int64, readChunk), trades: make([]int64, readChunk)}
	for k := range c.floats {
		c.floats[k] = make([]float64, readChunk)
	}
	if withFeed {
		c.feeds = make([]pq.ByteArray, readChunk)
	}
	return c
}

var errShortColumn = errors.New("column shorter than its row group")

// next decodes the next rows of the row group into c; it returns false at the end.
func (cur *rowGroupCursor) next(c *chunk) (ok bool, err error) {
	defer recoverInto(&err)
	if cur.left <= 0 {
		return false, nil
	}
	want := min(int64(readChunk), cur.left)
	read := func(name string, cr file.ColumnChunkReader, f func() (int64, int, error)) error {
		_, n, err := f()
		if err != nil {
			return fmt.Errorf("column %s: %w", name, err)
		}
		if int64(n) != want {
			// ReadBatch stops short without an error when a page fails to load; the
			// reader keeps the reason.
			if err := cr.Err(); err != nil {
				return fmt.Errorf("column %s: %w: %w", name, errShortColumn, err)
			}
			return fmt.Errorf("column %s: %w", name, errShortColumn)
		}
		return nil
	}
	if err := read("time", cur.times, func() (int64, int, error) { return cur.times.ReadBatch(want, c.times, nil, nil) }); err != nil {
		return false, err
	}
	if err := read("trade_count", cur.trades, func() (int64, int, error) { return cur.trades.ReadBatch(want, c.trades, nil, nil) }); err != nil {
		return false, err
	}
	for k, fr := range cur.floats {
		if err := read(colNames[floatCols[k]], fr, func() (int64, int, error) { return fr.ReadBatch(want, c.floats[k], nil, nil) }); err != nil {
			return false, err
		}
	}
	if cur.feed != nil {
		if err := read("feed", cur.feed, func() (int64, int, error) { return cur.feed.ReadBatch(want, c.feeds, nil, nil) }); err != nil {
			return false, err
		}
	}
	c.n = int(want)
	cur.left -= want
	return true, nil
}

// readPartition loads a whole partition file for a merge. Partitions hold one symbol-year, so
// this is bounded by a year of bars, not by the store.
func readPartition(path string) (*columns, error) {
	pf, err := openParquet(path)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	// The row count is checked against the row groups, not against the file size: zstd folds
	// runs of equal values into almost nothing. Preallocate for at most a row per byte of file
	// and let append do the rest, so a damaged count costs nothing up front.
	c := &columns{}
	c.grow(int(min(pf.r.NumRows(), max(pf.size, readChunk))))
	ch := newChunk(true)
	feeds := map[string]string{}
	for rg := range pf.r.NumRowGroups() {
		cur, err := pf.rowGroup(rg, true)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		for {
			ok, err := cur.next(ch)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", path, err)
			}
			if !ok {
				break
			}
			c.times = append(c.times, ch.times[:ch.n]...)
			c.trades = append(c.trades, ch.trades[:ch.n]...)
			c.open = append(c.open, ch.floats[0][:ch.n]...)
			c.high = append(c.high, ch.floats[1][:ch.n]...)
			c.low = append(c.low, ch.floats[2][:ch.n]...)
			c.close = append(c.close, ch.floats[3][:ch.n]...)
			c.vol = append(c.vol, ch.floats[4][:ch.n]...)
			c.vwp = append(c.vwp, ch.floats[5][:ch.n]...)
			for _, b := range ch.feeds[:ch.n] {
				// The decoder's bytes are only valid until the next batch; intern a copy.
				f, ok := feeds[string(b)]
				if !ok {
					f = string(b)
					feeds[f] = f
				}
				c.feeds = append(c.feeds, f)
			}
		}
	}
	for i := 1; i < len(c.times); i++ {
		if c.times[i] <= c.times[i-1] {
			return nil, fmt.Errorf("read %s: rows not in strictly increasing time at row %d", path, i)
		}
	}
	return c, nil
}

// timeFromMicros is the inverse of Time.UnixMicro, in UTC as every bar is.
func timeFromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

const (
	minMicros = math.MinInt64
	maxMicros = math.MaxInt64
)
