// Command customstrategy is barkeep's whole backtest command with one more strategy compiled
// in: every flag, sweeps, reports and exit codes, as bin/backtest, plus "momentum".
//
//	go run . --strategy momentum --store bars.duckdb --param period=30
//	go run . --strategy momentum --store bars.duckdb --grid period=10:50:10 --grid band=0:1:0.5
package main

import (
	"github.com/barkeep-trading/barkeep/app"

	_ "example.com/customstrategy/momentum" // registers "momentum" in its init
)

func main() { app.Backtest() }
