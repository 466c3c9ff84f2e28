package parquet

import (
	"fmt"
	"iter"
	"math"
	"strings"
	"time"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/barkeep-trading/barkeep/data/files"
)

// ReadRows yields the rows of a user's Parquet file (not a lake's) for data/files, which checks
// and imports them as it does CSV rows. Columns are named as a CSV header would be (files.Forms);
// pandas' index columns ("__index_level_0__") are ignored. The time column may be a timestamp
// (adjusted to UTC: an instant; not adjusted: naive, read in the import's time zone), a date,
// or a string in the CSV spellings; numbers may be any integer or floating-point column.
// Columns may be optional: a null is an empty field. Positions count rows as CSV lines do, the
// first row being line 2.
func ReadRows(path string) iter.Seq2[files.Row, error] {
	return func(yield func(files.Row, error) bool) {
		pf, err := file.OpenParquetFile(path, false)
		if err != nil {
			yield(files.Row{}, fmt.Errorf("read %s: %w", path, err))
			return
		}
		defer pf.Close()
		if err := readRows(pf, path, yield); err != nil {
			yield(files.Row{}, err)
		}
	}
}

// userColumn is one column of a user's file, decoded a row group at a time.
type userColumn struct {
	col   *schema.Column
	index int
	nums  []float64
	ints  []int64 // times, as the file stores them
	strs  []string
	at    []int // per row, the index of its value, or -1 for a null
}

func readRows(pf *file.Reader, path string, yield func(files.Row, error) bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("read %s: parquet: %v", path, r)
		}
	}()
	sc := pf.MetaData().Schema
	var names []string
	var idx []int
	for i := range sc.NumColumns() {
		c := sc.Column(i)
		if strings.HasPrefix(c.Name(), "__") {
			continue
		}
		names = append(names, c.Name())
		idx = append(idx, i)
	}
	l, err := files.ParseHeader(names)
	if err != nil {
		return &files.RowError{Pos: files.Pos{File: path, Line: 1}, Reason: err.Error()}
	}
	var cols [files.NumColumns]*userColumn
	for c, i := range l {
		if i < 0 {
			continue
		}
		col := sc.Column(idx[i])
		if col.MaxRepetitionLevel() > 0 {
			return &files.RowError{Pos: files.Pos{File: path, Line: 1}, Reason: fmt.Sprintf("column %q is nested", col.Name())}
		}
		if _, ok := col.LogicalType().(schema.DecimalLogicalType); ok {
			return &files.RowError{Pos: files.Pos{File: path, Line: 1}, Reason: fmt.Sprintf("column %q is a decimal: write it as a double", col.Name())}
		}
		cols[c] = &userColumn{col: col, index: idx[i]}
	}
	line := 1
	for g := range pf.NumRowGroups() {
		rg := pf.RowGroup(g)
		n := int(rg.NumRows())
		for c, uc := range cols {
			if uc == nil {
				continue
			}
			cr, err := rg.Column(uc.index)
			if err != nil {
				return fmt.Errorf("read %s: column %s: %w", path, uc.col.Name(), err)
			}
			if err := uc.read(cr, n, files.Column(c) == files.ColTime); err != nil {
				return fmt.Errorf("read %s: column %s: %w", path, uc.col.Name(), err)
			}
		}
		for i := range n {
			line++
			row, rerr := rowAt(&cols, i, files.Pos{File: path, Line: line})
			var err error
			if rerr != nil {
				err = rerr
			}
			if !yield(row, err) {
				return nil
			}
		}
	}
	return nil
}

// read decodes the column's n values of one row group.
func (u *userColumn) read(cr file.ColumnChunkReader, n int, isTime bool) error {
	def := make([]int16, n)
	u.nums, u.ints, u.strs = u.nums[:0], u.ints[:0], u.strs[:0]
	var got int
	var err error
	switch r := cr.(type) {
	case *file.Int64ColumnChunkReader:
		vals := make([]int64, n)
		_, got, err = readLevels(n, func(off, vo int) (int64, int, error) { return r.ReadBatch(int64(n-off), vals[vo:], def[off:], nil) })
		u.ints = vals[:got]
	case *file.Int32ColumnChunkReader:
		vals := make([]int32, n)
		_, got, err = readLevels(n, func(off, vo int) (int64, int, error) { return r.ReadBatch(int64(n-off), vals[vo:], def[off:], nil) })
		for _, v := range vals[:got] {
			u.ints = append(u.ints, int64(v))
		}
	case *file.Float64ColumnChunkReader:
		vals := make([]float64, n)
		_, got, err = readLevels(n, func(off, vo int) (int64, int, error) { return r.ReadBatch(int64(n-off), vals[vo:], def[off:], nil) })
		u.nums = vals[:got]
	case *file.Float32ColumnChunkReader:
		vals := make([]float32, n)
		_, got, err = readLevels(n, func(off, vo int) (int64, int, error) { return r.ReadBatch(int64(n-off), vals[vo:], def[off:], nil) })
		for _, v := range vals[:got] {
			u.nums = append(u.nums, float64(v))
		}
	case *file.ByteArrayColumnChunkReader:
		vals := make([]pq.ByteArray, n)
		_, got, err = readLevels(n, func(off, vo int) (int64, int, error) { return r.ReadBatch(int64(n-off), vals[vo:], def[off:], nil) })
		for _, v := range vals[:got] {
			u.strs = append(u.strs, string(v))
		}
	default:
		return fmt.Errorf("type %s is not supported: want numbers, strings or timestamps", u.col.PhysicalType())
	}
	if err != nil {
		return err
	}
	if !isTime && u.ints != nil {
		for _, v := range u.ints {
			u.nums = append(u.nums, float64(v))
		}
	}
	// Values come packed; spread them over the rows, a row below the maximum definition
	// level being null.
	maxDef := u.col.MaxDefinitionLevel()
	u.at = make([]int, n)
	next := 0
	for i := range n {
		u.at[i] = -1
		if maxDef == 0 || def[i] == maxDef {
			u.at[i] = next
			next++
		}
	}
	if next != got {
		return fmt.Errorf("%d values for %d rows with a value", got, next)
	}
	return nil
}

// readLevels calls read until n levels are read; read gets how many levels and values it has.
func readLevels(n int, read func(levels, values int) (int64, int, error)) (int64, int, error) {
	var levels int64
	vals := 0
	for levels < int64(n) {
		l, v, err := read(int(levels), vals)
		if err != nil {
			return levels, vals, err
		}
		if l == 0 {
			return levels, vals, errShortColumn
		}
		levels += l
		vals += v
	}
	return levels, vals, nil
}

// rowAt reads row i of the decoded row group into a files.Row.
func rowAt(cols *[files.NumColumns]*userColumn, i int, pos files.Pos) (files.Row, *files.RowError) {
	r := files.Row{Pos: pos, SymbolColumn: cols[files.ColSymbol] != nil}
	bad := func(format string, args ...any) (files.Row, *files.RowError) {
		return r, &files.RowError{Pos: pos, Reason: fmt.Sprintf(format, args...)}
	}
	if u := cols[files.ColSymbol]; u != nil {
		if u.strs == nil {
			return bad("symbol column is %s, not a string", u.col.PhysicalType())
		}
		if k := u.at[i]; k >= 0 {
			r.Symbol = u.strs[k]
		}
	}
	u := cols[files.ColTime]
	k := u.at[i]
	if k < 0 {
		return bad("empty timestamp")
	}
	var err error
	switch lt := u.col.LogicalType().(type) {
	case schema.TimestampLogicalType:
		if u.ints == nil {
			return bad("timestamp column is %s", u.col.PhysicalType())
		}
		v := u.ints[k]
		var unit int64 // nanoseconds
		switch lt.TimeUnit() {
		case schema.TimeUnitMillis:
			unit = 1e6
		case schema.TimeUnitMicros:
			unit = 1e3
		case schema.TimeUnitNanos:
			unit = 1
		}
		if unit == 0 || v > math.MaxInt64/unit || v < math.MinInt64/unit {
			return bad("timestamp %d is out of range", v)
		}
		r.Time, r.Naive = time.Unix(0, v*unit).UTC(), !lt.IsAdjustedToUTC()
	case schema.DateLogicalType:
		r.Time, r.Naive = time.Unix(u.ints[k]*86400, 0).UTC(), true
	default:
		if u.strs == nil {
			return bad("timestamp column is %s: want a timestamp, a date or a string", u.col.PhysicalType())
		}
		if r.Time, r.Naive, err = files.ParseTime(u.strs[k]); err != nil {
			return bad("%v", err)
		}
	}
	if y := r.Time.Year(); y < 1900 || y > 2200 {
		return bad("time %s is out of range", r.Time.Format(time.RFC3339))
	}
	for _, f := range [...]struct {
		c        files.Column
		dst      *float64
		optional bool
	}{{files.ColOpen, &r.Open, false}, {files.ColHigh, &r.High, false}, {files.ColLow, &r.Low, false},
		{files.ColClose, &r.Close, false}, {files.ColVolume, &r.Volume, false}, {files.ColAdjClose, &r.AdjClose, false},
		{files.ColVWAP, &r.VWAP, true}, {files.ColTradeCount, nil, true}} {
		u := cols[f.c]
		if u == nil {
			continue
		}
		if u.nums == nil && u.strs != nil {
			return bad("%s column holds strings: want numbers", f.c)
		}
		k := u.at[i]
		switch {
		case k < 0 && f.optional:
		case k < 0:
			return bad("empty %s", f.c)
		case math.IsNaN(u.nums[k]) || math.IsInf(u.nums[k], 0):
			return bad("%s is %v", f.c, u.nums[k])
		case f.c == files.ColTradeCount:
			v := u.nums[k]
			if v < 0 || v != math.Trunc(v) || v > 1<<53 {
				return bad("trade_count %v is not a count", v)
			}
			r.TradeCount = uint64(v)
		default:
			*f.dst = u.nums[k]
		}
	}
	if cols[files.ColAdjClose] != nil && !(r.AdjClose > 0) {
		return bad("adj close %v is not a positive price", r.AdjClose)
	}
	return r, nil
}
