package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestCreateLeftovers: what a process killed while creating a store leaves behind is cleared
// by the next Open, which makes a whole store. (cmd/fetch's TestKillDuringCreate kills the
// real binary in that window.)
func TestCreateLeftovers(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"nothing", func(t *testing.T, path string) {}},
		{"half-made temporary database", func(t *testing.T, path string) {
			os.WriteFile(path+".creating", []byte("DUCKDB half written"), 0o644)
			os.WriteFile(path+".creating.wal", []byte("wal"), 0o644)
		}},
		{"temporary name linked to the store", func(t *testing.T, path string) {
			st, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			if err := os.Link(path, path+".creating"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bars.duckdb")
			tc.setup(t, path)
			st, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
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
			if err := inspect(ctx, path); err != nil {
				t.Fatalf("not a barkeep store: %v", err)
			}
		})
	}
}

// BenchmarkCreate is the one-off cost of making a new store atomically (open, schema, close
// with checkpoint, link, open again), paid by the first fetch into a new file.
func BenchmarkCreate(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		st, err := Open(context.Background(), filepath.Join(dir, strconv.Itoa(i)+".duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}
