package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCreateDuckDBLeftovers: what a run killed while creating a DuckDB store leaves behind
// is cleared by the next run, and an existing store is never touched.
func TestCreateDuckDBLeftovers(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"nothing", func(t *testing.T, path string) {}},
		{"half-made temporary database", func(t *testing.T, path string) {
			writeFile(t, path+".creating", "DUCKDB half written")
			writeFile(t, path+".creating.wal", "wal")
		}},
		{"temporary name linked to the store", func(t *testing.T, path string) {
			if err := createDuckDB(context.Background(), path); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(path, path+".creating"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bars.duckdb")
			tc.setup(t, path)
			if err := createDuckDB(context.Background(), path); err != nil {
				t.Fatal(err)
			}
			st := openExisting(t, path) // a barkeep store, not just a file
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(filepath.Dir(path))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() != "bars.duckdb" {
					t.Errorf("left behind %s", e.Name())
				}
			}
			// A second call finds the store and leaves it byte for byte.
			before := snapshot(t, filepath.Dir(path))
			if err := createDuckDB(context.Background(), path); err != nil {
				t.Fatal(err)
			}
			sameSnapshot(t, before, snapshot(t, filepath.Dir(path)))
		})
	}
}
