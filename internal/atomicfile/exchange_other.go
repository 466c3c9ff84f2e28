//go:build !linux

package atomicfile

import (
	"errors"
	"fmt"
)

// Exchange is not available here: it returns an error wrapping errors.ErrUnsupported, and
// ReplaceDir falls back to two renames.
func Exchange(a, b string) error {
	return fmt.Errorf("exchange %s and %s: %w", a, b, errors.ErrUnsupported)
}
