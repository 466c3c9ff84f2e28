package backtestcmd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/internal/cli"
)

// TestFillTF: deciding on daily bars built from the stored minutes and filling a tight bracket
// on those minutes leaves nothing to the pessimistic rule (the engine's tests show the rule
// deciding on the same days alone): ambiguous_fills stays 0 while the legs close trades.
func TestFillTF(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	fine := filepath.Join(t.TempDir(), "fine")
	code, _, stderr := runCmd(t, "--store", store, "--tf", "1Day", "--fill-tf", "1Min", "--param", "fast=2", "--param", "slow=3",
		"--param", "stop_loss=0.01", "--param", "take_profit=0.01", "--no-html", "--quiet", "--out", fine)
	if code != 0 {
		t.Fatalf("--fill-tf 1Min: exit %d, %s", code, stderr)
	}
	f := readStats(t, fine)
	if f["ambiguous_fills"].(float64) != 0 || f["timeframe"] != "1Day" {
		t.Errorf("--fill-tf 1Min: ambiguous_fills %v, timeframe %v; want 0 and 1Day", f["ambiguous_fills"], f["timeframe"])
	}
	if f["fill_timeframe"] != "1Min" {
		t.Errorf("--fill-tf 1Min: stats.json fill_timeframe %v, want 1Min", f["fill_timeframe"])
	}
	if f["exits_stop_loss"].(float64) == 0 || f["exits_take_profit"].(float64) == 0 {
		t.Errorf("--fill-tf 1Min: exits by stop %v, by target %v: want both", f["exits_stop_loss"], f["exits_take_profit"])
	}
	if f["bars"].(float64) > 200 {
		t.Errorf("--fill-tf 1Min: %v bars replayed: the strategy should see days", f["bars"])
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--fill-tf", "1Min"}, "needs --tf"},
		{[]string{"--tf", "1Min", "--fill-tf", "1Day"}, "want a finer intraday timeframe"},
		{[]string{"--tf", "1Hour", "--fill-tf", "7Min"}, "want a finer intraday timeframe"},
		{[]string{"--tf", "1Day", "--fill-tf", "1Min", "--grid", "fast=2,3"}, "single runs"},
	} {
		code, _, stderr := runCmd(t, append([]string{"--store", store, "--out", filepath.Join(t.TempDir(), "x")}, c.args...)...)
		if code != cli.ExitUsage || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, %s; want a usage error saying %q", c.args, code, stderr, c.msg)
		}
	}
}
