// Package cli holds what the two commands share: opening a store by path, exit codes, the
// signal-aware context, symbol lists and terminal progress. It keeps cmd/fetch and
// cmd/backtest thin without making either import the other.
package cli
