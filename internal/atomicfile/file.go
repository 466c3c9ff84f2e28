package atomicfile

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TempSuffix ends the name of every temporary file Stage makes. Such names are also hidden (a
// leading dot), so that no reader globbing for its own suffix picks one up, and IsTemp tells a
// leftover of a crash from a user's file.
const TempSuffix = ".tmp"

// IsTemp reports whether name (a base name) is a temporary file as Stage names them.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, TempSuffix)
}

// bufSize buffers writes to files that are often large (a year of minute bars, an equity curve).
const bufSize = 1 << 20

// WriteFile replaces path with what fill writes, so that a reader opening path at any moment,
// or after a crash, finds either the old complete file or the new complete one.
func WriteFile(path string, fill func(w io.Writer) error) error {
	s, err := Stage(path, fill)
	if err != nil {
		return err
	}
	if err := os.Rename(s.Temp, path); err != nil {
		os.Remove(s.Temp)
		return fmt.Errorf("rename %s: %w", filepath.Base(path), err)
	}
	return SyncDir(filepath.Dir(path))
}

// Staged is a complete, synced temporary file waiting to be renamed over Path.
type Staged struct{ Temp, Path string }

// Stage writes what fill writes to a synced temporary file beside path; Publish renames it into
// place. Nothing is left behind on failure. A crash can leave the temporary file, which IsTemp
// recognises, for the owner of the directory to remove.
func Stage(path string, fill func(w io.Writer) error) (Staged, error) {
	dir, base := filepath.Split(path)
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return Staged{}, fmt.Errorf("temp name for %s: %w", base, err)
	}
	tmp := filepath.Join(dir, "."+base+"."+hex.EncodeToString(rnd[:])+TempSuffix)
	if err := WriteNew(tmp, fill); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			os.Remove(tmp)
		}
		return Staged{}, fmt.Errorf("%s: %w", base, err)
	}
	return Staged{Temp: tmp, Path: path}, nil
}

// WriteNew creates path, which must not exist, with what fill writes, and syncs it before
// closing it. The file is durable once its directory is synced too (SyncDir); on failure it may
// be left incomplete, for the caller to remove.
func WriteNew(path string, fill func(w io.Writer) error) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	bw := bufio.NewWriterSize(f, bufSize)
	// The writer handed out cannot close f (the parquet writer closes its sink): f must be
	// synced before it is closed.
	if err := fill(struct{ io.Writer }{bw}); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// Publish renames every staged file into place, then syncs each directory once, so that the
// renames are durable before the caller publishes anything that depends on them.
func Publish(files ...Staged) error {
	dirs := map[string]bool{}
	for _, f := range files {
		if err := os.Rename(f.Temp, f.Path); err != nil {
			return fmt.Errorf("rename %s: %w", f.Path, err)
		}
		dirs[filepath.Dir(f.Path)] = true
	}
	for d := range dirs {
		if err := SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// LinkNew makes the complete file tmp appear at path, unless something is there already, and
// drops the name tmp. A hard link never replaces a file another process made at path
// meanwhile; that case returns an error wrapping fs.ErrExist. On a file system without hard
// links it falls back to a rename, which could only replace a file made at path in the same
// moment.
func LinkNew(tmp, path string) error {
	err := os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		err = os.Rename(tmp, path)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if rerr := os.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return rerr
	}
	if err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes a rename, a link or a creation inside dir durable.
func SyncDir(dir string) error {
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

// MkdirAll creates dir and its missing parents, syncing each parent so that a crash cannot lose
// a directory that holds a file already synced.
func MkdirAll(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := MkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return SyncDir(parent)
}
