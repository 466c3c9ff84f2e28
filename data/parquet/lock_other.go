//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package parquet

// lockMarker has no advisory file lock to take on this system: a reader in another process
// may then see a batch half renamed into place (each file still whole).
func lockMarker(path string, exclusive bool) (unlock func(), err error) {
	return func() {}, nil
}
