// Package cli holds what the two commands share: opening a store by path, exit codes, the
// signal-aware context, symbol lists and terminal progress. It keeps the two
// commands (internal/fetchcmd, internal/backtestcmd) from importing each other.
package cli
