package duckdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/storetest"
)

func openStore(t *testing.T, path string) data.Store {
	t.Helper()
	s, err := Open(context.Background(), path+".duckdb")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openStore)
}

func TestConcurrentReadWhileWrite(t *testing.T) {
	// One process at a time may open a DuckDB file read-write, so readers in other processes
	// can only come between writers (Sequential); inside the process they share the handle.
	storetest.ConcurrentReadWhileWrite(t, openStore, storetest.SharedHandle|storetest.Sequential)
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// rawDB opens path with the plain driver, as a user or another tool would.
func rawDB(t *testing.T, path string, stmts ...string) {
	t.Helper()
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "prices.csv")
	src, err := os.ReadFile("testdata/not-a-database.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notDB, src, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.duckdb")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.duckdb")
	rawDB(t, foreign, `CREATE TABLE trades (id INTEGER, price DOUBLE)`, `INSERT INTO trades VALUES (1, 2.5)`, `CHECKPOINT`)
	emptyDuck := filepath.Join(dir, "nothing.duckdb")
	rawDB(t, emptyDuck, `CHECKPOINT`)
	newer := filepath.Join(dir, "newer.duckdb")
	s, err := Open(context.Background(), newer)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	rawDB(t, newer, `UPDATE meta SET value = '99' WHERE key = 'schema_version'`, `CHECKPOINT`)
	lookalike := filepath.Join(dir, "lookalike.duckdb")
	rawDB(t, lookalike, `CREATE TABLE meta (key VARCHAR, value VARCHAR)`, `CREATE TABLE bars (x INT)`,
		`CREATE TABLE coverage (x INT)`, `CREATE TABLE series (x INT)`,
		`INSERT INTO meta VALUES ('format', 'other'), ('schema_version', '1')`, `CHECKPOINT`)

	tests := []struct {
		name, path, msg string
	}{
		{"not a database", notDB, "not a DuckDB database"},
		{"empty file", empty, "not a DuckDB database"},
		{"directory", dir, "directory"},
		{"foreign DuckDB", foreign, "without barkeep's tables"},
		{"DuckDB without tables", emptyDuck, "without barkeep's tables"},
		{"newer schema", newer, "newer"},
		{"other meta", lookalike, "not barkeep's"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before [32]byte
			isFile := tc.path != dir
			if isFile {
				before = sum(t, tc.path)
			}
			s, err := Open(context.Background(), tc.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open accepted %s", tc.path)
			}
			if !errors.Is(err, data.ErrNotStore) {
				t.Fatalf("error %v does not wrap data.ErrNotStore", err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("error %q should name the path and say %q", err, tc.msg)
			}
			if isFile && sum(t, tc.path) != before {
				t.Fatalf("Open modified %s", tc.path)
			}
			if _, err := os.Stat(tc.path + ".wal"); err == nil {
				t.Fatalf("Open left a WAL beside %s", tc.path)
			}
		})
	}
}

func TestOpenCreatesDirectoryOrSaysWhyNot(t *testing.T) {
	dir := t.TempDir()
	nested := filepath.Join(dir, "a", "b", "bars.duckdb")
	s, err := Open(context.Background(), nested)
	if err != nil {
		t.Fatalf("Open in a new directory: %v", err)
	}
	s.Close()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(blocker, "sub", "bars.duckdb")
	_, err = Open(context.Background(), bad)
	if err == nil || !strings.Contains(err.Error(), "directory") || !strings.Contains(err.Error(), bad) {
		t.Fatalf("Open under a file: got %v, want an error naming the path and its directory", err)
	}
}

func TestPlainSQLSeesBars(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bars.duckdb")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	bars := storetest.Bars("AAPL", storetest.Day0, 10, time.Minute)
	if err := s.Write(context.Background(), data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: bars}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT * FROM bars ORDER BY time`)
	if err != nil {
		t.Fatalf("SELECT * FROM bars: %v", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	want := "symbol timeframe adjustment time open high low close volume trade_count vwap feed"
	if strings.Join(cols, " ") != want {
		t.Fatalf("columns %v, want %s", cols, want)
	}
	i := 0
	for rows.Next() {
		var sym, tf, adj, feed string
		var tm time.Time
		var o, h, l, c, v, vw float64
		var n uint64
		if err := rows.Scan(&sym, &tf, &adj, &tm, &o, &h, &l, &c, &v, &n, &vw, &feed); err != nil {
			t.Fatal(err)
		}
		b := bars[i]
		if sym != b.Symbol || tf != "1Min" || adj != "raw" || feed != "iex" || !tm.Equal(b.Time) || c != b.Close || n != b.TradeCount {
			t.Fatalf("row %d: %s %s %s %s %v %d %s, want bar %+v", i, sym, tf, adj, tm, c, n, feed, b)
		}
		i++
	}
	if err := rows.Err(); err != nil || i != len(bars) {
		t.Fatalf("read %d rows (%v), want %d", i, err, len(bars))
	}
}

func TestReadCancelled(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "c"))
	defer s.Close()
	bars := storetest.Bars("AAPL", storetest.Day0, 5000, time.Minute)
	if err := s.Write(context.Background(), data.Batch{Timeframe: data.OneMin, Bars: bars}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	it, err := s.Read(ctx, data.Query{Timeframe: data.OneMin})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for it.Next() {
		if n++; n == 10 {
			cancel()
		}
	}
	if !errors.Is(it.Err(), context.Canceled) || n >= len(bars) {
		t.Fatalf("after cancel: read %d bars, err %v; want fewer than %d and context.Canceled", n, it.Err(), len(bars))
	}
}

func TestDedupe(t *testing.T) {
	b := func(sym string, min int) data.Bar {
		return data.Bar{Symbol: sym, Time: storetest.Day0.Add(time.Duration(min) * time.Minute), Close: float64(min)}
	}
	tests := []struct {
		name string
		in   []data.Bar
		want int
	}{
		{"empty", nil, 0},
		{"sorted per symbol", []data.Bar{b("A", 1), b("A", 2), b("B", 1), b("B", 2)}, 4},
		{"symbol comes back later", []data.Bar{b("A", 1), b("B", 1), b("A", 2), b("B", 2)}, 4},
		{"symbol comes back with a repeat", []data.Bar{b("A", 1), b("B", 1), b("A", 1)}, 2},
		{"repeat in a run", []data.Bar{b("A", 1), b("A", 1), b("A", 2)}, 2},
		{"descending", []data.Bar{b("A", 3), b("A", 2), b("A", 1)}, 3},
	}
	for _, tc := range tests {
		got := dedupe(tc.in)
		if len(got) != tc.want {
			t.Errorf("%s: %d bars, want %d", tc.name, len(got), tc.want)
		}
	}
}

// TestOpenV1 opens a store written by the version before feeds were part of a series (see
// storetest.CheckV1), migrates it in place, and opens it again as version 2.
func TestOpenV1(t *testing.T) {
	raw, err := os.ReadFile("testdata/v1.duckdb")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v1.duckdb")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := s.db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v); err != nil || v != "2" {
			t.Fatalf("schema version %q (%v), want 2", v, err)
		}
		storetest.CheckV1(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
