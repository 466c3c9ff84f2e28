package backtestcmd

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/reports"
)

// A real sweep writes summary.json and daily_returns.csv beside sweep.csv: the returns of each
// column compound to its row's total return, and summary.json's figures are in range and name
// a combination that ran. Over the fixture's January: 21 sessions, enough for the default 16
// blocks.
func TestSweepSummaryAndDailyReturns(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	out := filepath.Join(t.TempDir(), "sweep")
	code, _, stderr := runCmd(t, "--store", store, "--out", out, "--strategy", "sma",
		"--grid", "fast=2:10:2", "--grid", "slow=10,20,30", "--min-trades", "0", "--quiet", "--end", "2024-01-31")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readSweepCSV(t, out)
	head := rows[0]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("sweep.csv has no %s column", name)
		return -1
	}
	f, err := os.Open(filepath.Join(out, reports.DailyReturnsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rets, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rets[0]) != len(rows) { // the date, then one column per row of sweep.csv
		t.Fatalf("daily_returns.csv has %d columns for %d combinations", len(rets[0])-1, len(rows)-1)
	}
	for k, row := range rows[1:] {
		label := "fast=" + row[col("fast")] + " slow=" + row[col("slow")]
		if rets[0][k+1] != label {
			t.Errorf("column %d is %q, want %q", k+1, rets[0][k+1], label)
		}
		n, _ := strconv.Atoi(row[col("daily_returns")])
		if n != len(rets)-1 {
			t.Errorf("%s: daily_returns %d, the file has %d dates", label, n, len(rets)-1)
		}
		eq := 1.0
		for _, rec := range rets[1:] {
			r, err := strconv.ParseFloat(rec[k+1], 64)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			eq *= 1 + r
		}
		tr, _ := strconv.ParseFloat(row[col("total_return")], 64)
		if math.Abs(eq-1-tr) > 1e-9 {
			t.Errorf("%s: returns compound to %g, total_return %g", label, eq-1, tr)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, reports.SweepSummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Trials   int               `json:"trials"`
		Best     map[string]string `json:"best"`
		DSR      *float64          `json:"deflated_sharpe"`
		PBO      *float64          `json:"pbo"`
		PBOInput struct {
			Blocks, Splits int
		} `json:"pbo_inputs"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Trials < 2 || sum.Trials > len(rows)-1 || sum.DSR == nil || sum.PBO == nil || *sum.DSR < 0 || *sum.DSR > 1 || *sum.PBO < 0 || *sum.PBO > 1 {
		t.Fatalf("summary.json: %s", b)
	}
	if sum.PBOInput.Blocks != 16 || sum.PBOInput.Splits != 12870 {
		t.Errorf("pbo over %d blocks, %d splits; want 16 and 12870", sum.PBOInput.Blocks, sum.PBOInput.Splits)
	}
	found := false
	for _, row := range rows[1:] {
		found = found || (row[col("fast")] == sum.Best["fast"] && row[col("slow")] == sum.Best["slow"])
	}
	if !found {
		t.Errorf("best %v is no combination of sweep.csv", sum.Best)
	}
	page, err := os.ReadFile(filepath.Join(out, reports.SweepHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "Overfitting odds") {
		t.Error("the page does not show the overfitting odds")
	}
}

// --pbo-blocks changes the splits; values out of range, and a flag of the other mode, are
// usage errors.
func TestSweepResearchFlags(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	out := filepath.Join(t.TempDir(), "sweep")
	code, _, stderr := runCmd(t, append([]string{"--store", store, "--out", out, "--strategy", "sma", "--grid", "fast=2,4", "--grid", "slow=10,20",
		"--pbo-blocks", "4", "--quiet"}, firstWeeks...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(out, reports.SweepSummaryFile))
	if !strings.Contains(string(b), `"blocks":4,"splits":6,`) {
		t.Errorf("--pbo-blocks 4: %s", b)
	}
	for _, args := range [][]string{
		{"--grid", "fast=2,4", "--pbo-blocks", "5"},
		{"--grid", "fast=2,4", "--pbo-blocks", "26"},
		{"--grid", "fast=2,4", "--bootstrap", "100"},
		{"--pbo-blocks", "8"},
		{"--bootstrap", "-1"},
	} {
		code, _, stderr := runCmd(t, append([]string{"--store", store, "--out", filepath.Join(t.TempDir(), "x")}, args...)...)
		if code != cli.ExitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, stderr, cli.ExitUsage)
		}
	}
}

// --bootstrap adds "ci" to stats.json, the same for the same --seed.
func TestBootstrapStatsJSON(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	var cis []any
	for _, seed := range []string{"3", "3", "4"} {
		out := filepath.Join(t.TempDir(), "r")
		code, _, stderr := runCmd(t, append([]string{"--store", store, "--out", out, "--bootstrap", "300", "--seed", seed, "--quiet", "--no-html"}, firstWeeks...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		st := readStats(t, out)
		ci, ok := st["ci"].(map[string]any)
		if !ok {
			t.Fatalf("stats.json has no ci: %v", st["ci"])
		}
		for _, k := range []string{"sharpe", "cagr", "max_drawdown"} {
			iv, _ := ci[k].([]any)
			if len(iv) != 2 || iv[0] == nil || iv[0].(float64) > iv[1].(float64) {
				t.Errorf("ci.%s = %v", k, ci[k])
			}
		}
		cis = append(cis, ci)
	}
	if !reflect.DeepEqual(cis[0], cis[1]) || reflect.DeepEqual(cis[0], cis[2]) {
		t.Errorf("seed 3 twice gave %v and %v; seed 4 %v", cis[0], cis[1], cis[2])
	}
}
