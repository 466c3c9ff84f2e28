package reports

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// returnsSweep is a sweep of 6 synthetic runs of some 50 sessions each, scored with Score so
// that each row keeps its daily returns, with a risk-free rate.
func returnsSweep(t *testing.T) Sweep {
	t.Helper()
	s := Sweep{
		Run:  Run{Strategy: "sma", Symbols: []string{"SYN"}, Timeframe: "1Min", Cash: 100000, Version: "test", RunDate: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		Axes: []SweepAxis{{"fast", []string{"1", "2", "3", "4", "5", "6"}}}, Params: []string{"fast"},
		Rank: "sharpe", Top: 5, PBOBlocks: 4,
	}
	sc, err := NewScorer(Options{RiskFree: 0.03})
	if err != nil {
		t.Fatal(err)
	}
	var scores []SweepScore
	for i, f := range s.Axes[0].Values {
		r, _ := synthetic(20_000, uint64(i+1))
		sw, err := sc.Score(r)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && &sw.Dates[0] != &scores[0].Dates[0] {
			t.Errorf("run %d keeps its own dates, want them shared", i)
		}
		scores = append(scores, sw)
		s.Rows = append(s.Rows, SweepRow{Params: map[string]string{"fast": f}, Stats: sw.Stats, Returns: sw.Returns, Dates: sw.Dates})
	}
	s.Combinations = len(s.Rows)
	s.RiskFreeDaily = scores[0].RiskFreeDaily
	s.Order = rank(s.Rows, s.Rank)
	return s
}

// summary.json and daily_returns.csv agree: the figures recomputed from the file's columns,
// with plain loops, are those written.
func TestSweepSummaryFromDailyReturns(t *testing.T) {
	s := returnsSweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	if err := WriteSweepDir(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, DailyReturnsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "date,fast=1,fast=2,fast=3,fast=4,fast=5,fast=6" {
		t.Fatalf("header %q", got)
	}
	if n := len(recs) - 1; n != s.Rows[0].Stats.DailyReturns || n < 40 {
		t.Fatalf("%d dates, want the %d daily returns of the runs (at least 40)", n, s.Rows[0].Stats.DailyReturns)
	}
	cols := make([][]float64, 6)
	for _, rec := range recs[1:] {
		if _, err := time.Parse(time.DateOnly, rec[0]); err != nil {
			t.Fatalf("date %q: %v", rec[0], err)
		}
		for j := range cols {
			v, err := strconv.ParseFloat(rec[j+1], 64)
			if err != nil {
				t.Fatal(err)
			}
			cols[j] = append(cols[j], v)
		}
	}
	var sum map[string]any
	b, err := os.ReadFile(filepath.Join(dir, SweepSummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	rfd := sum["risk_free_daily"].(float64)
	if want := math.Pow(1.03, 1.0/TradingDays) - 1; math.Abs(rfd-want) > 1e-15 {
		t.Errorf("risk_free_daily %g, want %g", rfd, want)
	}
	srs := make([]float64, len(cols))
	for j, c := range cols {
		var m, ss float64
		for _, r := range c {
			m += r
		}
		m /= float64(len(c))
		for _, r := range c {
			ss += (r - m) * (r - m)
		}
		srs[j] = (m - rfd) / math.Sqrt(ss/float64(len(c)-1))
		// The daily Sharpe ratio is the annualised one over √A.
		if want := s.Rows[j].Stats.Sharpe / math.Sqrt(TradingDays); math.Abs(srs[j]-want) > 1e-12 {
			t.Errorf("column %d: daily Sharpe %g, sweep's %g / √252 = %g", j, srs[j], s.Rows[j].Stats.Sharpe, want)
		}
	}
	var m, v float64
	for _, x := range srs {
		m += x
	}
	m /= float64(len(srs))
	for _, x := range srs {
		v += (x - m) * (x - m)
	}
	v /= float64(len(srs) - 1)
	best := s.Order[0]
	in := sum["deflated_sharpe_inputs"].(map[string]any)
	if sum["trials"].(float64) != 6 || in["daily_returns"].(float64) != float64(len(cols[best])) {
		t.Errorf("trials %v, daily returns %v", sum["trials"], in["daily_returns"])
	}
	if got := sum["best"].(map[string]any)["fast"]; got != s.Rows[best].Params["fast"] {
		t.Errorf("best fast=%v, want %s", got, s.Rows[best].Params["fast"])
	}
	if math.Abs(in["sharpe_daily"].(float64)-srs[best]) > 1e-12 || math.Abs(in["sharpe_variance"].(float64)-v) > 1e-12 {
		t.Errorf("inputs %v, want SR* %g and V %g", in, srs[best], v)
	}
	wantDSR, _ := deflatedSharpe(srs[best], v, 6, s.Rows[best].Stats.Skew, s.Rows[best].Stats.ExcessKurtosis+3, len(cols[best]))
	if got := sum["deflated_sharpe"].(float64); math.Abs(got-wantDSR) > 1e-9 || got <= 0 || got >= 1 {
		t.Errorf("deflated_sharpe %g, want %g", got, wantDSR)
	}
	if got, want := sum["pbo"].(float64), pbo(cols, rfd, 4).Value; got != want {
		t.Errorf("pbo %g, want %g from the file's columns", got, want)
	}
	page, err := os.ReadFile(filepath.Join(dir, SweepHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="overfit"`, "Deflated Sharpe Ratio:", "Probability of backtest overfitting:", `id="conv-pbo"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	csvText, err := os.ReadFile(filepath.Join(dir, SweepCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.SplitN(string(csvText), "\n", 2)[0], ",daily_returns,") {
		t.Error("sweep.csv has no daily_returns column")
	}
}

// A sweep whose rows kept no returns still writes summary.json, with null figures and reasons.
func TestSweepSummaryWithoutReturns(t *testing.T) {
	s := sampleSweep(t)
	var buf strings.Builder
	if err := writeSweepSummary(&buf, s.Summary()); err != nil {
		t.Fatal(err)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(buf.String()), &sum); err != nil {
		t.Fatal(err)
	}
	why, _ := sum["null_reasons"].(map[string]any)
	if sum["deflated_sharpe"] != nil || sum["pbo"] != nil || why["deflated_sharpe"] == nil || why["pbo"] == nil || sum["trials"].(float64) != 0 {
		t.Errorf("summary without returns: %s", buf.String())
	}
}
