package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Units the table gives columns of; any other unit a benchmark reports goes under "other".
const (
	unitNs        = "ns/op"
	unitBytes     = "B/op"
	unitAllocs    = "allocs/op"
	unitBarsPerS  = "bars/s"
	unitAllocsBar = "allocs/bar"
)

// Basis says where a row's per-bar figures come from.
const (
	basisReported = "reported"           // both from b.ReportMetric
	basisDerived  = "allocs/bar derived" // bars/s reported; allocs/bar = allocs/op ÷ bars/op
	basisNoAllocs = "no allocs reported" // bars/s reported, no -benchmem figure to derive from
	basisPerOp    = "per op (no bars/s)" // no bar count: only the per-op figures are known
)

// row is one benchmark's line of the table; a NaN field is unknown.
type row struct {
	pkg, name                   string
	runs                        int
	barsPerSec, allocsPerBar    float64
	nsPerOp, bytesPerOp, allocs float64
	basis                       string
	other                       []string // "value unit" of any further reported metric
}

// rowOf computes a benchmark's figures from the medians of its runs.
//
// A benchmark that reports bars/s gives its bars per op as bars/s × ns/op ÷ 1e9: both are
// measured over the same timed interval (b.Elapsed and b.N), so the product is exact, and
// allocs/op ÷ bars/op is then its allocations per bar over the same interval.
func rowOf(b *benchmark) row {
	r := row{pkg: b.pkg, name: b.name, runs: len(b.runs)}
	get := func(u string) float64 {
		if v, ok := b.median(u); ok {
			return v
		}
		return math.NaN()
	}
	r.nsPerOp, r.bytesPerOp, r.allocs = get(unitNs), get(unitBytes), get(unitAllocs)
	r.barsPerSec, r.allocsPerBar = get(unitBarsPerS), get(unitAllocsBar)
	switch {
	case math.IsNaN(r.barsPerSec):
		r.basis = basisPerOp
	case !math.IsNaN(r.allocsPerBar):
		r.basis = basisReported
	case !math.IsNaN(r.allocs) && !math.IsNaN(r.nsPerOp) && r.barsPerSec > 0 && r.nsPerOp > 0:
		r.allocsPerBar = r.allocs / (r.barsPerSec * r.nsPerOp / 1e9)
		r.basis = basisDerived
	default:
		r.basis = basisNoAllocs
	}
	for _, u := range b.units {
		switch u {
		case unitNs, unitBytes, unitAllocs, unitBarsPerS, unitAllocsBar:
			continue
		}
		v, _ := b.median(u)
		r.other = append(r.other, formatSig(v)+" "+u)
	}
	return r
}

// render writes the markdown: the configuration, the table, then any failures.
func render(w io.Writer, in *input, trim string) error {
	var sb strings.Builder
	if len(in.config) > 0 {
		for _, kv := range in.config {
			fmt.Fprintf(&sb, "- %s: %s\n", kv.key, kv.value)
		}
		sb.WriteString("\n")
	}
	sb.WriteString("| package | benchmark | bars/s | allocs/bar | time/op | allocs/op | B/op | runs | basis | other |\n")
	sb.WriteString("|---|---|--:|--:|--:|--:|--:|--:|---|---|\n")
	for _, b := range group(in.results) {
		r := rowOf(b)
		pkg := strings.TrimPrefix(r.pkg, trim)
		if pkg == "" {
			pkg = "."
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s | %s | %d | %s | %s |\n",
			escape(pkg), escape(strings.TrimPrefix(r.name, "Benchmark")),
			formatSI(r.barsPerSec), formatSig(r.allocsPerBar), formatNs(r.nsPerOp),
			formatCount(r.allocs), formatBytes(r.bytesPerOp), r.runs, r.basis,
			escape(strings.Join(r.other, ", ")))
	}
	if len(in.results) == 0 {
		sb.WriteString("\nNo benchmark results were found in the input.\n")
	}
	if len(in.failures) > 0 {
		sb.WriteString("\nFailures:\n\n")
		for _, f := range slices.Compact(slices.Clone(in.failures)) {
			fmt.Fprintf(&sb, "- `%s`\n", strings.ReplaceAll(f, "`", "'"))
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// escape keeps a cell from ending early: benchmark names may hold '|'.
func escape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

const unknown = "—"

// formatSI prints a rate with three significant digits and a k/M/G suffix: 12.3M.
func formatSI(v float64) string {
	if math.IsNaN(v) {
		return unknown
	}
	for _, s := range []struct {
		f      float64
		suffix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= s.f {
			return formatSig(v/s.f) + s.suffix
		}
	}
	return formatSig(v)
}

// formatSig prints three significant digits without an exponent for everyday magnitudes.
func formatSig(v float64) string {
	switch {
	case math.IsNaN(v):
		return unknown
	case v == 0:
		return "0"
	case math.Abs(v) >= 1000:
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	case math.Abs(v) < 1e-4:
		return strconv.FormatFloat(v, 'e', 2, 64)
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	return strconv.FormatFloat(v, 'f', max(digits, 0), 64)
}

// formatNs prints a duration per op in the largest unit that keeps it above one.
func formatNs(ns float64) string {
	if math.IsNaN(ns) {
		return unknown
	}
	for _, u := range []struct {
		f    float64
		name string
	}{{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}} {
		if ns >= u.f {
			return formatSig(ns/u.f) + " " + u.name
		}
	}
	return formatSig(ns) + " ns"
}

func formatBytes(b float64) string {
	if math.IsNaN(b) {
		return unknown
	}
	for _, u := range []struct {
		f    float64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if b >= u.f {
			return formatSig(b/u.f) + " " + u.name
		}
	}
	return formatSig(b) + " B"
}

// formatCount prints a whole count with thousands separators: 1,234,567.
func formatCount(v float64) string {
	if math.IsNaN(v) {
		return unknown
	}
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
