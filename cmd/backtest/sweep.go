package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/reports"
	"github.com/barkeep-trading/barkeep/strategies"
)

// maxCombinations bounds a sweep: past it a typo in a step (0.001 for 1) would queue hours
// of runs, and the sweep is better split by hand.
const maxCombinations = 10_000

const sweepUsage = `
Parameter sweeps:
  backtest --strategy sma --grid fast=5:50:5 --grid slow=20:200:20 [--rank sharpe] [--top 20] [--jobs N]

--grid name=start:stop:step (stop included) or name=v1,v2,v3 sweeps one parameter; several
--grid flags combine as a cartesian product with the fixed --param values. Combinations the
strategy rejects (sma with fast >= slow) are skipped and counted. The bars are read once and
held in memory (about 100 bytes a bar: some 100 MB for a million minute bars), and each
parallel run holds its own result while it runs (about 150 bytes a bar), so memory grows
with --jobs: some 400 MB for a million bars on 2 cores.
Results go to --out (default backtests/<strategy>-sweep-<time>/): sweep.csv (every
combination, every statistic) and index.html (heatmap and ranking).
`

// sweepFlags are the flags of a parameter sweep, registered beside the single-run flags.
type sweepFlags struct {
	fs   *flag.FlagSet
	grid gridList
	rank string
	top  int
	jobs int
}

func addSweepFlags(fs *flag.FlagSet) *sweepFlags {
	f := &sweepFlags{fs: fs}
	fs.Var(&f.grid, "grid", "sweep a parameter: name=start:stop:step (stop included) or name=v1,v2,...; repeat for a grid")
	fs.StringVar(&f.rank, "rank", "sharpe", "sweep: statistic to rank by ("+strings.Join(reports.RankKeys(), ", ")+")")
	fs.IntVar(&f.top, "top", 20, "sweep: how many of the best combinations to list")
	fs.IntVar(&f.jobs, "jobs", 0, "sweep: runs in parallel (default: every core, GOMAXPROCS)")
	return f
}

// requested reports whether any sweep flag was given; sweep then checks that --grid was.
func (f *sweepFlags) requested() bool {
	set := false
	f.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "grid", "rank", "top", "jobs":
			set = true
		}
	})
	return set
}

// gridFlag is one --grid as typed: the name, and either a range or a list of values.
type gridFlag struct {
	name, spec          string
	isRange             bool
	start, stop, step   float64
	list                []float64
	startText, stepText string
}

type gridList []gridFlag

func (g *gridList) String() string {
	var parts []string
	for _, f := range *g {
		parts = append(parts, f.name+"="+f.spec)
	}
	return strings.Join(parts, " ")
}

func (g *gridList) Set(s string) error {
	f, err := parseGrid(s)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(*g, func(x gridFlag) bool { return x.name == f.name }) {
		return fmt.Errorf("%s is swept twice", f.name)
	}
	*g = append(*g, f)
	return nil
}

// parseGrid reads the syntax of one --grid; whether the values suit the parameter is checked
// against the strategy later.
func parseGrid(s string) (gridFlag, error) {
	name, spec, ok := strings.Cut(s, "=")
	name, spec = strings.TrimSpace(name), strings.TrimSpace(spec)
	if !ok || name == "" || spec == "" {
		return gridFlag{}, fmt.Errorf("want name=start:stop:step or name=v1,v2,..., such as fast=5:50:5")
	}
	f := gridFlag{name: name, spec: spec}
	num := func(what, t string) (float64, error) {
		v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%s=%s: %s %q is not a number", name, spec, what, t)
		}
		return v, nil
	}
	if strings.Contains(spec, ":") {
		parts := strings.Split(spec, ":")
		if len(parts) != 3 {
			return f, fmt.Errorf("%s=%s: want start:stop:step, such as 5:50:5", name, spec)
		}
		var err error
		if f.start, err = num("start", parts[0]); err != nil {
			return f, err
		}
		if f.stop, err = num("stop", parts[1]); err != nil {
			return f, err
		}
		if f.step, err = num("step", parts[2]); err != nil {
			return f, err
		}
		if f.step <= 0 {
			return f, fmt.Errorf("%s=%s: step %s must be above zero", name, spec, parts[2])
		}
		if f.start > f.stop {
			return f, fmt.Errorf("%s=%s: start %s is above stop %s", name, spec, parts[0], parts[1])
		}
		f.isRange, f.startText, f.stepText = true, strings.TrimSpace(parts[0]), strings.TrimSpace(parts[2])
		return f, nil
	}
	for _, t := range strings.Split(spec, ",") {
		v, err := num("value", t)
		if err != nil {
			return f, err
		}
		if slices.Contains(f.list, v) {
			return f, fmt.Errorf("%s=%s: %s is listed twice", name, spec, strings.TrimSpace(t))
		}
		f.list = append(f.list, v)
	}
	return f, nil
}

// count is how many values the grid gives, computed before they are, so that a step typed far
// too small is refused without allocating its values.
func (f gridFlag) count() float64 {
	if !f.isRange {
		return float64(len(f.list))
	}
	// The epsilon keeps an inclusive stop reached through rounding (0.1:0.3:0.1).
	return math.Floor((f.stop-f.start)/f.step+1e-9) + 1
}

// values expands the grid. Range values are start + i×step, rounded to the decimals written in
// start and step, so that 0.1:0.3:0.1 gives 0.3 and not 0.30000000000000004.
func (f gridFlag) values() []float64 {
	if !f.isRange {
		return slices.Clone(f.list)
	}
	dec := max(decimals(f.startText), decimals(f.stepText))
	n := int(f.count())
	out := make([]float64, 0, n)
	for i := range n {
		v := f.start + float64(i)*f.step
		if dec >= 0 {
			v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'f', dec, 64), 64)
		}
		out = append(out, v)
	}
	return out
}

// decimals counts the digits after the point of a decimal literal; -1 for exponent forms,
// whose values are left unrounded.
func decimals(s string) int {
	if strings.ContainsAny(s, "eE") {
		return -1
	}
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

// spell writes a value as strategies.Params.Strings does, so that sweep.csv, the report and
// --param agree.
func spell(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// sweepPlan is a validated sweep: its axes and every combination, with the strategies the
// valid ones run.
type sweepPlan struct {
	axes       []reports.SweepAxis
	params     []string // sweep.csv's parameter columns: the axes, then the rest in Spec order
	fixed      map[string]string
	runs       []sweepRun
	total      int
	skipped    int
	skipReason string
}

type sweepRun struct {
	strat  engine.Strategy
	params map[string]string
}

// planSweep checks the grids against the strategy's parameters and builds every combination,
// the first grid varying slowest. Everything wrong with the flags is a usage error; a
// combination the strategy rejects is only counted.
func planSweep(name string, fixed map[string]string, grids []gridFlag) (*sweepPlan, error) {
	if len(grids) == 0 {
		return nil, cli.Usagef("--rank, --top and --jobs need at least one --grid")
	}
	spec, ok := strategies.Lookup(name)
	if !ok {
		_, _, err := strategies.New(name, nil)
		return nil, cli.Usage(err)
	}
	if _, err := spec.Parse(fixed); err != nil {
		return nil, cli.Usage(err)
	}
	p := &sweepPlan{fixed: map[string]string{}}
	total := 1.0
	for _, g := range grids {
		if !slices.ContainsFunc(spec.Params, func(sp strategies.Param) bool { return sp.Name == g.name }) {
			var names []string
			for _, sp := range spec.Params {
				names = append(names, sp.Name)
			}
			return nil, cli.Usagef("--grid %s=%s: strategy %s has no parameter %q (it has %s)", g.name, g.spec, name, g.name, strings.Join(names, ", "))
		}
		if _, dup := fixed[g.name]; dup {
			return nil, cli.Usagef("--grid %s=%s: %s is also fixed with --param", g.name, g.spec, g.name)
		}
		total *= g.count()
		if total > maxCombinations {
			return nil, cli.Usagef("--grid %s=%s: the grid has more than %d combinations: use a coarser step or fewer values", g.name, g.spec, maxCombinations)
		}
		ax := reports.SweepAxis{Name: g.name}
		for _, v := range g.values() {
			s := spell(v)
			if slices.Contains(ax.Values, s) {
				// A step below the resolution of float64 at these values repeats them.
				return nil, cli.Usagef("--grid %s=%s: the value %s comes twice: the step is too fine for the values", g.name, g.spec, s)
			}
			// Each value is checked alone, with the same message a --param would get.
			if _, err := spec.Parse(map[string]string{g.name: s}); err != nil {
				return nil, cli.Usagef("--grid %s=%s: %v", g.name, g.spec, err)
			}
			ax.Values = append(ax.Values, s)
		}
		p.axes = append(p.axes, ax)
		p.params = append(p.params, g.name)
	}
	for _, sp := range spec.Params {
		if !slices.Contains(p.params, sp.Name) {
			p.params = append(p.params, sp.Name)
		}
	}
	p.total = int(total)
	idx := make([]int, len(p.axes))
	for range p.total {
		raw := maps.Clone(fixed)
		if raw == nil {
			raw = map[string]string{}
		}
		for a, ax := range p.axes {
			raw[ax.Name] = ax.Values[idx[a]]
		}
		strat, params, err := strategies.New(name, raw)
		switch {
		case errors.Is(err, strategies.ErrBadParam):
			p.skipped++
			if p.skipReason == "" {
				p.skipReason = strings.TrimPrefix(err.Error(), "strategy "+name+": ")
				p.skipReason = strings.TrimPrefix(p.skipReason, strategies.ErrBadParam.Error()+": ")
			}
		case err != nil:
			return nil, err
		default:
			p.runs = append(p.runs, sweepRun{strat: strat, params: params.Strings()})
		}
		// Odometer, last axis fastest.
		for a := len(idx) - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < len(p.axes[a].Values) {
				break
			}
			idx[a] = 0
		}
	}
	if len(p.runs) == 0 {
		return nil, cli.Usagef("every one of the %d combinations is invalid, for example: %s", p.total, p.skipReason)
	}
	full, err := spec.Parse(fixed)
	if err != nil {
		return nil, cli.Usage(err)
	}
	for k, v := range strategies.Params(full).Strings() {
		if !slices.ContainsFunc(p.axes, func(a reports.SweepAxis) bool { return a.Name == k }) {
			p.fixed[k] = v
		}
	}
	return p, nil
}

// runSweep runs every combination over the same bars with jobs workers and returns the
// statistics in combination order, whatever the scheduling. The first error (in combination
// order) stops the rest. progress, if not nil, is called after each run with the count done,
// from the workers.
func runSweep(ctx context.Context, bars []data.Bar, cfg engine.Config, runs []sweepRun, jobs int, sc *reports.Scorer, progress func(done int)) ([]reports.Stats, int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stats := make([]reports.Stats, len(runs))
	errs := make([]error, len(runs))
	var replayed atomic.Int64
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range min(max(jobs, 1), len(runs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(runs) || ctx.Err() != nil {
					return
				}
				c := cfg
				c.Params = runs[i].params
				res, err := engine.Run(ctx, c, data.NewSliceIterator(bars), runs[i].strat)
				if err == nil {
					replayed.Store(res.Bars)
					stats[i], err = sc.Stats(res)
				}
				if err != nil {
					errs[i] = fmt.Errorf("run %s: %w", paramString(runs[i].params), err)
					cancel()
					return
				}
				if progress != nil {
					progress(int(done.Add(1)))
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, 0, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, 0, err
		}
	}
	return stats, replayed.Load(), nil
}

func paramString(p map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(p)) {
		parts = append(parts, k+"="+p[k])
	}
	return strings.Join(parts, " ")
}

// loadBars reads the selection once into memory, sized from what the store says it holds.
func loadBars(ctx context.Context, st data.Store, q data.Query) ([]data.Bar, error) {
	hint := int64(0)
	if infos, err := st.Series(ctx); err == nil {
		for _, in := range infos {
			if in.Timeframe == q.Timeframe && in.Adjustment.Norm() == q.Adjustment && slices.Contains(q.Symbols, in.Symbol) {
				hint += in.Bars
			}
		}
	}
	it, err := st.Read(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", q.Timeframe, err)
	}
	bars := make([]data.Bar, 0, min(hint, 50_000_000))
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

// sweep runs a parameter sweep: the single-run flags choose the bars and the engine, the grid
// the combinations.
func sweep(ctx context.Context, o options, f *sweepFlags, stdout, stderr io.Writer, now time.Time) error {
	cfg, err := engineConfig(o)
	if err != nil {
		return err
	}
	if err := reports.CheckRank(f.rank); err != nil {
		return cli.Usage(fmt.Errorf("--rank: %w", err))
	}
	if f.top < 1 {
		return cli.Usagef("--top %d: want at least 1", f.top)
	}
	jobs := f.jobs
	if jobs < 0 || jobs > 1024 {
		return cli.Usagef("--jobs %d: want 1 to 1024, or 0 for every core", f.jobs)
	}
	if jobs == 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	plan, err := planSweep(o.strategy, o.params, f.grid)
	if err != nil {
		return err
	}

	st, q, err := openSelection(ctx, o, &cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	bars, err := loadBars(ctx, st, q)
	if err != nil {
		return err
	}
	ropts := reports.Options{RiskFree: o.riskFree, Version: version, RunDate: now}
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
		progress = func(done int) { bar.Update(done, len(plan.runs), int64(done)*int64(len(bars)), "bars", "") }
	}
	started := time.Now()
	stats, replayed, err := runSweep(ctx, bars, cfg, plan.runs, jobs, sc, progress)
	if bar != nil {
		bar.Done()
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(started)

	s := reports.Sweep{
		Run: reports.Run{Strategy: o.strategy, Params: plan.fixed, Symbols: q.Symbols, Store: o.store, Feed: cfg.Provenance.Feed,
			Adjustment: string(q.Adjustment), Start: q.Start, End: q.End, Cash: cfg.Cash, Bars: replayed,
			Version: version, RunDate: now, Timeframe: q.Timeframe.String()},
		Axes: plan.axes, Params: plan.params, Combinations: plan.total, Skipped: plan.skipped,
		SkipReason: plan.skipReason, Rank: f.rank, Top: f.top, Jobs: min(jobs, len(plan.runs)), Elapsed: elapsed,
	}
	if s.Run.Start.IsZero() && len(bars) > 0 {
		s.Run.Start, s.Run.End = bars[0].Time, bars[len(bars)-1].Time
	}
	if ropts.Benchmark != nil {
		s.Run.Benchmark = "buyhold " + strings.Join(bq.Symbols, ",")
	}
	s.Rows = make([]reports.SweepRow, len(stats))
	for i := range stats {
		s.Rows[i] = reports.SweepRow{Params: plan.runs[i].params, Stats: stats[i]}
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
	fmt.Fprintf(stdout, "results: %s\n", filepath.Join(out, reports.SweepHTMLFile))
	return nil
}
