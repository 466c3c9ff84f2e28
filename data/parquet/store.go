package parquet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
)

// Store is a Parquet lake. It is safe for concurrent use by several goroutines; writes are
// serialised, reads never wait for them.
type Store struct {
	dir string

	mu     sync.Mutex // held by Write: one partition rewrite at a time
	swept  bool       // whether leftover temporary files of the whole lake were removed
	closed bool
}

var _ data.Store = (*Store)(nil)

type marker struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

// Open opens the lake in dir, creating it when dir is missing or empty. A directory holding
// anything else than a lake is refused with an error wrapping data.ErrNotStore and is not
// modified.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, fmt.Errorf("open parquet lake: empty path")
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := atomicfile.MkdirAll(dir); err != nil {
			return nil, fmt.Errorf("create parquet lake %s: %w", dir, err)
		}
	case err != nil:
		return nil, fmt.Errorf("open parquet lake %s: %w", dir, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("open parquet lake %s: a file, not a directory: %w", dir, data.ErrNotStore)
	}
	s := &Store{dir: dir}
	raw, err := os.ReadFile(filepath.Join(dir, markerName))
	switch {
	case err == nil:
		var m marker
		if err := json.Unmarshal(raw, &m); err != nil || m.Format != markerFormat {
			return nil, fmt.Errorf("open parquet lake %s: %s is not a barkeep lake marker: %w", dir, markerName, data.ErrNotStore)
		}
		if m.Version == 1 {
			if err := s.migrate1(ctx); err != nil {
				return nil, fmt.Errorf("open parquet lake %s: migrate version 1: %w", dir, err)
			}
			return s, nil
		}
		if m.Version != formatVersion {
			return nil, fmt.Errorf("open parquet lake %s: format version %d, this barkeep reads version %d: %w",
				dir, m.Version, formatVersion, data.ErrNotStore)
		}
	case errors.Is(err, os.ErrNotExist):
		// Only a directory holding nothing but our own leftovers becomes a lake.
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("open parquet lake %s: %w", dir, err)
		}
		for _, e := range entries {
			if !atomicfile.IsTemp(e.Name()) {
				return nil, fmt.Errorf("open parquet lake %s: directory is not empty and has no %s (found %q): %w",
					dir, markerName, e.Name(), data.ErrNotStore)
			}
		}
		if err := writeMarker(dir); err != nil {
			return nil, fmt.Errorf("create parquet lake %s: %w", dir, err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf("open parquet lake %s: %w", dir, err)
	}
	bad, err := checkLayout(dir, false)
	if err != nil {
		return nil, fmt.Errorf("open parquet lake %s: %w", dir, err)
	}
	if bad != "" {
		return nil, fmt.Errorf("open parquet lake %s: %q does not belong to a barkeep lake: %w", dir, bad, data.ErrNotStore)
	}
	return s, nil
}

// writeMarker writes dir's marker for the current format version, atomically.
func writeMarker(dir string) error {
	buf, _ := json.Marshal(marker{Format: markerFormat, Version: formatVersion})
	return atomicfile.WriteFile(filepath.Join(dir, markerName), func(w io.Writer) error {
		_, err := w.Write(append(buf, '\n'))
		return err
	})
}

// Dir returns the lake's root directory.
func (s *Store) Dir() string { return s.dir }

// Close marks the store closed. It holds no open files between calls, so there is nothing else
// to release; iterators already returned keep working until closed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

var errClosed = errors.New("parquet lake is closed")

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func checkSeries(tf data.Timeframe, adj data.Adjustment) (data.Adjustment, error) {
	if !tf.Valid() {
		return "", fmt.Errorf("invalid timeframe %v", tf)
	}
	a, err := data.ParseAdjustment(string(adj))
	if err != nil {
		return "", err
	}
	if a != adj.Norm() {
		return "", fmt.Errorf("invalid adjustment %q: want raw, split, dividend or all", adj)
	}
	return a, nil
}
