// Package indicator owns barkeep's incremental technical indicators: SMA, EMA, rolling standard
// deviation, Wilder's RSI and ATR, Bollinger bands, MACD and Donchian channels.
//
// Every indicator is fed one value (or one bar) at a time with Update, costs O(1) per update
// (Donchian: O(1) amortised) and allocates nothing after its constructor, so a strategy can keep
// one per symbol in its hot path. Ready reports whether enough values have been seen; until then
// Value and its relatives return 0 and must not be traded on.
//
// Rolling sums never drift: windows keep Neumaier-compensated sums of values shifted by a
// reference level near the window mean, and recompute them exactly from the window at least
// every four window lengths and whenever the mean has moved far enough from the reference that the
// variance formula would start to cancel. Over any number of updates the results stay within a
// few ulps of a sum recomputed from the window.
//
// Constructors panic on a period below 1, as a programming error: strategy parameters are
// validated (see the strategies package) before indicators are built.
package indicator
