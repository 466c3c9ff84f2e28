package parquet

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/storetest"
)

// smallParquet encodes n bars of AAPL as a partition file.
func smallParquet(t testing.TB, n int) []byte {
	c := &columns{}
	c.grow(n)
	bars := storetest.Bars("AAPL", storetest.Day0, n, time.Minute)
	for i := range bars {
		c.appendBar(&bars[i], "iex")
	}
	var buf bytes.Buffer
	if err := writeParquet(&buf, "AAPL", data.Raw, "iex", c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readDamaged reads b as a partition file both ways a file is read (the merge before a write
// and the streaming read). Either may fail; neither may panic, hang or accept unsorted rows.
func readDamaged(t *testing.T, b []byte) {
	path := filepath.Join(t.TempDir(), "raw.parquet")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := readPartition(path); err == nil {
		for i := 1; i < c.len(); i++ {
			if c.times[i] <= c.times[i-1] {
				t.Fatalf("readPartition accepted unsorted rows")
			}
		}
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	it := &seriesIter{ctx: context.Background(), sym: "AAPL", files: []*os.File{fh}, lo: minMicros, hi: maxMicros}
	for it.Next() {
		_ = it.Bar()
	}
	it.Close()
}

// TestDamagedParquetNeverPanics is a deterministic corruption sweep: every truncation of a small
// file, and random overwrites weighted towards the footer, where the structure lives.
func TestDamagedParquetNeverPanics(t *testing.T) {
	good := smallParquet(t, 40)
	for n := 0; n < len(good); n += 3 {
		readDamaged(t, good[:n])
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 1500 {
		b := bytes.Clone(good)
		for range rng.IntN(4) + 1 {
			p := rng.IntN(len(b))
			if rng.IntN(2) == 0 {
				p = len(b) - 1 - rng.IntN(min(len(b), 400))
			}
			b[p] = byte(rng.IntN(256))
		}
		readDamaged(t, b)
	}
}

// FuzzReadParquet explores the same property from small valid files.
func FuzzReadParquet(f *testing.F) {
	for _, n := range []int{0, 1, 40} {
		f.Add(smallParquet(f, n))
	}
	f.Fuzz(readDamaged)
}
