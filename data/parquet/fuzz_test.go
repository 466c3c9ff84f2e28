package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
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

// readDamaged writes b to path and reads it as a partition file both ways a file is read (the
// merge before a write and the streaming read). Either may fail; neither may panic, hang or
// accept unsorted rows. Callers reuse one path: a temporary directory per call costs more than
// the read, and the fuzzer's minimizer makes tens of thousands of calls per input.
func readDamaged(t *testing.T, path string, b []byte) {
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
// file, and random overwrites weighted towards the footer, where the structure lives. 500
// overwrites keep it to seconds under -race; make fuzz (FuzzReadParquet) searches further.
func TestDamagedParquetNeverPanics(t *testing.T) {
	good := smallParquet(t, 40)
	path := filepath.Join(t.TempDir(), "raw.parquet")
	for n := 0; n < len(good); n += 3 {
		readDamaged(t, path, good[:n])
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 500 {
		b := bytes.Clone(good)
		for range rng.IntN(4) + 1 {
			p := rng.IntN(len(b))
			if rng.IntN(2) == 0 {
				p = len(b) - 1 - rng.IntN(min(len(b), 400))
			}
			b[p] = byte(rng.IntN(256))
		}
		readDamaged(t, path, b)
	}
}

// TestDamagedParquetFailsFast replays damage that the fuzzer turned up: each read must end in a
// clear error without allocating anything like what the damaged metadata claims.
func TestDamagedParquetFailsFast(t *testing.T) {
	// A zstd frame header whose descriptor now announces a 4-byte content size, which the
	// following bytes make 2 GiB: the decoder allocated it all, for every read.
	zstdFrame := smallParquet(t, 1)
	magic := []byte{0x28, 0xb5, 0x2f, 0xfd}
	i := bytes.Index(zstdFrame, magic) // the page of symbol, which no reader decodes
	k := bytes.Index(zstdFrame[i+1:], magic)
	if i < 0 || k < 0 {
		t.Fatal("no second zstd frame in the file")
	}
	zstdFrame[i+1+k+4] = 0x80 // the frame header descriptor of the page of time
	// num_rows of an empty file set to -1: the merge read preallocated that many rows.
	negRows := smallParquet(t, 0)
	j := bytes.Index(negRows, []byte{0x16, 0x00, 0x19, 0x0c}) // num_rows 0, no row groups
	if j < 0 {
		t.Fatal("no num_rows in the footer")
	}
	negRows[j+1] = 0x01 // zigzag -1
	// num_rows far beyond the row groups: preallocating it would take terabytes.
	hugeRows := slices.Concat(negRows[:j+1], []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f}, negRows[j+2:])
	footer := hugeRows[len(hugeRows)-8:] // metadata length, then "PAR1"
	binary.LittleEndian.PutUint32(footer, binary.LittleEndian.Uint32(footer)+7)

	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"zstd frame of 2 GiB", zstdFrame, "zstd frame larger than its page"},
		{"negative num_rows", negRows, "negative row count"},
		{"huge num_rows", hugeRows, "row groups hold 0 rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "raw.parquet")
			if err := os.WriteFile(path, tc.b, 0o644); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := readPartition(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("readPartition: got %v, want an error with %q", err, tc.want)
			}
			fh, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			it := &seriesIter{ctx: context.Background(), sym: "AAPL", files: []*os.File{fh}, lo: minMicros, hi: maxMicros}
			for it.Next() {
			}
			it.Close()
			if err := it.Err(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("seriesIter: got %v, want an error with %q", err, tc.want)
			}
			runtime.ReadMemStats(&after)
			// arrow-go grows its page header buffer up to 4 MiB before giving up on a
			// damaged header; anything near the claimed sizes is a regression.
			if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
				t.Errorf("reading a %d-byte damaged file allocated %d MiB", len(tc.b), got>>20)
			}
		})
	}
}

// FuzzReadParquet explores the same property from small valid files.
func FuzzReadParquet(f *testing.F) {
	for _, n := range []int{0, 1, 40} {
		f.Add(smallParquet(f, n))
	}
	path := filepath.Join(f.TempDir(), "raw.parquet")
	f.Fuzz(func(t *testing.T, b []byte) { readDamaged(t, path, b) })
}
