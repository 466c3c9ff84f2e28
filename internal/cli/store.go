package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/duckdb"
	"github.com/barkeep-trading/barkeep/data/parquet"
)

// DefaultStore is the store both commands use when --store is not given.
const DefaultStore = "bars.duckdb"

// StoreKind names the kind of store a path selects: a path ending in .duckdb is a DuckDB file,
// any other path a Parquet lake directory.
func StoreKind(path string) string {
	if strings.HasSuffix(strings.ToLower(path), ".duckdb") {
		return "duckdb"
	}
	return "parquet"
}

// OpenStore opens the store at path, creating it when create is set. Opening a path that
// does not exist without create, or that is not a barkeep store, is a usage error.
func OpenStore(ctx context.Context, path string, create bool) (data.Store, error) {
	if strings.TrimSpace(path) == "" {
		return nil, Usagef("--store is empty: give a .duckdb file or a Parquet lake directory")
	}
	fi, statErr := os.Stat(path)
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return nil, fmt.Errorf("store %s: %w", path, statErr)
	}
	exists := statErr == nil
	if !exists && !create {
		return nil, Usagef("no store at %s: run fetch first, or give --store", path)
	}
	kind := StoreKind(path)
	if exists {
		if kind == "duckdb" && fi.IsDir() {
			return nil, Usagef("store %s is a directory, but a path ending in .duckdb must be a DuckDB file", path)
		}
		if kind == "parquet" && !fi.IsDir() {
			return nil, Usagef("store %s is a file, but a path not ending in .duckdb must be a Parquet lake directory", path)
		}
	}
	var (
		st  data.Store
		err error
	)
	if kind == "duckdb" {
		st, err = duckdb.Open(ctx, path)
	} else {
		st, err = parquet.Open(ctx, path)
	}
	if err != nil {
		if errors.Is(err, data.ErrNotStore) {
			return nil, Usage(err)
		}
		return nil, err
	}
	return st, nil
}
