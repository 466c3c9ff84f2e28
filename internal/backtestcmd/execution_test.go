package backtestcmd

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestExecutionFlags(t *testing.T) {
	var o options
	fs, _ := newFlags(&o)
	if err := fs.Parse([]string{"--max-volume-pct", "2.5", "--borrow-rate", "0.025", "--margin-rate", "0.0375"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := engineConfig(o)
	if err != nil || cfg.MaxVolumePct != 2.5 || cfg.BorrowRate != 0.025 || cfg.MarginRate != 0.0375 {
		t.Fatalf("config %+v, %v", cfg, err)
	}
	for _, args := range [][]string{{"--max-volume-pct", "101"}, {"--borrow-rate", "-0.1"}, {"--margin-rate", "NaN"}} {
		fs, _ := newFlags(&o)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if _, err := engineConfig(o); err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: err %v, want one naming the flag", args, err)
		}
	}
	// Off by default.
	fs, _ = newFlags(&o)
	fs.Parse(nil)
	if cfg, _ := engineConfig(o); cfg.MaxVolumePct != 0 || cfg.BorrowRate != 0 || cfg.MarginRate != 0 {
		t.Errorf("defaults %+v", cfg)
	}
}

// TestExecutionEndToEnd runs the command as a user would: the built-ins' exits from --param and
// --grid, trades.csv's exit_reason agreeing with stats.json's exits by reason, ambiguous bars
// counted without --fill-tf, partial fills under --max-volume-pct and margin interest under
// --margin-rate, with its rate among the costs assumed.
func TestExecutionEndToEnd(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	base := []string{"--store", store, "--tf", "1Min", "--start", "2024-01-02", "--end", "2024-01-12", "--no-html", "--quiet"}
	run := func(args ...string) map[string]any {
		t.Helper()
		out := filepath.Join(t.TempDir(), "out")
		if code, _, stderr := runCmd(t, append(append(append([]string{}, base...), "--out", out), args...)...); code != 0 {
			t.Fatalf("%v: exit %d, %s", args, code, stderr)
		}
		s := readStats(t, out)
		s["dir"] = out
		return s
	}

	s := run("--param", "fast=2", "--param", "slow=3", "--param", "stop_loss=0.001", "--param", "take_profit=0.001")
	f, err := os.Open(filepath.Join(s["dir"].(string), "trades.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "exit_reason" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("trades.csv header %v lacks exit_reason", rows[0])
	}
	byReason := map[string]float64{}
	for _, r := range rows[1:] {
		byReason[r[col]]++
	}
	for _, reason := range []string{"signal", "stop_loss", "take_profit", "trail", "end"} {
		if s["exits_"+reason] != byReason[reason] {
			t.Errorf("stats.json exits_%s %v, trades.csv %v", reason, s["exits_"+reason], byReason[reason])
		}
	}
	if byReason["stop_loss"] == 0 || byReason["take_profit"] == 0 || s["ambiguous_fills"].(float64) == 0 {
		t.Errorf("exits %v, ambiguous_fills %v: want stops, targets and bars touching both", byReason, s["ambiguous_fills"])
	}

	sweep := filepath.Join(t.TempDir(), "sweep")
	if code, _, stderr := runCmd(t, append(append([]string{}, base...), "--out", sweep, "--param", "fast=2", "--param", "slow=3",
		"--grid", "stop_loss=0.001:0.003:0.001", "--min-trades", "1")...); code != 0 {
		t.Fatalf("--grid stop_loss: exit %d, %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(sweep, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "stop_loss" {
		t.Fatalf("sweep.csv: %v rows, header %v, %v; want 3 runs by stop_loss", len(rows)-1, rows[0], err)
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		seen[r[0]] = true
	}
	if !seen["0.001"] || !seen["0.002"] || !seen["0.003"] {
		t.Errorf("sweep.csv stop_loss values %v", seen)
	}

	if s := run("--param", "fast=2", "--param", "slow=3", "--max-volume-pct", "0.5"); s["partial_fills"].(float64) == 0 {
		t.Errorf("--max-volume-pct 0.5: partial_fills %v", s["partial_fills"])
	}

	s = run("--strategy", "buyhold", "--param", "pct=2", "--leverage", "2", "--margin-rate", "0.0375")
	costs := s["costs_assumed"].(map[string]any)
	if v, _ := s["interest_paid"].(float64); v <= 0 || costs["margin_rate"] != 0.0375 {
		t.Errorf("--margin-rate 0.0375 at 2x: interest_paid %v, costs_assumed margin_rate %v", s["interest_paid"], costs["margin_rate"])
	}
	// Two weeks of a debit of about the equity at 3.75%/360 a day: some $100-150 on $100,000.
	if v := s["interest_paid"].(float64); v < 50 || v > 300 {
		t.Errorf("interest_paid %s: want about 3.75%% a year on the debit for two weeks", strconv.FormatFloat(v, 'f', 2, 64))
	}
}
