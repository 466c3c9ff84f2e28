// Package data owns barkeep's bar model and the contracts between its parts: the Bar type,
// Timeframe parsing in Alpaca's spelling, start/end date parsing, the Source and Store
// interfaces, coverage ranges, the fetch loop that moves bars from a Source into a Store, and
// the US equity session calendar.
//
// It depends on the standard library only, so that the engine, strategies and reports can be
// imported without DuckDB, Arrow or the Alpaca SDK.
package data
