// Package fetch owns the fetch loop that moves bars from a data.Source into a store: the Plan
// (symbols, timeframes, range), working out from the store's coverage which chunks are missing
// (one symbol over one month, or one year for daily and longer bars, ending at the last bar that
// has closed), running them concurrently and writing each, with its coverage, atomically
// (Run), and the progress and Report of what was added; and List, what a store holds, series
// by series (bars, coverage, days without bars), for `fetch --list`.
//
// Run needs only the writing role of a store (data.Writer), never reading; List reads. The
// package depends on the standard library, data and data/calendar only.
package fetch
