package atomicfile

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Exchange swaps the paths a and b (files or directories) in one step, with renameat2's
// RENAME_EXCHANGE; a file system that does not support it returns an error.
func Exchange(a, b string) error {
	if err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE); err != nil {
		return fmt.Errorf("exchange %s and %s: %w", a, b, err)
	}
	return nil
}
