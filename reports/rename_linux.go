package reports

import "golang.org/x/sys/unix"

// renameExchange swaps two paths in one step, so that dir always holds a complete report.
func renameExchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
