package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/duckdb"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// openStore opens the store at path, creating it if need be, after checkStoreLocation.
func openStore(ctx context.Context, path string) (data.Store, error) {
	if err := checkStoreLocation(path); err != nil {
		return nil, err
	}
	if cli.StoreKind(path) == "duckdb" {
		if err := createDuckDB(ctx, path); err != nil {
			return nil, err
		}
	}
	return cli.OpenStore(ctx, path, true)
}

// createDuckDB makes a new DuckDB store appear at path whole or not at all. duckdb.Open
// creates the file first and its tables a moment later, so a run killed in between left a
// database without barkeep's tables, which every later run refused as "not a barkeep store"
// until the user deleted it. Here the store is made under a temporary name, closed (which
// checkpoints it into the one file), and then linked into place, which never replaces a
// store another process made meanwhile. An existing path is left to cli.OpenStore.
func createDuckDB(ctx context.Context, path string) error {
	tmp := path + ".creating"
	if fi, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		// A run killed right after linking the new store leaves its temporary name behind:
		// a second name of the store itself, safe to drop.
		if tfi, terr := os.Lstat(tmp); err == nil && terr == nil && os.SameFile(fi, tfi) {
			_ = os.Remove(tmp)
		}
		return nil
	}
	// Leftovers of a run killed while creating: nothing in them was ever a store.
	for _, p := range []string{tmp, tmp + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("create store %s: %w", path, err)
		}
	}
	st, err := duckdb.Open(ctx, tmp)
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	if _, err := os.Stat(tmp + ".wal"); err == nil {
		return fmt.Errorf("create store %s: the new database kept a write-ahead log after closing", path)
	}
	err = os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: rename, which could only replace a store made
		// in the last milliseconds by a second fetch of the same path.
		err = os.Rename(tmp, path)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	return nil
}

// checkStoreLocation refuses, as a usage error, a store path the command could not write:
// below a regular file, or where it may not write. Without it the store's own open fails
// later with exit 1 and a message from DuckDB or mkdir, although the mistake is in the
// command line and nothing was done.
func checkStoreLocation(path string) error {
	if path == "" {
		return nil // cli.OpenStore explains an empty --store
	}
	_, err := os.Stat(path)
	switch {
	case err == nil:
		if !writable(path) {
			return cli.Usagef("store %s is not writable", path)
		}
		return nil
	case errors.Is(err, syscall.ENOTDIR):
		return cli.Usagef("store %s: a parent of it is a file, not a directory", path)
	case errors.Is(err, fs.ErrPermission):
		return cli.Usagef("store %s: a parent directory may not be searched (permission denied)", path)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("store %s: %w", path, err)
	}
	// The store will be created, with any missing parents: the nearest existing ancestor
	// must take new entries.
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		switch {
		case err == nil && !fi.IsDir():
			return cli.Usagef("store %s: %s is a file, not a directory", path, dir)
		case errors.Is(err, fs.ErrPermission):
			return cli.Usagef("cannot create store %s: directory %s may not be searched (permission denied)", path, dir)
		case err == nil:
			if !writable(dir) {
				return cli.Usagef("cannot create store %s: directory %s is not writable", path, dir)
			}
			return nil
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("store %s: %w", path, err)
		}
		if filepath.Dir(dir) == dir {
			return nil
		}
	}
}
