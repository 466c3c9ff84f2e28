//go:build linux || darwin

package backtestcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/internal/cli"
)

// The scale check: years of minute bars for a small universe on one machine, through the real
// binaries, so that what is measured is what a user runs (flags, stores, reports, exit codes).
const (
	scaleStart = "2020-01-02"
	scaleEnd   = "2024-12-31"
	// scaleMaxRSS bounds the backtest's peak resident memory. It is a resource bound, so it is
	// asserted; wall time depends on the machine and its load, so it is only logged.
	scaleMaxRSS = 500 << 20
	// scaleMaxHTML keeps the report openable in a browser however long the run.
	scaleMaxHTML = 5 << 20
	// scaleTargetTime is the wall-time goal for the backtest: reported, never asserted.
	scaleTargetTime = 10 * time.Second
)

var scaleSymbols = []string{"AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "XOM", "SPY"}

// TestScale fetches ten symbols by five years of synthetic minute bars (about five million) into
// a DuckDB file and a Parquet lake, backtests the SMA strategy over all of it with the HTML
// report for each, and checks the backtest's peak memory and the report's size.
//
// It takes one to two minutes on two cores, more than the rest of make test together, so it
// runs only when BARKEEP_SCALE=1 (make scale).
func TestScale(t *testing.T) {
	scaleOnly(t)
	t.Logf("load average before: %s; wall times are only comparable at similar load", loadAvg())
	tmp := t.TempDir()
	bin := buildBinaries(t, tmp)

	stores := []struct{ name, path string }{
		{"duckdb", filepath.Join(tmp, "bars.duckdb")},
		{"parquet", filepath.Join(tmp, "lake")},
	}
	stats := map[string]map[string]any{}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			fetch := measure(t, filepath.Join(bin, "fetch"), "--source", "synth", "--symbols", strings.Join(scaleSymbols, ","),
				"--tf", "1Min", "--start", scaleStart, "--end", scaleEnd, "--store", st.path, "--quiet")
			bars := storedBars(t, st.path)
			// Ten symbols of about 390 minutes on about 1,258 sessions, less the ~1.5% of
			// minutes synth leaves empty: a fetch far from that did not fetch what was asked.
			if want := int64(len(scaleSymbols)) * 390 * 1200; bars < want {
				t.Fatalf("%s holds %d bars, want at least %d", st.name, bars, want)
			}
			out := filepath.Join(tmp, "out-"+st.name)
			bt := measure(t, filepath.Join(bin, "backtest"), "--strategy", "sma", "--store", st.path, "--out", out, "--quiet")

			html := fileSize(t, filepath.Join(out, "index.html"))
			total := dirSize(t, out)
			t.Logf("%s: %d bars; fetch %v (%.0f bars/s, peak RSS %.0f MB, store %.0f MB)",
				st.name, bars, fetch.wall.Round(time.Millisecond), float64(bars)/fetch.wall.Seconds(), mb(fetch.maxRSS), mb(dirSize(t, st.path)))
			t.Logf("%s: backtest %v (%.0f bars/s, CPU %v), peak RSS %.0f MB (Go heap peak %.0f MB, goal %.0f MB); report %.0f kB (index.html %.0f kB)",
				st.name, bt.wall.Round(time.Millisecond), float64(bars)/bt.wall.Seconds(), bt.cpu.Round(time.Millisecond),
				mb(bt.maxRSS), mb(bt.heapPeak), mb(bt.heapGoal), float64(total)/1e3, float64(html)/1e3)
			if bt.wall > scaleTargetTime {
				t.Logf("%s: backtest took %v, over the %v target (reported, not asserted; machine load %s)", st.name, bt.wall.Round(time.Millisecond), scaleTargetTime, loadAvg())
			}
			if bt.maxRSS >= scaleMaxRSS {
				t.Errorf("%s: backtest peak RSS %.0f MB, want < %.0f MB (see BENCHMARKS.md, Scale, for where it goes)", st.name, mb(bt.maxRSS), mb(scaleMaxRSS))
			}
			if html >= scaleMaxHTML {
				t.Errorf("%s: index.html is %.1f MB, want < %.0f MB", st.name, float64(html)/1e6, mb(scaleMaxHTML))
			}
			stats[st.name] = readStatsFile(t, filepath.Join(out, "stats.json"))
		})
	}
	// Both stores hold the same bars, so the same run must give the same figures to the last
	// digit; only the provenance (the store path, the run date) may differ.
	d, p := stats["duckdb"], stats["parquet"]
	if d == nil || p == nil {
		return
	}
	for key, dv := range d {
		if key == "store" || key == "run_date" {
			continue
		}
		dj, _ := json.Marshal(dv)
		pj, _ := json.Marshal(p[key])
		if !bytes.Equal(dj, pj) {
			t.Errorf("stats.json %q differs between stores:\nduckdb:  %.300s\nparquet: %.300s", key, dj, pj)
		}
	}
}

// The ten-year runs: a backtest's memory should depend on the symbols and the timestamps the
// report keeps, not on the bars, and its time should grow no faster than the bars.
const (
	decadeStart = "2015-01-01"
	decadeEnd   = "2024-12-31"
)

var decadeRuns = []struct {
	symbols int
	maxRSS  int64         // peak RSS target, asserted
	target  time.Duration // wall-time target, logged
}{
	{10, 300 << 20, 0},
	{50, 400 << 20, 60 * time.Second},
}

// TestScaleDecade fetches ten years of synthetic minute bars for 10 and then 50 symbols (about
// 9.6M and 48M bars) into one DuckDB store, backtests each with the default report (HTML and
// the buy-and-hold benchmark), checks the peak RSS against its target, logs the time, and
// checks that the 50-symbol run takes at most 6 times the 10-symbol one (the bars grow 5
// times). It takes about 5.5 minutes on two cores at load 4, most of it fetching.
func TestScaleDecade(t *testing.T) {
	scaleOnly(t)
	t.Logf("load average before: %s", loadAvg())
	tmp := t.TempDir()
	bin := buildBinaries(t, tmp)
	store := filepath.Join(tmp, "decade.duckdb")
	syms := slices.Clone(scaleSymbols)
	for i := len(syms); i < 50; i++ {
		syms = append(syms, fmt.Sprintf("S%02d", i+1))
	}
	walls := map[int]time.Duration{}
	for _, run := range decadeRuns {
		fetch := measure(t, filepath.Join(bin, "fetch"), "--source", "synth", "--symbols", strings.Join(syms[:run.symbols], ","),
			"--tf", "1Min", "--start", decadeStart, "--end", decadeEnd, "--store", store, "--quiet")
		bars := storedBars(t, store)
		if want := int64(run.symbols) * 390 * 2400; bars < want {
			t.Fatalf("%d symbols: store holds %d bars, want at least %d", run.symbols, bars, want)
		}
		out := filepath.Join(tmp, fmt.Sprintf("out-%d", run.symbols))
		bt := measure(t, filepath.Join(bin, "backtest"), "--strategy", "sma", "--store", store, "--out", out, "--quiet")
		walls[run.symbols] = bt.wall
		t.Logf("%d symbols x 10 years: %d bars; fetch %v; backtest %v (%.0f bars/s, CPU %v), peak RSS %.0f MB (Go heap peak %.0f MB); load %s",
			run.symbols, bars, fetch.wall.Round(time.Millisecond), bt.wall.Round(time.Millisecond), float64(bars)/bt.wall.Seconds(),
			bt.cpu.Round(time.Millisecond), mb(bt.maxRSS), mb(bt.heapPeak), loadAvg())
		if bt.maxRSS >= run.maxRSS {
			t.Errorf("%d symbols: backtest peak RSS %.0f MB, want < %.0f MB", run.symbols, mb(bt.maxRSS), mb(run.maxRSS))
		}
		if run.target > 0 && bt.wall > run.target {
			t.Logf("%d symbols: backtest took %v, over the %v target (reported, not asserted)", run.symbols, bt.wall.Round(time.Millisecond), run.target)
		}
	}
	if ratio := walls[50].Seconds() / walls[10].Seconds(); ratio > 6 {
		t.Errorf("the 50-symbol backtest took %.1f times the 10-symbol one, want at most 6", ratio)
	}
}

// scaleOnly skips the calling test unless BARKEEP_SCALE=1, as make scale sets it.
func scaleOnly(t *testing.T) {
	t.Helper()
	if os.Getenv("BARKEEP_SCALE") != "1" {
		t.Skip("scale check: runs with BARKEEP_SCALE=1 (make scale)")
	}
}

// buildBinaries builds fetch and backtest into dir with the go command running this test.
func buildBinaries(t *testing.T, dir string) string {
	t.Helper()
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Fatalf("find the go command: %v", err)
		}
	}
	bin := filepath.Join(dir, "bin")
	start := time.Now()
	cmd := exec.Command(goCmd, "build", "-o", bin+string(filepath.Separator),
		"github.com/barkeep-trading/barkeep/cmd/fetch", "github.com/barkeep-trading/barkeep/cmd/backtest")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built fetch and backtest in %v", time.Since(start).Round(time.Millisecond))
	return bin
}

type runUsage struct {
	wall, cpu time.Duration
	maxRSS    int64 // bytes
	// heapPeak and heapGoal are the largest Go heap at the start of a collection and the
	// largest heap goal that GODEBUG=gctrace=1 printed, in bytes: what of maxRSS is Go's own
	// heap. The rest is the runtime, the binary, and C memory such as DuckDB's.
	heapPeak, heapGoal int64
}

// measure runs a command to completion with the Go runtime's GC trace on and returns its wall
// time, CPU time, peak resident memory and peak Go heap, failing the test with its output when
// it does not exit 0.
func measure(t *testing.T, name string, args ...string) runUsage {
	t.Helper()
	var out bytes.Buffer
	// Through this test binary as a small wrapper process: a child started straight from the
	// test process (large under -race) would report the test's own RSS as its peak, since Linux
	// carries the pre-exec address space's high-water mark across exec.
	cmd := exec.Command(os.Args[0], append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1", rssWrapEnv+"=1")
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
	}
	maxRSS, ok := wrappedMaxRSS(out.String())
	if !ok {
		t.Fatalf("%s: the wrapper reported no peak RSS\n%s", filepath.Base(name), out.String())
	}
	u := runUsage{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), maxRSS: maxRSS}
	u.heapPeak, u.heapGoal = gcTracePeaks(out.String())
	return u
}

// rssWrapEnv makes the test binary run its arguments as a command and report the command's
// peak RSS (see measure).
const rssWrapEnv = "BARKEEP_RSS_WRAP"

// rssMarker starts the line on which rssWrap reports the peak RSS in bytes.
const rssMarker = "barkeep-test-maxrss: "

// rssWrap runs args as a command, passing its output and exit code through, and prints its peak
// RSS last. The command is started from this small process, so its peak is its own.
func rssWrap(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "rss wrapper: no command")
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			fmt.Printf("\n%s%d\n", rssMarker, maxRSSBytes(ru))
		}
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "rss wrapper:", err)
		return 1
	}
	return 0
}

// wrappedMaxRSS finds rssWrap's report in a command's output.
func wrappedMaxRSS(out string) (int64, bool) {
	i := strings.LastIndex(out, rssMarker)
	if i < 0 {
		return 0, false
	}
	line, _, _ := strings.Cut(out[i+len(rssMarker):], "\n")
	n, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	return n, err == nil
}

// gcTracePeaks reads "gc N @...: ..., A->B->C MB, D MB goal, ..." lines and returns the largest
// A (heap at the start of a collection) and D (the goal the heap may grow to before the next),
// in bytes. A run too short to collect prints no line, and both are zero.
func gcTracePeaks(trace string) (peak, goal int64) {
	for line := range strings.Lines(trace) {
		if !strings.HasPrefix(line, "gc ") {
			continue
		}
		for field := range strings.SplitSeq(line, ",") {
			field = strings.TrimSpace(field)
			if v, ok := strings.CutSuffix(field, " MB goal"); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					goal = max(goal, n<<20)
				}
			} else if v, ok := strings.CutSuffix(field, " MB"); ok && strings.Count(v, "->") == 2 {
				if n, err := strconv.ParseInt(v[:strings.Index(v, "->")], 10, 64); err == nil {
					peak = max(peak, n<<20)
				}
			}
		}
	}
	return peak, goal
}

// maxRSSBytes converts ru_maxrss, which Linux gives in kilobytes and macOS in bytes.
func maxRSSBytes(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}

// storedBars counts the bars in a store, read back through the same code the commands use.
func storedBars(t *testing.T, path string) int64 {
	t.Helper()
	ctx := context.Background()
	st, err := cli.OpenStore(ctx, path, false)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer st.Close()
	infos, err := st.Series(ctx)
	if err != nil {
		t.Fatalf("list %s: %v", path, err)
	}
	var n int64
	for _, in := range infos {
		n += in.Bars
	}
	return n
}

func readStatsFile(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func dirSize(t *testing.T, root string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("size of %s: %v", root, err)
	}
	return n
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// loadAvg reads the 1-minute load average, to say how busy the machine was when it is slow.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%s (1 min) on %d cores", f[0], runtime.NumCPU())
}

func TestGCTracePeaks(t *testing.T) {
	tests := []struct {
		name       string
		trace      string
		peak, goal int64
	}{
		{"none", "results: out/index.html\n", 0, 0},
		{"two collections", "gc 1 @0.010s 1%: 0.01+1.2+0.01 ms clock, 0.02+0.1/0.5/0+0.02 ms cpu, 4->5->2 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
			"results: out/index.html\n" +
			"gc 2 @1.5s 0%: 0.04+22+0.02 ms clock, 0.09+0.1/2.2/6.3+0.05 ms cpu, 181->190->90 MB, 212 MB goal, 0 MB stacks, 0 MB globals, 2 P\n",
			181 << 20, 212 << 20},
		{"forced", "gc 3 @2.0s 0%: 0.1+3+0.01 ms clock, 0.2+0/1/2+0.02 ms cpu, 50->50->10 MB, 300 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)\n",
			50 << 20, 300 << 20},
	}
	for _, tc := range tests {
		peak, goal := gcTracePeaks(tc.trace)
		if peak != tc.peak || goal != tc.goal {
			t.Errorf("%s: peak %d, goal %d; want %d, %d", tc.name, peak, goal, tc.peak, tc.goal)
		}
	}
}
