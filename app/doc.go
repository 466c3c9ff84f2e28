// Package app owns barkeep's two commands as a public API, so that a program in any module gets
// the whole `backtest` and `fetch` commands (every flag, sweeps, reports, exit codes) with its
// own strategies compiled in:
//
//	package main
//
//	import (
//		"github.com/barkeep-trading/barkeep/app"
//		_ "example.com/mystrat" // registers "momentum" in its init
//	)
//
//	func main() { app.Backtest() }
//
// Backtest and Fetch read os.Args, stop cleanly on Ctrl-C and exit with the documented codes
// (0 success, 1 failure, 2 bad usage, 130 interrupted); RunBacktest and RunFetch do the same
// without exiting, for tests. The commands' flags and wiring live in internal packages, so
// this package's API is these four functions and nothing a user has to keep in step with.
package app
