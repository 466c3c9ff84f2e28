// Package reports owns what a backtest tells its reader: the performance statistics of an
// engine.Result (and of an optional benchmark run beside it), the plots, the self-contained HTML
// report and the machine-readable outputs (stats.json, trades.csv, equity.csv).
//
// It computes and renders; it never runs a backtest. Compute turns a Result into a Summary,
// WriteDir writes a report directory atomically, PrintSummary prints the key figures for a
// terminal. A sweep's shard directory (WriteShardDir, MergeShards) holds every statistic and
// daily return exactly, so that merged shards render what one sweep renders; a walk-forward
// (WriteWalkForwardDir) writes its windows, its efficiency and the stitched run's report.
//
// Every statistic is defined once, in the metrics table of conventions.go: that table gives the
// JSON keys of stats.json, the rows of the report's statistics table and the conventions section
// of the report. The doc comment of each Stats field repeats the formula word for word, and a
// test keeps the two in step.
//
// A report never lets a figure mislead by what it leaves out: costs paid are split (commission,
// regulatory fees, slippage) and shown beside the assumptions of the run's Config, with the
// break-even slippage; the benchmark is named for what it holds and said to have paid the same
// costs or not; a figure that cannot be computed is a dash (null) with its reason; times are New
// York time with the offset everywhere (dates for daily bars).
package reports
