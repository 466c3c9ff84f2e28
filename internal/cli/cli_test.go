package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSymbols(t *testing.T) {
	tests := []struct {
		in   string
		want string // joined, or "" for an error
	}{
		{"AAPL,MSFT", "AAPL,MSFT"},
		{" aapl , msft ", "AAPL,MSFT"},
		{"BRK.B", "BRK.B"},
		{"btc/usd,ETH/USD", "BTC/USD,ETH/USD"},
		{"", ""},
		{"AAPL,", ""},
		{"AAPL,,MSFT", ""},
		{"AAPL,aapl", ""},
		{"AA PL", ""},
		{"AAPL;DROP", ""},
		{"TOOLONGSYMBOL", ""},
		{".A", ""},
		{"A.", ""},
		{"BTC/", ""},
		{"/USD", ""},
		{"BTC/USD/EUR", ""},
		{"ÄPPL", ""},
	}
	for _, tt := range tests {
		got, err := ParseSymbols(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseSymbols(%q) = %v, want error", tt.in, got)
			} else if Code(err) != ExitUsage {
				t.Errorf("ParseSymbols(%q) error is not a usage error", tt.in)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tt.want {
			t.Errorf("ParseSymbols(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// A key pasted where symbols go is not echoed back.
func TestParseSymbolsDoesNotEchoLongValues(t *testing.T) {
	const pasted = "FAKEKEYdoNotUse0123456789abcdef"
	_, err := ParseSymbols("AAPL," + pasted)
	if err == nil || strings.Contains(err.Error(), pasted) {
		t.Fatalf("error %v echoes the value", err)
	}
}

func TestReadSymbolsFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "syms.txt")
	os.WriteFile(p, []byte("# watchlist\naapl\n\n  msft  \nBTC/USD\n"), 0o644)
	got, err := ReadSymbolsFile(p)
	if err != nil || strings.Join(got, ",") != "AAPL,MSFT,BTC/USD" {
		t.Fatalf("got %v, %v", got, err)
	}
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	for _, p := range []string{empty, filepath.Join(dir, "missing.txt")} {
		if _, err := ReadSymbolsFile(p); Code(err) != ExitUsage {
			t.Errorf("%s: err %v", p, err)
		}
	}
}

func TestCodeAndReport(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{nil, 0},
		{errors.New("disk on fire"), 1},
		{Usagef("bad --tf"), 2},
		{fmt.Errorf("wrapped: %w", Usagef("bad")), 2},
		{fmt.Errorf("fetch: %w", context.Canceled), 130},
		{errors.Join(errors.New("commit: disk full"), errors.New("rollback: no transaction")), 1},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if got := Report(&buf, "fetch", tt.err); got != tt.code {
			t.Errorf("Report(%v) = %d want %d", tt.err, got, tt.code)
		}
		if tt.err != nil && (!strings.HasPrefix(buf.String(), "fetch: ") || strings.Count(buf.String(), "\n") != 1) {
			t.Errorf("Report(%v) printed %q, want one line", tt.err, buf.String())
		}
	}
}

func TestOpenStoreKinds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "plain.txt")
	os.WriteFile(file, []byte("hello"), 0o644)
	os.Mkdir(filepath.Join(dir, "adir.duckdb"), 0o755)
	for _, tt := range []struct {
		path   string
		create bool
		code   int
	}{
		{"", true, ExitUsage},
		{file, true, ExitUsage},                               // a file where a lake directory is meant
		{filepath.Join(dir, "adir.duckdb"), true, ExitUsage},  // a directory where a DuckDB file is meant
		{filepath.Join(dir, "none.duckdb"), false, ExitUsage}, // nothing there and not creating
	} {
		_, err := OpenStore(ctx, tt.path, tt.create)
		if Code(err) != tt.code {
			t.Errorf("OpenStore(%q, %v) = %v, want exit %d", tt.path, tt.create, err, tt.code)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "hello" {
		t.Error("foreign file modified")
	}
	for _, p := range []string{filepath.Join(dir, "new.duckdb"), filepath.Join(dir, "lake")} {
		st, err := OpenStore(ctx, p, true)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		st.Close()
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s not created: %v", p, err)
		}
	}
	if StoreKind("x.DuckDB") != "duckdb" || StoreKind("lake") != "parquet" || StoreKind("x.duckdb.bak") != "parquet" {
		t.Error("StoreKind wrong")
	}
}
