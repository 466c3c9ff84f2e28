// Package synth owns barkeep's deterministic synthetic data.Source: minute bars for any symbol,
// generated from a seed, for the demo, tests and benchmarks, with no key and no network.
//
// The bars look like US equity bars: prices follow a geometric random walk (so they stay
// positive) from a symbol-dependent level between 20 and 500 with a symbol-dependent volatility,
// volatility and volume are higher at the open and the close, about 1.5% of minutes have no bar
// (no trade), and bars exist only inside regular sessions of the data package's calendar,
// early closes included. Higher timeframes are aggregated from those minutes as Alpaca does:
// intraday buckets aligned to the New York clock (5Min at :00, :05, ...; 1Hour at 09:00 holding
// 09:30-09:59), daily bars stamped at New York midnight, weekly bars at Monday's New York
// midnight, monthly bars at the first of the month (N-month buckets starting in January).
//
// Determinism is the point: the same request yields the same bars, and the bar at a given
// (symbol, time) is the same whatever range was asked for, so fetching a quarter at once or
// month by month stores identical bars. Each day is generated from a seed of (seed, symbol,
// date) between an opening and a closing price that come from a hierarchical Brownian bridge
// over weekdays, which gives any day's prices in O(log n) without walking from some start date.
// Floating-point results are reproducible on one platform; prices are rounded to cents, which
// makes cross-platform differences (math.Exp is assembly on some) very unlikely but not
// impossible.
package synth
