package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"
)

// SweepSummaryFile holds a sweep's overfitting figures: how likely its best is luck.
const SweepSummaryFile = "summary.json"

// SweepSummary is what a sweep's winner is worth once the number of combinations tried is
// accounted for.
type SweepSummary struct {
	// Combinations is the rows that ran; Trials those whose daily Sharpe ratio can be computed
	// (a run with a flat curve, such as one that made no trade, is no alternative: it counts
	// in neither figure).
	Combinations, Trials int
	Rank                 string
	// Best is the parameters of the best combination as the page ranks it (nil when there is
	// none), BestRow its row.
	Best    map[string]string
	BestRow int
	DSR     DSR
	PBO     PBO
	// RiskFreeDaily is rf_d, subtracted by every Sharpe ratio here.
	RiskFreeDaily float64
}

// DSR is the Deflated Sharpe Ratio of a sweep's best and what it was computed from.
type DSR struct {
	Value float64 // the probability that the best's true Sharpe ratio is above zero; NaN when not computed
	// Sharpe is SR*, the best's daily Sharpe ratio; ExpectedMax SR₀; Variance V[SR] of the
	// trials' daily Sharpe ratios.
	Sharpe, ExpectedMax, Variance float64
	Skew, Kurtosis                float64 // γ₃ and γ₄ (not excess) of the best's daily returns
	Returns                       int     // T
	Reason                        string  // why Value is NaN
}

// overfitConventions state how summary.json's figures are computed.
var overfitConventions = []Convention{
	{Key: "deflated_sharpe", Name: "Deflated Sharpe Ratio",
		Formula: "DSR = Φ((SR* − SR₀) × √(T − 1) / √(1 − γ₃ SR* + (γ₄ − 1) / 4 × SR*²)), with SR₀ = √V × ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))) " +
			"(Bailey and López de Prado, \"The Deflated Sharpe Ratio\", 2014): the probability that the true Sharpe ratio of the best combination is above zero, " +
			"given that it is the best of N trials. SR* is its daily, not annualised, Sharpe ratio mean(e) / std(r) (the Sharpe ratio / √A), T its number of daily returns " +
			"(daily_returns), γ₃ its skew and γ₄ = excess kurtosis + 3 its kurtosis, as sweep.csv gives them; V is the sample variance (N − 1) of the daily Sharpe ratios of the N trials, " +
			"the combinations whose Sharpe ratio can be computed (a run with a flat curve, such as one without a trade, is no alternative and not a trial); " +
			"SR₀ is the Sharpe ratio the best of N trials of true Sharpe zero is expected to show (0 for a single trial); γ ≈ 0.5772 is the Euler–Mascheroni constant " +
			"and Φ the standard normal CDF. The best is the first row of the ranking; SR₀ assumes it was chosen by Sharpe ratio, so for another --rank the figure errs low."},
	{Key: "pbo", Name: "Probability of Backtest Overfitting",
		Formula: "Combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado and Zhu, \"The Probability of Backtest Overfitting\", 2015) " +
			"over the matrix of the trials' daily returns on the dates they all share: the oldest T mod S returns are dropped so that S (--pbo-blocks) blocks in time order hold ⌊T / S⌋ each. " +
			"For each of the C(S, S/2) ways to take half the blocks as in-sample (the other half out of sample), the trial with the best in-sample Sharpe ratio mean(e) / std(r) is chosen " +
			"(the first in sweep.csv's order on a tie; a flat half, with no Sharpe ratio, is never chosen), and ranked among the N out of sample, " +
			"from 1 (worst) to N (best), tied values sharing their mean rank and flat ones ranking lowest; ω = rank / (N + 1), λ = ln(ω / (1 − ω)). " +
			"PBO is the share of the splits with λ ≤ 0: the in-sample best did no better than the median out of sample. Near 0, the ranking holds out of sample; near 0.5 or above, the best is as likely as not to be luck."},
}

// Summary computes the sweep's overfitting figures from its rows' daily returns.
func (s Sweep) Summary() SweepSummary {
	sum := SweepSummary{Combinations: len(s.Rows), Rank: s.Rank, BestRow: -1, RiskFreeDaily: s.RiskFreeDaily}
	blocks := s.PBOBlocks
	if blocks == 0 {
		blocks = DefaultPBOBlocks
	}
	sum.DSR = DSR{Value: math.NaN(), Sharpe: math.NaN(), ExpectedMax: math.NaN(), Variance: math.NaN(), Skew: math.NaN(), Kurtosis: math.NaN()}
	var trials []int
	var srs []float64
	for i := range s.Rows {
		if sr := dailySharpe(s.Rows[i].Returns, s.RiskFreeDaily); !math.IsNaN(sr) {
			trials = append(trials, i)
			srs = append(srs, sr)
		}
	}
	sum.Trials = len(trials)
	if len(srs) >= 2 {
		sum.DSR.Variance = stat.Variance(srs, nil)
	}
	if rows, _ := s.shown(); len(rows) > 0 {
		sum.BestRow = rows[0]
		sum.Best = s.Rows[rows[0]].Params
	}
	switch {
	case sum.BestRow < 0:
		sum.DSR.Reason = "no combination is ranked"
	case len(s.Rows[sum.BestRow].Returns) == 0:
		sum.DSR.Reason = "no daily returns were kept"
	default:
		b := &s.Rows[sum.BestRow]
		d := &sum.DSR
		// The best's Sharpe ratio was worked out with the trials' (NaN when it is not one).
		d.Sharpe = math.NaN()
		if k := slices.Index(trials, sum.BestRow); k >= 0 {
			d.Sharpe = srs[k]
		}
		d.Skew, d.Kurtosis, d.Returns = b.Stats.Skew, b.Stats.ExcessKurtosis+3, len(b.Returns)
		v := d.Variance
		if sum.Trials < 2 {
			v = 0 // one trial is not deflated
		}
		d.Value, d.ExpectedMax = deflatedSharpe(d.Sharpe, v, sum.Trials, d.Skew, d.Kurtosis, d.Returns)
		if math.IsNaN(d.Value) {
			switch {
			case math.IsNaN(d.Sharpe):
				d.Reason = "the best's Sharpe ratio cannot be computed (a flat curve or fewer than 2 daily returns)"
			case math.IsNaN(d.Skew) || math.IsNaN(d.Kurtosis):
				d.Reason = "fewer than 4 daily returns: no skew or kurtosis"
			default:
				d.Reason = "the variance of the Sharpe ratio's estimate is not positive (1 − γ₃ SR* + (γ₄ − 1) / 4 × SR*² ≤ 0)"
			}
		}
	}
	sum.PBO = pbo(s.commonReturns(trials), s.RiskFreeDaily, blocks)
	return sum
}

// commonReturns is the returns of rows on the dates all of them have, in time order.
func (s Sweep) commonReturns(rows []int) [][]float64 {
	cols := make([][]float64, len(rows))
	if len(rows) == 0 {
		return cols
	}
	same := true
	for _, i := range rows {
		same = same && len(s.Rows[i].Dates) == len(s.Rows[rows[0]].Dates)
	}
	if same {
		for _, i := range rows {
			same = same && datesEqual(s.Rows[i].Dates, s.Rows[rows[0]].Dates)
		}
	}
	if same {
		for k, i := range rows {
			cols[k] = s.Rows[i].Returns
		}
		return cols
	}
	count := map[int64]int{}
	for _, i := range rows {
		for _, d := range s.Rows[i].Dates {
			count[d.Unix()]++
		}
	}
	for k, i := range rows {
		for p, d := range s.Rows[i].Dates {
			if count[d.Unix()] == len(rows) {
				cols[k] = append(cols[k], s.Rows[i].Returns[p])
			}
		}
	}
	return cols
}

func datesEqual[T interface{ Equal(T) bool }](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// writeSweepSummary writes summary.json: the headline figures first (trials, best,
// deflated_sharpe, pbo, so that `jq .pbo` works), then what they were computed from, why a null
// one is null, and the conventions.
func writeSweepSummary(w io.Writer, sum SweepSummary) error {
	var o jsonObject
	o.field("trials", sum.Trials)
	o.field("combinations", sum.Combinations)
	o.field("rank", sum.Rank)
	if sum.Best != nil {
		o.field("best", sum.Best)
	} else {
		o.field("best", nil)
	}
	o.field("deflated_sharpe", sum.DSR.Value)
	o.field("pbo", sum.PBO.Value)
	d := sum.DSR
	var di jsonObject
	di.field("sharpe_daily", d.Sharpe)
	di.field("expected_max_sharpe_daily", d.ExpectedMax)
	di.field("sharpe_variance", d.Variance)
	di.field("trials", sum.Trials)
	di.field("skew", d.Skew)
	di.field("kurtosis", d.Kurtosis)
	di.field("daily_returns", d.Returns)
	raw, err := di.bytes()
	if err != nil {
		return err
	}
	o.field("deflated_sharpe_inputs", json.RawMessage(raw))
	p := sum.PBO
	var pi jsonObject
	pi.field("blocks", p.Blocks)
	pi.field("splits", p.Splits)
	pi.field("block_length", p.BlockLength)
	pi.field("dropped_returns", p.Dropped)
	pi.field("combinations", p.Combinations)
	pi.field("mean_logit", p.MeanLogit)
	if raw, err = pi.bytes(); err != nil {
		return err
	}
	o.field("pbo_inputs", json.RawMessage(raw))
	o.field("risk_free_daily", sum.RiskFreeDaily)
	why := map[string]string{}
	if math.IsNaN(d.Value) {
		why["deflated_sharpe"] = d.Reason
	}
	if math.IsNaN(p.Value) {
		why["pbo"] = p.Reason
	}
	o.field("null_reasons", why)
	o.field("conventions", overfitConventions)
	b, err := o.bytes()
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// sentences say the summary in plain words for the sweep's page.
func (sum SweepSummary) sentences(s Sweep) []string {
	var out []string
	out = append(out, fmt.Sprintf("%d of the %d combinations that ran are trials: their curves move, so their Sharpe ratios can be computed.", sum.Trials, sum.Combinations))
	d := sum.DSR
	if math.IsNaN(d.Value) {
		out = append(out, "Deflated Sharpe Ratio: not computed: "+d.Reason+".")
	} else {
		out = append(out, fmt.Sprintf("The best combination (%s) has a daily Sharpe ratio of %s over %d daily returns; the best of %d trials with no edge at all would be expected to show %s. "+
			"Deflated Sharpe Ratio: %s — the probability that its true Sharpe ratio is above zero, once the %d trials are accounted for.",
			s.comboLabel(sum.BestRow), fmtFig(d.Sharpe, 4), d.Returns, sum.Trials, fmtFig(d.ExpectedMax, 4), fmtPct(d.Value), sum.Trials))
	}
	p := sum.PBO
	if math.IsNaN(p.Value) {
		out = append(out, "Probability of backtest overfitting: not computed: "+p.Reason+".")
	} else {
		read := "the ranking mostly holds out of sample"
		switch {
		case p.Value >= 0.5:
			read = "the best on past data is at least as likely as not to do worse than the median on new data: the ranking looks like luck"
		case p.Value >= 0.2:
			read = "the in-sample best often does worse than the median out of sample: treat the ranking with caution"
		}
		out = append(out, fmt.Sprintf("Probability of backtest overfitting: %s. In %s of the %d ways to split %d blocks of %d daily returns into two halves, "+
			"the combination best on one half ranked at or below the median on the other: %s.",
			fmtPct(p.Value), fmtPct(p.Value), p.Splits, p.Blocks, p.BlockLength, read))
	}
	return out
}

func fmtFig(v float64, digits int) string { return strconv.FormatFloat(v, 'f', digits, 64) }

func fmtPct(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }
