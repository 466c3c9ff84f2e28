package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder collects what Compare reports instead of failing the test running it.
type recorder struct {
	testing.TB
	errs, fatals []string
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return "TestX" }
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.golden")
	if err := os.WriteFile(path, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		path      string
		got       string
		wantErr   string // substring of the one Errorf, "" for none
		wantFatal bool
	}{
		{name: "equal", path: path, got: "one\ntwo\nthree\n"},
		{name: "a line differs", path: path, got: "one\nTWO\nthree\n", wantErr: "line 2:\n  want two\n  got  TWO"},
		{name: "a line is missing", path: path, got: "one\ntwo\n", wantErr: "line 3:"},
		{name: "a trailing newline is missing", path: path, got: "one\ntwo\nthree", wantErr: "line 4:\n  want \n  got  (end of file)"},
		{name: "no golden file", path: filepath.Join(dir, "none.golden"), got: "x", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Compare(r, tt.path, []byte(tt.got))
			if tt.wantFatal != (len(r.fatals) == 1) || len(r.fatals) > 1 {
				t.Errorf("fatals = %q, want fatal: %v", r.fatals, tt.wantFatal)
			}
			if tt.wantFatal && !strings.Contains(r.fatals[0], "-update") {
				t.Errorf("fatal %q does not say how to create the file", r.fatals[0])
			}
			switch {
			case tt.wantErr == "" && len(r.errs) != 0:
				t.Errorf("errors %q, want none", r.errs)
			case tt.wantErr != "" && (len(r.errs) != 1 || !strings.Contains(r.errs[0], tt.wantErr)):
				t.Errorf("errors %q, want one containing %q", r.errs, tt.wantErr)
			}
		})
	}
}

func TestCompareUpdate(t *testing.T) {
	defer func(u bool) { *update = u }(*update)
	*update = true
	path := filepath.Join(t.TempDir(), "new", "b.golden")
	r := &recorder{TB: t}
	Compare(r, path, []byte("fresh\n"))
	if len(r.errs)+len(r.fatals) != 0 {
		t.Fatalf("update reported %q %q", r.errs, r.fatals)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "fresh\n" {
		t.Fatalf("golden file = %q, %v; want it written", b, err)
	}
	*update = false
	Compare(r, path, []byte("changed\n"))
	if len(r.errs) != 1 {
		t.Errorf("after update, a different output reported %q, want one error", r.errs)
	}
}
