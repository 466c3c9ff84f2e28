package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// result is one benchmark result line.
type result struct {
	pkg    string // the "pkg:" configuration in force when the line was read
	name   string // full name without the -GOMAXPROCS suffix, sub-benchmarks included
	iters  int
	values map[string]float64 // unit -> value, in the line's order of appearance
	units  []string
}

// input is everything read from a benchmark log.
type input struct {
	config   []keyValue // file-level configuration (goos, cpu, date, ...), first value of each key
	results  []result
	failures []string // "--- FAIL" lines and failed packages, as printed
}

type keyValue struct{ key, value string }

// parse reads the standard Go benchmark format. Lines it does not recognise (test logs, PASS,
// ok lines) are skipped, as benchfmt skips them.
func parse(r io.Reader) (*input, error) {
	in := &input{}
	seen := map[string]bool{}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(text, "Benchmark"):
			res, ok, err := parseResult(text)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			if ok {
				res.pkg = pkg
				in.results = append(in.results, res)
			}
		case strings.HasPrefix(strings.TrimSpace(text), "--- FAIL:"):
			in.failures = append(in.failures, strings.TrimSpace(text))
		case strings.HasPrefix(text, "FAIL\t") || strings.HasPrefix(text, "FAIL "):
			in.failures = append(in.failures, text)
		default:
			// "# key: value" notes carry what must not split benchstat's tables (the date,
			// the commit, the load), since benchstat groups by every configuration key.
			note, isNote := strings.CutPrefix(text, "# ")
			if !isNote {
				note = text
			}
			k, v, ok := parseConfig(note)
			if !ok {
				continue
			}
			if k == "pkg" && !isNote {
				pkg = v
				continue
			}
			if !seen[k] {
				seen[k] = true
				in.config = append(in.config, keyValue{k, v})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read benchmark output: %w", err)
	}
	return in, nil
}

// parseConfig recognises a "key: value" configuration line: the key starts with a lower-case
// letter and holds no space or upper-case letter, and a space or tab follows the colon unless
// the value is empty, as the format requires (so "http://x" is not a key "http").
func parseConfig(text string) (string, string, bool) {
	k, v, ok := strings.Cut(text, ":")
	if !ok || k == "" || !unicode.IsLower(rune(k[0])) {
		return "", "", false
	}
	if v != "" && v[0] != ' ' && v[0] != '\t' {
		return "", "", false
	}
	for _, c := range k {
		if unicode.IsSpace(c) || unicode.IsUpper(c) {
			return "", "", false
		}
	}
	return k, strings.TrimSpace(v), true
}

// parseResult reads "BenchmarkName-N  iters  value unit  value unit ...". A line that starts
// with "Benchmark" but is not a result (a benchmark's own log line, "BenchmarkX" alone while
// -v prints names) is not an error: ok is false.
func parseResult(text string) (result, bool, error) {
	f := strings.Fields(text)
	if len(f) < 4 || len(f)%2 != 0 {
		return result{}, false, nil
	}
	iters, err := strconv.Atoi(f[1])
	if err != nil || iters <= 0 {
		return result{}, false, nil
	}
	res := result{name: trimProcs(f[0]), iters: iters, values: map[string]float64{}}
	for i := 2; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false, fmt.Errorf("%s: value %q of %s is not a number", f[0], f[i], f[i+1])
		}
		unit := f[i+1]
		if _, dup := res.values[unit]; !dup {
			res.units = append(res.units, unit)
		}
		res.values[unit] = v
	}
	return res, true, nil
}

// trimProcs drops the -GOMAXPROCS suffix go test appends, so that runs on machines with
// different core counts group together (benchfmt does the same).
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || i == len(name)-1 {
		return name
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return name
		}
	}
	return name[:i]
}

// benchmark is every result of one (package, name), as -count repeats them.
type benchmark struct {
	pkg, name string
	runs      []result
	units     []string // union of units, in first-seen order
}

// group collects results by package and name, keeping the order of first appearance: the
// order go test ran them in, which is the order a reader scans the log in.
func group(results []result) []*benchmark {
	var out []*benchmark
	idx := map[[2]string]*benchmark{}
	for _, r := range results {
		key := [2]string{r.pkg, r.name}
		b := idx[key]
		if b == nil {
			b = &benchmark{pkg: r.pkg, name: r.name}
			idx[key] = b
			out = append(out, b)
		}
		b.runs = append(b.runs, r)
		for _, u := range r.units {
			if !slices.Contains(b.units, u) {
				b.units = append(b.units, u)
			}
		}
	}
	return out
}

// median of unit over the runs that report it; ok is false when none does. The median rather
// than the mean, as benchstat uses, so one run disturbed by another build does not drag it.
func (b *benchmark) median(unit string) (float64, bool) {
	var vs []float64
	for _, r := range b.runs {
		if v, ok := r.values[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2], true
	}
	return (vs[n/2-1] + vs[n/2]) / 2, true
}
