// Package parquet owns barkeep's Parquet lake: a data.Store kept as a Hive-partitioned directory
// of Parquet files that DuckDB, Polars or Spark can query as it is, with no barkeep code.
//
// # Layout
//
//	DIR/_barkeep.json                                     marker: format name and version
//	DIR/timeframe=1Min/symbol=AAPL/year=2024/raw.parquet  bars of one series and UTC year
//	DIR/timeframe=1Min/symbol=AAPL/year=2024/split.parquet
//	DIR/timeframe=1Min/symbol=AAPL/_coverage.raw.json     coverage and feed of one series
//	DIR/timeframe=1Min/symbol=BTC%2FUSD/...               symbols escaped as Hive escapes them
//
// Adjusted and raw bars never share a file: the adjustment names the file inside the partition
// and is repeated in an adjustment column, so the Hive levels stay uniform (timeframe, symbol,
// year) and a query over the lake selects a series with WHERE adjustment = 'raw'. Symbols are
// percent-encoded with upper-case hex for every byte outside [A-Za-z0-9._-], the way Hive escapes
// partition values, so "BTC/USD" becomes symbol=BTC%2FUSD and reads back exactly.
//
// # Files
//
// Each file holds one series for one UTC year, sorted by time, compressed with zstd, with columns
// symbol (string), time (timestamp[us, UTC]), open, high, low, close, volume
// (float64), trade_count (uint64), vwap (float64), feed and adjustment (strings). Times are
// delta-encoded and prices byte-stream-split before zstd, which halves read time on minute
// bars; strings are plain, since zstd folds their repetition for free and arrow-go's
// dictionary encoder allocates per value.
// Row groups are bounded, so readers stream a file in small batches and memory does not grow
// with the store.
//
// # Atomicity and crashes
//
// Every file, bars, sidecars and marker alike, is written to a temporary file in its own
// directory whose name starts with "." and ends with ".tmp" (never matched by *.parquet or
// *.json), synced, renamed over its target, and the directory synced. A Write validates every
// bar before it touches the disk, rewrites each affected partition (existing bars merged with the
// new ones, the new bar winning on equal time) and only then writes the coverage sidecars, so a
// crash can lose coverage (the range is fetched again) but never claim bars that are not there.
// All of a batch's files are staged first, then renamed into place while the Write holds an
// exclusive flock on the marker; a Read opens every file of its query under the shared lock and
// decodes them afterwards from the open descriptors, so a barkeep reader in any process sees a
// whole batch or none of it (on systems without flock, each file is still whole). Other tools
// reading the lake directly see each file whole, but may see a batch half published. Temporary
// files left by a crash are ignored by readers and removed by the next Write.
//
// A directory that holds anything else than this layout is refused by Open with an error
// wrapping data.ErrNotStore, and left untouched.
//
// # Users' files
//
// ReadRows reads a user's Parquet file of bars (timestamp, open, high, low, close, volume, ...)
// into data/files rows, which data/files checks and imports as it does CSV files.
package parquet
