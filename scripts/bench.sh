#!/usr/bin/env bash
# bench.sh runs every benchmark in the module with -benchmem, keeps the raw output for
# benchstat and prints the bars/s table. `make bench` calls it; see BENCHMARKS.md.
#
# Environment (all optional):
#   GO          go command                         (go)
#   BENCH       -bench regexp                      (.)
#   BENCHTIME   -benchtime                         (1s)
#   BENCH_COUNT -count; use 6 or more for benchstat (1)
#   BENCH_PKGS  packages                           (./...)
#   BENCH_OUT   raw output, benchstat's input      (.bench/latest.txt)
#
# The table goes to stdout and beside the raw output as .md. The exit status is go test's, or
# the table maker's when go test passed but the log holds failures.
set -u -o pipefail

GO=${GO:-go}
BENCH=${BENCH:-.}
BENCHTIME=${BENCHTIME:-1s}
BENCH_COUNT=${BENCH_COUNT:-1}
BENCH_PKGS=${BENCH_PKGS:-./...}
BENCH_OUT=${BENCH_OUT:-.bench/latest.txt}

mkdir -p "$(dirname "$BENCH_OUT")" || exit 1
table=${BENCH_OUT%.txt}.md

# Notes head the file: when, on what commit and under what load the figures were taken (on a
# shared machine, figures taken under load are slower, not the code). They are "# key: value"
# comments, not configuration lines, because benchstat splits its tables by every configuration
# key, and a date that differs between two runs would keep them from being compared.
{
	echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo '+dirty')"
	echo "# go: $($GO env GOVERSION)"
	echo "# nproc: $(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
	[ -r /proc/loadavg ] && echo "# loadavg-before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# benchtime: $BENCHTIME"
	echo "# count: $BENCH_COUNT"
} >"$BENCH_OUT"

start=$(date +%s)
# Benchmarks of different packages run one after another (go test serialises them), so they
# do not compete with each other for the cores.
# shellcheck disable=SC2086 # BENCH_PKGS is a list of packages
$GO test -run '^$' -bench "$BENCH" -benchmem -benchtime "$BENCHTIME" -count "$BENCH_COUNT" $BENCH_PKGS 2>&1 | tee -a "$BENCH_OUT"
status=$?
elapsed=$(($(date +%s) - start))
{
	[ -r /proc/loadavg ] && echo "# loadavg-after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# elapsed: ${elapsed}s"
} >>"$BENCH_OUT"

echo
$GO run ./internal/benchtable <"$BENCH_OUT" | tee "$table"
tstatus=$?
echo
echo "raw output: $BENCH_OUT (compare runs with benchstat); table: $table; took ${elapsed}s"
[ "$status" -ne 0 ] && exit "$status"
exit "$tstatus"
