package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Registered here once: two test files of one binary declaring their own -update would panic.
var update = flag.Bool("update", false, "rewrite the golden files instead of comparing with them")

// Update reports whether the test binary runs with -update.
func Update() bool { return *update }

// Compare fails t unless got equals the contents of path byte for byte. With -update it writes
// got to path (creating its directory) instead; the test then passes, and the diff of the file
// is what a reviewer checks.
func Compare(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v (run go test -run '^%s$' -update to create it)", err, t.Name())
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("golden: output differs from %s (if the change is intended, rerun with -update and review the diff):\n%s",
			path, FirstDiff(want, got))
	}
}

// FirstDiff shows the first differing line of two texts, which is enough to see what moved
// without printing a whole file.
func FirstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	line := func(ls [][]byte, i int) string {
		if i >= len(ls) {
			return "(end of file)"
		}
		return string(ls[i])
	}
	for i := 0; i < len(wl) || i < len(gl); i++ {
		if i >= len(wl) || i >= len(gl) || !bytes.Equal(wl[i], gl[i]) {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + line(wl, i) + "\n  got  " + line(gl, i)
		}
	}
	return "(no line differs)"
}
