package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ReplaceDir moves the directory tmp to dir. With an existing dir it swaps the two in one step
// where the system can (Exchange), so that dir always holds a complete tree, and otherwise
// falls back to ReplaceDirByRenames. The old tree is removed. The caller syncs dir's parent to
// make the move durable.
func ReplaceDir(tmp, dir string) error { return replaceDir(tmp, dir, Exchange) }

// ReplaceDirByRenames is ReplaceDir without the exchange: it moves the old dir aside first,
// which leaves a moment with nothing at dir but never a half-written tree, and puts the old one
// back if the second rename fails.
func ReplaceDirByRenames(tmp, dir string) error { return replaceDir(tmp, dir, nil) }

func replaceDir(tmp, dir string, exchange func(a, b string) error) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	if exchange != nil {
		if err := exchange(tmp, dir); err == nil {
			return os.RemoveAll(tmp) // tmp now holds the old tree
		}
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("%w (and restoring the old directory from %s failed: %v)", err, old, rerr)
		}
		return err
	}
	return os.RemoveAll(old)
}
