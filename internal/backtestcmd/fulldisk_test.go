package backtestcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/internal/testfs"
)

// A report that cannot be written for lack of space fails with exit 1 and one line, and the
// previous report stays whole where it was.
func TestBacktestDiskFull(t *testing.T) {
	dir := fixture(t)
	disk := testfs.Tiny(t, "4m")
	out := filepath.Join(disk, "report")
	args := append([]string{"--quiet", "--store", filepath.Join(dir, "bars.duckdb"), "--out", out}, firstWeeks...)
	if code, _, stderr := runCmd(t, append(args, "--strategy", "ema")...); code != 0 {
		t.Fatalf("first report: exit %d: %s", code, stderr)
	}
	before, err := os.ReadFile(filepath.Join(out, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	testfs.Fill(t, disk)
	code, _, stderr := runCmd(t, append(args, "--strategy", "sma")...)
	if code != cli.ExitFailure {
		t.Fatalf("exit %d on a full disk, want 1: %s", code, stderr)
	}
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.Contains(stderr, "no space") {
		t.Errorf("want one line saying the disk is full, got:\n%s", stderr)
	}
	after, err := os.ReadFile(filepath.Join(out, "stats.json"))
	if err != nil || string(after) != string(before) {
		t.Fatalf("the previous report was damaged (%v)", err)
	}
	checkReport(t, out, "ema")
}
