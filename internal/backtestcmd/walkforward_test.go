package backtestcmd

import (
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/reports"
	"github.com/barkeep-trading/barkeep/sweep"
)

var walkArgs = []string{"--strategy", "sma", "--grid", "fast=2,5", "--grid", "slow=10,30", "--walk-forward", "train=20,test=10", "--min-trades", "0", "--jobs", "2"}

func TestWalkForwardWritesResults(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	out := filepath.Join(t.TempDir(), "wf")
	code, stdout, stderr := runCmd(t, append([]string{"--store", store, "--out", out}, walkArgs...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "walk-forward efficiency") {
		t.Errorf("stdout lacks the efficiency:\n%s", stdout)
	}
	for _, f := range []string{"walkforward.csv", "stats.json", "trades.csv", "equity.csv", "index.html", "run.html"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	fh, err := os.Open(filepath.Join(out, reports.WalkForwardCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "window,train_start,train_end,test_start,test_end,fast,slow,sharpe_in_sample,sharpe_out_of_sample"
	if got := strings.Join(recs[0], ","); got != want {
		t.Fatalf("header %s, want %s", got, want)
	}
	// 2024-01-02 to 2024-03-28 holds 61 sessions: test spans from day 20, 30, 40, 50 and
	// 60, the last of one day.
	if len(recs) != 6 || recs[5][3] != "2024-03-28" || recs[5][4] != "2024-03-28" {
		t.Fatalf("%d windows, want 5, the last testing 2024-03-28:\n%v", len(recs)-1, recs)
	}
	for i, r := range recs[1:] {
		if r[2] >= r[3] || r[1] > r[2] || r[3] > r[4] {
			t.Errorf("window %d: spans out of order: %v", i, r)
		}
		if i > 0 && recs[i][4] >= r[3] {
			t.Errorf("window %d: its test span starts %s, before the last ended %s", i, r[3], recs[i][4])
		}
		if r[5] == "" || r[6] == "" {
			t.Errorf("window %d: no choice: %v", i, r)
		}
	}
	m := readStats(t, out)
	if s, _ := m["start"].(string); !strings.HasPrefix(s, recs[1][3]) {
		t.Errorf("stitched run starts %v, want on the first test day %s", m["start"], recs[1][3])
	}
	page, _ := os.ReadFile(filepath.Join(out, "index.html"))
	if !strings.Contains(string(page), "Walk-forward efficiency") || !strings.Contains(string(page), recs[1][3]) {
		t.Error("index.html lacks the efficiency or the windows")
	}
	for _, bad := range [][]string{
		{"--walk-forward", "train=20"},
		{"--walk-forward", "train=20,test=10,step=5"},
		{"--walk-forward", "train=200,test=10"},
	} {
		args := append([]string{"--store", store, "--out", filepath.Join(t.TempDir(), "x"), "--strategy", "sma", "--grid", "fast=2,5"}, bad...)
		if code, _, stderr := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", bad, code, stderr)
		}
	}
}

// No window's choice depends on a bar after its train span: changing every later bar leaves
// it as it was, while changing a bar inside the span changes its in-sample figure.
//
// Over the fixture's first 19 sessions, windows of train=6,test=3 lay out as train=20,test=10
// do over all 61 (TestWalkForwardWritesResults): five windows, the last testing one day, at
// under a third of the bars a window.
func TestWalkForwardSeesNoFuture(t *testing.T) {
	ctx := context.Background()
	o := defaults()
	o.store = filepath.Join(fixture(t), "bars.duckdb")
	o.strategy = "sma"
	o.end = "2024-01-29"
	cfg, err := engineConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	st, q, err := openSelection(ctx, o, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bars, err := loadBars(ctx, st, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var grids sweep.Grids
	for _, g := range []string{"fast=2,5", "slow=10,30"} {
		if err := grids.Set(g); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := sweep.NewPlan("sma", nil, grids)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := reports.NewScorer(reports.Options{})
	dates, starts := sweep.Days(bars)
	spec := sweep.WalkSpec{Train: 6, Test: 3, Step: 3}
	wins := spec.Windows(len(dates))
	if len(dates) != 19 || len(wins) != 5 || wins[4].TestStart != 18 || wins[4].TestEnd != 18 {
		t.Fatalf("%d sessions, %d windows (%v): want 31 and 5, the last testing one day", len(dates), len(wins), wins)
	}
	choose := func(b []data.Bar, wins []sweep.Window) []walkChoice {
		c, err := walkChoices(ctx, plan, b, starts, wins, cfg, sc, "sharpe", 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	base := choose(bars, wins)
	perturb := func(from, to int) []data.Bar {
		b := append([]data.Bar(nil), bars...)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := from; i < to; i++ {
			f := 0.97 + 0.06*rng.Float64()
			b[i].Open, b[i].High, b[i].Low, b[i].Close, b[i].VWAP = b[i].Open*f, b[i].High*f, b[i].Low*f, b[i].Close*f, b[i].VWAP*f
		}
		return b
	}
	for _, w := range wins[:len(wins)-1] {
		// Every window is chosen again, so that a window's choice cannot lean on a later one's.
		after := choose(perturb(starts[w.TrainEnd+1], len(bars)), wins)
		for k := 0; k <= w.Index; k++ {
			if after[k].run.Index != base[k].run.Index || after[k].inSample != base[k].inSample {
				t.Fatalf("bars after window %d's train span changed window %d: %v (%v) became %v (%v)",
					w.Index, k, base[k].run.Params, base[k].inSample, after[k].run.Params, after[k].inSample)
			}
		}
		// Only window w's figure is looked at here: it alone is chosen again.
		inside := choose(perturb(starts[w.TrainStart], starts[w.TrainEnd+1]), wins[w.Index:w.Index+1])
		if inside[0].inSample == base[w.Index].inSample {
			t.Fatalf("window %d: changing its train span's bars left its figure %v: the test cannot see a leak", w.Index, base[w.Index].inSample)
		}
	}
}
