package reports

import (
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/engine"
)

var nyLoc = calendar.NewYork

// Stats are the performance figures of one run. Each field's comment gives the formula exactly
// as the report's conventions section states it (the metrics table in conventions.go is the
// source; a test keeps these comments in step). Figures that cannot be computed are NaN.
type Stats struct {
	// Start: Time of the first equity point.
	Start time.Time

	// End: Time of the last equity point.
	End time.Time

	// Duration: Calendar days from start to end: days = (end − start) / 24h.
	Days float64

	// Trading days: Number of New York dates with at least one equity point.
	Sessions int

	// Exposure time: Fraction of equity points holding any position: count(long ≠ 0 or short ≠ 0) /
	// points.
	Exposure float64

	// Start equity: Equity at the first equity point.
	StartEquity float64

	// Final equity: Equity at the last equity point.
	FinalEquity float64

	// Total return: TR = final equity / start equity − 1.
	TotalReturn float64

	// CAGR: (1 + TR)^(365.25 / days) − 1.
	CAGR float64

	// Volatility (ann.): std(r) × √252, with the sample standard deviation (N − 1).
	Volatility float64

	// Sharpe ratio: mean(e) / std(r) × √252, with the sample standard deviation (N − 1).
	Sharpe float64

	// Sortino ratio: mean(e) / DD × √252, where the downside deviation DD = √(mean(min(0, e)²)) is
	// taken over all N days, not only the losing ones.
	Sortino float64

	// Calmar ratio: CAGR / |max drawdown|.
	Calmar float64

	// Max drawdown: min over the daily closes of equity / running peak − 1 (a negative fraction).
	MaxDrawdown float64

	// Max intraday drawdown: The same over every equity point, so that troughs inside a session
	// count; equal to the max drawdown for daily bars.
	MaxDrawdownIntraday float64

	// Max drawdown duration: Calendar days from the peak before the max drawdown to the daily close
	// that regains that peak (or to the end if it never does).
	MaxDrawdownDays float64

	// Average drawdown: Mean depth of the drawdown episodes of the daily closes, an episode running
	// from a peak to the close that regains it (or to the end).
	AvgDrawdown float64

	// Longest drawdown: Calendar days of the longest drawdown episode of the daily closes, peak to
	// recovery (or to the end).
	LongestDrawdownDays float64

	// Best day: max(r).
	BestDay float64

	// Worst day: min(r).
	WorstDay float64

	// Skew: Sample skewness n / ((n − 1)(n − 2)) × Σ((r − mean) / s)³, s the sample standard
	// deviation.
	Skew float64

	// Excess kurtosis: Sample excess kurtosis n(n + 1) / ((n − 1)(n − 2)(n − 3)) × Σ((r − mean) /
	// s)⁴ − 3(n − 1)² / ((n − 2)(n − 3)); 0 for a normal distribution.
	ExcessKurtosis float64

	// Daily VaR 95%: Historical: the empirical 5% quantile of r (the smallest r such that at least
	// 5% of the days are ≤ it, i.e. the ⌈0.05 N⌉-th smallest); negative is a loss.
	VaR95 float64

	// Alpha (ann.): a × 252, from the OLS fit e = a + β × e_benchmark over the dates both curves
	// have a daily return.
	Alpha float64

	// Beta: β of the same OLS fit: cov(e, e_benchmark) / var(e_benchmark).
	Beta float64

	// Trades: Number of closed round trips N.
	Trades int

	// Open trades: Round trips still open at the end (not counted in trade figures).
	OpenTrades int

	// Win rate: count(PnL > 0) / N.
	WinRate float64

	// Average trade return: mean(trade return), a trade's return being its PnL over its entry
	// notional.
	AvgTradeReturn float64

	// Median trade return: Median of trade returns (the mean of the two middle values when N is
	// even).
	MedianTradeReturn float64

	// Best trade: max(trade return).
	BestTrade float64

	// Worst trade: min(trade return).
	WorstTrade float64

	// Profit factor: Σ PnL of winners / |Σ PnL of losers| (null when there is no loser).
	ProfitFactor float64

	// Expectancy: mean(PnL) per trade, in currency (= win rate × average win + loss rate × average
	// loss).
	Expectancy float64

	// SQN: √N × mean(PnL) / std(PnL), with the sample standard deviation (N − 1).
	SQN float64

	// Average bars held: mean(bars held) over trades.
	AvgBarsHeld float64

	// Commissions and fees: Σ (commission + fees) over all fills, open trades included.
	Costs float64

	// Turnover (ann.): Annualised: (Σ |fill qty × fill price| / mean equity over all points) / (days
	// / 365.25).
	Turnover float64
}

// dayClose is the last equity point of one New York date.
type dayClose struct {
	date   time.Time // midnight New York
	idx    int       // index of the point in the equity curve
	equity float64
}

// daily is an equity curve reduced to what daily statistics and plots need.
type daily struct {
	closes []dayClose
	curve  []engine.EquityPoint // the first point, then each date's close (not repeating it)
	dates  []time.Time          // date of each return
	rets   []float64            // rets[i] = curve[i+1] / curve[i] − 1
}

// resample takes the last equity point of each New York date. It converts a time to New York
// only when a point leaves the current date, so a million minute points cost a few thousand
// time zone lookups.
func resample(eq []engine.EquityPoint) daily {
	var d daily
	var dayEnd time.Time
	for i, p := range eq {
		if i == 0 || !p.Time.Before(dayEnd) {
			start, end := calendar.DaySpan(p.Time)
			dayEnd = end
			d.closes = append(d.closes, dayClose{date: start, idx: i, equity: p.Equity})
			continue
		}
		c := &d.closes[len(d.closes)-1]
		c.idx, c.equity = i, p.Equity
	}
	if len(d.closes) == 0 {
		return d
	}
	closes := d.closes
	if closes[0].idx == 0 {
		// The first date has a single point: it is the base, not a return.
		closes = closes[1:]
	}
	d.curve = make([]engine.EquityPoint, 0, len(closes)+1)
	d.curve = append(d.curve, eq[0])
	d.dates = make([]time.Time, 0, len(closes))
	d.rets = make([]float64, 0, len(closes))
	for _, c := range closes {
		prev := d.curve[len(d.curve)-1].Equity
		d.curve = append(d.curve, eq[c.idx])
		d.dates = append(d.dates, c.date)
		d.rets = append(d.rets, c.equity/prev-1)
	}
	return d
}

// dailyRiskFree converts an annual rate to a per-trading-day rate by compounding.
func dailyRiskFree(annual float64) float64 {
	return math.Pow(1+annual, 1.0/TradingDays) - 1
}

// computeStats fills every field of Stats but alpha and beta, which need the benchmark.
func computeStats(r *engine.Result, d daily, rf float64) Stats {
	var tt tradeTotals
	for i := range r.Trades {
		tt.add(&r.Trades[i])
	}
	var ft fillTotals
	for i := range r.Fills {
		ft.add(&r.Fills[i])
	}
	return computeStatsOf(r, d, rf, &tt, &ft)
}

// computeStatsOf is computeStats with the trades and fills given as their totals (from the
// Result, or from a Journal that took them instead).
func computeStatsOf(r *engine.Result, d daily, rf float64, tt *tradeTotals, ft *fillTotals) Stats {
	var s Stats
	setNaN(&s)
	eq := r.Equity
	if len(eq) == 0 {
		s.Trades, s.OpenTrades = tt.closed, tt.open
		return s
	}
	first, last := eq[0], eq[len(eq)-1]
	s.Start, s.End = first.Time, last.Time
	s.Days = last.Time.Sub(first.Time).Hours() / 24
	s.Sessions = len(d.closes)
	s.StartEquity, s.FinalEquity = first.Equity, last.Equity
	s.TotalReturn = last.Equity/first.Equity - 1
	if s.Days > 0 {
		s.CAGR = math.Pow(1+s.TotalReturn, 365.25/s.Days) - 1
	}

	var exposed int
	var sumEquity float64
	for _, p := range eq {
		if p.Long != 0 || p.Short != 0 {
			exposed++
		}
		sumEquity += p.Equity
	}
	s.Exposure = float64(exposed) / float64(len(eq))

	dd := drawdowns(d.curve)
	s.MaxDrawdown, s.MaxDrawdownDays = dd.max, dd.maxDays
	s.AvgDrawdown, s.LongestDrawdownDays = dd.avg, dd.longestDays
	if dd.max < 0 {
		s.Calmar = s.CAGR / math.Abs(dd.max)
	}
	s.MaxDrawdownIntraday = drawdowns(eq).max

	dailyStats(&s, d.rets, rf)
	tradeStats(&s, tt)

	notional := ft.notional
	s.Costs = ft.costs
	if meanEquity := sumEquity / float64(len(eq)); s.Days > 0 && meanEquity != 0 {
		s.Turnover = notional / meanEquity / (s.Days / 365.25)
	}
	return s
}

// setNaN marks every float figure as not computed; the computations overwrite what they can.
func setNaN(s *Stats) {
	for _, p := range []*float64{&s.Days, &s.Exposure, &s.StartEquity, &s.FinalEquity, &s.TotalReturn,
		&s.CAGR, &s.Volatility, &s.Sharpe, &s.Sortino, &s.Calmar, &s.MaxDrawdown, &s.MaxDrawdownIntraday, &s.MaxDrawdownDays,
		&s.AvgDrawdown, &s.LongestDrawdownDays, &s.BestDay, &s.WorstDay, &s.Skew, &s.ExcessKurtosis,
		&s.VaR95, &s.Alpha, &s.Beta, &s.WinRate, &s.AvgTradeReturn, &s.MedianTradeReturn, &s.BestTrade,
		&s.WorstTrade, &s.ProfitFactor, &s.Expectancy, &s.SQN, &s.AvgBarsHeld, &s.Costs, &s.Turnover} {
		*p = math.NaN()
	}
}

func dailyStats(s *Stats, rets []float64, rf float64) {
	n := len(rets)
	if n == 0 {
		return
	}
	rfd := dailyRiskFree(rf)
	s.BestDay, s.WorstDay = slices.Max(rets), slices.Min(rets)
	sorted := slices.Clone(rets)
	slices.Sort(sorted)
	s.VaR95 = stat.Quantile(0.05, stat.Empirical, sorted, nil)
	if n < 2 {
		return
	}
	mean, std := stat.MeanStdDev(rets, nil)
	ann := math.Sqrt(TradingDays)
	s.Volatility = std * ann
	excess := mean - rfd
	if std > 0 {
		s.Sharpe = excess / std * ann
	}
	var down float64
	for _, r := range rets {
		if e := r - rfd; e < 0 {
			down += e * e
		}
	}
	if dd := math.Sqrt(down / float64(n)); dd > 0 {
		s.Sortino = excess / dd * ann
	}
	if n >= 3 && std > 0 {
		s.Skew = stat.Skew(rets, nil)
	}
	if n >= 4 && std > 0 {
		s.ExcessKurtosis = stat.ExKurtosis(rets, nil)
	}
}

func tradeStats(s *Stats, tt *tradeTotals) {
	s.Trades, s.OpenTrades = tt.closed, tt.open
	n := s.Trades
	if n == 0 {
		return
	}
	rets, pnl := tt.rets, tt.pnl
	s.WinRate = float64(tt.wins) / float64(n)
	s.AvgTradeReturn = stat.Mean(rets, nil)
	s.MedianTradeReturn = median(rets)
	s.BestTrade, s.WorstTrade = slices.Max(rets), slices.Min(rets)
	if tt.loss < 0 {
		s.ProfitFactor = tt.gain / -tt.loss
	}
	s.Expectancy = stat.Mean(pnl, nil)
	if n >= 2 {
		if std := stat.StdDev(pnl, nil); std > 0 {
			s.SQN = math.Sqrt(float64(n)) * s.Expectancy / std
		}
	}
	s.AvgBarsHeld = tt.bars / float64(n)
}

// median is written out because stat.Quantile's empirical kind returns the lower middle value
// for an even count, and the report promises the mean of the two.
func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// ddSummary is the drawdown figures of one curve.
type ddSummary struct {
	max, maxDays, avg, longestDays float64
}

// drawdowns walks every point once. An episode starts when equity falls below its running peak
// and ends at the first point back at or above that peak (or at the end of the curve).
func drawdowns(eq []engine.EquityPoint) ddSummary {
	var out ddSummary
	peak, peakTime := eq[0].Equity, eq[0].Time
	var inDD bool
	var depth, sumDepth float64 // depth of the current episode
	var episodes int
	var maxPeakTime time.Time
	maxOpen := false // the max drawdown's episode has not recovered yet
	closeEpisode := func(end time.Time) {
		days := end.Sub(peakTime).Hours() / 24
		sumDepth += depth
		episodes++
		out.longestDays = max(out.longestDays, days)
		if maxOpen && peakTime.Equal(maxPeakTime) {
			out.maxDays = days
			maxOpen = false
		}
	}
	for _, p := range eq {
		if p.Equity >= peak {
			if inDD {
				closeEpisode(p.Time)
				inDD, depth = false, 0
			}
			peak, peakTime = p.Equity, p.Time
			continue
		}
		inDD = true
		dd := p.Equity/peak - 1
		depth = min(depth, dd)
		if dd < out.max {
			out.max = dd
			maxPeakTime, maxOpen = peakTime, true
		}
	}
	if inDD {
		closeEpisode(eq[len(eq)-1].Time)
	}
	if episodes > 0 {
		out.avg = sumDepth / float64(episodes)
	}
	return out
}

// alphaBeta fits the strategy's daily excess returns on the benchmark's, over the dates both
// have a return.
func alphaBeta(s, b daily, rf float64) (alpha, beta float64) {
	rfd := dailyRiskFree(rf)
	var x, y []float64
	i, j := 0, 0
	for i < len(s.dates) && j < len(b.dates) {
		switch c := s.dates[i].Compare(b.dates[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			y = append(y, s.rets[i]-rfd)
			x = append(x, b.rets[j]-rfd)
			i++
			j++
		}
	}
	if len(x) < 2 || stat.Variance(x, nil) == 0 {
		return math.NaN(), math.NaN()
	}
	a, bt := stat.LinearRegression(x, y, nil, false)
	return a * TradingDays, bt
}
