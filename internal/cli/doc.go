// Package cli holds what the two commands share: opening a store by path, exit codes, the
// signal-aware context, symbol lists, terminal progress, --version, the --help flag listing
// in the double-dash form the README uses, and "did you mean …" for mistyped names. It keeps
// the two commands (internal/fetchcmd, internal/backtestcmd) from importing each other.
package cli
