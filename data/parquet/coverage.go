package parquet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
)

const sidecarVersion = 1

// sidecar is the coverage file of one series. It names its series so that a file copied to
// the wrong directory is caught rather than believed.
type sidecar struct {
	Version    int            `json:"version"`
	Symbol     string         `json:"symbol"`
	Timeframe  data.Timeframe `json:"timeframe"`
	Adjustment string         `json:"adjustment"`
	Feed       string         `json:"feed,omitempty"`
	Covered    []span         `json:"covered"`
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
	if sc.Version != sidecarVersion {
		return nil, nil, fmt.Errorf("version %d, want %d", sc.Version, sidecarVersion)
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

// readSidecar returns the sidecar of a series, or nil when it has none.
func (s *Store) readSidecar(sr data.Series) (*sidecar, data.Ranges, error) {
	path := s.coverageFile(sr.Timeframe, sr.Symbol, sr.Adjustment)
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
	if sc.Symbol != sr.Symbol || sc.Timeframe != sr.Timeframe || sc.Adjustment != string(sr.Adjustment) {
		return nil, nil, fmt.Errorf("coverage of %s: %s describes %s %s %s", sr, path, sc.Symbol, sc.Timeframe, sc.Adjustment)
	}
	return sc, rs, nil
}

func (s *Store) stageSidecar(sr data.Series, feed string, rs data.Ranges) (atomicfile.Staged, error) {
	sc := sidecar{
		Version:    sidecarVersion,
		Symbol:     sr.Symbol,
		Timeframe:  sr.Timeframe,
		Adjustment: string(sr.Adjustment),
		Feed:       feed,
		Covered:    make([]span, len(rs)),
	}
	for i, r := range rs {
		sc.Covered[i] = span{r.Start.UTC(), r.End.UTC()}
	}
	buf, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return atomicfile.Staged{}, fmt.Errorf("encode coverage of %s: %w", sr, err)
	}
	if err := atomicfile.MkdirAll(s.symDir(sr.Timeframe, sr.Symbol)); err != nil {
		return atomicfile.Staged{}, fmt.Errorf("coverage of %s: %w", sr, err)
	}
	path := s.coverageFile(sr.Timeframe, sr.Symbol, sr.Adjustment)
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
	_, rs, err := s.readSidecar(sr)
	return rs, err
}
