// Package fetchcmd is the fetch command behind app.Fetch: its flags, usage and wiring of
// sources, the fetch loop and stores. See `fetch --help`.
package fetchcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/alpaca"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/data/synth"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

const usage = `fetch downloads historical bars into a store, fetching only what it lacks.

Usage:
  fetch --symbols AAPL,MSFT [--tf 1Min] [--start DATE] [--end DATE] [--store PATH] [flags]
  fetch --source csv|parquet --path FILE|DIR [--tz ZONE] [--time-is open|close] [--skip-bad] [--store PATH]
  fetch --list [--json] [--store PATH]

Keys come from the environment, as Alpaca's own SDK reads them, never from a flag:
  APCA_API_KEY_ID, APCA_API_SECRET_KEY   your Alpaca key (crypto pairs need none)
  APCA_API_OAUTH                         or an OAuth token instead of the key (not both)
  APCA_API_DATA_URL                      another market-data server (https://, no path)
or from a dotenv file named by --env-file. fetch --check diagnoses them (README "Keys").

Defaults:
  --end    now minus 15 minutes (a free plan may not query the last 15 minutes of SIP data)
  --start  resumes after what the store already holds; with nothing stored, 1 year back for
           intraday timeframes and 2016-01-01 for daily and longer ones
  --feed   sip (all exchanges); a plan without recent SIP data ends 16 minutes before
           Alpaca's clock, with a notice; --feed iex has the latest bars
  --rpm    90 % of the X-RateLimit-Limit Alpaca sends (200 free, 10,000 paid); a number
           is a ceiling

Files are recognised by their header: [symbol,]timestamp,open,high,low,close,volume[,trade_count][,vwap]
(without a symbol column, the symbol is --symbols or the file's name) or Yahoo Finance's
Date,Open,High,Low,Close,Adj Close,Volume (Close stored as raw, Adj Close as "all"). The timeframe
is inferred from the spacing unless --tf names it. Any bad row stops the import before anything
is stored (exit 2) unless --skip-bad.

Rerunning a command fetches only the ranges not stored yet. Ctrl-C stops within a second and
keeps every finished chunk (exit 130); run the same command again to finish.

Flags:
`

type options struct {
	symbols, symbolsFile, tf, start, end, store, feed, adjustment, source, envFile string
	concurrency, rpm                                                               int
	seed                                                                           uint64
	quiet                                                                          bool
	check                                                                          bool
	// Users' files (--source csv|parquet), the listing and machine-readable output.
	path, tz, timeIs           string
	skipBad, list, json, tfSet bool
}

// tuneAlpaca, when set, edits the Alpaca configuration before use. Tests set it to shrink the
// retry budget, so that a server that never recovers fails in a second instead of minutes.
var tuneAlpaca func(*alpaca.Config)

// Main runs the command on os.Args and exits with its code: what app.Fetch calls.
func Main() {
	ctx, stop := cli.SignalContext(context.Background())
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Run runs the command with args (without the program name) and the environment read through
// getenv, and returns its exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	var o options
	fs := flag.NewFlagSet("fetch", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one clear line on a bad flag, not the whole usage
	fs.StringVar(&o.symbols, "symbols", "", "comma-separated symbols (AAPL,MSFT) or crypto pairs (BTC/USD)")
	fs.StringVar(&o.symbolsFile, "symbols-file", "", "file with one symbol a line, instead of --symbols")
	fs.StringVar(&o.tf, "tf", "1Min", "timeframes, comma-separated: "+data.TimeframeForms)
	fs.StringVar(&o.start, "start", "", "first day or instant: "+data.DateForms+" (default: resume, see above)")
	fs.StringVar(&o.end, "end", "", "last day (inclusive) or instant (exclusive) (default: now minus 15 minutes)")
	fs.StringVar(&o.store, "store", cli.DefaultStore, "store: a path ending in .duckdb is a DuckDB file, any other a Parquet lake directory")
	fs.StringVar(&o.feed, "feed", "sip", "Alpaca stock feed: sip, iex or delayed_sip")
	fs.StringVar(&o.adjustment, "adjustment", "raw", "corporate-action adjustment: raw, split, dividend or all (each kept apart)")
	fs.StringVar(&o.source, "source", "alpaca", "where bars come from: alpaca, synth (deterministic synthetic data, no key), or csv or parquet (your files, see --path)")
	fs.StringVar(&o.path, "path", "", "with --source csv|parquet: a file, or a directory whose *.csv or *.parquet files are read")
	fs.StringVar(&o.tz, "tz", "America/New_York", "time zone of files' times written without an offset")
	fs.StringVar(&o.timeIs, "time-is", "open", "files stamp each bar by its open (as Alpaca does) or by its close")
	fs.BoolVar(&o.skipBad, "skip-bad", false, "store files' good rows and list the bad ones, instead of storing nothing")
	fs.BoolVar(&o.list, "list", false, "list what the store holds, series by series, and fetch nothing")
	fs.BoolVar(&o.json, "json", false, "print the summary (or the --list listing) as JSON on stdout")
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the synthetic source")
	fs.StringVar(&o.envFile, "env-file", "", "dotenv file to read APCA_API_KEY_ID / APCA_API_SECRET_KEY / APCA_API_DATA_URL from")
	fs.IntVar(&o.concurrency, "concurrency", 2, "chunks fetched at once (1-16)")
	fs.IntVar(&o.rpm, "rpm", 0, "ceiling on requests per minute (0: 90 % of the X-RateLimit-Limit Alpaca sends)")
	fs.BoolVar(&o.check, "check", false, "diagnose the Alpaca keys, network, plan and clock, one line per check, and exit")
	fs.BoolVar(&o.quiet, "quiet", false, "print only errors and the summary")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			cli.PrintFlags(stdout, fs)
			return cli.ExitOK
		}
		return cli.Report(stderr, "fetch", cli.FlagError(fs, "fetch", err))
	}
	if *showVersion {
		cli.PrintVersion(stdout, "fetch")
		return cli.ExitOK
	}
	if fs.NArg() > 0 {
		// The argument is not quoted back: a stray argument is often a pasted key, and the
		// error line ends up in terminals, scrollback and CI logs.
		return cli.Report(stderr, "fetch", cli.Usagef("unexpected argument #%d (%d characters, not shown) after the flags: "+
			"fetch takes flags only, and reads keys from the environment, never from the command line",
			len(args)-fs.NArg()+1, len(fs.Arg(0))))
	}
	if o.check {
		return check(ctx, o, stdout, stderr, getenv)
	}
	fs.Visit(func(f *flag.Flag) { o.tfSet = o.tfSet || f.Name == "tf" })
	var err error
	switch {
	case o.list:
		err = listStore(ctx, o, stdout)
	case fileSource(o.source):
		err = importFiles(ctx, o, stdout, stderr, newLogger(stderr, o.quiet))
	default:
		err = fetchBars(ctx, o, stdout, stderr, getenv)
	}
	return cli.Report(stderr, "fetch", err)
}

func fetchBars(ctx context.Context, o options, stdout, stderr io.Writer, getenv func(string) string) error {
	plan, err := planFrom(o, time.Now())
	if err != nil {
		return err
	}
	logger := newLogger(stderr, o.quiet)
	src, err := source(o, plan, getenv, logger, stderr)
	if err != nil {
		return err
	}
	// The store is opened only after every check that needs no network has passed, so a usage
	// error never creates or touches a store.
	st, err := openStore(ctx, o.store)
	if err != nil {
		return err
	}
	defer st.Close()

	// Requests and retries come from the Alpaca source; the synthetic one makes none.
	requests := func() string { return "" }
	if a, ok := src.(*alpaca.Source); ok {
		requests = func() string {
			st := a.Stats()
			return fmt.Sprintf(" %d requests, %d retried%s", st.Requests, st.Retries, retryNote(st))
		}
	}
	bar, progress := newProgress(o, stderr, logger, "fetch", requests)
	if err := horizon(ctx, src, &plan, logger); err != nil {
		return err
	}
	started := time.Now()
	rep, err := fetch.Run(ctx, src, st, plan, progress)
	if bar != nil {
		bar.Done()
	}
	if rep != nil {
		if o.json {
			if jerr := writeSummaryJSON(stdout, o.source, rep, time.Since(started), nil); err == nil {
				err = jerr
			}
		} else {
			printSummary(stdout, rep, time.Since(started), requests())
		}
	}
	if err != nil {
		return err
	}
	if missing := rep.NoBars(); len(missing) > 0 {
		logger.Warn("no bars at all for some symbols: unknown to the source, or not trading in the range", "symbols", strings.Join(missing, ","))
	}
	return st.Close()
}

// newProgress reports each stored chunk of a fetch or an import: on a progress bar, labelled
// label and ending with note(), when stderr is a terminal and neither --quiet nor --json is
// given, and otherwise as a log line. The caller ends the bar, when not nil, with Done.
func newProgress(o options, stderr io.Writer, logger *slog.Logger, label string, note func() string) (*cli.Bar, func(fetch.Progress)) {
	var bar *cli.Bar
	if f, ok := stderr.(*os.File); ok && cli.IsTerminal(f) && !o.quiet && !o.json {
		bar = cli.NewBar(stderr, label)
	}
	return bar, func(p fetch.Progress) {
		if bar != nil {
			bar.Update(p.ChunksDone, p.ChunksTotal, p.BarsDone, "bars", p.Chunk.Symbol+" "+p.Chunk.Start.In(calendar.NewYork).Format("2006-01")+note())
			return
		}
		logger.Info("chunk stored", "series", p.Chunk.Series.String(), "range", p.Chunk.Range.String(),
			"bars", p.Bars, "chunk", fmt.Sprintf("%d/%d", p.ChunksDone, p.ChunksTotal))
	}
}

func newLogger(stderr io.Writer, quiet bool) *slog.Logger {
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}

// planFrom checks the flags that need no network and turns them into a plan.
func planFrom(o options, now time.Time) (fetch.Plan, error) {
	var p fetch.Plan
	var err error
	switch {
	case o.symbols != "" && o.symbolsFile != "":
		return p, cli.Usagef("give --symbols or --symbols-file, not both")
	case o.symbolsFile != "":
		p.Symbols, err = cli.ReadSymbolsFile(o.symbolsFile)
	case o.symbols != "":
		p.Symbols, err = cli.ParseSymbols(o.symbols)
	default:
		return p, cli.Usagef("no symbols: give --symbols AAPL,MSFT or --symbols-file FILE")
	}
	if err != nil {
		return p, err
	}
	if p.Timeframes, err = data.ParseTimeframes(o.tf); err != nil {
		return p, cli.Usage(fmt.Errorf("--tf: %w", err))
	}
	if p.Adjustment, err = data.ParseAdjustment(o.adjustment); err != nil {
		return p, cli.Usage(fmt.Errorf("--adjustment: %w", err))
	}
	switch o.feed {
	case "iex", "sip", "delayed_sip":
	default:
		return p, cli.Usagef("--feed: invalid feed %q: want iex, sip or delayed_sip", o.feed)
	}
	switch o.source {
	case "alpaca", "synth":
	default:
		return p, cli.Usagef("--source: invalid source %q: want alpaca, synth, csv or parquet", o.source)
	}
	if o.concurrency < 1 || o.concurrency > 16 {
		return p, cli.Usagef("--concurrency %d is out of range: want 1 to 16", o.concurrency)
	}
	if o.rpm < 0 || o.rpm > 100000 {
		return p, cli.Usagef("--rpm %d is out of range: want 0 (follow Alpaca's limit) to 100000", o.rpm)
	}
	p.Concurrency = o.concurrency

	latest := now.Add(-15 * time.Minute).UTC()
	p.End = latest
	if o.end != "" {
		if p.End, err = data.ParseEnd(o.end); err != nil {
			return p, cli.Usage(fmt.Errorf("--end: %w", err))
		}
		if p.End.After(latest) {
			// --end today means "as far as there is data"; a later day is a mistake.
			if p.End.Sub(latest) > 24*time.Hour+15*time.Minute {
				return p, cli.Usagef("--end %s is in the future", o.end)
			}
			p.End = latest
		}
	}
	if o.start != "" {
		if p.Start, err = data.ParseStart(o.start); err != nil {
			return p, cli.Usage(fmt.Errorf("--start: %w", err))
		}
		if p.Start.After(latest) {
			return p, cli.Usagef("--start %s is in the future", o.start)
		}
		if !p.Start.Before(p.End) {
			end := o.end
			if end == "" {
				end = p.End.Format(time.RFC3339) + " (now minus 15 minutes)"
			}
			return p, cli.Usagef("--start %s is not before --end %s", o.start, end)
		}
	}
	return p, nil
}

func source(o options, p fetch.Plan, getenv func(string) string, logger *slog.Logger, stderr io.Writer) (data.Source, error) {
	if o.source == "synth" {
		return synth.New(synth.WithSeed(o.seed)), nil
	}
	env, warning, err := envWith(o.envFile, getenv)
	if err != nil {
		return nil, err
	}
	if warning != "" {
		logger.Warn(warning)
	}
	cfg := alpaca.ConfigFromEnv(env)
	cfg.Feed = o.feed
	cfg.RPM = o.rpm
	cfg.Logger = logger
	if tuneAlpaca != nil {
		tuneAlpaca(&cfg)
	}
	needKey := false
	for _, s := range p.Symbols {
		if !data.IsCrypto(s) {
			needKey = true
		}
	}
	if needKey && cfg.OAuth == "" && (cfg.KeyID == "" || cfg.SecretKey == "") {
		return nil, cli.Usagef("no Alpaca key: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (or APCA_API_OAUTH) in the environment (or name a dotenv file with --env-file); crypto pairs need none")
	}
	src, err := alpaca.New(cfg)
	if err != nil {
		return nil, cli.Usage(err)
	}
	return src, nil
}

func printSummary(w io.Writer, rep *fetch.Report, took time.Duration, requests string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "symbol\ttimeframe\tbars added\tfirst bar\tlast bar\tdays without bars\t")
	var total int64
	for _, s := range rep.Series {
		first, last := "-", "-"
		if !s.First.IsZero() {
			first = s.First.UTC().Format("2006-01-02 15:04")
			last = s.Last.UTC().Format("2006-01-02 15:04")
		}
		tf := s.Timeframe.String()
		if s.Adjustment.Norm() != data.Raw {
			tf += " " + string(s.Adjustment)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t\n", s.Symbol, tf, s.BarsAdded, first, last, s.EmptyDays)
		total += s.BarsAdded
	}
	tw.Flush()
	feed := rep.Feed
	if feed == "iex" {
		feed += " (IEX volume is a few percent of the consolidated SIP volume; --feed sip for all exchanges)"
	}
	if requests != "" {
		requests = ";" + requests
	}
	fmt.Fprintf(w, "%d bars added in %d of %d chunks in %s%s; feed: %s; times in UTC\n",
		total, rep.ChunksDone, rep.ChunksTotal, took.Round(time.Millisecond), requests, feed)
	// When the data was fetched, by the data server's clock (the Date header), as recorded
	// with each series; and which adjusted series a corporate action made refetch whole.
	var asof time.Time
	for _, s := range rep.Series {
		if s.AsOf.After(asof) {
			asof = s.AsOf
		}
		if s.Replaced {
			why := "its fetch date was not recorded"
			if len(s.Actions) > 0 {
				why = s.Actions[0].Type + " ex " + s.Actions[0].ExDate.In(calendar.NewYork).Format(time.DateOnly)
			}
			fmt.Fprintf(w, "%s %s %s: refetched whole on the current price basis (%s)\n", s.Symbol, s.Timeframe, s.Adjustment, why)
		}
	}
	if !asof.IsZero() {
		fmt.Fprintf(w, "as of %s (the data server's clock)\n", asof.UTC().Format(time.RFC3339))
	}
}
