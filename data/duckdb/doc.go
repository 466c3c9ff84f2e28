// Package duckdb owns barkeep's embedded DuckDB store: one file holding every series in three
// tables a user can query with SQL, written in atomic batches and read back as a (time, symbol)
// ordered stream.
//
// Schema (version 1; the meta table records it and Open refuses files that lack it):
//
//	bars(symbol, timeframe, adjustment, time TIMESTAMPTZ, open, high, low, close, volume DOUBLE,
//	     trade_count UBIGINT, vwap DOUBLE, feed VARCHAR)  -- unique on (symbol, timeframe, adjustment, time)
//	coverage(symbol, timeframe, adjustment, start TIMESTAMPTZ, "end" TIMESTAMPTZ)  -- half-open, normal form
//	series(symbol, timeframe, adjustment, feed)  -- the feed of each series' most recent write
//	meta(key, value)  -- format = barkeep, schema_version = 1
//
// Times are TIMESTAMPTZ: an instant, so `SELECT * FROM bars` shows them in the session's time
// zone while the stored value (microseconds since the epoch, UTC) is what Read returns, in UTC.
// timeframe is Alpaca's spelling ("1Min", "1Day") and adjustment is "raw", "split", "dividend"
// or "all".
//
// bars has no PRIMARY KEY constraint although (symbol, timeframe, adjustment, time) is unique:
// the write path keeps it so (DELETE of the staged keys, then INSERT, in one transaction), and
// maintaining DuckDB's ART index for the key made writes of a million bars about five times slower
// (measured: 3.5 s instead of 0.8 s for the upsert plus commit) and cost memory on every open.
//
// Writes fill DuckDB data chunks directly and hand them to DuckDB's Appender for a temporary
// staging table, then one transaction moves them into bars and merges coverage. Reads bypass database/sql: they
// stream DuckDB's column vectors straight into data.Bar values through the driver's mapping layer,
// since scanning row by row through database/sql boxes every value and is several times slower.
//
// DuckDB lets one process at a time open a file read-write; within that process a Store is safe
// for concurrent use, and readers see the state before or after each Write (DuckDB's MVCC).
package duckdb
