package backtestcmd

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/reports"
	"github.com/barkeep-trading/barkeep/sweep"
)

const shardUsage = `
Sweeps on several machines:
  backtest --strategy sma --grid ... --shard i/n --out DIR_i     (each of i = 0 .. n-1)
  backtest --merge [--out DIR] DIR_0 DIR_1 ...     (flags before the directories)

--shard i/n runs the runs of the grid whose index (their row in sweep.csv, from 0) modulo n
is i, and writes a shard directory: shard.json (the grid, the data selection with a hash of
the bars, the costs and the barkeep version) and runs.jsonl (each run's statistics and daily
returns). --merge joins the n shard directories into the sweep.csv, summary.json,
daily_returns.csv and index.html one unsharded sweep writes, and refuses shards of other
grids, data, costs or versions, and a set with a shard missing or given twice. See
examples/kubernetes and examples/slurm.
`

// shardFlag is --shard i/n; set says it was given.
type shardFlag struct {
	s   sweep.Shard
	set bool
}

func (f *shardFlag) String() string {
	if !f.set {
		return ""
	}
	return f.s.String()
}

func (f *shardFlag) Set(v string) error {
	s, err := sweep.ParseShard(v)
	if err != nil {
		return err
	}
	f.s, f.set = s, true
	return nil
}

// writeShard writes a sharded sweep's results: s holds the shard's rows, runs their runs.
func writeShard(ctx context.Context, o options, f *sweepFlags, s reports.Sweep, runs []sweep.Run, total int, cfg engine.Config, q data.Query, bars []data.Bar, stdout io.Writer, now time.Time) error {
	m := reports.ShardManifest{Shard: f.shard.s.I, Shards: f.shard.s.N, TotalRuns: total,
		Data: reports.ShardData{Symbols: q.Symbols, Timeframe: q.Timeframe.String(), Start: q.Start, End: q.End,
			Feed: cfg.Provenance.Feed, Adjustment: string(q.Adjustment), Loaded: len(bars), Hash: sweep.HashBars(bars)},
		Settings: reports.ShardSweep{RiskFree: o.riskFree}}
	m.Runs = make([]int, len(runs))
	for i, r := range runs {
		m.Runs[i] = r.Index
	}
	costs := cfg
	costs.Strategy, costs.Params, costs.Provenance = "", nil, engine.Provenance{}
	m.Costs = costs
	out := o.out
	if out == "" {
		out = filepath.Join("backtests", fmt.Sprintf("%s-sweep-%s-shard-%d-of-%d", o.strategy, now.Format("20060102-150405"), f.shard.s.I, f.shard.s.N))
	}
	if err := reports.WriteShardDir(ctx, out, s, m); err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(stdout, "shard %s: %d of the %d runs, %d bars each, in %s\n", f.shard.s, len(runs), total, len(bars), s.Elapsed.Round(time.Millisecond))
		fmt.Fprintf(stdout, "shard: %s\n", out)
		return nil
	}
	fmt.Fprintln(stdout, out)
	return nil
}

// runMerge joins shard directories into one sweep's results.
func runMerge(ctx context.Context, o options, dirs []string, stdout io.Writer, now time.Time) error {
	if len(dirs) == 0 {
		return cli.Usagef("--merge needs the shard directories to join")
	}
	// The flag package stops at the first directory, so a flag after one would be taken for a
	// directory and silently not applied.
	for _, d := range dirs {
		if len(d) > 1 && d[0] == '-' {
			return cli.Usagef("--merge: flag %s after the shard directories: give flags first (backtest --merge --out DIR DIR_0 DIR_1 ...)", d)
		}
	}
	s, err := reports.MergeShards(dirs)
	if err != nil {
		return cli.Usage(fmt.Errorf("--merge: %w", err))
	}
	s.Run.RunDate = now
	s.Order = sweep.RankGroups(reports.SweepStats(s.Rows), reports.RankBy(s.Rank), reports.SweepGroup(s.MinTrades))
	if o.noHTML {
		s.NoHTML = true
	}
	out := o.out
	if out == "" {
		out = filepath.Join("backtests", s.Run.Strategy+"-sweep-"+now.Format("20060102-150405"))
	}
	if err := reports.WriteSweepDir(ctx, out, s); err != nil {
		return fmt.Errorf("write sweep: %w", err)
	}
	if !o.quiet {
		reports.PrintSweep(stdout, s)
		fmt.Fprintf(stdout, "%d runs merged from %d shards\n", len(s.Rows), len(dirs))
	}
	o.noHTML = s.NoHTML
	printWhere(stdout, o, out, reports.SweepHTMLFile)
	return nil
}
