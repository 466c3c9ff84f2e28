//go:build !linux

package reports

import "errors"

// renameExchange is not available here; replaceDir falls back to two renames.
func renameExchange(a, b string) error { return errors.New("atomic exchange not supported") }
