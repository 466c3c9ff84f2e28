// Package files owns bars that users bring in files: reading CSV files (barkeep's own columns,
// with or without a leading symbol column, and Yahoo Finance's daily download), checking every
// row before anything is stored, inferring the timeframe from the bars' spacing, and serving the
// result as a data.Source, with the ranges the files cover, to the fetch loop (Set.Import), so
// imported bars land in a store exactly as fetched ones do.
//
// # Formats
//
// A file is recognised by its header row (names match without regard to case, spaces or
// underscores):
//
//	timestamp,open,high,low,close,volume[,trade_count][,vwap]          one symbol per file
//	symbol,timestamp,open,high,low,close,volume[,trade_count][,vwap]   many symbols in one file
//	Date,Open,High,Low,Close,Adj Close,Volume                          Yahoo Finance, daily
//
// "time" and "date" are accepted for "timestamp". Without a symbol column the symbol is the one
// Options.Symbols names, or else the file's name without its extension ("aapl.csv" is AAPL).
// Yahoo files give two series: Close as the raw series and Adj Close as the "all"-adjusted one,
// whose open, high and low are scaled by Adj Close / Close (volume is kept). Yahoo's Close is
// itself already adjusted for splits (not for dividends), so its "raw" series matches Alpaca's
// raw bars only for symbols without a split in the file's span.
//
// Other formats (Parquet, in data/parquet) read into the same Row and go through the same checks.
//
// # Times
//
// A time is RFC 3339 (2024-01-02T14:30:00Z, a space for the T is accepted) or naive,
// YYYY-MM-DD[ HH:MM[:SS]], read in Options.Location (America/New_York by default); a naive time
// that the location skips (a daylight-saving gap) is a bad row. Bars are stamped by their open,
// as Alpaca stamps them; with Options.TimeIsClose intraday bars are moved back by one timeframe.
// Daily and longer bars are named by their date as written and stamped, as Alpaca stamps them,
// at midnight New York of that date, whatever their time of day.
//
// # Timeframe
//
// Unless Options.Timeframe is given, the timeframe is the greatest common spacing of each
// symbol's bars, measured on the clock the times were written in and on New York's (the larger
// wins, so daily bars stamped at midnight UTC or midnight New York both read as daily). Spacings of
// whole days are read as 1Day, of whole weeks as 1Week, and of months as 1, 2, 3, 4, 6 or
// 12Month. Every symbol must agree.
//
// # Bad rows and coverage
//
// A row is bad when a field does not parse, a price is not positive, high is below low or open
// or close lies outside them, volume is negative, or another row holds the same symbol and time
// with different values (identical duplicates are dropped quietly). Collect reads every row
// first: by default any bad row fails the whole import, naming each as file:line and its reason,
// before anything is stored. With Options.SkipBad the good rows are kept and the bad ones
// listed.
//
// Each series is covered from its first bar's open to its last bar's close (its open plus one
// bar; for daily and longer bars, to the midnight New York that ends its period), minus the bars
// of rejected rows, so a range is never claimed without the bars the file gave for it. The fetch
// loop imports only what a store does not cover yet: an import run twice stores nothing the
// second time, and a later file that extends a series adds only its new range. Bars of an
// already covered range are not replaced.
//
// All of the files' bars are held in memory (about 100 bytes a bar) between Collect and the
// import. files depends on the standard library, data, data/calendar and data/fetch only.
package files
