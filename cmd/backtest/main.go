// Command backtest replays stored bars through a strategy and writes what would have happened:
// statistics, trades, the equity curve and an HTML report. See `backtest --help`.
package main

import "github.com/barkeep-trading/barkeep/app"

func main() { app.Backtest() }
