// Package data owns barkeep's bar model and the contracts between its parts: the Bar type, the
// symbol rules (IsCrypto, ValidSymbol), Timeframe parsing in Alpaca's spelling, start/end date
// parsing, coverage ranges, the Source contract, the store's roles (a Writer with coverage for
// fetching, a Reader with series listing for backtests; Store is their union), BarIterator and
// its BatchIterator fast path, and the time-ordered Merge of several iterators.
//
// The US equity trading calendar lives in data/calendar and the fetch loop in data/fetch.
// data depends on the standard library and data/calendar only, so that the engine, strategies
// and reports can be imported without DuckDB, Arrow or the Alpaca SDK.
package data
