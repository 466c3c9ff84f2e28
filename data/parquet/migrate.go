package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
)

// migrate1 brings a version 1 lake to version 2 in place, under the lake's exclusive lock.
// Version 1 kept a series per (timeframe, symbol, adjustment) with the feed of each write in a
// column and the latest write's feed in the sidecar; version 2 adds a feed= level under the
// symbol, so bars of two feeds are two series. Each legacy file's rows go to the feed they
// were written with. A series' coverage goes to its one feed (or, without bars, to the feed
// its sidecar recorded); a series whose bars came from several feeds loses its coverage,
// since nothing tells which feed fetched which range, and a rerun fetches it again.
//
// Every step is idempotent and the marker moves to version 2 last, so a migration interrupted
// by a crash is completed by the next Open: legacy files are removed only after their rows
// are published in the new layout, and the coverage decision counts the feeds already moved.
func (s *Store) migrate1(ctx context.Context) error {
	bad, err := checkLayout(s.dir, true)
	if err != nil {
		return err
	}
	if bad != "" {
		return fmt.Errorf("%q does not belong to a barkeep lake: %w", bad, data.ErrNotStore)
	}
	unlock, err := lockMarker(filepath.Join(s.dir, markerName), true)
	if err != nil {
		return err
	}
	defer unlock()
	top, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range top {
		tf, ok := parseTimeframeDir(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		syms, err := s.listSymbols(tf)
		if err != nil {
			return err
		}
		for _, sym := range syms {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := s.migrateSymbol(tf, sym); err != nil {
				return fmt.Errorf("%s %s: %w", sym, tf, err)
			}
		}
	}
	return writeMarker(s.dir)
}

// legacySeries is what version 1 kept of one adjustment of a symbol.
type legacySeries struct {
	files   map[int]string // partition file by year
	sidecar string         // "" when none
}

func (s *Store) migrateSymbol(tf data.Timeframe, sym string) error {
	dir := s.symDir(tf, sym)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	legacy := map[data.Adjustment]*legacySeries{}
	get := func(a data.Adjustment) *legacySeries {
		if legacy[a] == nil {
			legacy[a] = &legacySeries{files: map[int]string{}}
		}
		return legacy[a]
	}
	var yearDirs []string
	for _, e := range entries {
		if a, ok := parseAdjustmentName(e.Name(), coveragePrefix, coverageSuffix); ok && e.Type().IsRegular() {
			get(a).sidecar = filepath.Join(dir, e.Name())
			continue
		}
		y, ok := parseYear(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		yearDirs = append(yearDirs, filepath.Join(dir, e.Name()))
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		for _, f := range files {
			if a, ok := parseAdjustmentName(f.Name(), "", parquetSuffix); ok && f.Type().IsRegular() {
				get(a).files[y] = filepath.Join(dir, e.Name(), f.Name())
			}
		}
	}
	adjs := make([]data.Adjustment, 0, len(legacy))
	for a := range legacy {
		adjs = append(adjs, a)
	}
	slices.Sort(adjs)
	for _, adj := range adjs {
		if err := s.migrateSeries(tf, sym, adj, legacy[adj]); err != nil {
			return fmt.Errorf("%s: %w", adj, err)
		}
	}
	for _, d := range yearDirs {
		_ = os.Remove(d) // only when empty: a file that is not ours stays, and so does its directory
	}
	return atomicfile.SyncDir(dir)
}

func (s *Store) migrateSeries(tf data.Timeframe, sym string, adj data.Adjustment, l *legacySeries) error {
	years := make([]int, 0, len(l.files))
	for y := range l.files {
		years = append(years, y)
	}
	slices.Sort(years)
	parts := map[int]*columns{}
	feeds := map[string]bool{}
	for _, y := range years {
		cols, err := readPartition(l.files[y])
		if err != nil {
			return err
		}
		parts[y] = cols
		for _, f := range cols.feeds {
			feeds[data.NormFeed(f)] = true
		}
	}
	// Feeds moved by an interrupted migration count too.
	moved, err := s.listFeeds(tf, sym)
	if err != nil {
		return err
	}
	for _, f := range moved {
		has, err := s.hasPartitions(data.Series{Symbol: sym, Timeframe: tf, Adjustment: adj, Feed: f})
		if err != nil {
			return err
		}
		if has {
			feeds[f] = true
		}
	}
	if l.sidecar != "" {
		sc, rs, err := readSidecarAt(l.sidecar, data.Series{Symbol: sym, Timeframe: tf, Adjustment: adj})
		if err != nil {
			slog.Warn("dropping unreadable coverage while migrating", "file", l.sidecar, "err", err)
			rs = nil
		}
		var target string
		switch {
		case len(feeds) == 1:
			for f := range feeds {
				target = f
			}
		case len(feeds) == 0 && sc != nil:
			target = data.NormFeed(sc.Feed)
		default:
			slog.Warn("series stored from several feeds: its coverage is dropped and will be fetched again",
				"symbol", sym, "timeframe", tf.String(), "adjustment", string(adj))
		}
		if target != "" && len(rs) > 0 {
			st, err := s.stageSidecar(data.Series{Symbol: sym, Timeframe: tf, Adjustment: adj, Feed: target}, time.Time{}, rs)
			if err != nil {
				return err
			}
			if err := atomicfile.Publish(st); err != nil {
				os.Remove(st.Temp)
				return err
			}
		}
	}
	for _, y := range years {
		cols := parts[y]
		byFeed := map[string]*columns{}
		var order []string
		for i, f := range cols.feeds {
			f = data.NormFeed(f)
			c := byFeed[f]
			if c == nil {
				c = &columns{}
				byFeed[f] = c
				order = append(order, f)
			}
			c.appendRow(cols, i)
		}
		var staged []atomicfile.Staged
		for _, f := range order {
			sr := data.Series{Symbol: sym, Timeframe: tf, Adjustment: adj, Feed: f}
			path := s.partitionFile(sr, y)
			if err := atomicfile.MkdirAll(filepath.Dir(path)); err != nil {
				return err
			}
			c := byFeed[f]
			st, err := atomicfile.Stage(path, func(w io.Writer) error { return writeParquet(w, sym, adj, f, c) })
			if err != nil {
				for _, x := range staged {
					os.Remove(x.Temp)
				}
				return err
			}
			staged = append(staged, st)
		}
		if err := atomicfile.Publish(staged...); err != nil {
			return err
		}
		if err := os.Remove(l.files[y]); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if l.sidecar != "" {
		if err := os.Remove(l.sidecar); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// hasPartitions reports whether sr has a partition file in any year.
func (s *Store) hasPartitions(sr data.Series) (bool, error) {
	dir := s.feedDir(sr.Timeframe, sr.Symbol, sr.Feed)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if y, ok := parseYear(e.Name()); ok && e.IsDir() {
			if _, err := os.Stat(s.partitionFile(sr, y)); err == nil {
				return true, nil
			}
		}
	}
	return false, nil
}
