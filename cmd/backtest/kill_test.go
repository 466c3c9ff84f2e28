package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds this command once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "backtest")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
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

// A backtest killed at any moment leaves the previous report whole where it was, or the new
// one whole: never half of one.
func TestKillLeavesWholeReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	dir := fixture(t)
	bin := buildBinary(t)
	out := filepath.Join(t.TempDir(), "report")
	store := filepath.Join(dir, "bars.duckdb")
	args := func(strategy string) []string {
		return []string{"--quiet", "--store", store, "--out", out, "--strategy", strategy}
	}
	if b, err := exec.Command(bin, args("ema")...).CombinedOutput(); err != nil {
		t.Fatalf("first run: %v\n%s", err, b)
	}
	checkReport(t, out, "ema")

	// How long a whole run takes, to spread the kills over it.
	start := time.Now()
	if b, err := exec.Command(bin, args("sma")...).CombinedOutput(); err != nil {
		t.Fatalf("timing run: %v\n%s", err, b)
	}
	full := time.Since(start)
	if b, err := exec.Command(bin, args("ema")...).CombinedOutput(); err != nil {
		t.Fatalf("reset run: %v\n%s", err, b)
	}

	rng := rand.New(rand.NewPCG(7, 11))
	want := "ema"
	for i := 0; i < 8; i++ {
		strategy := []string{"sma", "ema"}[i%2]
		cmd := exec.Command(bin, args(strategy)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Float64() * float64(full)))
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
		want = got
		checkReport(t, out, got)
	}
	// No stray temporary directory is mistaken for the report, and the next run still works.
	if b, err := exec.Command(bin, args("sma")...).CombinedOutput(); err != nil {
		t.Fatalf("run after kills: %v\n%s", err, b)
	}
	checkReport(t, out, "sma")
}
