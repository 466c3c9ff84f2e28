package backtestcmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/reports"
)

// runDate and elapsed are what differs between two sweeps of the same grid on the same bars:
// when they ran and how long they took.
var (
	runDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]+`)
	elapsed = regexp.MustCompile(` · [^<]* in all`)
)

// The shards of a sweep, run as separate processes and merged, give the files one unsharded
// sweep writes: byte for byte, the page apart from its run date and time taken.
func TestShardMergeEqualsSingleSweep(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	tmp := t.TempDir()
	sweepArgs := append([]string{"--store", store, "--strategy", "sma", "--grid", "fast=2:10:2", "--grid", "slow=10,20,30", "--jobs", "1", "--pbo-blocks", "4"}, firstWeeks...)
	single := filepath.Join(tmp, "single")
	if code, _, stderr := runCmd(t, append(sweepArgs, "--out", single)...); code != 0 {
		t.Fatalf("single sweep: exit %d: %s", code, stderr)
	}
	const n = 4
	var shards []string
	for i := range n {
		dir := filepath.Join(tmp, fmt.Sprintf("shard%d", i))
		cmd := backtestCommand(append(sweepArgs, "--shard", fmt.Sprintf("%d/%d", i, n), "--out", dir)...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("shard %d/%d: %v: %s", i, n, err, errb.String())
		}
		shards = append(shards, dir)
	}
	merged := filepath.Join(tmp, "merged")
	// Given in any order.
	args := append([]string{"--merge", "--out", merged}, shards[2], shards[0], shards[3], shards[1])
	code, stdout, stderr := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "14 runs merged from 4 shards") {
		t.Errorf("merge says:\n%s", stdout)
	}
	for _, f := range []string{reports.SweepCSVFile, reports.SweepSummaryFile, reports.DailyReturnsFile, reports.SweepHTMLFile} {
		want, err := os.ReadFile(filepath.Join(single, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(merged, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == reports.SweepHTMLFile {
			if !runDate.Match(want) || !elapsed.Match(want) {
				t.Fatal("the page's run date or time taken is not where the test masks it")
			}
			want, got = mask(want), mask(got)
		}
		if len(want) == 0 || !bytes.Equal(want, got) {
			t.Errorf("merged %s differs from the single sweep's:\n%s", f, firstDiff(want, got))
		}
	}
}

func mask(b []byte) []byte {
	return elapsed.ReplaceAll(runDate.ReplaceAll(b, []byte("DATE")), nil)
}

func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-80, 0)
	return fmt.Sprintf("want …%s…\ngot  …%s…", a[lo:min(i+80, len(a))], b[lo:min(i+80, len(b))])
}

// A merge refuses, in one line and exit 2, shards that are not one whole sweep.
func TestMergeRefusesMismatchedShards(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	tmp := t.TempDir()
	shard := func(name string, extra ...string) string {
		dir := filepath.Join(tmp, name)
		args := append([]string{"--store", store, "--strategy", "sma", "--grid", "fast=2,4", "--grid", "slow=10,20", "--jobs", "1", "--quiet", "--out", dir}, firstWeeks...)
		args = append(args, extra...) // the later of two flags counts
		if code, _, stderr := runCmd(t, args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		return dir
	}
	a0 := shard("a0", "--shard", "0/2")
	a1 := shard("a1", "--shard", "1/2")
	otherGrid := shard("grid1", "--shard", "1/2", "--grid", "stop_loss=0.05")
	otherData := shard("data1", "--shard", "1/2", "--end", "2024-01-11")
	otherCost := shard("cost1", "--shard", "1/2", "--slippage-bps", "5")
	three := shard("three", "--shard", "1/3")
	for name, c := range map[string]struct {
		dirs []string
		want string
	}{
		"missing":    {[]string{a0}, "shards missing: [1/2]"},
		"duplicate":  {[]string{a0, a1, a1}, "given twice"},
		"grid":       {[]string{a0, otherGrid}, "different grid"},
		"data":       {[]string{a0, otherData}, "different data"},
		"costs":      {[]string{a0, otherCost}, "different cost configuration"},
		"count":      {[]string{a0, three}, "different number of shards"},
		"not shard":  {[]string{a0, tmp}, "is not a shard directory"},
		"flag after": {[]string{a0, a1, "--no-html"}, "give flags first"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runCmd(t, append([]string{"--merge", "--out", filepath.Join(tmp, "m-"+name)}, c.dirs...)...)
			if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Fatalf("exit %d, stderr %q; want 2 and one line saying %q", code, stderr, c.want)
			}
		})
	}
	// A shard from another version of barkeep.
	b, err := os.ReadFile(filepath.Join(a1, reports.ShardManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(tmp, "old1")
	if err := os.MkdirAll(old, 0o755); err != nil {
		t.Fatal(err)
	}
	runs, _ := os.ReadFile(filepath.Join(a1, reports.ShardRunsFile))
	os.WriteFile(filepath.Join(old, reports.ShardRunsFile), runs, 0o644)
	os.WriteFile(filepath.Join(old, reports.ShardManifestFile), bytes.Replace(b, []byte(`"version": "`), []byte(`"version": "v0.0.1-old`), 1), 0o644)
	code, _, stderr := runCmd(t, "--merge", "--out", filepath.Join(tmp, "m-old"), a0, old)
	if code != 2 || !strings.Contains(stderr, "different barkeep version") {
		t.Fatalf("exit %d, %q; want 2 and the version named", code, stderr)
	}
	if code, _, stderr := runCmd(t, "--merge", "--out", filepath.Join(tmp, "m-ok"), a1, a0); code != 0 {
		t.Fatalf("the matching shards: exit %d: %s", code, stderr)
	}
}

// More shards than runs leave some empty; the merge still writes the single sweep's files.
func TestMergeEmptyShards(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	tmp := t.TempDir()
	args := append([]string{"--store", store, "--strategy", "sma", "--grid", "fast=2,4", "--grid", "slow=10,20", "--jobs", "1", "--quiet", "--no-html"}, firstWeeks...)
	single := filepath.Join(tmp, "single")
	if code, _, stderr := runCmd(t, append(args, "--out", single)...); code != 0 {
		t.Fatalf("single: exit %d: %s", code, stderr)
	}
	merge := []string{"--merge", "--quiet", "--out", filepath.Join(tmp, "merged")}
	for i := range 6 {
		dir := filepath.Join(tmp, fmt.Sprint(i))
		if code, _, stderr := runCmd(t, append(args, "--shard", fmt.Sprintf("%d/6", i), "--out", dir)...); code != 0 {
			t.Fatalf("shard %d/6: exit %d: %s", i, code, stderr)
		}
		merge = append(merge, dir)
	}
	if code, _, stderr := runCmd(t, merge...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	for _, f := range []string{reports.SweepCSVFile, reports.SweepSummaryFile, reports.DailyReturnsFile} {
		want, _ := os.ReadFile(filepath.Join(single, f))
		got, _ := os.ReadFile(filepath.Join(tmp, "merged", f))
		if len(want) == 0 || !bytes.Equal(want, got) {
			t.Errorf("%s differs:\n%s", f, firstDiff(want, got))
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "merged", reports.SweepHTMLFile)); err == nil {
		t.Error("shards run with --no-html merged into a page")
	}
}
