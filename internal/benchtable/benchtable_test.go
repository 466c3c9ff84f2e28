package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/internal/golden"
)

func TestParseResult(t *testing.T) {
	tests := []struct {
		line   string
		ok     bool
		err    bool
		name   string
		iters  int
		values map[string]float64
	}{
		{line: "BenchmarkX-2 \t 10\t 123.5 ns/op\t 8 B/op\t 1 allocs/op", ok: true, name: "BenchmarkX", iters: 10,
			values: map[string]float64{"ns/op": 123.5, "B/op": 8, "allocs/op": 1}},
		{line: "BenchmarkEngineSMA/10sym-merge-16  1  2e9 ns/op  5e5 bars/s", ok: true, name: "BenchmarkEngineSMA/10sym-merge", iters: 1,
			values: map[string]float64{"ns/op": 2e9, "bars/s": 5e5}},
		// GOMAXPROCS=1: go test appends no suffix, and a name ending in a word keeps it.
		{line: "BenchmarkStoreRead/symbols=10  4  100 ns/op", ok: true, name: "BenchmarkStoreRead/symbols=10", iters: 4,
			values: map[string]float64{"ns/op": 100}},
		{line: "BenchmarkEngineSMA/1sym", ok: false},     // -v prints the name alone
		{line: "BenchmarkX-2  many  1 ns/op", ok: false}, // not a result line
		{line: "BenchmarkX-2  0  1 ns/op", ok: false},    // no iterations: not a result
		{line: "BenchmarkX-2  5  1 ns/op  2", ok: false}, // odd field count
		{line: "BenchmarkX-2  5  fast ns/op", err: true}, // a result with a bad value
		{line: "BenchmarkX-2  5  NaN ns/op", ok: true, name: "BenchmarkX", iters: 5, // as benchfmt, NaN parses
			values: map[string]float64{"ns/op": math.NaN()}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			r, ok, err := parseResult(tc.line)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if r.name != tc.name || r.iters != tc.iters {
				t.Errorf("name, iters = %q, %d, want %q, %d", r.name, r.iters, tc.name, tc.iters)
			}
			if len(r.values) != len(tc.values) {
				t.Errorf("values = %v, want %v", r.values, tc.values)
			}
			for u, want := range tc.values {
				if got, ok := r.values[u]; !ok || !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
					t.Errorf("%s = %v, want %v", u, got, want)
				}
			}
		})
	}
}

func TestTrimProcs(t *testing.T) {
	for in, want := range map[string]string{
		"BenchmarkA-2":            "BenchmarkA",
		"BenchmarkA/b-c-16":       "BenchmarkA/b-c",
		"BenchmarkA/x-":           "BenchmarkA/x-",
		"BenchmarkA/sym-merge":    "BenchmarkA/sym-merge",
		"BenchmarkNoSuffix":       "BenchmarkNoSuffix",
		"BenchmarkA/n=10-4":       "BenchmarkA/n=10",
		"BenchmarkA/-":            "BenchmarkA/-",
		"BenchmarkWeird-2a":       "BenchmarkWeird-2a",
		"BenchmarkA/1000000-8":    "BenchmarkA/1000000",
		"BenchmarkA/size-1000000": "BenchmarkA/size", // ambiguous without the suffix; benchfmt agrees
	} {
		if got := trimProcs(in); got != want {
			t.Errorf("trimProcs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		line, key, value string
		ok               bool
	}{
		{"goos: linux", "goos", "linux", true},
		{"cpu: Intel(R) Xeon(R) CPU @ 2.20GHz", "cpu", "Intel(R) Xeon(R) CPU @ 2.20GHz", true},
		{"loadavg: 1.00 0.50 0.25", "loadavg", "1.00 0.50 0.25", true},
		{"PASS", "", "", false},
		{"ok  \tgithub.com/x\t1.0s", "", "", false},
		{"    bench_test.go:12: log: line", "", "", false},
		{"Key: upper case is not config", "", "", false},
		{"two words: no", "", "", false},
		{"http://example.com", "", "", false},
		{"empty:", "empty", "", true},
	}
	for _, tc := range tests {
		k, v, ok := parseConfig(tc.line)
		if ok != tc.ok || k != tc.key || v != tc.value {
			t.Errorf("parseConfig(%q) = %q, %q, %v, want %q, %q, %v", tc.line, k, v, ok, tc.key, tc.value, tc.ok)
		}
	}
}

// TestRows checks the per-bar arithmetic on the sample log, figure by figure.
func TestRows(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := parse(f)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]row{}
	for _, b := range group(in.results) {
		rows[b.name] = rowOf(b)
	}
	nan := math.NaN()
	tests := []struct {
		name                         string
		runs                         int
		barsPerSec, allocsPerBar, ns float64
		basis                        string
		other                        string
	}{
		// Medians of three runs: 500 ms/op at 2M bars/s is 1M bars an op, 200,000 allocs an op.
		{"BenchmarkStoreWrite", 3, 2e6, 0.2, 5e8, basisDerived, ""},
		{"BenchmarkEngineSMA/1sym", 1, 4e6, 0.01, 2.5e8, basisReported, "310 cpu-ns/bar, 1.50 orders/kbar"},
		{"BenchmarkEngineSMA/10sym-merge", 1, 1e6, 0.01, 1e9, basisDerived, ""},
		{"BenchmarkSMA", 1, nan, nan, 2.5, basisPerOp, ""},
		{"BenchmarkNoMem", 1, 1e6, nan, 1000, basisNoAllocs, ""},
	}
	if len(rows) != len(tests) {
		t.Errorf("got %d benchmarks, want %d: %v", len(rows), len(tests), rows)
	}
	same := func(a, b float64) bool {
		return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
	}
	for _, tc := range tests {
		r, ok := rows[tc.name]
		if !ok {
			t.Errorf("%s: missing", tc.name)
			continue
		}
		if r.runs != tc.runs || !same(r.barsPerSec, tc.barsPerSec) || !same(r.allocsPerBar, tc.allocsPerBar) ||
			!same(r.nsPerOp, tc.ns) || r.basis != tc.basis || strings.Join(r.other, ", ") != tc.other {
			t.Errorf("%s: runs %d, bars/s %v, allocs/bar %v, ns/op %v, basis %q, other %q;\nwant runs %d, bars/s %v, allocs/bar %v, ns/op %v, basis %q, other %q",
				tc.name, r.runs, r.barsPerSec, r.allocsPerBar, r.nsPerOp, r.basis, r.other,
				tc.runs, tc.barsPerSec, tc.allocsPerBar, tc.ns, tc.basis, tc.other)
		}
	}
	if r := rows["BenchmarkStoreWrite"]; r.pkg != "github.com/barkeep-trading/barkeep/data/duckdb" {
		t.Errorf("StoreWrite package = %q", r.pkg)
	}
	if len(in.failures) != 3 {
		t.Errorf("failures = %q, want the --- FAIL line and two FAIL packages", in.failures)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		f    func(float64) string
		in   float64
		want string
	}{
		{formatSI, 1234567, "1.23M"},
		{formatSI, 999, "999"},
		{formatSI, 12_300, "12.3k"},
		{formatSI, 4.5e9, "4.50G"},
		{formatSI, math.NaN(), "—"},
		{formatSig, 0.012345, "0.0123"},
		{formatSig, 0, "0"},
		{formatSig, 3.14159, "3.14"},
		{formatSig, 0.00001234, "1.23e-05"},
		{formatSig, 123456.7, "123457"},
		{formatNs, 2.5, "2.50 ns"},
		{formatNs, 1500, "1.50 µs"},
		{formatNs, 2.5e8, "250 ms"},
		{formatNs, 3e9, "3.00 s"},
		{formatBytes, 512, "512 B"},
		{formatBytes, 48e6, "45.8 MiB"},
		{formatCount, 1234567, "1,234,567"},
		{formatCount, 12, "12"},
		{formatCount, -1234, "-1,234"},
		{formatCount, math.NaN(), "—"},
	}
	for _, tc := range tests {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("format(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestGolden renders the sample log; run with -update after an intended change of layout.
func TestGolden(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{filepath.Join("testdata", "sample.txt")}, strings.NewReader(""), &out, &errb)
	if code != 1 {
		t.Errorf("exit code %d, want 1 for an input with failures (stderr %q)", code, errb.String())
	}
	golden.Compare(t, filepath.Join("testdata", "sample.md"), out.Bytes())
}

func TestRunExitCodes(t *testing.T) {
	ok := "pkg: example.com/p\nBenchmarkA-2  10  100 ns/op  1000 bars/s  3 allocs/op\nPASS\n"
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		has   string
	}{
		{"clean run", nil, ok, 0, "| example.com/p | A | 1.00k | 30000 |"},
		{"no results", nil, "PASS\nok x 1s\n", 1, "No benchmark results"},
		{"bad flag", []string{"-nope"}, ok, 2, ""},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.txt")}, "", 1, ""},
		{"help", []string{"-h"}, "", 0, "Usage:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tc.args, strings.NewReader(tc.stdin), &out, &errb); code != tc.code {
				t.Errorf("code %d, want %d (stderr %q)", code, tc.code, errb.String())
			}
			if !strings.Contains(out.String(), tc.has) {
				t.Errorf("output lacks %q:\n%s", tc.has, out.String())
			}
		})
	}
}
