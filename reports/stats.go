package reports

import (
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/barkeep-trading/barkeep/data"
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

	// Trading days: Number of daily closes: New York dates with at least one equity point
	// (sessions, with --session all).
	Sessions int

	// Number of daily returns: Number of daily returns N every daily figure is computed from: the daily
	// closes, less the first when it is the start equity itself.
	DailyReturns int

	// Exposure time: Fraction of equity points holding any position: count(long ≠ 0 or short ≠ 0) /
	// points.
	Exposure float64

	// Start equity: Cash before any fill (the starting cash); equity at the first equity point when
	// the run records none.
	StartEquity float64

	// Final equity: Equity at the last equity point.
	FinalEquity float64

	// Total return: TR = final equity / start equity − 1.
	TotalReturn float64

	// CAGR: (1 + TR)^(365.25 / days) − 1.
	CAGR float64

	// Volatility (ann.): std(r) × √A, with the sample standard deviation (N − 1).
	Volatility float64

	// Sharpe ratio: mean(e) / std(r) × √A, with the sample standard deviation (N − 1).
	Sharpe float64

	// Sortino ratio: mean(e) / DD × √A, where the downside deviation DD = √(mean(min(0, e)²)) is
	// taken over all N days, not only the losing ones.
	Sortino float64

	// Calmar ratio: CAGR / |max drawdown|.
	Calmar float64

	// Max drawdown (daily closes): min over the daily closes of equity / running peak − 1 (a
	// negative fraction), the running peak starting at the start equity.
	MaxDrawdown float64

	// Max drawdown (every bar): The same over every equity point, so that troughs inside a session
	// count; equal to the max drawdown for daily bars. The drawdown plot shows this curve.
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

	// Alpha (ann.): a × A, from the OLS fit e = a + β × e_benchmark over the dates both curves
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

	// Commission paid: Σ commission over all fills, open trades included.
	CommissionPaid float64

	// Regulatory fees paid: Σ regulatory fees (SEC Section 31 fee and FINRA trading activity fee,
	// on sells) over all fills.
	FeesPaid float64

	// Slippage paid: Σ qty × |fill price − price before slippage| over all fills: what the assumed
	// slippage cost.
	SlippagePaid float64

	// Borrow fees paid: Σ over New York dates of short market value at the date's last close ×
	// borrow rate / 360 × calendar days to the next date: what shorting cost, taken from cash,
	// not from trades.
	BorrowPaid float64

	// Margin interest paid: Σ over New York dates of max(−cash, 0) at the date's last close ×
	// margin rate / 360 × calendar days to the next date: what borrowing cash cost, taken from
	// cash, not from trades.
	InterestPaid float64

	// Break-even slippage: The slippage per side, in basis points, at which the total return would
	// be zero with the same fills: s₀ + (final equity − start equity) / (10⁻⁴ × Σ qty × price before
	// slippage), s₀ the slippage assumed. x more basis points per side cost x × 10⁻⁴ × Σ qty × price
	// before slippage, so this is exact for fixed quantities, with commission and regulatory fees
	// held as paid (the SEC fee and a percent commission scale with price). Negative when the run
	// loses even without slippage; null without fills.
	BreakevenSlippageBps float64

	// Ambiguous fills: Bars on which both exits of a bracket or OCO pair could have filled and the
	// stop-loss was taken (the pessimistic rule): how much the result rests on it.
	AmbiguousFills int

	// Partial fills: Fills that left part of their order working, the bar's volume cap
	// (--max-volume-pct) reached.
	PartialFills int

	// Exits by signal: Trades closed by an order of the strategy's signals (exit_reason signal in
	// trades.csv).
	ExitsSignal int

	// Exits by stop-loss: Trades closed by a stop-loss leg or a stop order (exit_reason
	// stop_loss).
	ExitsStopLoss int

	// Exits by take-profit: Trades closed by a take-profit leg (exit_reason take_profit).
	ExitsTakeProfit int

	// Exits by trailing stop: Trades closed by a trailing stop at its trailing level (exit_reason
	// trail).
	ExitsTrail int

	// Open at the end: Trades still open when the run ended (exit_reason end).
	ExitsEnd int

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
	base   float64 // the start equity every return is measured from
	ann    float64 // A: daily figures a year (TradingDays, or CryptoDays for crypto-only runs)
	closes []dayClose
	curve  []engine.EquityPoint // the start equity at the first point's time, then each date's close
	dates  []time.Time          // date of each return
	rets   []float64            // rets[i] = curve[i+1] / curve[i] − 1
}

// startEquity is what every return of r is measured from: the cash before any fill, or the first
// equity point of a Result that records none (one built by hand).
func startEquity(r *engine.Result) float64 {
	if r.StartEquity != 0 || len(r.Equity) == 0 {
		return r.StartEquity
	}
	return r.Equity[0].Equity()
}

// cryptoOnly reports whether every symbol of r is a crypto pair: the symbols it was run on, or,
// when it records none, those it filled.
func cryptoOnly(r *engine.Result) bool {
	syms := r.Config.Provenance.Symbols
	if len(syms) == 0 {
		for _, f := range r.Fills {
			syms = append(syms, f.Symbol)
		}
	}
	if len(syms) == 0 {
		return false
	}
	for _, s := range syms {
		if !data.IsCrypto(s) {
			return false
		}
	}
	return true
}

// resampleResult reduces r's curve to daily closes under the conventions: from its start
// equity, annualised by its symbols, at the regular close when it replayed every hour of stocks.
func resampleResult(r *engine.Result) daily {
	crypto := cryptoOnly(r)
	atClose := r.Config.Hours == engine.AllHours && !crypto && r.Config.Provenance.Timeframe.Intraday()
	d := resample(r.Equity, startEquity(r), atClose)
	d.ann = TradingDays
	if crypto {
		d.ann = CryptoDays
	}
	return d
}

// bucket is the daily close a point belongs to: its date, and the first instant after it.
type bucket struct {
	date, open, end time.Time
}

// dateBucket is the New York calendar date of t.
func dateBucket(t time.Time) bucket {
	start, end := calendar.DaySpan(t)
	return bucket{date: start, open: start, end: end}
}

// closeBucket is the first session whose regular close is at or after t: with every hour
// replayed, a post-market point belongs to the next session's return, as a broker's daily
// statement would count it.
func closeBucket(t time.Time) bucket {
	if s, ok := calendar.SessionOn(t); ok && !t.After(s.Close) {
		return bucket{date: s.Date, open: s.Open, end: s.Close.Add(time.Nanosecond)}
	}
	y, m, d := t.In(nyLoc).Date()
	for k := 1; k <= 14; k++ { // the longest run of closed days is far shorter
		if s, ok := calendar.SessionOnDate(y, m, d+k); ok {
			return bucket{date: s.Date, open: s.Open, end: s.Close.Add(time.Nanosecond)}
		}
	}
	return dateBucket(t)
}

// resample takes the last equity point of each New York date (or, atClose, of each session up
// to its regular close). It works out a point's bucket only when the point leaves the current
// one, so a million minute points cost a few thousand calendar lookups.
func resample(eq []engine.EquityPoint, base float64, atClose bool) daily {
	d := daily{base: base, ann: TradingDays}
	of := dateBucket
	if atClose {
		of = closeBucket
	}
	var cur bucket
	for i, p := range eq {
		if i == 0 || !p.Time().Before(cur.end) {
			cur = of(p.Time())
			d.closes = append(d.closes, dayClose{date: cur.date, idx: i, equity: p.Equity()})
			continue
		}
		c := &d.closes[len(d.closes)-1]
		c.idx, c.equity = i, p.Equity()
	}
	if n := len(d.closes); atClose && n > 1 && eq[len(eq)-1].Time().Before(cur.open) {
		// Points after the run's last regular close (and before the next session opens) would
		// make a day of a session the run never reached: they count in the last one.
		d.closes[n-2].idx, d.closes[n-2].equity = d.closes[n-1].idx, d.closes[n-1].equity
		d.closes = d.closes[:n-1]
	}
	if len(d.closes) == 0 {
		return d
	}
	closes := d.closes
	if closes[0].idx == 0 && eq[0].Equity() == base {
		// The first date has a single point and nothing happened before it: it is the base,
		// not a return.
		closes = closes[1:]
	}
	d.curve = make([]engine.EquityPoint, 0, len(closes)+1)
	d.curve = append(d.curve, engine.EquityPoint{UnixNano: eq[0].UnixNano, Cash: base})
	d.dates = make([]time.Time, 0, len(closes))
	d.rets = make([]float64, 0, len(closes))
	for _, c := range closes {
		prev := d.curve[len(d.curve)-1].Equity()
		d.curve = append(d.curve, eq[c.idx])
		d.dates = append(d.dates, c.date)
		d.rets = append(d.rets, c.equity/prev-1)
	}
	return d
}

// dailyRiskFree converts an annual rate to a per-day rate by compounding over ann days.
func dailyRiskFree(annual, ann float64) float64 {
	return math.Pow(1+annual, 1/ann) - 1
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
	s.Start, s.End = first.Time(), last.Time()
	s.Days = last.Time().Sub(first.Time()).Hours() / 24
	s.Sessions = len(d.closes)
	s.DailyReturns = len(d.rets)
	s.StartEquity, s.FinalEquity = d.base, last.Equity()
	s.TotalReturn = last.Equity()/d.base - 1
	if s.Days > 0 {
		s.CAGR = math.Pow(1+s.TotalReturn, 365.25/s.Days) - 1
	}

	var exposed int
	var sumEquity float64
	for _, p := range eq {
		if p.Long != 0 || p.Short != 0 {
			exposed++
		}
		sumEquity += p.Equity()
	}
	s.Exposure = float64(exposed) / float64(len(eq))

	dd := drawdowns(d.curve, d.base)
	s.MaxDrawdown, s.MaxDrawdownDays = dd.max, dd.maxDays
	s.AvgDrawdown, s.LongestDrawdownDays = dd.avg, dd.longestDays
	if dd.max < 0 {
		s.Calmar = s.CAGR / math.Abs(dd.max)
	}
	s.MaxDrawdownIntraday = drawdowns(eq, d.base).max

	dailyStats(&s, d.rets, rf, d.ann)
	tradeStats(&s, tt)

	notional := ft.notional
	s.CommissionPaid, s.FeesPaid, s.SlippagePaid = ft.commission, ft.fees, ft.slippage
	s.BorrowPaid, s.InterestPaid = r.BorrowPaid, r.InterestPaid
	s.AmbiguousFills, s.PartialFills = int(r.AmbiguousFills), int(r.PartialFills)
	s.ExitsSignal, s.ExitsStopLoss, s.ExitsTakeProfit = tt.exits[engine.ExitSignal], tt.exits[engine.ExitStopLoss], tt.exits[engine.ExitTakeProfit]
	s.ExitsTrail, s.ExitsEnd = tt.exits[engine.ExitTrail], tt.exits[engine.ExitEnd]
	if ft.refNotional > 0 {
		// x more basis points on every fill cost x·1e-4·Σ qty·RefPrice; solve for a zero return.
		s.BreakevenSlippageBps = r.Config.SlippageBps + (s.FinalEquity-s.StartEquity)/(1e-4*ft.refNotional)
	}
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
		&s.WorstTrade, &s.ProfitFactor, &s.Expectancy, &s.SQN, &s.AvgBarsHeld, &s.CommissionPaid, &s.FeesPaid,
		&s.SlippagePaid, &s.BorrowPaid, &s.InterestPaid, &s.BreakevenSlippageBps, &s.Turnover} {
		*p = math.NaN()
	}
}

func dailyStats(s *Stats, rets []float64, rf, annDays float64) {
	n := len(rets)
	if n == 0 {
		return
	}
	rfd := dailyRiskFree(rf, annDays)
	s.BestDay, s.WorstDay = slices.Max(rets), slices.Min(rets)
	sorted := slices.Clone(rets)
	slices.Sort(sorted)
	s.VaR95 = stat.Quantile(0.05, stat.Empirical, sorted, nil)
	if n < 2 {
		return
	}
	mean, std := stat.MeanStdDev(rets, nil)
	ann := math.Sqrt(annDays)
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

// drawdowns walks every point once, from a running peak that starts at base (the start
// equity). An episode starts when equity falls below its running peak and ends at the first
// point back at or above that peak (or at the end of the curve).
func drawdowns(eq []engine.EquityPoint, base float64) ddSummary {
	var out ddSummary
	peak, peakTime := base, eq[0].Time()
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
		if p.Equity() >= peak {
			if inDD {
				closeEpisode(p.Time())
				inDD, depth = false, 0
			}
			peak, peakTime = p.Equity(), p.Time()
			continue
		}
		inDD = true
		dd := p.Equity()/peak - 1
		depth = min(depth, dd)
		if dd < out.max {
			out.max = dd
			maxPeakTime, maxOpen = peakTime, true
		}
	}
	if inDD {
		closeEpisode(eq[len(eq)-1].Time())
	}
	if episodes > 0 {
		out.avg = sumDepth / float64(episodes)
	}
	return out
}

// alphaBeta fits the strategy's daily excess returns on the benchmark's, over the dates both
// have a return.
func alphaBeta(s, b daily, rf float64) (alpha, beta float64) {
	rfd := dailyRiskFree(rf, s.ann)
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
	return a * s.ann, bt
}
