package parquet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/barkeep-trading/barkeep/data"
)

// Read streams the bars q selects in (time, symbol) order. Each symbol is read one file and one
// chunk of rows at a time, and symbols are merged with data.Merge, so memory depends on the
// number of symbols read, not on the size of the lake.
func (s *Store) Read(ctx context.Context, q data.Query) (data.BarIterator, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, errClosed
	}
	adj, err := checkSeries(q.Timeframe, q.Adjustment)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	lo, hi := int64(minMicros), int64(maxMicros)
	if !q.Start.IsZero() {
		lo = q.Start.UnixMicro()
		if q.Start.Nanosecond()%1000 != 0 {
			lo++ // the first whole microsecond at or after Start
		}
	}
	if !q.End.IsZero() {
		hi = q.End.UnixMicro()
		if q.End.Nanosecond()%1000 != 0 {
			hi++ // bars are whole microseconds: one before End's ceiling is still before End
		}
	}
	if lo >= hi {
		return data.NewSliceIterator(nil), nil
	}
	symbols := slices.Clone(q.Symbols)
	if len(symbols) == 0 {
		if symbols, err = s.listSymbols(q.Timeframe); err != nil {
			return nil, fmt.Errorf("read %s: %w", q.Timeframe, err)
		}
	}
	slices.Sort(symbols)
	symbols = slices.Compact(symbols)
	// Bars of two feeds are two series: a read never mixes them.
	if q.Feed, err = s.resolveFeed(q.Timeframe, adj, q.Feed, symbols); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if q.Feed == "" {
		return data.NewSliceIterator(nil), nil
	}

	its, err := s.snapshot(ctx, q, adj, symbols, lo, hi)
	if err != nil {
		return nil, err
	}
	if len(its) == 0 {
		return data.NewSliceIterator(nil), nil
	}
	return data.Merge(its...), nil
}

// snapshot opens every file the query needs while holding the lake's shared lock: a writer
// publishes a batch under the exclusive lock, and an open file keeps its contents when a rename
// replaces it, so the read sees one batch whole or not at all. Files are decoded later, one at
// a time; only their descriptors are held.
func (s *Store) snapshot(ctx context.Context, q data.Query, adj data.Adjustment, symbols []string, lo, hi int64) (its []data.BarIterator, err error) {
	unlock, err := lockMarker(filepath.Join(s.dir, markerName), false)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	defer unlock()
	defer func() {
		if err != nil {
			for _, it := range its {
				it.Close()
			}
			its = nil
		}
	}()
	for _, sym := range symbols {
		if sym == "" {
			return its, fmt.Errorf("read %s: empty symbol", q.Timeframe)
		}
		paths, err := s.seriesFiles(data.Series{Symbol: sym, Timeframe: q.Timeframe, Adjustment: adj, Feed: q.Feed}, q)
		if err != nil {
			return its, fmt.Errorf("read %s %s: %w", sym, q.Timeframe, err)
		}
		it := &seriesIter{ctx: ctx, sym: sym, lo: lo, hi: hi}
		for _, p := range paths {
			f, err := os.Open(p)
			if errors.Is(err, os.ErrNotExist) {
				continue // its directory was made for a batch not yet published
			}
			if err != nil {
				it.Close()
				return its, fmt.Errorf("read %s %s: %w", sym, q.Timeframe, err)
			}
			it.files = append(it.files, f)
		}
		if len(it.files) > 0 {
			its = append(its, it)
		}
	}
	return its, nil
}

// listSymbols returns the symbols that have a directory under tf.
func (s *Store) listSymbols(tf data.Timeframe) ([]string, error) {
	return listDirs(s.tfDir(tf), parseSymbolDir)
}

// seriesFiles returns the partition files of a series, oldest year first, pruned to the years
// q's range touches.
func (s *Store) seriesFiles(sr data.Series, q data.Query) ([]string, error) {
	dir := s.feedDir(sr.Timeframe, sr.Symbol, sr.Feed)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var years []int
	for _, e := range entries {
		y, ok := parseYear(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		if !q.Start.IsZero() && y < q.Start.UTC().Year() {
			continue
		}
		// End is exclusive: a range ending at midnight of January 1st needs nothing of that year.
		if !q.End.IsZero() && !q.End.After(yearStart(y)) {
			continue
		}
		years = append(years, y)
	}
	sort.Ints(years)
	files := make([]string, len(years))
	for i, y := range years {
		files[i] = s.partitionFile(sr, y)
	}
	return files, nil
}

// seriesIter streams one series from its files in year order.
type seriesIter struct {
	ctx    context.Context
	sym    string
	files  []*os.File // opened by snapshot; each is closed once read
	lo, hi int64      // time bounds in microseconds, half-open

	fi    int    // next file to open
	name  string // of the file being read, for errors
	pf    *pqFile
	rg    int // next row group of pf
	cur   rowGroupCursor
	inRG  bool
	ch    *chunk
	i, n  int
	bar   data.Bar
	err   error
	done  bool
	chunk int // chunks decoded, to poll ctx now and then
}

func (it *seriesIter) Next() bool {
	for {
		if it.i < it.n {
			i := it.i
			it.i++
			c := it.ch
			b := &it.bar
			b.Symbol = it.sym
			b.Time = timeFromMicros(c.times[i])
			b.Open = c.floats[0][i]
			b.High = c.floats[1][i]
			b.Low = c.floats[2][i]
			b.Close = c.floats[3][i]
			b.Volume = c.floats[4][i]
			b.TradeCount = uint64(c.trades[i])
			b.VWAP = c.floats[5][i]
			return true
		}
		if it.done || it.err != nil {
			return false
		}
		if err := it.fill(); err != nil {
			it.fail(err)
			return false
		}
	}
}

func (it *seriesIter) fail(err error) {
	it.err = err
	it.finish()
}

// fill decodes the next chunk that holds rows in [lo, hi), opening row groups and files as
// needed, or sets done.
func (it *seriesIter) fill() error {
	for {
		if it.inRG {
			ok, err := it.cur.next(it.ch)
			if err != nil {
				return fmt.Errorf("read %s: %w", it.name, err)
			}
			if !ok {
				it.inRG = false
				continue
			}
			it.chunk++
			if it.chunk%64 == 0 {
				if err := it.ctx.Err(); err != nil {
					return err
				}
			}
			t := it.ch.times[:it.ch.n]
			it.i, it.n = 0, len(t)
			if t[0] < it.lo {
				it.i = sort.Search(len(t), func(k int) bool { return t[k] >= it.lo })
			}
			if t[len(t)-1] >= it.hi {
				it.n = sort.Search(len(t), func(k int) bool { return t[k] >= it.hi })
				it.finish()
			}
			if it.i < it.n || it.done {
				return nil
			}
			continue
		}
		if it.pf != nil && it.rg < it.pf.r.NumRowGroups() {
			rg := it.rg
			it.rg++
			if min, max, ok := it.pf.timeBounds(rg); ok {
				if max < it.lo {
					continue
				}
				if min >= it.hi {
					it.finish()
					return nil
				}
			}
			cur, err := it.pf.rowGroup(rg, false)
			if err != nil {
				return fmt.Errorf("read %s: %w", it.name, err)
			}
			it.cur, it.inRG = cur, true
			continue
		}
		it.closeFile()
		if it.fi == len(it.files) {
			it.finish()
			return nil
		}
		if err := it.ctx.Err(); err != nil {
			return err
		}
		f := it.files[it.fi]
		it.files[it.fi] = nil
		it.fi++
		it.name = f.Name()
		pf, err := newPQFile(f)
		if err != nil {
			return err
		}
		it.pf, it.rg = pf, 0
		if it.ch == nil {
			it.ch = newChunk(false)
		}
	}
}

// finish ends the stream after the rows already decoded, releasing every file.
func (it *seriesIter) finish() {
	it.done = true
	it.closeFile()
	for i, f := range it.files {
		if f != nil {
			f.Close()
			it.files[i] = nil
		}
	}
}

func (it *seriesIter) closeFile() {
	if it.pf != nil {
		it.pf.Close()
		it.pf = nil
		it.inRG = false
	}
}

func (it *seriesIter) Bar() data.Bar { return it.bar }
func (it *seriesIter) Err() error    { return it.err }

func (it *seriesIter) Close() error {
	it.i, it.n = 0, 0
	it.finish()
	return nil
}
