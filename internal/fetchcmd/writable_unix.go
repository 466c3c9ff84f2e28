//go:build unix

package fetchcmd

import "syscall"

// writable asks the kernel rather than reading mode bits, so that root, ACLs and read-only
// mounts are judged as the later write will be.
func writable(path string) bool {
	const wOK = 0x2
	return syscall.Access(path, wOK) == nil
}
