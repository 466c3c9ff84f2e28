// Command fetch downloads historical bars into a DuckDB file or a Parquet lake, fetching only
// what the store lacks. See `fetch --help`.
package main

import "github.com/barkeep-trading/barkeep/app"

func main() { app.Fetch() }
