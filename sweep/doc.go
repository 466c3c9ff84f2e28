// Package sweep runs one strategy over the same bars with many parameter sets: the --grid
// syntax (Grid), a Plan of every combination validated against the strategy's Spec, the
// deterministic parallel runner (Execute), ranking (Rank, and RankGroups, which ranks the
// results that count ahead of thin ones), and the memory a sweep needs
// (Need, CheckMemory); its slices for machines (Shard, HashBars, which identifies the bars a
// shard replayed) and its walk-forward (WalkSpec, Windows over the trading Days, and Switch,
// the strategy that hands the portfolio from one window's choice to the next).
//
// A Plan is an ordered list of Runs, each with its index and complete parameters; results
// always come back in that order whatever the scheduling, so slices of a plan (shards) and
// repeated plans over windows of the bars (walk-forward) compose without reordering.
//
// The package computes no statistics and renders nothing: Execute takes the scoring function
// as an argument (reports.Scorer.Stats in the backtest command), and ranking takes the
// comparison. It imports data, engine and strategies only, and no cgo.
package sweep
