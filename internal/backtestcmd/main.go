// Package backtestcmd is the backtest command behind app.Backtest: its flags, usage and
// wiring of store, engine, sweep and reports. See `backtest --help`.
package backtestcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
)

// singleRunMemoryLimit is the soft limit of the Go heap for one backtest (see run): the live
// heap peaks near 100 MB on ten years of minute bars (two 31 MB equity curves), and 128 MB
// kept that run's RSS 25 MB lower than 160 MB did, at the same speed.
const singleRunMemoryLimit = 128 << 20

const usage = `backtest replays stored bars through a strategy and reports what would have happened.

Usage:
  backtest --strategy sma [--param fast=20 --param slow=50] [--symbols AAPL,MSFT] [--tf 1Min]
           [--start DATE] [--end DATE] [--store PATH] [--cash 100000] [--out DIR] [flags]
  backtest --list-strategies

With no --symbols, --tf or dates it takes everything in the store. Orders fill no earlier than
the next bar of their symbol (market orders at its open), so no decision sees the future.
Results go to --out (default backtests/<strategy>-<time>/): stats.json, trades.csv,
equity.csv and index.html.
`

type options struct {
	strategy, symbols, tf, start, end, store, benchmark, out, session, commission, fees, adjustment string
	cash, leverage, slippage, riskFree                                                              float64
	exec                                                                                            executionFlags
	fill                                                                                            fillFlags
	short, fractional, noHTML, list, quiet, json, version                                           bool
	cpuProfile, memProfile, feed                                                                    string
	params                                                                                          paramList
	research                                                                                        researchFlags
}

// Main runs the command on os.Args and exits with its code: what app.Backtest calls.
func Main() {
	ctx, stop := cli.SignalContext(context.Background())
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// newFlags registers every flag of the command on a new set, writing into o; its defaults are
// the documented ones, which tests read back by parsing no argument.
func newFlags(o *options) (*flag.FlagSet, *sweepFlags) {
	*o = options{params: paramList{}}
	fs := flag.NewFlagSet("backtest", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one clear line on a bad flag, not the whole usage
	fs.StringVar(&o.strategy, "strategy", "sma", "strategy name (see --list-strategies)")
	fs.Var(o.params, "param", "strategy parameter name=value; repeat for several")
	fs.BoolVar(&o.list, "list-strategies", false, "list the strategies and their parameters, then exit")
	fs.StringVar(&o.symbols, "symbols", "", "comma-separated symbols (default: every symbol stored for the timeframe)")
	fs.StringVar(&o.tf, "tf", "", "timeframe (default: the one the store holds; asked for when it holds several)")
	fs.StringVar(&o.feed, "feed", "", "data feed of the bars, e.g. sip or iex (default: the one the store holds; asked for when it holds several: feeds are never mixed)")
	fs.StringVar(&o.start, "start", "", "first day or instant: "+data.DateForms+" (default: the first stored bar)")
	fs.StringVar(&o.end, "end", "", "last day (inclusive) or instant (exclusive) (default: the last stored bar)")
	fs.StringVar(&o.store, "store", cli.DefaultStore, "store: a .duckdb file or a Parquet lake directory")
	fs.StringVar(&o.adjustment, "adjustment", "raw", "which stored bars: raw, split, dividend or all")
	fs.Float64Var(&o.cash, "cash", 100000, "starting cash")
	fs.StringVar(&o.benchmark, "benchmark", "buyhold", "benchmark, paying the strategy's costs: buyhold (equal weights in the same symbols), a stored SYMBOL to buy and hold, or none")
	fs.StringVar(&o.out, "out", "", "output directory (default backtests/<strategy>-<timestamp>)")
	fs.StringVar(&o.session, "session", "rth", "intraday bars to replay: rth (regular session only) or all")
	fs.BoolVar(&o.short, "short", false, "allow short positions")
	fs.Float64Var(&o.leverage, "leverage", 1, "gross exposure limit as a multiple of equity (1 = cash account)")
	fs.BoolVar(&o.fractional, "fractional", false, "allow fractional share quantities (Alpaca allows them)")
	fs.Float64Var(&o.slippage, "slippage-bps", 0, "adverse slippage on market and stop fills, in basis points")
	addExecutionFlags(fs, &o.exec)
	addFillFlags(fs, &o.fill)
	fs.StringVar(&o.commission, "commission", "none", "commission: none, 0.005/share[,min=1], 1/order or 0.1%[,min=1]")
	// Alpaca charges no commission but passes the SEC fee and FINRA TAF on: leaving them out
	// by default would flatter every run a user reads first.
	fs.StringVar(&o.fees, "fees", "alpaca", "regulatory fees on sells: alpaca (SEC fee and FINRA TAF, as Alpaca passes them on) or none")
	fs.Float64Var(&o.riskFree, "risk-free", 0, "annual risk-free rate for Sharpe and Sortino, as a fraction (0.04 = 4%)")
	fs.BoolVar(&o.noHTML, "no-html", false, "skip the HTML report (single runs and sweeps)")
	fs.BoolVar(&o.quiet, "quiet", false, "print only errors and the results path")
	fs.BoolVar(&o.json, "json", false, "write stats.json's content to stdout, and everything else to stderr (single runs)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile to this file (go tool pprof)")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile to this file at the end (go tool pprof)")
	addResearchFlags(fs, &o.research)
	return fs, addSweepFlags(fs)
}

// Run runs the command with args (without the program name) and returns its exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs, sw := newFlags(&o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage+sweepUsage+"\nFlags:\n")
			cli.PrintFlags(stdout, fs)
			return cli.ExitOK
		}
		return cli.Report(stderr, "backtest", cli.FlagError(fs, "backtest", err))
	}
	if o.version {
		cli.PrintVersion(stdout, "backtest")
		return cli.ExitOK
	}
	if fs.NArg() > 0 && !sw.merge {
		return cli.Report(stderr, "backtest", cli.Usagef("unexpected argument %q", fs.Arg(0)))
	}
	if o.list {
		strategies.Describe(stdout)
		return cli.ExitOK
	}
	if o.fill.tf != "" && (sw.merge || sw.requested()) {
		return cli.Report(stderr, "backtest", cli.Usagef("--fill-tf applies to single runs, not sweeps"))
	}
	stopProfiles, err := cli.StartProfiles(o.cpuProfile, o.memProfile)
	if err != nil {
		return cli.Report(stderr, "backtest", err)
	}
	if sw.merge {
		err = runMerge(ctx, o, fs.Args(), stdout, time.Now())
	} else if sw.requested() {
		err = runSweep(ctx, o, sw, stdout, stderr, time.Now())
	} else {
		// A single run's live heap is modest (about 100 MB for ten years of ten symbols'
		// minute bars), but the collector lets the heap grow to twice the live size before it
		// collects. A soft limit keeps the peak of long runs well below what the bars would
		// suggest; GOMEMLIMIT, when set, overrides it. Sweeps hold several runs at once and keep
		// the default.
		if os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(singleRunMemoryLimit)
		}
		err = backtest(ctx, o, stdout, stderr, time.Now())
	}
	if perr := stopProfiles(); err == nil {
		err = perr
	}
	return cli.Report(stderr, "backtest", err)
}

func engineConfig(o options) (engine.Config, error) {
	cfg := engine.Config{Cash: o.cash, Short: o.short, Leverage: o.leverage, Fractional: o.fractional, SlippageBps: o.slippage}
	if !(o.cash > 0) || o.cash > 1e12 {
		return cfg, cli.Usagef("--cash %v is out of range: want a positive amount up to 1e12", o.cash)
	}
	if !(o.leverage >= 1) || o.leverage > 10 {
		return cfg, cli.Usagef("--leverage %v is out of range: want 1 (a cash account) to 10", o.leverage)
	}
	if !(o.slippage >= 0) || o.slippage > 1000 {
		return cfg, cli.Usagef("--slippage-bps %v is out of range: want 0 to 1000", o.slippage)
	}
	if !(o.riskFree >= 0) || o.riskFree > 1 {
		return cfg, cli.Usagef("--risk-free %v is out of range: want a fraction from 0 to 1 (0.04 = 4%%)", o.riskFree)
	}
	switch o.session {
	case "rth":
		cfg.Hours = engine.RegularHours
	case "all":
		cfg.Hours = engine.AllHours
	default:
		return cfg, cli.Usagef("--session: invalid value %q: want rth or all", o.session)
	}
	switch o.fees {
	case "none", "":
		cfg.Fees = engine.NoFees
	case "alpaca":
		cfg.Fees = engine.AlpacaFees
	default:
		return cfg, cli.Usagef("--fees: invalid value %q: want none or alpaca", o.fees)
	}
	if err := o.exec.apply(&cfg); err != nil {
		return cfg, err
	}
	var err error
	cfg.Commission, err = parseCommission(o.commission)
	return cfg, err
}

// selection works out timeframe, symbols and range from the flags and what the store holds.
func selection(ctx context.Context, st data.Reader, o options) (data.Query, string, error) {
	var q data.Query
	adj, err := data.ParseAdjustment(o.adjustment)
	if err != nil {
		return q, "", cli.Usage(fmt.Errorf("--adjustment: %w", err))
	}
	q.Adjustment = adj
	infos, err := st.Series(ctx)
	if err != nil {
		return q, "", fmt.Errorf("list store %s: %w", o.store, err)
	}
	var held []data.SeriesInfo
	for _, in := range infos {
		if in.Adjustment.Norm() == adj && in.Bars > 0 {
			held = append(held, in)
		}
	}
	if len(held) == 0 {
		return q, "", cli.Usagef("store %s holds no %s bars: run fetch first", o.store, adj)
	}
	var tfs []string
	for _, in := range held {
		if s := in.Timeframe.String(); !slices.Contains(tfs, s) {
			tfs = append(tfs, s)
		}
	}
	if o.tf == "" {
		if len(tfs) > 1 {
			return q, "", cli.Usagef("store %s holds several timeframes (%s): choose one with --tf", o.store, strings.Join(tfs, ", "))
		}
		q.Timeframe = held[0].Timeframe
	} else if q.Timeframe, err = data.ParseTimeframe(o.tf); err != nil {
		return q, "", cli.Usage(fmt.Errorf("--tf: %w", err))
	}
	// A series is identified by its feed as by its timeframe: the feed is chosen the same way.
	var feeds []string
	for _, in := range held {
		if in.Timeframe == q.Timeframe && !slices.Contains(feeds, in.Feed) {
			feeds = append(feeds, in.Feed)
		}
	}
	slices.Sort(feeds)
	switch {
	case len(feeds) == 0:
		return q, "", cli.Usagef("store %s holds no %s bars (it holds %s)", o.store, q.Timeframe, strings.Join(tfs, ", "))
	case o.feed != "":
		if !slices.Contains(feeds, o.feed) {
			return q, "", cli.Usagef("store %s holds no %s bars from feed %s (it holds %s)", o.store, q.Timeframe, o.feed, strings.Join(feeds, ", "))
		}
		q.Feed = o.feed
	case len(feeds) > 1:
		return q, "", cli.Usagef("store %s holds %s bars from several feeds (%s): choose one with --feed", o.store, q.Timeframe, strings.Join(feeds, ", "))
	default:
		q.Feed = feeds[0]
	}
	feed := q.Feed
	var stored []string
	for _, in := range held {
		if in.Timeframe == q.Timeframe && in.Feed == q.Feed {
			stored = append(stored, in.Symbol)
		}
	}
	if o.symbols == "" {
		q.Symbols = stored
	} else {
		if q.Symbols, err = cli.ParseSymbols(o.symbols); err != nil {
			return q, "", err
		}
		for _, s := range q.Symbols {
			if !slices.Contains(stored, s) {
				return q, "", cli.Usagef("symbol %s has no %s bars in %s (stored: %s)", s, q.Timeframe, o.store, strings.Join(stored, ","))
			}
		}
	}
	if o.start != "" {
		if q.Start, err = data.ParseStart(o.start); err != nil {
			return q, "", cli.Usage(fmt.Errorf("--start: %w", err))
		}
	}
	if o.end != "" {
		if q.End, err = data.ParseEnd(o.end); err != nil {
			return q, "", cli.Usage(fmt.Errorf("--end: %w", err))
		}
	}
	if !q.Start.IsZero() && !q.End.IsZero() && !q.Start.Before(q.End) {
		return q, "", cli.Usagef("--start %s is not before --end %s", o.start, o.end)
	}
	if !q.Start.IsZero() && !q.End.IsZero() && !slices.ContainsFunc(q.Symbols, data.IsCrypto) && !hasTradingDay(q.Start, q.End) {
		return q, "", cli.Usagef("no trading day from --start %s to --end %s: the market is closed on weekends and NYSE holidays", o.start, o.end)
	}
	// An empty range is a usage error, found by looking at what is stored rather than by
	// replaying nothing.
	var first, last time.Time
	for _, in := range held {
		if in.Timeframe == q.Timeframe && in.Feed == q.Feed && slices.Contains(q.Symbols, in.Symbol) {
			if first.IsZero() || in.First.Before(first) {
				first = in.First
			}
			if in.Last.After(last) {
				last = in.Last
			}
		}
	}
	if (!q.End.IsZero() && !q.End.After(first)) || (!q.Start.IsZero() && q.Start.After(last)) {
		return q, "", cli.Usagef("no bars in the range: the store holds %s to %s", first.Format(time.RFC3339), last.Format(time.RFC3339))
	}
	return q, feed, nil
}

// hasTradingDay reports whether any New York calendar day that overlaps [start, end) has a
// regular session. Crypto trades every day, so callers ask it only of stock selections.
func hasTradingDay(start, end time.Time) bool {
	d := start.In(calendar.NewYork)
	for n := 0; ; n++ {
		// Noon stands for its day whatever the daylight-saving change of that day.
		noon := time.Date(d.Year(), d.Month(), d.Day()+n, 12, 0, 0, 0, calendar.NewYork)
		dayStart := time.Date(noon.Year(), noon.Month(), noon.Day(), 0, 0, 0, 0, calendar.NewYork)
		if !dayStart.Before(end) {
			return false
		}
		if calendar.IsTradingDay(noon) {
			return true
		}
	}
}

// openSelection opens the store, works out what to replay and records it in cfg: the
// strategy's name and the bars' provenance. The caller closes the store.
func openSelection(ctx context.Context, o options, cfg *engine.Config) (data.Store, data.Query, error) {
	st, err := cli.OpenStore(ctx, o.store, false)
	if err != nil {
		return nil, data.Query{}, err
	}
	q, feed, err := selection(ctx, st, o)
	if err != nil {
		st.Close()
		return nil, data.Query{}, err
	}
	cfg.Strategy = o.strategy
	cfg.Provenance = engine.Provenance{Store: o.store, Symbols: q.Symbols, Timeframe: q.Timeframe,
		Start: q.Start, End: q.End, Feed: feed, Adjustment: q.Adjustment}
	return st, q, nil
}

// backtest runs one strategy and writes its results. What it prints goes to stdout, except
// with --json, where stdout gets stats.json's content alone and the rest goes to stderr.
func backtest(ctx context.Context, o options, stdout, stderr io.Writer, now time.Time) error {
	cfg, err := engineConfig(o)
	if err != nil {
		return err
	}
	if err := o.research.check(false); err != nil {
		return err
	}
	strat, params, err := strategies.New(o.strategy, o.params)
	if err != nil {
		return cli.Usage(suggest(err, o.strategy))
	}
	sel, decide, err := o.fill.selecting(o)
	if err != nil {
		return err
	}
	st, q, err := openSelection(ctx, sel, &cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg.Params = params.Strings()
	if decide.Valid() { // --fill-tf: q reads the fine bars, the strategy decides on decide's
		cfg.Provenance.Timeframe, cfg.Provenance.FillTimeframe = decide, q.Timeframe
	}

	// The run's trades go to a journal rather than the Result: a minute-bar strategy's trades
	// grow with the bars, and the report needs only a few figures of each in memory.
	journal, err := reports.NewJournal("")
	if err != nil {
		return err
	}
	defer journal.Close()
	bq, withBench, err := benchmarkQuery(o, q)
	if err != nil {
		return err
	}
	// A benchmark in the selected symbols replays in lockstep with the strategy, from the same
	// read of the store: a second read of years of minute bars would double the run's time.
	var bench *engine.Replay
	if withBench && q.Timeframe == cfg.Provenance.Timeframe && !slices.ContainsFunc(bq.Symbols, func(s string) bool { return !slices.Contains(q.Symbols, s) }) {
		if bench, err = benchmarkReplay(cfg, bq, q); err != nil {
			return err
		}
	}
	res, prices, err := replay(ctx, st, q, cfg, strat, journal, bench)
	if err != nil {
		return err
	}
	ropts := reports.Options{RiskFree: o.riskFree, Version: cli.Version(), RunDate: now, Journal: journal}
	if withBench {
		if bench != nil {
			ropts.Benchmark, err = checkBenchmark(bench.Result, cfg, bq)
		} else {
			ropts.Benchmark, err = runBenchmark(ctx, st, cfg, bq, nil)
		}
		if err != nil {
			return err
		}
		ropts.BenchmarkName = reports.BenchmarkLabel(ropts.Benchmark)
	}
	sum, err := reports.Compute(res, ropts)
	if err != nil {
		return err
	}
	sum.AddIntervals(o.research.bootstrap.v, o.research.seed)
	out := o.out
	if out == "" {
		out = filepath.Join("backtests", o.strategy+"-"+now.Format("20060102-150405"))
	}
	if err := reports.WriteDir(ctx, out, res, sum, reports.WriteOptions{NoHTML: o.noHTML, Prices: prices}); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	notes := stdout
	if o.json {
		notes = stderr
		// The file just written, byte for byte: what a script reads is what the directory keeps.
		b, err := os.ReadFile(filepath.Join(out, reports.StatsFile))
		if err != nil {
			return fmt.Errorf("--json: %w", err)
		}
		if _, err := stdout.Write(b); err != nil {
			return fmt.Errorf("--json: %w", err)
		}
	}
	if !o.quiet {
		reports.PrintSummary(notes, sum)
	}
	printWhere(notes, o, out, reports.HTMLFile)
	return nil
}

// printWhere says where the results are: the page, or the directory without one. --quiet
// prints the path alone, for scripts.
func printWhere(w io.Writer, o options, dir, page string) {
	where := dir
	if !o.noHTML {
		where = filepath.Join(dir, page)
	}
	if o.quiet {
		fmt.Fprintln(w, where)
		return
	}
	fmt.Fprintf(w, "results: %s\n", where)
}

// benchmarkQuery says which bars the benchmark replays.
func benchmarkQuery(o options, q data.Query) (data.Query, bool, error) {
	switch b := strings.TrimSpace(o.benchmark); strings.ToLower(b) {
	case "none", "":
		return q, false, nil
	case "buyhold":
		return q, true, nil
	default:
		syms, err := cli.ParseSymbols(b)
		if err != nil || len(syms) != 1 {
			return q, false, cli.Usagef("--benchmark: want buyhold, none or one stored symbol, not %q", o.benchmark)
		}
		bq := q
		bq.Symbols = syms
		return bq, true, nil
	}
}

// runBenchmark runs buy and hold over bq's symbols with cfg's cash, rules and costs: a
// benchmark that paid nothing would flatter the market beside a strategy that pays, and
// the report states the costs each paid. It replays loaded when given (bars already in memory
// for bq), and reads the store otherwise.
func runBenchmark(ctx context.Context, st data.Reader, cfg engine.Config, bq data.Query, loaded []data.Bar) (*engine.Result, error) {
	b, err := benchmarkReplay(cfg, bq, bq)
	if err != nil {
		return nil, err
	}
	var res *engine.Result
	if loaded != nil {
		res, err = engine.Run(ctx, b.Config, data.NewSliceIterator(loaded), b.Strategy)
	} else {
		res, _, err = replay(ctx, st, bq, b.Config, b.Strategy, nil, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("benchmark: %w", err)
	}
	return checkBenchmark(res, cfg, bq)
}

// benchmarkReplay is buy and hold over bq's symbols (see runBenchmark), to replay from a read
// of q, which selects bq's bars and perhaps others.
func benchmarkReplay(cfg engine.Config, bq, q data.Query) (*engine.Replay, error) {
	cfg.Strategy, cfg.Params = "buyhold", nil
	cfg.Provenance.Symbols = bq.Symbols
	bench, _, err := strategies.New("buyhold", nil)
	if err != nil {
		return nil, err
	}
	b := &engine.Replay{Config: cfg, Strategy: bench}
	if !slices.Equal(bq.Symbols, q.Symbols) {
		b.Symbols = bq.Symbols
	}
	return b, nil
}

// checkBenchmark refuses a benchmark that replayed no bar.
func checkBenchmark(res *engine.Result, cfg engine.Config, bq data.Query) (*engine.Result, error) {
	if res.Bars == 0 {
		return nil, cli.Usagef("--benchmark: %s has no %s bars in the selected range of %s", strings.Join(bq.Symbols, ","), bq.Timeframe, cfg.Provenance.Store)
	}
	return res, nil
}

// replay streams the selected bars through one strategy, handing its records to rec when it
// is not nil (engine.RunRecorded), and through also, when not nil, in lockstep
// (engine.RunEach).
func replay(ctx context.Context, st data.Reader, q data.Query, cfg engine.Config, s engine.Strategy, rec engine.Recorder, also *engine.Replay) (*engine.Result, map[string][]reports.PricePoint, error) {
	it, err := st.Read(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", q.Timeframe, err)
	}
	tap := newPriceTap(it, q.Symbols)
	var res *engine.Result
	switch {
	case q.Timeframe != cfg.Provenance.Timeframe: // --fill-tf: decide on cfg's, fill on q's
		res, err = engine.RunIntrabar(ctx, cfg, tap, q.Timeframe, s, rec)
	case also != nil:
		run := &engine.Replay{Config: cfg, Strategy: s, Recorder: rec}
		if err = engine.RunEach(ctx, tap, []*engine.Replay{run, also}); err != nil && run.Err != err {
			err = fmt.Errorf("benchmark: %w", err)
		}
		res = run.Result
	case rec != nil:
		res, err = engine.RunRecorded(ctx, cfg, tap, s, rec)
	default:
		res, err = engine.Run(ctx, cfg, tap, s)
	}
	if cerr := it.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, err
	}
	return res, tap.Prices(), nil
}
