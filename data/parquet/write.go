package parquet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
)

// Partition years are four digits so that year=YYYY sorts and parses as DuckDB expects.
const minYear, maxYear = 1000, 9999

// partition is the part of a batch that lands in one file.
type partition struct {
	symbol string
	year   int
	bars   []int32 // indices into the batch, sorted by time, one per time
}

// Write upserts b's bars, then records its coverage. Every bar is checked before the disk is
// touched, so an invalid batch changes nothing. With Replace, the series' old files are not
// merged with: the new partitions replace them, the years they lack are removed, and the
// sidecars are written anew, all under the lake's exclusive lock.
func (s *Store) Write(ctx context.Context, b data.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	adj, err := checkSeries(b.Timeframe, b.Adjustment)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	b.Feed = data.NormFeed(b.Feed)
	parts, err := plan(b)
	if err != nil {
		return fmt.Errorf("write %s: %w", b.Timeframe, err)
	}
	for _, sp := range b.Covered {
		if sp.Symbol == "" {
			return fmt.Errorf("write %s: covered range %s has no symbol", b.Timeframe, sp.Range)
		}
		if sp.Start.After(sp.End) {
			return fmt.Errorf("write %s: covered range of %s ends before it starts", b.Timeframe, sp.Symbol)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if !s.swept {
		if err := s.sweep(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		s.swept = true
	}
	// Stage every file first: the slow part (merging, encoding, syncing) happens out of sight,
	// and a failure or a cancellation leaves the lake as it was.
	var bars, sides []atomicfile.Staged
	defer func() {
		for _, f := range append(bars, sides...) {
			os.Remove(f.Temp) // gone already once published
		}
	}()
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := s.stagePartition(b, adj, p)
		if err != nil {
			return fmt.Errorf("write %s %s %d: %w", p.symbol, b.Timeframe, p.year, err)
		}
		bars = append(bars, f)
	}
	sides, err = s.stageSidecars(b, adj, parts)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	var stale, oldSides []string
	if b.Replace {
		if stale, oldSides, err = s.replaced(b, adj, parts); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// Publish under the lake's exclusive lock, so that a reader, which opens the files of its
	// snapshot under the shared lock, sees all of this batch or none of it. Coverage goes
	// last: a crash between the two only forgets that the range was fetched, which costs a
	// refetch, where the other order could claim bars that are not on disk.
	unlock, err := lockMarker(filepath.Join(s.dir, markerName), true)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	defer unlock()
	// A replace first forgets the old coverage: a crash part way then leaves the series
	// uncovered, which a rerun fetches whole, never covered on two price bases.
	if err := removeAll(oldSides); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := atomicfile.Publish(bars...); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := removeAll(stale); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := atomicfile.Publish(sides...); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// removeAll removes files and syncs their directories.
func removeAll(paths []string) error {
	dirs := map[string]bool{}
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		if err := atomicfile.SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// replaced lists what a replace removes: the partition files of the batch's series in years
// the batch has no bars for, and their sidecars (those without a covered span in the batch
// too, since the batch writes the others anew).
func (s *Store) replaced(b data.Batch, adj data.Adjustment, parts []partition) (stale, sides []string, err error) {
	syms := map[string]bool{}
	kept := map[string]bool{}
	for _, p := range parts {
		syms[p.symbol] = true
		kept[s.partitionFile(data.Series{Symbol: p.symbol, Timeframe: b.Timeframe, Adjustment: adj, Feed: b.Feed}, p.year)] = true
	}
	for _, sp := range b.Covered {
		syms[sp.Symbol] = true
	}
	for sym := range syms {
		sr := data.Series{Symbol: sym, Timeframe: b.Timeframe, Adjustment: adj, Feed: b.Feed}
		sides = append(sides, s.coverageFile(sr))
		dir := s.feedDir(b.Timeframe, sym, b.Feed)
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries {
			if y, ok := parseYear(e.Name()); ok && e.IsDir() {
				if p := s.partitionFile(sr, y); !kept[p] {
					stale = append(stale, p)
				}
			}
		}
	}
	return stale, sides, nil
}

// stageSidecars prepares the coverage files of every symbol the batch touches: the old
// coverage plus the batch's spans, and the batch's feed.
func (s *Store) stageSidecars(b data.Batch, adj data.Adjustment, parts []partition) ([]atomicfile.Staged, error) {
	covered := map[string]data.Ranges{}
	var symbols []string
	touch := func(sym string) {
		if _, ok := covered[sym]; !ok {
			covered[sym] = nil
			symbols = append(symbols, sym)
		}
	}
	for _, p := range parts {
		touch(p.symbol)
	}
	for _, sp := range b.Covered {
		touch(sp.Symbol)
		covered[sp.Symbol] = covered[sp.Symbol].Add(data.Range{Start: sp.Start.UTC(), End: sp.End.UTC()})
	}
	sort.Strings(symbols)
	var out []atomicfile.Staged
	for _, sym := range symbols {
		sr := data.Series{Symbol: sym, Timeframe: b.Timeframe, Adjustment: adj, Feed: b.Feed}
		var old *sidecar
		var rs data.Ranges
		if !b.Replace {
			var err error
			old, rs, err = s.readSidecar(sr)
			if err != nil {
				// A damaged sidecar only loses coverage, which is refetched: replace it rather
				// than refuse every later write of the series.
				slog.Warn("replacing unreadable coverage", "series", sr.String(), "err", err)
				old, rs = nil, nil
			}
		}
		asof := b.AsOf
		if asof.IsZero() && old != nil && old.AsOf != nil {
			asof = *old.AsOf
		}
		for _, r := range covered[sym] {
			rs = rs.Add(r)
		}
		if old != nil && (old.AsOf == nil) == asof.IsZero() && (old.AsOf == nil || old.AsOf.Equal(asof)) &&
			slices.Equal(rs, oldRanges(old)) {
			continue
		}
		f, err := s.stageSidecar(sr, asof, rs)
		if err != nil {
			for _, f := range out {
				os.Remove(f.Temp)
			}
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func oldRanges(sc *sidecar) data.Ranges {
	var rs data.Ranges
	for _, sp := range sc.Covered {
		rs = append(rs, data.Range{Start: sp.Start.UTC(), End: sp.End.UTC()})
	}
	return rs
}

// plan validates every bar and splits the batch into partitions, each sorted by time with the
// last of several bars at the same microsecond winning, as a later write would. Times finer
// than a microsecond are truncated, as the timestamp[us] column must.
func plan(b data.Batch) ([]partition, error) {
	if len(b.Bars) > math.MaxInt32 {
		return nil, errors.New("batch too large")
	}
	bySym := map[string][]int32{}
	var symbols []string
	for i := range b.Bars {
		bar := &b.Bars[i]
		if err := bar.Validate(); err != nil {
			return nil, err
		}
		if y := bar.Time.UTC().Year(); y < minYear || y > maxYear {
			return nil, fmt.Errorf("bar %s %s: year out of range %d..%d", bar.Symbol, bar.Time, minYear, maxYear)
		}
		idx, ok := bySym[bar.Symbol]
		if !ok {
			symbols = append(symbols, bar.Symbol)
		}
		bySym[bar.Symbol] = append(idx, int32(i))
	}
	sort.Strings(symbols)
	us := func(i int32) int64 { return b.Bars[i].Time.UnixMicro() }
	var parts []partition
	for _, sym := range symbols {
		idx := bySym[sym]
		sorted := true
		for k := 1; k < len(idx); k++ {
			if us(idx[k-1]) >= us(idx[k]) {
				sorted = false
				break
			}
		}
		if !sorted {
			slices.SortStableFunc(idx, func(i, j int32) int { return cmp.Compare(us(i), us(j)) })
			// Keep the last of equal times: the stable sort kept batch order among them.
			out := idx[:0]
			for k, i := range idx {
				if k+1 < len(idx) && us(idx[k+1]) == us(i) {
					continue
				}
				out = append(out, i)
			}
			idx = out
		}
		for len(idx) > 0 {
			next := yearStart(b.Bars[idx[0]].Time.UTC().Year() + 1).UnixMicro()
			n := sort.Search(len(idx), func(k int) bool { return us(idx[k]) >= next })
			parts = append(parts, partition{symbol: sym, year: b.Bars[idx[0]].Time.UTC().Year(), bars: idx[:n]})
			idx = idx[n:]
		}
	}
	return parts, nil
}

func (s *Store) stagePartition(b data.Batch, adj data.Adjustment, p partition) (atomicfile.Staged, error) {
	path := s.partitionFile(data.Series{Symbol: p.symbol, Timeframe: b.Timeframe, Adjustment: adj, Feed: b.Feed}, p.year)
	dir := filepath.Dir(path)
	if err := atomicfile.MkdirAll(dir); err != nil {
		return atomicfile.Staged{}, err
	}
	var cols *columns
	old, err := readPartition(path)
	if b.Replace && err == nil {
		err = os.ErrNotExist // the old bars are on another basis: none of them is kept
	}
	switch {
	case err == nil:
		cols = mergeColumns(old, b.Bars, p.bars, b.Feed)
	case errors.Is(err, os.ErrNotExist):
		cols = &columns{}
		cols.grow(len(p.bars))
		for _, i := range p.bars {
			cols.appendBar(&b.Bars[i], b.Feed)
		}
	default:
		return atomicfile.Staged{}, fmt.Errorf("merge with existing bars: %w", err)
	}
	return atomicfile.Stage(path, func(w io.Writer) error {
		return writeParquet(w, p.symbol, adj, b.Feed, cols)
	})
}

// mergeColumns merges a partition on disk with new bars, both sorted by time; a new bar replaces
// an old one at the same time.
func mergeColumns(old *columns, bars []data.Bar, idx []int32, feed string) *columns {
	out := &columns{}
	out.grow(old.len() + len(idx))
	i, j := 0, 0
	for i < old.len() || j < len(idx) {
		switch {
		case j == len(idx):
			out.appendRow(old, i)
			i++
		case i == old.len():
			out.appendBar(&bars[idx[j]], feed)
			j++
		default:
			t := bars[idx[j]].Time.UnixMicro()
			switch {
			case old.times[i] < t:
				out.appendRow(old, i)
				i++
			case old.times[i] == t:
				i++ // replaced by the new bar
			default:
				out.appendBar(&bars[idx[j]], feed)
				j++
			}
		}
	}
	return out
}

// sweep removes temporary files that a crashed write left anywhere in the lake.
func (s *Store) sweep() error {
	return filepath.WalkDir(s.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		if atomicfile.IsTemp(d.Name()) {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("remove leftover %s: %w", path, err)
			}
		}
		return nil
	})
}
