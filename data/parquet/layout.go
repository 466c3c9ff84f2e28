package parquet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
)

const (
	markerName   = "_barkeep.json"
	markerFormat = "barkeep-parquet-lake"
	// formatVersion changes when a reader of the previous version would misread the lake.
	// Version 2 added the feed= level: a series is identified by its feed (Open migrates
	// version 1 lakes, see migrate.go).
	formatVersion = 2

	tfPrefix   = "timeframe="
	symPrefix  = "symbol="
	feedPrefix = "feed="
	yearPrefix = "year="

	coveragePrefix = "_coverage."
	coverageSuffix = ".json"
	parquetSuffix  = ".parquet"
)

// escapeSymbol percent-encodes every byte outside [A-Za-z0-9._-] so that any symbol ("BTC/USD",
// "BRK.B", even "a=b") is one safe path element, decoded by Hive readers to the same string.
func escapeSymbol(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '-' || c == '_'
}

// unescapeSymbol reverses escapeSymbol and accepts only its canonical output, so that two
// directories can never name the same symbol.
func unescapeSymbol(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			if !isSafe(c) {
				return "", fmt.Errorf("unescaped byte %q", c)
			}
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("truncated escape")
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil || strings.ToUpper(s[i+1:i+3]) != s[i+1:i+3] || isSafe(byte(v)) {
			return "", fmt.Errorf("bad escape %q", s[i:i+3])
		}
		b.WriteByte(byte(v))
		i += 2
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("empty symbol")
	}
	return b.String(), nil
}

func (s *Store) tfDir(tf data.Timeframe) string {
	return filepath.Join(s.dir, tfPrefix+tf.String())
}

func (s *Store) symDir(tf data.Timeframe, sym string) string {
	return filepath.Join(s.tfDir(tf), symPrefix+escapeSymbol(sym))
}

// feedDir holds the series of one symbol and feed; feeds are escaped as symbols are.
func (s *Store) feedDir(tf data.Timeframe, sym, feed string) string {
	return filepath.Join(s.symDir(tf, sym), feedPrefix+escapeSymbol(feed))
}

func (s *Store) partitionFile(sr data.Series, year int) string {
	return filepath.Join(s.feedDir(sr.Timeframe, sr.Symbol, sr.Feed), yearPrefix+strconv.Itoa(year), string(sr.Adjustment)+parquetSuffix)
}

func (s *Store) coverageFile(sr data.Series) string {
	return filepath.Join(s.feedDir(sr.Timeframe, sr.Symbol, sr.Feed), coveragePrefix+string(sr.Adjustment)+coverageSuffix)
}

func parseFeedDir(name string) (string, bool) {
	v, ok := strings.CutPrefix(name, feedPrefix)
	if !ok {
		return "", false
	}
	feed, err := unescapeSymbol(v)
	if err != nil {
		return "", false
	}
	return feed, true
}

// listFeeds returns the feeds that have a directory under a symbol's.
func (s *Store) listFeeds(tf data.Timeframe, sym string) ([]string, error) {
	return listDirs(s.symDir(tf, sym), parseFeedDir)
}

// listDirs returns the names parse accepts among dir's subdirectories, decoded; a missing dir
// has none.
func listDirs(dir string, parse func(string) (string, bool)) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if v, ok := parse(e.Name()); ok && e.IsDir() {
			out = append(out, v)
		}
	}
	return out, nil
}

func parseAdjustmentName(name, prefix, suffix string) (data.Adjustment, bool) {
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) || len(name) < len(prefix)+len(suffix) {
		return "", false
	}
	a := data.Adjustment(name[len(prefix) : len(name)-len(suffix)])
	if a == "" {
		return "", false
	}
	if p, err := data.ParseAdjustment(string(a)); err != nil || p != a {
		return "", false
	}
	return a, true
}

func parseYear(name string) (int, bool) {
	v, ok := strings.CutPrefix(name, yearPrefix)
	if !ok || len(v) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 1000 {
		return 0, false
	}
	return y, true
}

func parseTimeframeDir(name string) (data.Timeframe, bool) {
	v, ok := strings.CutPrefix(name, tfPrefix)
	if !ok {
		return data.Timeframe{}, false
	}
	tf, err := data.ParseTimeframe(v)
	if err != nil || tf.String() != v {
		return data.Timeframe{}, false
	}
	return tf, true
}

func parseSymbolDir(name string) (string, bool) {
	v, ok := strings.CutPrefix(name, symPrefix)
	if !ok {
		return "", false
	}
	sym, err := unescapeSymbol(v)
	if err != nil {
		return "", false
	}
	return sym, true
}

// checkLayout walks dir and returns a description of the first entry that does not belong to a
// lake, or "" when everything does. It reads directory names only, so it is cheap even for a
// large lake.
func checkLayout(dir string, legacy bool) (string, error) {
	top, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("list %s: %w", dir, err)
	}
	for _, e := range top {
		name := e.Name()
		switch {
		case name == markerName && e.Type().IsRegular(), atomicfile.IsTemp(name) && e.Type().IsRegular():
			continue
		}
		if _, ok := parseTimeframeDir(name); !ok || !e.IsDir() {
			return name, nil
		}
		if bad, err := checkTimeframeDir(filepath.Join(dir, name), legacy); err != nil || bad != "" {
			return filepath.Join(name, bad), err
		}
	}
	return "", nil
}

// checkTimeframeDir checks the symbol directories of one timeframe: each holds feed=
// directories of series files, and with legacy also version 1's series files without that level.
func checkTimeframeDir(dir string, legacy bool) (string, error) {
	syms, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("list %s: %w", dir, err)
	}
	for _, e := range syms {
		if _, ok := parseSymbolDir(e.Name()); !ok || !e.IsDir() {
			return e.Name(), nil
		}
		entries, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return "", fmt.Errorf("list %s: %w", e.Name(), err)
		}
		for _, f := range entries {
			if _, ok := parseFeedDir(f.Name()); ok && f.IsDir() {
				sub, err := os.ReadDir(filepath.Join(dir, e.Name(), f.Name()))
				if err != nil {
					return "", fmt.Errorf("list %s: %w", f.Name(), err)
				}
				for _, g := range sub {
					if bad, err := checkSeriesEntry(filepath.Join(dir, e.Name(), f.Name()), g); err != nil || bad != "" {
						return filepath.Join(e.Name(), f.Name(), bad), err
					}
				}
				continue
			}
			if !legacy && !(f.Type().IsRegular() && atomicfile.IsTemp(f.Name())) {
				return filepath.Join(e.Name(), f.Name()), nil
			}
			if bad, err := checkSeriesEntry(filepath.Join(dir, e.Name()), f); err != nil || bad != "" {
				return filepath.Join(e.Name(), bad), err
			}
		}
	}
	return "", nil
}

// checkSeriesEntry checks one entry of a directory of series: a coverage sidecar, or a year=
// directory of partition files. It returns the path, under dir, of what does not belong.
func checkSeriesEntry(dir string, f os.DirEntry) (string, error) {
	name := f.Name()
	if f.Type().IsRegular() {
		if _, ok := parseAdjustmentName(name, coveragePrefix, coverageSuffix); ok || atomicfile.IsTemp(name) {
			return "", nil
		}
		return name, nil
	}
	if _, ok := parseYear(name); !ok || !f.IsDir() {
		return name, nil
	}
	files, err := os.ReadDir(filepath.Join(dir, name))
	if err != nil {
		return "", fmt.Errorf("list %s: %w", name, err)
	}
	for _, pf := range files {
		if !pf.Type().IsRegular() {
			return filepath.Join(name, pf.Name()), nil
		}
		if _, ok := parseAdjustmentName(pf.Name(), "", parquetSuffix); ok || atomicfile.IsTemp(pf.Name()) {
			continue
		}
		return filepath.Join(name, pf.Name()), nil
	}
	return "", nil
}

// yearStart is the first instant of a partition year.
func yearStart(y int) time.Time { return time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC) }
