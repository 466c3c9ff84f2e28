package parquet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/storetest"
)

func openT(t *testing.T, path string) data.Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open %s: %v", path, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openT)
}

func TestConcurrentReadWhileWrite(t *testing.T) {
	storetest.ConcurrentReadWhileWrite(t, openT, storetest.SharedHandle|storetest.SeparateHandle)
}

func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lake")
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func mustWrite(t *testing.T, s *Store, b data.Batch) {
	t.Helper()
	if err := s.Write(t.Context(), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func readAll(t *testing.T, s *Store, q data.Query) ([]data.Bar, error) {
	t.Helper()
	it, err := s.Read(t.Context(), q)
	if err != nil {
		return nil, err
	}
	return data.Collect(it)
}

// tree lists every path under dir with its size and modification time, to prove a refused
// directory was not touched.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprint(path, fi.Mode(), fi.ModTime(), fi.Size()))
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return out
}

func TestOpenRejectsForeignDirectories(t *testing.T) {
	// One lake of three bars, written once; a case that starts from a lake gets a copy of it,
	// byte for byte, rather than writing its own (each write is a tenth of a second under -race).
	template := t.TempDir()
	s, err := Open(t.Context(), template)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Write(t.Context(), data.Batch{Timeframe: data.OneMin, Bars: storetest.Bars("AAPL", storetest.Day0, 3, time.Minute)}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	s.Close()
	lake := func(t *testing.T, dir string) {
		if err := os.CopyFS(dir, os.DirFS(template)); err != nil {
			t.Fatalf("copy the lake: %v", err)
		}
	}
	// The copy alone is a lake Open accepts: the cases' refusals are the stray files'.
	plain := filepath.Join(t.TempDir(), "lake")
	lake(t, plain)
	if s, err := Open(t.Context(), plain); err != nil {
		t.Fatalf("Open of a copied lake: %v", err)
	} else {
		s.Close()
	}
	file := func(rel, content string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name  string
		setup []func(t *testing.T, dir string)
	}{
		{"random file at the top", []func(*testing.T, string){file("notes.txt", "hello")}},
		{"non-hive subdirectory", []func(*testing.T, string){file("photos/cat.jpg", "meow")}},
		{"lake with a stray top file", []func(*testing.T, string){lake, file("notes.txt", "x")}},
		{"lake with a non-hive dir", []func(*testing.T, string){lake, file("backup/raw.parquet", "x")}},
		{"lake with a bad timeframe", []func(*testing.T, string){lake, file("timeframe=7Sec/symbol=A/feed=iex/year=2024/raw.parquet", "x")}},
		{"lake with an unescaped symbol", []func(*testing.T, string){lake, file("timeframe=1Min/symbol=a b/feed=iex/year=2024/raw.parquet", "x")}},
		{"lake with a bad year", []func(*testing.T, string){lake, file("timeframe=1Min/symbol=A/feed=iex/year=24/raw.parquet", "x")}},
		{"lake with a foreign parquet name", []func(*testing.T, string){lake, file("timeframe=1Min/symbol=AAPL/feed=iex/year=2024/part-0.parquet", "x")}},
		{"lake with a stray file in a symbol", []func(*testing.T, string){lake, file("timeframe=1Min/symbol=AAPL/README", "x")}},
		{"lake with a version 1 file in a version 2 lake", []func(*testing.T, string){lake, file("timeframe=1Min/symbol=AAPL/year=2024/raw.parquet", "x")}},
		{"lake with a bad feed escape", []func(*testing.T, string){lake, file("timeframe=1Min/symbol=AAPL/feed=a b/year=2024/raw.parquet", "x")}},
		{"marker of another format", []func(*testing.T, string){file(markerName, `{"format":"other","version":1}`)}},
		{"marker of a newer version", []func(*testing.T, string){file(markerName, `{"format":"barkeep-parquet-lake","version":99}`)}},
		{"marker not JSON", []func(*testing.T, string){file(markerName, `garbage`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range tc.setup {
				f(t, dir)
			}
			before := tree(t, dir)
			s, err := Open(t.Context(), dir)
			if err == nil {
				s.Close()
				t.Fatalf("Open accepted a foreign directory")
			}
			if !errors.Is(err, data.ErrNotStore) {
				t.Fatalf("Open error %v does not wrap data.ErrNotStore", err)
			}
			if after := tree(t, dir); !slices.Equal(before, after) {
				t.Fatalf("Open modified a refused directory:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func TestOpenPath(t *testing.T) {
	root := t.TempDir()
	regular := filepath.Join(root, "file.duckdb")
	if err := os.WriteFile(regular, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		wantErr bool
	}{
		{"missing directory is created", filepath.Join(root, "a", "b", "lake"), false},
		{"empty directory is adopted", empty, false},
		{"regular file is refused", regular, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), tc.path)
			if tc.wantErr {
				if err == nil || !errors.Is(err, data.ErrNotStore) {
					t.Fatalf("Open = %v, want an error wrapping ErrNotStore", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if _, err := os.Stat(filepath.Join(tc.path, markerName)); err != nil {
				t.Fatalf("no marker: %v", err)
			}
			// And it opens again as a lake.
			s2, err := Open(t.Context(), tc.path)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			s2.Close()
		})
	}
}

func TestSymbolEscaping(t *testing.T) {
	tests := []struct {
		sym, dir string
	}{
		{"AAPL", "AAPL"},
		{"BRK.B", "BRK.B"},
		{"BTC/USD", "BTC%2FUSD"},
		{"a=b%c", "a%3Db%25c"},
		{"..", ".."},
		{"ü", "%C3%BC"},
	}
	for _, tc := range tests {
		t.Run(tc.sym, func(t *testing.T) {
			if got := escapeSymbol(tc.sym); got != tc.dir {
				t.Fatalf("escapeSymbol(%q) = %q, want %q", tc.sym, got, tc.dir)
			}
			back, err := unescapeSymbol(tc.dir)
			if err != nil || back != tc.sym {
				t.Fatalf("unescapeSymbol(%q) = %q, %v", tc.dir, back, err)
			}
		})
	}
	for _, bad := range []string{"", "a%2", "a%2f", "a%41", "a b", "a/b", "%zz"} {
		if got, err := unescapeSymbol(bad); err == nil {
			t.Errorf("unescapeSymbol(%q) = %q, want an error", bad, got)
		}
	}
}

func TestLayoutOnDisk(t *testing.T) {
	s, dir := newStore(t)
	btc := storetest.Bars("BTC/USD", time.Date(2023, 12, 31, 23, 58, 0, 0, time.UTC), 4, time.Minute)
	mustWrite(t, s, data.Batch{Timeframe: data.OneMin, Feed: "crypto", Bars: btc,
		Covered: []data.Span{{Symbol: "BTC/USD", Range: data.Range{Start: btc[0].Time, End: btc[3].Time.Add(time.Minute)}}}})
	mustWrite(t, s, data.Batch{Timeframe: data.OneMin, Adjustment: data.Split, Feed: "crypto", Bars: btc[:1]})
	for _, rel := range []string{
		"timeframe=1Min/symbol=BTC%2FUSD/feed=crypto/year=2023/raw.parquet",
		"timeframe=1Min/symbol=BTC%2FUSD/feed=crypto/year=2024/raw.parquet",
		"timeframe=1Min/symbol=BTC%2FUSD/feed=crypto/year=2023/split.parquet",
		"timeframe=1Min/symbol=BTC%2FUSD/feed=crypto/_coverage.raw.json",
		"timeframe=1Min/symbol=BTC%2FUSD/feed=crypto/_coverage.split.json",
	} {
		if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
			t.Errorf("expected %s: %v", rel, err)
		}
	}
	got, err := readAll(t, s, data.Query{Timeframe: data.OneMin, Symbols: []string{"BTC/USD"}})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Equal(t, "BTC/USD across a year boundary", got, btc)
	got, err = readAll(t, s, data.Query{Timeframe: data.OneMin, Start: btc[2].Time})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Equal(t, "pruned to the second year", got, btc[2:])
}

// TestCrashLeftovers plays the files a crash can leave: temp files, complete or truncated,
// beside the real ones. Readers ignore them and the next write removes them.
func TestCrashLeftovers(t *testing.T) {
	s, dir := newStore(t)
	bars := storetest.Bars("AAPL", storetest.Day0, 100, time.Minute)
	mustWrite(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: bars,
		Covered: []data.Span{{Symbol: "AAPL", Range: data.Range{Start: storetest.Day0, End: storetest.Day0.Add(time.Hour)}}}})
	part := filepath.Join(dir, "timeframe=1Min", "symbol=AAPL", "feed=iex", "year=2024")
	good, err := os.ReadFile(filepath.Join(part, "raw.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	leftovers := map[string][]byte{
		filepath.Join(part, ".raw.parquet.0123456789ab.tmp"):                                         good,
		filepath.Join(part, ".raw.parquet.ba9876543210.tmp"):                                         good[:len(good)/3],
		filepath.Join(part, ".split.parquet.000000000000.tmp"):                                       []byte("garbage"),
		filepath.Join(dir, "timeframe=1Min", "symbol=AAPL", "feed=iex", "._coverage.raw.json.a.tmp"): []byte(`{"vers`),
		filepath.Join(dir, "._barkeep.json.b.tmp"):                                                   nil,
	}
	for p, b := range leftovers {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s2, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("Open with leftovers: %v", err)
	}
	defer s2.Close()
	got, err := readAll(t, s2, data.Query{Timeframe: data.OneMin})
	if err != nil {
		t.Fatalf("Read with leftovers: %v", err)
	}
	storetest.Equal(t, "read with leftovers", got, bars)
	series, err := s2.Series(t.Context())
	if err != nil || len(series) != 1 || series[0].Bars != 100 {
		t.Fatalf("Series with leftovers = %+v, %v", series, err)
	}
	mustWrite(t, s2, data.Batch{Timeframe: data.OneDay, Bars: storetest.Bars("MSFT", storetest.Day0, 1, 24*time.Hour)})
	for p := range leftovers {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("leftover %s survived the next write (%v)", filepath.Base(p), err)
		}
	}
}

func TestCorruptFilesGiveErrors(t *testing.T) {
	bars := storetest.Bars("AAPL", storetest.Day0, 3000, time.Minute)
	cov := []data.Span{{Symbol: "AAPL", Range: data.Range{Start: storetest.Day0, End: storetest.Day0.Add(time.Hour)}}}
	partRel := filepath.Join("timeframe=1Min", "symbol=AAPL", "feed=iex", "year=2024", "raw.parquet")
	sideRel := filepath.Join("timeframe=1Min", "symbol=AAPL", "feed=iex", "_coverage.raw.json")
	tests := []struct {
		name    string
		rel     string
		damage  func(b []byte) []byte
		inRead  bool // the damage shows in Read, else in Coverage
		inWrite bool // a write over the damaged partition refuses too
		footer  bool // Series, which reads only footers and sidecars, sees it
	}{
		{"parquet truncated", partRel, func(b []byte) []byte { return b[:len(b)/2] }, true, true, true},
		{"parquet empty", partRel, func(b []byte) []byte { return nil }, true, true, true},
		{"parquet garbage", partRel, func(b []byte) []byte { return []byte(strings.Repeat("not parquet ", 100)) }, true, true, true},
		{"parquet pages flipped", partRel, func(b []byte) []byte {
			c := slices.Clone(b)
			for i := 4; i < len(c)/2; i += 7 {
				c[i] ^= 0xA5
			}
			return c
		}, true, true, false},
		{"sidecar truncated", sideRel, func(b []byte) []byte { return b[:len(b)/2] }, false, false, true},
		{"sidecar wrong series", sideRel, func(b []byte) []byte {
			return []byte(strings.Replace(string(b), `"AAPL"`, `"MSFT"`, 1))
		}, false, false, true},
		{"sidecar overlapping ranges", sideRel, func(b []byte) []byte {
			return []byte(`{"version":1,"symbol":"AAPL","timeframe":"1Min","adjustment":"raw","covered":[` +
				`{"start":"2024-01-01T00:00:00Z","end":"2024-02-01T00:00:00Z"},{"start":"2024-01-15T00:00:00Z","end":"2024-03-01T00:00:00Z"}]}`)
		}, false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, dir := newStore(t)
			mustWrite(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: bars, Covered: cov})
			p := filepath.Join(dir, tc.rel)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tc.damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			_, rerr := readAll(t, s, data.Query{Timeframe: data.OneMin})
			_, cerr := s.Coverage(t.Context(), data.Series{Symbol: "AAPL", Timeframe: data.OneMin})
			_, serr := s.Series(t.Context())
			err = cerr
			if tc.inRead {
				err = rerr
			}
			if err == nil {
				t.Fatalf("damage went unnoticed (read %v, coverage %v)", rerr, cerr)
			}
			if !strings.Contains(err.Error(), filepath.Base(p)) {
				t.Errorf("error %q does not name the damaged file", err)
			}
			if tc.footer && serr == nil {
				t.Errorf("Series did not notice the damage")
			}
			werr := s.Write(t.Context(), data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: bars[:1]})
			if tc.inWrite && werr == nil {
				t.Errorf("Write merged into a damaged partition without complaint")
			}
			if !tc.inWrite && werr != nil {
				t.Errorf("Write after a damaged sidecar: %v", werr)
			}
		})
	}
}

func TestReadRespectsContext(t *testing.T) {
	s, _ := newStore(t)
	// A reader polls ctx when it opens a file and once every 64 chunks of readChunk rows. One
	// file of 65 chunks puts a poll inside the file after the cancel at bar 10; with fewer rows
	// the read would end cleanly and the test fail, not pass without checking. The bars share
	// their prices, which the claim does not depend on: under -race, writing (compressing)
	// the rows is most of this test's cost.
	bars := make([]data.Bar, 65*readChunk)
	one := storetest.Bars("AAPL", storetest.Day0, 1, time.Minute)[0]
	for i := range bars {
		bars[i] = one
		bars[i].Time = one.Time.Add(time.Duration(i) * time.Minute)
	}
	mustWrite(t, s, data.Batch{Timeframe: data.OneMin, Bars: bars})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	it, err := s.Read(ctx, data.Query{Timeframe: data.OneMin})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.Next() {
		if n++; n == 10 {
			cancel()
		}
	}
	if !errors.Is(it.Err(), context.Canceled) {
		t.Fatalf("after cancel: read %d bars of %d, err %v", n, len(bars), it.Err())
	}
	it.Close()
}

func FuzzParseSidecar(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "sidecar", "*.json"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, rs, err := parseSidecar(b)
		if err != nil {
			return
		}
		if err := rs.Validate(); err != nil {
			t.Fatalf("accepted ranges not in normal form: %v", err)
		}
		if sc.Symbol == "" || !sc.Timeframe.Valid() {
			t.Fatalf("accepted a sidecar without a series: %+v", sc)
		}
	})
}

func mustWriteFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenV1 opens a lake written by the version before feeds were part of a series (see
// storetest.CheckV1), migrates it in place to the feed= layout, and opens it again.
func TestOpenV1(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lake")
	if err := os.CopyFS(dir, os.DirFS("testdata/v1lake")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err := Open(t.Context(), dir)
		if err != nil {
			t.Fatal(err)
		}
		storetest.CheckV1(t, s)
		s.Close()
	}
	raw, err := os.ReadFile(filepath.Join(dir, markerName))
	if err != nil || !strings.Contains(string(raw), `"version":2`) {
		t.Fatalf("marker %s (%v), want version 2", raw, err)
	}
	for _, p := range []string{
		"timeframe=1Day/symbol=MSFT/feed=iex/year=2024/raw.parquet",
		"timeframe=1Day/symbol=MSFT/feed=sip/year=2024/raw.parquet",
		"timeframe=1Day/symbol=AAPL/feed=sip/_coverage.split.json",
		"timeframe=1Min/symbol=SPY/feed=synth/year=2024/raw.parquet",
	} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("after migration: %v", err)
		}
	}
	for _, p := range []string{"timeframe=1Day/symbol=MSFT/year=2024", "timeframe=1Day/symbol=MSFT/_coverage.raw.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("legacy %s still there (%v)", p, err)
		}
	}
}
