package parquet

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeAtomic replaces path with what fill writes, so that a reader opening path at any moment,
// or after a crash, finds either the old complete file or the new complete one.
func writeAtomic(path string, fill func(w io.Writer) error) error {
	tmp, err := writeTemp(path, fill)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename %s: %w", filepath.Base(path), err)
	}
	return syncDir(filepath.Dir(path))
}

// writeTemp writes what fill writes to a synced temporary file beside path and returns its
// name; renaming it to path publishes it. The name is hidden and ends in ".tmp", which no
// reader globs, and a later Write removes it if a crash leaves it behind.
func writeTemp(path string, fill func(w io.Writer) error) (tmp string, err error) {
	dir, base := filepath.Split(path)
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("temp name for %s: %w", base, err)
	}
	tmp = filepath.Join(dir, "."+base+"."+hex.EncodeToString(rnd[:])+tmpSuffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("create temp for %s: %w", base, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	// The writer handed out cannot close f: the parquet writer closes its sink, and f must be
	// synced before it is closed.
	if err := fill(struct{ io.Writer }{bw}); err != nil {
		return "", fmt.Errorf("write %s: %w", base, err)
	}
	if err := bw.Flush(); err != nil {
		return "", fmt.Errorf("write %s: %w", base, err)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("sync %s: %w", base, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close %s: %w", base, err)
	}
	return tmp, nil
}

// staged is a temporary file waiting to be renamed over its target.
type staged struct{ tmp, path string }

// publish renames every staged file into place, then syncs each directory once, so that the
// renames are durable before the caller publishes anything that depends on them.
func publish(files []staged) error {
	dirs := map[string]bool{}
	for _, f := range files {
		if err := os.Rename(f.tmp, f.path); err != nil {
			return fmt.Errorf("rename %s: %w", f.path, err)
		}
		dirs[filepath.Dir(f.path)] = true
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// syncDir makes a rename or a creation inside dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// mkdirAll creates dir and its missing parents, syncing each parent so that a crash cannot lose
// a directory that holds a file we already synced.
func mkdirAll(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return syncDir(parent)
}
