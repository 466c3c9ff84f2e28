package backtestcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/reports"
	"github.com/barkeep-trading/barkeep/strategies"
	"github.com/barkeep-trading/barkeep/sweep"
)

var sweepUsage = fmt.Sprintf(`
Parameter sweeps:
  backtest --strategy sma --grid fast=5:50:5 --grid slow=20:200:20 [--rank sharpe] [--top 20] [--jobs N]

--grid name=start:stop:step (stop included) or name=v1,v2,v3 sweeps one parameter; several
--grid flags combine as a cartesian product with the fixed --param values. Combinations the
strategy rejects (sma with fast >= slow) are skipped and counted. The bars are read once and
held in memory (%d bytes a bar: some %d MB for a million minute bars), and each parallel run
holds its own working memory while it runs (about %d bytes a bar), so memory grows with
--jobs: some %d MB for a million bars on 2 cores. A sweep that would not fit in the memory
available (MemAvailable, on Linux) is refused: lower --jobs or select fewer bars.
Combinations that ran and made no trade are counted apart; runs of fewer than --min-trades
closed trades (30) are not ranked. Results go to --out (default
backtests/<strategy>-sweep-<time>/): sweep.csv (every combination, every statistic, its
status), summary.json (trials, the best, its Deflated Sharpe Ratio and the probability of
backtest overfitting over --pbo-blocks blocks), daily_returns.csv (every combination's daily
returns, to recompute them) and index.html (heatmap, ranking, overfitting odds; not with
--no-html).
`, sweep.BarBytes, sweep.BarBytes*1e6>>20, sweep.RunBytes, sweep.Need(1e6, 2)>>20) + shardUsage + walkUsage

// availableMemory is what a sweep may fill; tests replace it to see a sweep refused.
var availableMemory = sweep.AvailableMemory

// sweepFlags are the flags of a parameter sweep, registered beside the single-run flags.
type sweepFlags struct {
	fs        *flag.FlagSet
	grid      sweep.Grids
	rank      string
	top       int
	jobs      int
	minTrades int
	shard     shardFlag
	merge     bool
	walk      string
}

// defaultMinTrades is --min-trades' default: below some 30 trades a Sharpe ratio or a win
// rate is mostly luck, and the best of many such runs is the luckiest.
const defaultMinTrades = 30

func addSweepFlags(fs *flag.FlagSet) *sweepFlags {
	f := &sweepFlags{fs: fs}
	fs.Var(&f.grid, "grid", "sweep a parameter: name=start:stop:step (stop included) or name=v1,v2,...; repeat for a grid")
	fs.StringVar(&f.rank, "rank", "sharpe", "sweep: statistic to rank by ("+strings.Join(reports.RankKeys(), ", ")+")")
	fs.IntVar(&f.top, "top", 20, "sweep: how many of the best combinations to list")
	fs.IntVar(&f.jobs, "jobs", 0, "sweep: runs in parallel (default: every core, GOMAXPROCS)")
	fs.IntVar(&f.minTrades, "min-trades", defaultMinTrades, "sweep: the fewest closed trades a run needs to be ranked (thin runs are listed in sweep.csv, not ranked)")
	fs.Var(&f.shard, "shard", "sweep: run only the i-th of n slices of the grid (i/n, 0 ≤ i < n) and write a shard directory for --merge")
	fs.StringVar(&f.walk, "walk-forward", "", "choose the grid's best by --rank on each train span and trade it on the test span after: train=N,test=N[,step=N][,anchored], in trading days")
	fs.BoolVar(&f.merge, "merge", false, "join the shard directories given as arguments (--shard) into one sweep's results")
	return f
}

// requested reports whether any sweep flag was given; sweep then checks that --grid was.
func (f *sweepFlags) requested() bool {
	set := false
	f.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "grid", "rank", "top", "jobs", "min-trades", "shard", "walk-forward":
			set = true
		}
	})
	return set
}

// planError makes what is wrong with the grids a usage error, naming the flag of the grid at
// fault.
func planError(err error) error {
	var se *sweep.Error
	switch {
	case errors.As(err, &se) && se.Grid != "":
		return cli.Usagef("--grid %v", err)
	case se != nil, errors.Is(err, strategies.ErrBadParam), errors.Is(err, strategies.ErrUnknownStrategy):
		return cli.Usage(err)
	}
	return err
}

// estimateBars is how many bars q will load, from the store's listing: whole series when q
// has no range, otherwise their share of it by time, bars being spread about evenly.
func estimateBars(infos []data.SeriesInfo, q data.Query) int64 {
	var n float64
	for _, in := range infos {
		if in.Timeframe != q.Timeframe || in.Adjustment.Norm() != q.Adjustment || !slices.Contains(q.Symbols, in.Symbol) || in.Bars == 0 ||
			(q.Feed != "" && in.Feed != q.Feed) {
			continue
		}
		lo, hi := in.First, in.Last
		if !q.Start.IsZero() && q.Start.After(lo) {
			lo = q.Start
		}
		if !q.End.IsZero() && !q.End.After(hi) {
			hi = q.End
		}
		switch span := in.Last.Sub(in.First); {
		case hi.Before(lo):
		case span <= 0:
			n += float64(in.Bars)
		default:
			n += float64(in.Bars) * min(1, float64(hi.Sub(lo)+time.Minute)/float64(span))
		}
	}
	return int64(n + 0.5)
}

// estimateDays is how many daily returns each combination of a sweep over q keeps: the
// trading days (every calendar day for crypto) from the first to the last stored bar selected.
func estimateDays(infos []data.SeriesInfo, q data.Query) int64 {
	var lo, hi time.Time
	crypto := true
	for _, in := range infos {
		if in.Timeframe != q.Timeframe || in.Adjustment.Norm() != q.Adjustment || !slices.Contains(q.Symbols, in.Symbol) || in.Bars == 0 ||
			(q.Feed != "" && in.Feed != q.Feed) {
			continue
		}
		crypto = crypto && data.IsCrypto(in.Symbol)
		if lo.IsZero() || in.First.Before(lo) {
			lo = in.First
		}
		if in.Last.After(hi) {
			hi = in.Last
		}
	}
	if !q.Start.IsZero() && q.Start.After(lo) {
		lo = q.Start
	}
	if !q.End.IsZero() && q.End.Before(hi) {
		hi = q.End
	}
	if lo.IsZero() || !hi.After(lo) {
		return 1
	}
	if crypto {
		return int64(hi.Sub(lo)/(24*time.Hour)) + 1
	}
	var n int64
	for range calendar.Sessions(lo, hi.Add(24*time.Hour)) {
		n++
	}
	return max(n, 1)
}

// loadBars reads the selection once into memory, in a slice sized from the estimate.
func loadBars(ctx context.Context, st data.Store, q data.Query, estimate int64) ([]data.Bar, error) {
	it, err := st.Read(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", q.Timeframe, err)
	}
	bars := make([]data.Bar, 0, min(estimate, 50_000_000))
	for it.Next() {
		bars = append(bars, it.Bar())
	}
	err = it.Err()
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", q.Timeframe, err)
	}
	return bars, nil
}

// checkRank refuses a --rank that names no statistic, suggesting the nearest that does.
func (f *sweepFlags) checkRank() error {
	if err := reports.CheckRank(f.rank); err != nil {
		return cli.Usage(fmt.Errorf("--rank: %w%s", err, cli.DidYouMean(f.rank, reports.RankKeys())))
	}
	return nil
}

// parallelJobs checks --min-trades and --jobs, which a sweep and a walk-forward share, and
// returns how many runs --jobs asks to run at once (0: one a core).
func (f *sweepFlags) parallelJobs() (int, error) {
	if f.minTrades < 0 {
		return 0, cli.Usagef("--min-trades %d: want 0 or more", f.minTrades)
	}
	jobs := f.jobs
	if jobs < 0 || jobs > 1024 {
		return 0, cli.Usagef("--jobs %d: want 1 to 1024, or 0 for every core", f.jobs)
	}
	if jobs == 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	return jobs, nil
}

// loadSelection opens the store and the selection, refuses one whose bars and jobs parallel
// runs (each keeping kept(infos, q) daily returns) would not fit in memory, and loads its bars.
// The caller closes the store it returns.
func loadSelection(ctx context.Context, o options, cfg *engine.Config, jobs int, kept func([]data.SeriesInfo, data.Query) int64) (data.Store, data.Query, []data.Bar, error) {
	st, q, err := openSelection(ctx, o, cfg)
	if err != nil {
		return nil, data.Query{}, nil, err
	}
	bars, err := func() ([]data.Bar, error) {
		infos, err := st.Series(ctx)
		if err != nil {
			return nil, fmt.Errorf("list store %s: %w", o.store, err)
		}
		estimate := estimateBars(infos, q)
		if err := checkMemory(estimate, jobs, kept(infos, q)); err != nil {
			return nil, err
		}
		return loadBars(ctx, st, q, estimate)
	}()
	if err != nil {
		st.Close()
		return nil, data.Query{}, nil, err
	}
	return st, q, bars, nil
}

// checkMemory refuses, as a usage error, a sweep whose bars and runs cannot fit in the memory
// available, and otherwise keeps the heap within it: the collector would let it grow to twice
// what is live, into swap.
func checkMemory(bars int64, jobs int, kept int64) error {
	avail, ok := availableMemory()
	if !ok {
		return nil
	}
	err := sweep.CheckMemory(bars, jobs, kept, avail)
	var me *sweep.MemoryError
	if errors.As(err, &me) {
		if me.FitJobs > 0 {
			return cli.Usagef("%v: use --jobs %d, or select fewer bars", err, me.FitJobs)
		}
		return cli.Usagef("%v: even --jobs 1 does not fit: select fewer symbols or a shorter range", err)
	}
	if err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(avail)
	}
	return nil
}

// runSweep runs a parameter sweep: the single-run flags choose the bars and the engine, the
// grid the combinations.
func runSweep(ctx context.Context, o options, f *sweepFlags, stdout, stderr io.Writer, now time.Time) error {
	if f.walk != "" {
		return runWalkForward(ctx, o, f, stdout, stderr, now)
	}
	cfg, err := engineConfig(o)
	if err != nil {
		return err
	}
	if o.json {
		return cli.Usagef("--json writes a single run's stats.json; a sweep's results are sweep.csv")
	}
	if err := o.research.check(true); err != nil {
		return err
	}
	if err := f.checkRank(); err != nil {
		return err
	}
	if f.top < 1 {
		return cli.Usagef("--top %d: want at least 1", f.top)
	}
	jobs, err := f.parallelJobs()
	if err != nil {
		return err
	}
	if len(f.grid) == 0 {
		return cli.Usagef("--rank, --top, --jobs and --min-trades need at least one --grid")
	}
	plan, err := sweep.NewPlan(o.strategy, o.params, f.grid)
	if err != nil {
		return planError(suggest(err, o.strategy))
	}
	runs := plan.Runs
	if f.shard.set {
		runs = f.shard.s.Runs(plan.Runs)
	}
	jobs = max(min(jobs, len(runs)), 1)

	st, q, bars, err := loadSelection(ctx, o, &cfg, jobs, func(infos []data.SeriesInfo, q data.Query) int64 {
		return sweep.Kept(len(runs), estimateDays(infos, q))
	})
	if err != nil {
		return err
	}
	defer st.Close()
	ropts := reports.Options{RiskFree: o.riskFree, Version: cli.Version(), RunDate: now}
	// The benchmark runs once; it gives every run the alpha and beta a single run reports.
	bq, hasBench, err := benchmarkQuery(o, q)
	if err != nil {
		return err
	}
	if hasBench {
		var loaded []data.Bar
		if slices.Equal(bq.Symbols, q.Symbols) {
			loaded = bars
		}
		if ropts.Benchmark, err = runBenchmark(ctx, st, cfg, bq, loaded); err != nil {
			return err
		}
	}
	// Nothing more is read: the store need not stay open through a long sweep.
	if err := st.Close(); err != nil {
		return err
	}
	sc, err := reports.NewScorer(ropts)
	if err != nil {
		return err
	}

	var bar *cli.Bar
	var progress func(int)
	if fl, ok := stderr.(*os.File); ok && cli.IsTerminal(fl) && !o.quiet {
		bar = cli.NewBar(stderr, "sweep")
		progress = func(done int) { bar.Update(done, len(runs), int64(done)*int64(len(bars)), "bars", "") }
	}
	started := time.Now()
	scores, replayed, err := sweep.Execute(ctx, plan, runs, bars, cfg, sc.Score, sweep.Options{Jobs: jobs, Progress: progress})
	if bar != nil {
		bar.Done()
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(started)
	stats := reports.ScoreStats(scores)

	s := reports.Sweep{
		Run: reports.Run{Strategy: o.strategy, Params: plan.Fixed.Strings(), Symbols: q.Symbols, Store: o.store, Feed: cfg.Provenance.Feed,
			Adjustment: string(q.Adjustment), Start: q.Start, End: q.End, Cash: cfg.Cash, Bars: replayed,
			Version: cli.Version(), RunDate: now, Timeframe: q.Timeframe.String()},
		Params: plan.Columns, Combinations: plan.Combinations, Skipped: plan.Rejected,
		Rank: f.rank, Top: f.top, Jobs: jobs, Elapsed: elapsed, MinTrades: f.minTrades, NoHTML: o.noHTML,
		Order:     sweep.RankGroups(stats, reports.RankBy(f.rank), reports.SweepGroup(f.minTrades)),
		PBOBlocks: o.research.pboBlocks.v,
	}
	if len(scores) > 0 {
		s.RiskFreeDaily = scores[0].RiskFreeDaily
	}
	for _, a := range plan.Axes {
		s.Axes = append(s.Axes, reports.SweepAxis(a))
	}
	if plan.Rejection != nil {
		s.SkipReason = plan.Rejection.Err.Error()
	}
	if s.Run.Start.IsZero() && len(bars) > 0 {
		s.Run.Start, s.Run.End = bars[0].Time, bars[len(bars)-1].Time
	}
	if ropts.Benchmark != nil {
		s.Run.Benchmark = reports.BenchmarkLabel(ropts.Benchmark)
	}
	s.Rows = make([]reports.SweepRow, len(stats))
	for i := range stats {
		s.Rows[i] = reports.SweepRow{Params: runs[i].Params.Strings(), Stats: stats[i], Returns: scores[i].Returns, Dates: scores[i].Dates}
	}
	if f.shard.set {
		return writeShard(ctx, o, f, s, runs, len(plan.Runs), cfg, q, bars, stdout, now)
	}
	out := o.out
	if out == "" {
		out = filepath.Join("backtests", o.strategy+"-sweep-"+now.Format("20060102-150405"))
	}
	if err := reports.WriteSweepDir(ctx, out, s); err != nil {
		return fmt.Errorf("write sweep: %w", err)
	}
	if !o.quiet {
		reports.PrintSweep(stdout, s)
		fmt.Fprintf(stdout, "%d runs of %d bars in %s with %d parallel jobs\n", len(s.Rows), len(bars), elapsed.Round(time.Millisecond), s.Jobs)
	}
	printWhere(stdout, o, out, reports.SweepHTMLFile)
	return nil
}
