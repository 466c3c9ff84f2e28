package files

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Paths lists the files to read at path: path itself when it is a file, or the files in the
// directory path (not below it) whose names end in ext, without regard to case, sorted by name.
// Hidden files (".name") are left out, as editors and the stores' own temporary files are.
func Paths(path, ext string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(strings.ToLower(name), strings.ToLower(ext)) {
			continue
		}
		if e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0 {
			out = append(out, filepath.Join(path, name))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no *%s files in %s", ext, path)
	}
	slices.Sort(out)
	return out, nil
}
