// Package strategies owns barkeep's strategy registry, strategy parameters and the built-in
// strategies; the incremental indicators they use live in the indicator subpackage.
//
// Strategies are compiled in and registered by name, as database/sql drivers are: a package
// calls Register from its init function, and a program that imports it (for its side effect)
// can then build the strategy with New from a name and "key=value" parameters. Importing
// strategies registers the built-ins:
//
//	sma        fast/slow SMA crossover of closes (10/30)
//	ema        fast/slow EMA crossover of closes (12/26)
//	macd       MACD line crossing its signal line (12/26/9)
//	rsi        Wilder RSI mean reversion: buy below lower (30), exit above upper (70)
//	bollinger  buy on a close below the lower band (20, 2σ), exit at or above the middle
//	breakout   Donchian breakout: buy above the previous 20-bar high, exit below the previous
//	           10-bar low
//	buyhold    buy on each symbol's first bar and hold: the default benchmark
//
// Every built-in takes the same sizing parameters: pct, the fraction of equity to hold per
// symbol (default 1), or qty, a fixed number of shares (default 0, meaning "use pct"), and the
// same exit parameters (ExitParams): stop_loss, take_profit and trail, fractions of the entry
// price in [0, 1), 0 (the default) for none. When an entry fills, the strategy places an OCO
// exit for the whole position priced from its average entry price: a take-profit limit, a
// stop-loss stop that trails when trail is set (the tighter of the two levels), or the one exit
// set alone; they work from the next bar, are replaced when the position changes, and are
// cancelled by the next signal. Trades then say which closed them (engine.Trade.ExitReason).
// buyhold stays out once an exit has closed its position.
//
// Signals are decided at each bar's close and orders are market orders, which the engine fills
// at the symbol's next open. The built-ins are long-only unless the engine's Config.Short
// allows shorts; then the crossovers (sma, ema, macd) reverse into a short on a downward cross,
// rsi reverses into a short above upper, bollinger also sells short on a close above the upper
// band (covering at or below the middle) and breakout also sells short on a close below the
// previous N-bar low (covering above the previous M-bar high).
//
// Each strategy keeps its per-symbol state in a slice indexed through a map from symbol,
// created when a symbol is first seen, so any number of symbols can be traded and OnBar does
// not allocate in steady state.
package strategies
