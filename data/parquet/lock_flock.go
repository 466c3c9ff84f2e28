//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package parquet

import (
	"fmt"
	"os"
	"syscall"
)

// lockMarker takes a flock on the lake's marker file: shared while a reader opens the files of
// its snapshot, exclusive while a writer renames a batch into place. flock rather than a mutex
// because the other party may be another process, or another Store in this one.
func lockMarker(path string, exclusive bool) (unlock func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lock lake: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock lake: %w", err)
	}
	// Closing the descriptor releases the lock.
	return func() { f.Close() }, nil
}
