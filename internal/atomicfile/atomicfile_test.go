package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// names lists dir's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := WriteFile(path, writeString("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, writeString("two")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "two" {
		t.Errorf("contents %q, want two", got)
	}
	errFill := errors.New("fill failed")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errFill
	})
	if !errors.Is(err, errFill) {
		t.Errorf("error %v, want the fill's", err)
	}
	if got := read(t, path); got != "two" {
		t.Errorf("a failed write changed the file to %q", got)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"f.json"}) {
		t.Errorf("dir holds %v, want only f.json", got)
	}
}

func TestStagePublish(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "a", "b")
	if err := MkdirAll(sub); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var staged []Staged
	for _, p := range []string{filepath.Join(dir, "x"), filepath.Join(sub, "y")} {
		s, err := Stage(p, writeString("new "+filepath.Base(p)))
		if err != nil {
			t.Fatal(err)
		}
		if !IsTemp(filepath.Base(s.Temp)) || filepath.Dir(s.Temp) != filepath.Dir(p) {
			t.Errorf("staged %s for %s: want a temporary name beside it", s.Temp, p)
		}
		staged = append(staged, s)
	}
	// Until published, the old file stands and the new one is absent.
	if got := read(t, filepath.Join(dir, "x")); got != "old" {
		t.Errorf("x is %q before publishing", got)
	}
	if _, err := os.Stat(filepath.Join(sub, "y")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("y visible before publishing: %v", err)
	}
	if err := Publish(staged...); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "x")); got != "new x" {
		t.Errorf("x is %q", got)
	}
	if got := read(t, filepath.Join(sub, "y")); got != "new y" {
		t.Errorf("y is %q", got)
	}
	if got := names(t, sub); !slices.Equal(got, []string{"y"}) {
		t.Errorf("%s holds %v", sub, got)
	}

	if _, err := Stage(filepath.Join(sub, "z"), func(io.Writer) error { return errors.New("no") }); err == nil {
		t.Error("a failed fill staged a file")
	}
	if got := names(t, sub); !slices.Equal(got, []string{"y"}) {
		t.Errorf("a failed stage left %v", got)
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".2024.parquet.0a1b2c3d4e5f.tmp": true,
		"2024.parquet":                   false,
		"notes.tmp":                      false, // a user's file: not hidden
		".hidden":                        false,
	} {
		if got := IsTemp(name); got != want {
			t.Errorf("IsTemp(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestLinkNew(t *testing.T) {
	dir := t.TempDir()
	tmp, path := filepath.Join(dir, "s.creating"), filepath.Join(dir, "s.db")
	if err := os.WriteFile(tmp, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := LinkNew(tmp, path); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "mine" {
		t.Errorf("linked file holds %q", got)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"s.db"}) {
		t.Errorf("dir holds %v, want the temporary name gone", got)
	}
	// Another process got there first: its file stays.
	if err := os.WriteFile(tmp, []byte("late"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := LinkNew(tmp, path); !errors.Is(err, fs.ErrExist) {
		t.Errorf("error %v, want fs.ErrExist", err)
	}
	if got := read(t, path); got != "mine" {
		t.Errorf("an existing file was replaced by %q", got)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"s.db"}) {
		t.Errorf("dir holds %v, want the temporary name gone", got)
	}
}

func TestMkdirAllRefusesAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := MkdirAll(f); err == nil {
		t.Error("MkdirAll over a file succeeded")
	}
	if err := MkdirAll(filepath.Join(f, "sub")); err == nil {
		t.Error("MkdirAll under a file succeeded")
	}
}

func TestReplaceDir(t *testing.T) {
	for _, tt := range []struct {
		name    string
		replace func(tmp, dir string) error
		exists  bool
	}{
		{"new", ReplaceDir, false},
		{"exchange", ReplaceDir, true},
		{"renames, new", ReplaceDirByRenames, false},
		{"renames", ReplaceDirByRenames, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir, tmp := filepath.Join(parent, "out"), filepath.Join(parent, ".out.tmp")
			if tt.exists {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "old.txt"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tmp, "new.txt"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := tt.replace(tmp, dir); err != nil {
				t.Fatal(err)
			}
			if got := names(t, dir); !slices.Equal(got, []string{"new.txt"}) {
				t.Errorf("dir holds %v, want the new tree only", got)
			}
			if got := names(t, parent); !slices.Equal(got, []string{"out"}) {
				t.Errorf("left beside dir: %v", got)
			}
		})
	}
}
