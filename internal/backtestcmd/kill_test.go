package backtestcmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mainEnv makes the test binary run the command's main instead of the tests (see TestMain):
// the tests that must kill a real process start this binary that way rather than building the
// command, which on a cold cache would compile every dependency a second time without -race.
const mainEnv = "BARKEEP_BACKTEST_MAIN"

// backtestCommand is the command run as its own process: this test binary running main.
func backtestCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	return cmd
}

// checkReport fails unless dir holds one whole report: every file present and stats.json
// parseable, with the strategy it was written for.
func checkReport(t *testing.T, dir, strategy string) {
	t.Helper()
	for _, f := range []string{"trades.csv", "equity.csv", "index.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("report in %s lacks %s", dir, f)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("stats.json broken: %v", err)
	}
	if m["strategy"] != strategy {
		t.Fatalf("stats.json is from %v, want %s", m["strategy"], strategy)
	}
	if html, _ := os.ReadFile(filepath.Join(dir, "index.html")); !strings.Contains(string(html), "</html>") {
		t.Fatal("index.html is cut short")
	}
}

// kills is how many times TestKillLeavesWholeReport kills a run: 4, so that make test stays
// short, or BARKEEP_KILLS for a longer hunt.
func kills(t *testing.T) int {
	s := os.Getenv("BARKEEP_KILLS")
	if s == "" {
		return 4
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("BARKEEP_KILLS=%q: want a positive number", s)
	}
	return n
}

// A backtest killed at any moment leaves the previous report whole where it was, or the new
// one whole: never half of one.
func TestKillLeavesWholeReport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the command")
	}
	dir := fixture(t)
	out := filepath.Join(t.TempDir(), "report")
	store := filepath.Join(dir, "bars.duckdb")
	// The fixture's first two weeks: the report is the same set of files, written and put in
	// place the same way, whatever the span, and writing it is then about half of a run.
	args := func(strategy string) []string {
		return append([]string{"--quiet", "--store", store, "--out", out, "--strategy", strategy}, firstWeeks...)
	}
	// The runs that are not killed run in this process: only a process can be killed.
	if code, _, stderr := runCmd(t, args("ema")...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	checkReport(t, out, "ema")

	// How long a whole run takes, to spread the kills over it: from its start to the report's
	// path on stdout, printed once the report is in place. What follows (closing the store,
	// exiting: a second under -race, whose runtime sleeps at exit) cannot leave half a report,
	// so no kill is spent on it.
	full := timedRun(t, args("sma")...)
	checkReport(t, out, "sma")
	t.Logf("a whole run takes %v to its report", full)

	rng := rand.New(rand.NewPCG(7, 11))
	want := "sma"
	other := map[string]string{"sma": "ema", "ema": "sma"}
	for i := range kills(t) {
		strategy := other[want] // never the report in place, so that old and new are told apart
		cmd := backtestCommand(args(strategy)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		after := time.Duration(rng.Float64() * float64(full))
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if err == nil {
			want = strategy // finished before the kill
		}
		// Either the old report or the new one, whole.
		b, rerr := os.ReadFile(filepath.Join(out, "stats.json"))
		if rerr != nil {
			t.Fatalf("kill %d: no report left: %v", i, rerr)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("kill %d: stats.json broken: %v", i, err)
		}
		got := m["strategy"].(string)
		if got != want && got != strategy {
			t.Fatalf("kill %d: report is from %s, want %s or %s", i, got, want, strategy)
		}
		t.Logf("kill %d after %v: the %s report in place (%v)", i, after.Round(time.Millisecond),
			map[bool]string{true: "new", false: "old"}[got == strategy], err)
		want = got
		checkReport(t, out, got)
	}
	// No stray temporary directory is mistaken for the report, and the next run still works:
	// with the strategy whose report is not in place, so that its own is seen to replace it.
	next := other[want]
	if code, _, stderr := runCmd(t, args(next)...); code != 0 {
		t.Fatalf("run after kills: exit %d: %s", code, stderr)
	}
	checkReport(t, out, next)
}

// timedRun runs the command to its end, and returns how long it took to print its first line
// of output: with --quiet, the results path, once the results are written.
func timedRun(t *testing.T, args ...string) time.Duration {
	t.Helper()
	cmd := backtestCommand(args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	line, rerr := r.ReadString('\n')
	took := time.Since(start)
	io.Copy(io.Discard, r)
	if err := cmd.Wait(); err != nil || rerr != nil {
		t.Fatalf("%v: %v (%v); stdout %q; stderr %s", args, err, rerr, line, errb.String())
	}
	return took
}
