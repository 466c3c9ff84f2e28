package reports

import (
	"math"
	"math/bits"

	"gonum.org/v1/gonum/stat/distuv"
)

// eulerGamma is the Euler–Mascheroni constant γ of the expected maximum of N normal draws.
const eulerGamma = 0.5772156649015329

var stdNormal = distuv.Normal{Mu: 0, Sigma: 1}

// DefaultPBOBlocks is --pbo-blocks' default, the S = 16 of Bailey et al. (2015): 12,870 splits.
const DefaultPBOBlocks = 16

// MaxPBOBlocks bounds S: C(24, 12) is 2.7 million splits, each ranking every combination twice.
const MaxPBOBlocks = 24

// expectedMaxSharpe is SR₀ of the Deflated Sharpe Ratio: the Sharpe ratio the best of trials
// independent trials with true Sharpe zero would show, their estimates having variance v
// (Bailey and López de Prado 2014, eq. 9, after the false strategy theorem). One trial is not
// deflated: SR₀ = 0.
func expectedMaxSharpe(v float64, trials int) float64 {
	if trials < 2 {
		return 0
	}
	n := float64(trials)
	return math.Sqrt(v) * ((1-eulerGamma)*stdNormal.Quantile(1-1/n) + eulerGamma*stdNormal.Quantile(1-1/(n*math.E)))
}

// deflatedSharpe is the Deflated Sharpe Ratio (Bailey and López de Prado 2014, eq. 10): the
// probability that the true Sharpe ratio of a combination whose daily Sharpe ratio is sr, over
// t daily returns of skewness skew and (non-excess) kurtosis kurt, is above zero, given that it
// is the best of trials whose Sharpe ratios have variance v. It is the Probabilistic Sharpe
// Ratio against SR₀ rather than zero. NaN when the inputs cannot give it (fewer than 2 returns,
// or a non-positive variance term of the estimator).
func deflatedSharpe(sr, v float64, trials int, skew, kurt float64, t int) (dsr, sr0 float64) {
	sr0 = expectedMaxSharpe(v, trials)
	if t < 2 || math.IsNaN(sr) || math.IsNaN(sr0) || math.IsNaN(skew) || math.IsNaN(kurt) {
		return math.NaN(), sr0
	}
	den := 1 - skew*sr + (kurt-1)/4*sr*sr
	if den <= 0 {
		return math.NaN(), sr0
	}
	return stdNormal.CDF((sr - sr0) * math.Sqrt(float64(t-1)) / math.Sqrt(den)), sr0
}

// dailySharpe is the non-annualised Sharpe ratio mean(r − rfd) / std(r), the sample standard
// deviation (N − 1): the sweep's Sharpe ratio divided by √A. NaN for fewer than 2 returns or a
// flat series.
func dailySharpe(rets []float64, rfd float64) float64 {
	n := len(rets)
	if n < 2 {
		return math.NaN()
	}
	var mean float64
	for _, r := range rets {
		mean += r
	}
	mean /= float64(n)
	var ss float64
	for _, r := range rets {
		ss += (r - mean) * (r - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	if sd == 0 || math.IsNaN(sd) {
		return math.NaN()
	}
	return (mean - rfd) / sd
}

// PBO is the outcome of combinatorially symmetric cross-validation over a matrix of daily
// returns (Bailey, Borwein, López de Prado and Zhu 2015).
type PBO struct {
	// Value is the probability of backtest overfitting: the share of the splits whose
	// in-sample best ranks at or below the out-of-sample median (logit λ ≤ 0). NaN when it
	// cannot be computed (Reason says why).
	Value float64
	// Blocks is S; Splits is C(S, S/2), the splits counted; BlockLength the returns in each
	// block; Dropped the oldest returns left out so that the blocks are equal.
	Blocks, Splits, BlockLength, Dropped int
	// Combinations is N, the columns of the matrix.
	Combinations int
	// MeanLogit is the mean of λ over the splits: below zero, the in-sample best tends to do
	// worse than the median out of sample.
	MeanLogit float64
	Reason    string
}

// pbo computes the PBO of cols, N series of daily returns of one length T, over s equal blocks,
// Sharpe ratios being mean(r − rfd) / std(r). The oldest T mod s returns are dropped so that
// every block holds ⌊T/s⌋. For each of the C(s, s/2) ways to choose half the blocks as the
// in-sample set (the rest, in time order, out of sample), the combination of the best
// in-sample Sharpe ratio is chosen (the first in column order on a tie; a Sharpe ratio that
// cannot be computed, of a flat half, ranks below every number), and its rank among the N out
// of sample is taken, from 1 (worst) to N (best), tied values sharing their mean rank; then
// ω = rank / (N + 1) and λ = ln(ω / (1 − ω)).
func pbo(cols [][]float64, rfd float64, s int) PBO {
	out := PBO{Value: math.NaN(), MeanLogit: math.NaN(), Blocks: s, Combinations: len(cols)}
	n := len(cols)
	switch {
	case s < 2 || s%2 != 0 || s > MaxPBOBlocks:
		out.Reason = "the number of blocks must be even, from 2 to 24"
		return out
	case n < 2:
		out.Reason = "fewer than 2 combinations with a Sharpe ratio"
		return out
	}
	t := len(cols[0])
	l := t / s
	if l*s/2 < 2 {
		out.Reason = "too few daily returns for the blocks (each half needs at least 2)"
		return out
	}
	out.BlockLength, out.Dropped = l, t-l*s
	// Sums per block of returns centred on each column's mean, so that the variance of a half,
	// assembled from block sums, does not lose its digits to the mean's square.
	centre := make([]float64, n)
	s1 := make([]float64, n*s)
	s2 := make([]float64, n*s)
	tot1 := make([]float64, n)
	tot2 := make([]float64, n)
	for j, c := range cols {
		c = c[out.Dropped:]
		var m float64
		for _, r := range c {
			m += r
		}
		m /= float64(len(c))
		centre[j] = m
		for b := range s {
			var a1, a2 float64
			for _, r := range c[b*l : (b+1)*l] {
				d := r - m
				a1 += d
				a2 += d * d
			}
			s1[j*s+b], s2[j*s+b] = a1, a2
			tot1[j] += a1
			tot2[j] += a2
		}
	}
	k := float64(l * s / 2)
	sharpe := func(j int, a1, a2 float64) float64 {
		md := a1 / k
		v := (a2 - k*md*md) / (k - 1)
		if v <= 0 {
			return math.NaN()
		}
		return (centre[j] + md - rfd) / math.Sqrt(v)
	}
	is := make([]float64, n)
	oos := make([]float64, n)
	half := s / 2
	var overfit int
	var logits float64
	for mask := uint32(1)<<half - 1; mask < 1<<s; mask = nextMask(mask) {
		best := -1
		for j := range n {
			var a1, a2 float64
			for m := mask; m != 0; m &= m - 1 {
				b := bits.TrailingZeros32(m)
				a1 += s1[j*s+b]
				a2 += s2[j*s+b]
			}
			is[j] = sharpe(j, a1, a2)
			oos[j] = sharpe(j, tot1[j]-a1, tot2[j]-a2)
			if !math.IsNaN(is[j]) && (best < 0 || is[j] > is[best]) {
				best = j
			}
		}
		if best < 0 {
			best = 0 // every half flat: all tie, the first is chosen and ranks at the middle
		}
		// Twice the mean rank, an integer: below counts once per lower value, ties half.
		twice := 2
		for j := range n {
			switch {
			case j == best:
			case lower(oos[j], oos[best]):
				twice += 2
			case !lower(oos[best], oos[j]):
				twice++
			}
		}
		if twice <= n+1 {
			overfit++
		}
		w := float64(twice) / 2 / float64(n+1)
		logits += math.Log(w / (1 - w))
		out.Splits++
	}
	out.Value = float64(overfit) / float64(out.Splits)
	out.MeanLogit = logits / float64(out.Splits)
	return out
}

// lower orders out-of-sample Sharpe ratios, NaN below every number and equal to NaN.
func lower(a, b float64) bool {
	switch {
	case math.IsNaN(b):
		return false
	case math.IsNaN(a):
		return true
	}
	return a < b
}

// nextMask is the next larger integer with as many bits set (Gosper's hack): the next split.
func nextMask(v uint32) uint32 {
	c := v & -v
	r := v + c
	return (((r ^ v) >> 2) / c) | r
}
