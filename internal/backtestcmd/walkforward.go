package backtestcmd

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/reports"
	"github.com/barkeep-trading/barkeep/sweep"
)

const walkUsage = `
Walk-forward:
  backtest --strategy sma --grid fast=5:50:5 --grid slow=20:200:20 --walk-forward train=252,test=63[,step=63][,anchored] [--rank sharpe]

Lengths are trading days: the New York dates the selected bars fall on. Window k trains on
days k*step .. k*step+train-1 (from day 0 with anchored), picks the grid's best combination
by --rank there (runs of fewer than --min-trades trades ranked last), and trades it on the
test days that follow. The test spans are stitched into one out-of-sample run, one engine
replay in which each window's choice takes over the portfolio at its test span's first bar:
positions and working orders are carried, and the new choice moves them when it next
signals. Results go to --out: walkforward.csv (the windows, the choices, the statistic in
and out of sample), the stitched run's stats.json, trades.csv, equity.csv and run.html, and
index.html with the walk-forward efficiency.
`

// walkChoice is what a window's train span chose.
type walkChoice struct {
	win      sweep.Window
	run      sweep.Run
	inSample float64
}

// walkChoices chooses each window's combination from its train span's bars alone: bars past
// a window's train end cannot change its choice (TestWalkForwardSeesNoFuture).
func walkChoices(ctx context.Context, plan *sweep.Plan, bars []data.Bar, starts []int, wins []sweep.Window, cfg engine.Config, sc *reports.Scorer, rank string, minTrades, jobs int) ([]walkChoice, error) {
	var out []walkChoice
	for _, w := range wins {
		train := bars[starts[w.TrainStart]:starts[w.TrainEnd+1]]
		stats, _, err := sweep.Execute(ctx, plan, plan.Runs, train, cfg, sc.Stats, sweep.Options{Jobs: jobs})
		if err != nil {
			return nil, fmt.Errorf("window %d: %w", w.Index, err)
		}
		best := sweep.RankGroups(stats, reports.RankBy(rank), reports.SweepGroup(minTrades))[0]
		v, _ := stats[best].Value(rank)
		out = append(out, walkChoice{win: w, run: plan.Runs[best], inSample: v})
	}
	return out, nil
}

func runWalkForward(ctx context.Context, o options, f *sweepFlags, stdout, stderr io.Writer, now time.Time) error {
	spec, err := sweep.ParseWalkSpec(f.walk)
	if err != nil {
		return cli.Usage(fmt.Errorf("--walk-forward %w", err))
	}
	if f.shard.set {
		return cli.Usagef("--shard splits a sweep; a walk-forward runs whole")
	}
	cfg, err := engineConfig(o)
	if err != nil {
		return err
	}
	if o.json {
		return cli.Usagef("--json writes a single run's stats.json; a walk-forward writes a directory")
	}
	if err := o.research.check(true); err != nil {
		return err
	}
	if err := f.checkRank(); err != nil {
		return err
	}
	jobs, err := f.parallelJobs()
	if err != nil {
		return err
	}
	if len(f.grid) == 0 {
		return cli.Usagef("--walk-forward chooses among the combinations of a --grid: give at least one")
	}
	plan, err := sweep.NewPlan(o.strategy, o.params, f.grid)
	if err != nil {
		return planError(suggest(err, o.strategy))
	}
	jobs = max(min(jobs, len(plan.Runs)), 1)
	// Each window keeps only its combinations' figures, not their daily returns.
	st, q, bars, err := loadSelection(ctx, o, &cfg, jobs, func([]data.SeriesInfo, data.Query) int64 { return 0 })
	if err != nil {
		return err
	}
	defer st.Close()
	dates, starts := sweep.Days(bars)
	wins := spec.Windows(len(dates))
	if len(wins) == 0 {
		return cli.Usagef("--walk-forward %s: the selection holds %d trading days, too few for a train span of %d and a test span after it", f.walk, len(dates), spec.Train)
	}
	sc, err := reports.NewScorer(reports.Options{RiskFree: o.riskFree})
	if err != nil {
		return err
	}
	choices, err := walkChoices(ctx, plan, bars, starts, wins, cfg, sc, f.rank, f.minTrades, jobs)
	if err != nil {
		return err
	}

	// The stitched run: one replay from the first test span to the last, each choice trading
	// from its test span's first bar.
	first, last := wins[0].TestStart, wins[len(wins)-1].TestEnd
	stitched := bars[starts[first]:starts[last+1]]
	var handover []time.Time
	var strats []engine.Strategy
	wf := reports.WalkForward{Spec: f.walk, Rank: f.rank, Trials: len(plan.Runs)}
	for _, a := range plan.Axes {
		wf.Params = append(wf.Params, a.Name)
	}
	for _, c := range choices {
		s, err := plan.Build(c.run)
		if err != nil {
			return err
		}
		strats = append(strats, s)
		handover = append(handover, bars[starts[c.win.TestStart]].Time)
		// Out of sample, the choice alone over its test span, from flat: comparable with its
		// in-sample figure.
		test := bars[starts[c.win.TestStart]:starts[c.win.TestEnd+1]]
		oos, _, err := sweep.Execute(ctx, plan, []sweep.Run{c.run}, test, cfg, sc.Stats, sweep.Options{Jobs: 1})
		if err != nil {
			return fmt.Errorf("window %d test span: %w", c.win.Index, err)
		}
		v, _ := oos[0].Value(f.rank)
		wf.Windows = append(wf.Windows, reports.WalkWindow{Index: c.win.Index,
			TrainStart: dates[c.win.TrainStart], TrainEnd: dates[c.win.TrainEnd], TestStart: dates[c.win.TestStart], TestEnd: dates[c.win.TestEnd],
			Params: c.run.Params.Strings(), InSample: c.inSample, OutOfSample: v})
	}
	rcfg := cfg
	rcfg.Params = plan.Fixed.Strings()
	rcfg.Provenance.Start, rcfg.Provenance.End = stitched[0].Time, stitched[len(stitched)-1].Time.Add(time.Nanosecond)
	res, err := engine.Run(ctx, rcfg, data.NewSliceIterator(stitched), sweep.Switch(handover, strats))
	if err != nil {
		return fmt.Errorf("stitched run: %w", err)
	}
	ropts := reports.Options{RiskFree: o.riskFree, Version: cli.Version(), RunDate: now}
	if bq, ok, err := benchmarkQuery(o, q); err != nil {
		return err
	} else if ok {
		var loaded []data.Bar
		if slices.Equal(bq.Symbols, q.Symbols) {
			loaded = stitched
		}
		bq.Start, bq.End = rcfg.Provenance.Start, rcfg.Provenance.End
		if ropts.Benchmark, err = runBenchmark(ctx, st, rcfg, bq, loaded); err != nil {
			return err
		}
		ropts.BenchmarkName = reports.BenchmarkLabel(ropts.Benchmark)
	}
	sum, err := reports.Compute(res, ropts)
	if err != nil {
		return err
	}
	out := o.out
	if out == "" {
		out = filepath.Join("backtests", o.strategy+"-walkforward-"+now.Format("20060102-150405"))
	}
	if err := reports.WriteWalkForwardDir(ctx, out, res, sum, wf, reports.WriteOptions{NoHTML: o.noHTML}); err != nil {
		return fmt.Errorf("write walk-forward: %w", err)
	}
	if !o.quiet {
		fmt.Fprintf(stdout, "walk-forward %s: %d windows over %d trading days, each choosing among %d combinations by %s\n", f.walk, len(wins), len(dates), len(plan.Runs), f.rank)
		for _, w := range wf.Windows {
			fmt.Fprintf(stdout, "  window %d: test %s to %s  %v  %s in sample %s, out of sample %s\n", w.Index,
				w.TestStart.Format(time.DateOnly), w.TestEnd.Format(time.DateOnly), paramText(wf.Params, w.Params), f.rank, num(w.InSample), num(w.OutOfSample))
		}
		fmt.Fprintf(stdout, "walk-forward efficiency %s; stitched out-of-sample run:\n", num(wf.Efficiency()))
		reports.PrintSummary(stdout, sum)
	}
	printWhere(stdout, o, out, reports.HTMLFile)
	return nil
}

func paramText(names []string, p map[string]string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += " "
		}
		s += n + "=" + p[n]
	}
	return s
}

func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.4g", v)
}
