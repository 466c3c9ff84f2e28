package parquet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
)

// sidecarVersion 2 made the feed part of the series a sidecar names, and added asof. Version 1
// sidecars (feed: that of the latest write) are read only by the migration.
const sidecarVersion = 2

// sidecar is the coverage file of one series. It names its series so that a file copied to
// the wrong directory is caught rather than believed.
type sidecar struct {
	Version    int            `json:"version"`
	Symbol     string         `json:"symbol"`
	Timeframe  data.Timeframe `json:"timeframe"`
	Adjustment string         `json:"adjustment"`
	Feed       string         `json:"feed,omitempty"`
	// AsOf is the data server's time of the series' latest fetch that recorded one.
	AsOf    *time.Time `json:"asof,omitempty"`
	Covered []span     `json:"covered"`
}

type span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// parseSidecar decodes and checks a sidecar's bytes. It is the fuzzed entry point: any input
// yields a sidecar or an error, never a panic.
func parseSidecar(raw []byte) (*sidecar, data.Ranges, error) {
	var sc sidecar
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return nil, nil, fmt.Errorf("decode: %w", err)
	}
	if dec.More() {
		return nil, nil, errors.New("decode: trailing data")
	}
	if sc.Version != sidecarVersion && sc.Version != 1 {
		return nil, nil, fmt.Errorf("version %d, want %d", sc.Version, sidecarVersion)
	}
	if sc.Version == sidecarVersion && sc.Feed == "" {
		return nil, nil, errors.New("no feed")
	}
	if sc.Symbol == "" {
		return nil, nil, errors.New("no symbol")
	}
	if _, err := checkSeries(sc.Timeframe, data.Adjustment(sc.Adjustment)); err != nil || sc.Adjustment == "" {
		return nil, nil, fmt.Errorf("bad series %v %q", sc.Timeframe, sc.Adjustment)
	}
	rs := make(data.Ranges, len(sc.Covered))
	for i, sp := range sc.Covered {
		rs[i] = data.Range{Start: sp.Start.UTC(), End: sp.End.UTC()}
	}
	if err := rs.Validate(); err != nil {
		return nil, nil, fmt.Errorf("covered ranges: %w", err)
	}
	if len(rs) == 0 {
		rs = nil
	}
	return &sc, rs, nil
}

// readSidecar returns the sidecar of a series (its feed given), or nil when it has none.
func (s *Store) readSidecar(sr data.Series) (*sidecar, data.Ranges, error) {
	return readSidecarAt(s.coverageFile(sr), sr)
}

func readSidecarAt(path string, sr data.Series) (*sidecar, data.Ranges, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("coverage of %s: %w", sr, err)
	}
	sc, rs, err := parseSidecar(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("coverage of %s: corrupt %s: %w", sr, path, err)
	}
	if sc.Symbol != sr.Symbol || sc.Timeframe != sr.Timeframe || sc.Adjustment != string(sr.Adjustment) ||
		sc.Version == sidecarVersion && sc.Feed != sr.Feed {
		return nil, nil, fmt.Errorf("coverage of %s: %s describes %s %s %s %s", sr, path, sc.Symbol, sc.Timeframe, sc.Adjustment, sc.Feed)
	}
	return sc, rs, nil
}

func (s *Store) stageSidecar(sr data.Series, asof time.Time, rs data.Ranges) (atomicfile.Staged, error) {
	sc := sidecar{
		Version:    sidecarVersion,
		Symbol:     sr.Symbol,
		Timeframe:  sr.Timeframe,
		Adjustment: string(sr.Adjustment),
		Feed:       sr.Feed,
		Covered:    make([]span, len(rs)),
	}
	if !asof.IsZero() {
		at := asof.UTC()
		sc.AsOf = &at
	}
	for i, r := range rs {
		sc.Covered[i] = span{r.Start.UTC(), r.End.UTC()}
	}
	buf, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return atomicfile.Staged{}, fmt.Errorf("encode coverage of %s: %w", sr, err)
	}
	if err := atomicfile.MkdirAll(s.feedDir(sr.Timeframe, sr.Symbol, sr.Feed)); err != nil {
		return atomicfile.Staged{}, fmt.Errorf("coverage of %s: %w", sr, err)
	}
	path := s.coverageFile(sr)
	st, err := atomicfile.Stage(path, func(w io.Writer) error {
		_, err := w.Write(append(buf, '\n'))
		return err
	})
	if err != nil {
		return atomicfile.Staged{}, fmt.Errorf("coverage of %s: %w", sr, err)
	}
	return st, nil
}

// Coverage returns the ranges of sr that writes have declared complete.
func (s *Store) Coverage(ctx context.Context, sr data.Series) (data.Ranges, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, errClosed
	}
	adj, err := checkSeries(sr.Timeframe, sr.Adjustment)
	if err != nil {
		return nil, fmt.Errorf("coverage of %s: %w", sr, err)
	}
	if sr.Symbol == "" {
		return nil, fmt.Errorf("coverage: empty symbol")
	}
	sr.Adjustment = adj
	if sr.Feed, err = s.resolveFeed(sr.Timeframe, adj, sr.Feed, []string{sr.Symbol}); err != nil || sr.Feed == "" {
		return nil, err
	}
	_, rs, err := s.readSidecar(sr)
	return rs, err
}

// AsOf returns the data server's time of the latest fetch of sr that recorded one.
func (s *Store) AsOf(ctx context.Context, sr data.Series) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	if s.isClosed() {
		return time.Time{}, errClosed
	}
	adj, err := checkSeries(sr.Timeframe, sr.Adjustment)
	if err != nil {
		return time.Time{}, fmt.Errorf("as-of of %s: %w", sr, err)
	}
	sr.Adjustment = adj
	if sr.Feed, err = s.resolveFeed(sr.Timeframe, adj, sr.Feed, []string{sr.Symbol}); err != nil || sr.Feed == "" {
		return time.Time{}, err
	}
	sc, _, err := s.readSidecar(sr)
	if err != nil || sc == nil || sc.AsOf == nil {
		return time.Time{}, err
	}
	return sc.AsOf.UTC(), nil
}

// resolveFeed returns feed, or when it is "" the one feed that the series of adj and tf of
// symbols are stored from: "" when none, ErrSeveralFeeds when several.
func (s *Store) resolveFeed(tf data.Timeframe, adj data.Adjustment, feed string, symbols []string) (string, error) {
	if feed != "" {
		return feed, nil
	}
	var feeds []string
	for _, sym := range symbols {
		fs, err := s.listFeeds(tf, sym)
		if err != nil {
			return "", fmt.Errorf("feeds of %s %s: %w", sym, tf, err)
		}
		for _, f := range fs {
			if slices.Contains(feeds, f) {
				continue
			}
			has, err := s.hasSeries(data.Series{Symbol: sym, Timeframe: tf, Adjustment: adj, Feed: f})
			if err != nil {
				return "", err
			}
			if has {
				feeds = append(feeds, f)
			}
		}
	}
	slices.Sort(feeds)
	switch len(feeds) {
	case 0:
		return "", nil
	case 1:
		return feeds[0], nil
	}
	return "", &data.SeveralFeedsError{What: strings.Join(symbols, ",") + " " + tf.String() + " " + string(adj), Feeds: feeds}
}

// hasSeries reports whether sr has a sidecar or a partition file.
func (s *Store) hasSeries(sr data.Series) (bool, error) {
	if _, err := os.Stat(s.coverageFile(sr)); err == nil {
		return true, nil
	}
	return s.hasPartitions(sr)
}
