package fetchcmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// openStore opens the store at path, creating it if need be, after checkStoreLocation.
func openStore(ctx context.Context, path string) (data.Store, error) {
	if err := checkStoreLocation(path); err != nil {
		return nil, err
	}
	return cli.OpenStore(ctx, path, true)
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
