package parquet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/barkeep-trading/barkeep/data"
)

// Series lists the series in the lake from its directory tree, the footers of its files (row
// counts, time statistics) and its sidecars (feed); no bars are decoded when the files carry
// statistics, as ours do.
func (s *Store) Series(ctx context.Context) ([]data.SeriesInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, errClosed
	}
	top, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("series: %w", err)
	}
	var out []data.SeriesInfo
	for _, e := range top {
		tf, ok := parseTimeframeDir(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		syms, err := s.listSymbols(tf)
		if err != nil {
			return nil, fmt.Errorf("series %s: %w", tf, err)
		}
		for _, sym := range syms {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			feeds, err := s.listFeeds(tf, sym)
			if err != nil {
				return nil, fmt.Errorf("series %s %s: %w", sym, tf, err)
			}
			for _, feed := range feeds {
				infos, err := s.symbolSeries(tf, sym, feed)
				if err != nil {
					return nil, fmt.Errorf("series %s %s %s: %w", sym, tf, feed, err)
				}
				out = append(out, infos...)
			}
		}
	}
	slices.SortFunc(out, func(a, b data.SeriesInfo) int {
		return cmp.Or(
			compareTimeframes(a.Timeframe, b.Timeframe),
			strings.Compare(string(a.Adjustment), string(b.Adjustment)),
			strings.Compare(a.Symbol, b.Symbol),
			strings.Compare(a.Feed, b.Feed))
	})
	return out, nil
}

// compareTimeframes orders timeframes from the shortest bar to the longest.
func compareTimeframes(a, b data.Timeframe) int {
	return cmp.Or(cmp.Compare(a.Duration(), b.Duration()), cmp.Compare(a.Unit, b.Unit), cmp.Compare(a.N, b.N))
}

// symbolSeries describes every adjustment of one symbol and feed that has bars or coverage.
func (s *Store) symbolSeries(tf data.Timeframe, sym, feed string) ([]data.SeriesInfo, error) {
	dir := s.feedDir(tf, sym, feed)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	infos := map[data.Adjustment]*data.SeriesInfo{}
	get := func(a data.Adjustment) *data.SeriesInfo {
		if infos[a] == nil {
			infos[a] = &data.SeriesInfo{Series: data.Series{Symbol: sym, Timeframe: tf, Adjustment: a, Feed: feed}}
		}
		return infos[a]
	}
	// Directory entries come sorted by name, so years come oldest first.
	for _, e := range entries {
		if a, ok := parseAdjustmentName(e.Name(), coveragePrefix, coverageSuffix); ok && e.Type().IsRegular() {
			get(a)
			continue
		}
		if _, ok := parseYear(e.Name()); !ok || !e.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			a, ok := parseAdjustmentName(f.Name(), "", parquetSuffix)
			if !ok || !f.Type().IsRegular() {
				continue
			}
			info := get(a)
			if err := addFileInfo(info, filepath.Join(dir, e.Name(), f.Name())); err != nil {
				return nil, err
			}
		}
	}
	var out []data.SeriesInfo
	for _, info := range infos {
		sc, _, err := s.readSidecar(info.Series)
		if err != nil {
			return nil, err
		}
		if sc != nil && sc.AsOf != nil {
			info.AsOf = sc.AsOf.UTC()
		}
		out = append(out, *info)
	}
	return out, nil
}

// addFileInfo adds one partition file's rows and time bounds to info; files are added oldest
// year first.
func addFileInfo(info *data.SeriesInfo, path string) (err error) {
	pf, err := openParquet(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer pf.Close()
	defer recoverInto(&err)
	n := pf.r.NumRows()
	if n == 0 {
		return nil
	}
	nrg := pf.r.NumRowGroups()
	first, _, ok1 := pf.timeBounds(0)
	_, last, ok2 := pf.timeBounds(nrg - 1)
	if !ok1 || !ok2 {
		// A file without statistics: find the bounds by decoding the time column.
		first, last, err = scanTimeBounds(pf)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
	if info.Bars == 0 {
		info.First = timeFromMicros(first)
	}
	info.Last = timeFromMicros(last)
	info.Bars += n
	return nil
}

func scanTimeBounds(pf *pqFile) (first, last int64, err error) {
	ch := newChunk(false)
	seen := false
	for rg := range pf.r.NumRowGroups() {
		cur, err := pf.rowGroup(rg, false)
		if err != nil {
			return 0, 0, err
		}
		for {
			ok, err := cur.next(ch)
			if err != nil {
				return 0, 0, err
			}
			if !ok {
				break
			}
			for _, t := range ch.times[:ch.n] {
				if !seen || t < first {
					first = t
				}
				if !seen || t > last {
					last = t
				}
				seen = true
			}
		}
	}
	return first, last, nil
}
