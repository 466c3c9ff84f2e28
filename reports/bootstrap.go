package reports

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// SuggestedBootstrap is the number of resamples the report suggests for --bootstrap: enough
// for the 2.5% and 97.5% percentiles to settle to a few hundredths of a Sharpe ratio.
const SuggestedBootstrap = 1000

// ciLevel is the coverage of the intervals.
const ciLevel = 0.95

// Intervals are percentile intervals of the headline figures from a stationary block
// bootstrap of the daily returns (Politis and Romano 1994). A bound that cannot be computed is
// NaN.
type Intervals struct {
	Sharpe, CAGR, MaxDrawdown [2]float64
	Resamples                 int
	Seed                      uint64
	MeanBlock                 float64 // L, the mean block length in daily returns
}

// bootstrapConvention states how the intervals are computed.
var bootstrapConvention = Convention{Key: "ci", Name: "95% intervals (bootstrap)",
	Formula: "With --bootstrap B, the T daily returns are resampled B times by the stationary block bootstrap (Politis and Romano, \"The Stationary Bootstrap\", 1994): " +
		"a resample of T returns is built from blocks that start at a uniformly chosen day and run on in time order (wrapping from the last day to the first), " +
		"each next day starting a new block with probability 1/L, so that block lengths are geometric with mean L = T^(1/3) days (at least 1), " +
		"which keeps the short-range dependence of the returns (volatility clusters) that an independent resample would break. " +
		"Each resample's Sharpe ratio, CAGR (over the run's calendar days, from the product of its returns) and max drawdown (of its compounded curve, the running peak starting at the start equity) " +
		"are computed as for the run, and the interval is [the 2.5% quantile, the 97.5% quantile] of the B values, each the smallest value with at least that share of the values at or below it " +
		"(percentile intervals; resamples whose figure cannot be computed, such as a flat one's Sharpe ratio, are left out). " +
		"The random numbers are math/rand/v2's PCG seeded with --seed: the same seed gives the same intervals."}

// AddIntervals adds 95% bootstrap intervals of n resamples, seeded with seed, to s, and their
// convention to s.Conventions. n < 1 does nothing.
func (s *Summary) AddIntervals(n int, seed uint64) {
	if n < 1 {
		return
	}
	ci := bootstrapIntervals(s.strat.rets, dailyRiskFree(s.riskFree, s.strat.ann), s.strat.ann, s.Strategy.Days, n, seed)
	s.CI = &ci
	s.Conventions = append(s.Conventions, bootstrapConvention)
}

// bootstrapIntervals resamples rets n times; rfd is the daily risk-free rate, ann A and days
// the run's calendar days, as the run's own figures use them.
func bootstrapIntervals(rets []float64, rfd, ann, days float64, n int, seed uint64) Intervals {
	nan := [2]float64{math.NaN(), math.NaN()}
	ci := Intervals{Sharpe: nan, CAGR: nan, MaxDrawdown: nan, Resamples: n, Seed: seed, MeanBlock: math.NaN()}
	t := len(rets)
	if t < 2 {
		return ci
	}
	ci.MeanBlock = max(1, math.Cbrt(float64(t)))
	p := 1 / ci.MeanBlock
	// The stream is fixed by the seed alone: the second PCG word is a constant.
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	sharpes := make([]float64, 0, n)
	cagrs := make([]float64, 0, n)
	dds := make([]float64, 0, n)
	x := make([]float64, t)
	for range n {
		j := rng.IntN(t)
		for k := range x {
			if k > 0 {
				if rng.Float64() < p {
					j = rng.IntN(t)
				} else if j++; j == t {
					j = 0
				}
			}
			x[k] = rets[j]
		}
		eq, peak, dd := 1.0, 1.0, 0.0
		for _, r := range x {
			eq *= 1 + r
			peak = max(peak, eq)
			dd = min(dd, eq/peak-1)
		}
		dds = append(dds, dd)
		if days > 0 {
			cagrs = append(cagrs, math.Pow(eq, 365.25/days)-1)
		}
		mean, std := stat.MeanStdDev(x, nil)
		if std > 0 {
			sharpes = append(sharpes, (mean-rfd)/std*math.Sqrt(ann))
		}
	}
	ci.Sharpe, ci.CAGR, ci.MaxDrawdown = percentiles(sharpes), percentiles(cagrs), percentiles(dds)
	return ci
}

// percentiles is the central ciLevel interval of v by empirical quantiles, NaN when v is empty.
func percentiles(v []float64) [2]float64 {
	v = slices.DeleteFunc(v, math.IsNaN)
	if len(v) == 0 {
		return [2]float64{math.NaN(), math.NaN()}
	}
	slices.Sort(v)
	a := (1 - ciLevel) / 2
	return [2]float64{stat.Quantile(a, stat.Empirical, v, nil), stat.Quantile(1-a, stat.Empirical, v, nil)}
}

// ciText is the interval of the figure key, as the report shows it beside the figure, or "".
func (s Summary) ciText(key string) string {
	if s.CI == nil {
		return ""
	}
	var b [2]float64
	switch key {
	case "sharpe":
		b = s.CI.Sharpe
	case "cagr":
		b = s.CI.CAGR
	case "max_drawdown":
		b = s.CI.MaxDrawdown
	default:
		return ""
	}
	m := metricMust(key)
	return fmt.Sprintf("95%% interval %s to %s", m.format(b[0]), m.format(b[1]))
}

// MarshalJSON writes the intervals as stats.json's "ci": each figure as [low, high].
func (ci Intervals) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.field("sharpe", []any{jsonValue(ci.Sharpe[0]), jsonValue(ci.Sharpe[1])})
	o.field("cagr", []any{jsonValue(ci.CAGR[0]), jsonValue(ci.CAGR[1])})
	o.field("max_drawdown", []any{jsonValue(ci.MaxDrawdown[0]), jsonValue(ci.MaxDrawdown[1])})
	o.field("level", ciLevel)
	o.field("method", "stationary block bootstrap (Politis and Romano 1994), percentile intervals")
	o.field("resamples", ci.Resamples)
	o.field("seed", ci.Seed)
	o.field("mean_block_days", ci.MeanBlock)
	return o.bytes()
}
