package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TradingDays is the number of trading days in a year, used to annualise daily figures.
const TradingDays = 252

// CryptoDays annualises the daily figures of a run whose every symbol is a crypto pair: crypto
// trades every day of the year, so 252 would understate its volatility.
const CryptoDays = 365

// RollingWindow is the window of the rolling Sharpe plot, in daily returns (about six months).
const RollingWindow = 126

// Convention states how one figure is computed. Key is its JSON key (empty for conventions
// that apply to every figure).
type Convention struct {
	Key     string `json:"key,omitempty"`
	Name    string `json:"name"`
	Formula string `json:"formula"`
}

// kind says how a figure is printed; JSON always carries the raw number (fractions, not
// percents).
type kind uint8

const (
	kindPercent kind = iota // a fraction shown as a percent
	kindRatio               // a plain number shown with two decimals
	kindMoney               // a currency amount
	kindDays                // a duration in calendar days
	kindCount               // an integer
	kindDate                // a time
	kindBps                 // basis points
)

// metric is one statistic: its key, name and formula, how to print it, which way it is better,
// and how to read it out of Stats. The slice below is the single source for stats.json, the
// HTML table, the terminal summary, the conventions section and the ranking of sweeps.
type metric struct {
	Convention
	kind   kind
	key    bool      // a key figure: shown as a card and in PrintSummary
	better Direction // which way ranks first in a sweep; Unranked for dates, counts and the like
	get    func(*Stats) any
}

// general holds the conventions every figure shares.
var general = []Convention{
	{Name: "Start equity", Formula: "Every return (total return, the first daily return, the first month and year, drawdowns) is measured from the start equity: " +
		"the cash before any fill, so that orders filled before the first equity point (placed in a strategy's Init) count."},
	{Name: "Daily returns", Formula: "The equity curve is resampled at each New York trading date's last equity point (the session close for intraday bars). " +
		"With --session all, an intraday curve of stocks is sampled at each session's regular close instead (16:00 New York, 13:00 on early closes): " +
		"points after a close count in the next session, and points after the last close of the run in that last session. " +
		"The series is the start equity followed by each date's close (the first date's close is not repeated when it is the first equity point and equals the start equity); " +
		"a daily return is r = close / previous close − 1. Every daily figure uses these returns; every point of the curve is still used for the every-bar drawdown, exposure and the plots."},
	{Name: "Annualisation", Formula: fmt.Sprintf("A = %d trading days a year for daily figures, or A = %d when every symbol of the run is a crypto pair (crypto trades every day); "+
		"365.25 calendar days a year for CAGR and turnover. stats.json gives the A of the run as annualisation_days.", TradingDays, CryptoDays)},
	{Name: "Risk-free rate", Formula: "An annual rate rf (0 unless given), taken per day as rf_d = (1 + rf)^(1/A) − 1; excess return e = r − rf_d."},
	{Name: "Units", Formula: "Returns, drawdowns, exposure and rates are fractions (0.05 = 5%) in stats.json and shown as percents in the report; " +
		"break-even slippage is in basis points (1 bps = 0.01%). Figures that cannot be computed (no trades, zero volatility, no benchmark) are null in stats.json, " +
		"with the reason under null_reasons, and shown as — with the reason."},
	{Name: "Times", Formula: "Times are New York time written as RFC 3339 with their offset (2024-01-02T09:30:00-05:00) in trades.csv, equity.csv, stats.json, the report and the terminal; " +
		"for daily and longer bars, as the New York date (2024-01-02). Equity points and exits are stamped at the close of their bar."},
	{Name: "Costs", Formula: "Fill prices include slippage; trade PnL is net of commission and regulatory fees. Commission, fees and slippage paid are reported apart, " +
		"each beside the assumption that produced it. Borrow fees on shorts and margin interest on negative cash (--borrow-rate, --margin-rate) are charged from cash daily, not from trades, and reported apart."},
	{Name: "Trades", Formula: "Trade figures count closed round trips only (a position opened from flat and brought back to flat); trades still open at the end are listed but not counted."},
}

var metrics = []metric{
	{Convention{"start", "Start", "Time of the first equity point."}, kindDate, false, Unranked, func(s *Stats) any { return s.Start }},
	{Convention{"end", "End", "Time of the last equity point."}, kindDate, false, Unranked, func(s *Stats) any { return s.End }},
	{Convention{"duration_days", "Duration", "Calendar days from start to end: days = (end − start) / 24h."}, kindDays, false, Unranked, func(s *Stats) any { return s.Days }},
	{Convention{"sessions", "Trading days", "Number of daily closes: New York dates with at least one equity point (sessions, with --session all)."}, kindCount, false, Unranked, func(s *Stats) any { return s.Sessions }},
	{Convention{"daily_returns", "Number of daily returns", "Number of daily returns N every daily figure is computed from: the daily closes, less the first when it is the start equity itself."}, kindCount, false, Unranked, func(s *Stats) any { return s.DailyReturns }},
	{Convention{"exposure", "Exposure time", "Fraction of equity points holding any position: count(long ≠ 0 or short ≠ 0) / points."}, kindPercent, true, Unranked, func(s *Stats) any { return s.Exposure }},
	{Convention{"start_equity", "Start equity", "Cash before any fill (the starting cash); equity at the first equity point when the run records none."}, kindMoney, false, Unranked, func(s *Stats) any { return s.StartEquity }},
	{Convention{"final_equity", "Final equity", "Equity at the last equity point."}, kindMoney, true, HigherBetter, func(s *Stats) any { return s.FinalEquity }},
	{Convention{"total_return", "Total return", "TR = final equity / start equity − 1."}, kindPercent, true, HigherBetter, func(s *Stats) any { return s.TotalReturn }},
	{Convention{"cagr", "CAGR", "(1 + TR)^(365.25 / days) − 1."}, kindPercent, true, HigherBetter, func(s *Stats) any { return s.CAGR }},
	{Convention{"volatility", "Volatility (ann.)", "std(r) × √A, with the sample standard deviation (N − 1)."}, kindPercent, false, LowerBetter, func(s *Stats) any { return s.Volatility }},
	{Convention{"sharpe", "Sharpe ratio", "mean(e) / std(r) × √A, with the sample standard deviation (N − 1)."}, kindRatio, true, HigherBetter, func(s *Stats) any { return s.Sharpe }},
	{Convention{"sortino", "Sortino ratio", "mean(e) / DD × √A, where the downside deviation DD = √(mean(min(0, e)²)) is taken over all N days, not only the losing ones."}, kindRatio, true, HigherBetter, func(s *Stats) any { return s.Sortino }},
	{Convention{"calmar", "Calmar ratio", "CAGR / |max drawdown|."}, kindRatio, false, HigherBetter, func(s *Stats) any { return s.Calmar }},
	{Convention{"max_drawdown", "Max drawdown (daily closes)", "min over the daily closes of equity / running peak − 1 (a negative fraction), the running peak starting at the start equity."}, kindPercent, true, NearerZeroBetter, func(s *Stats) any { return s.MaxDrawdown }},
	{Convention{"max_drawdown_intraday", "Max drawdown (every bar)", "The same over every equity point, so that troughs inside a session count; equal to the max drawdown for daily bars. The drawdown plot shows this curve."}, kindPercent, false, NearerZeroBetter, func(s *Stats) any { return s.MaxDrawdownIntraday }},
	{Convention{"max_drawdown_days", "Max drawdown duration", "Calendar days from the peak before the max drawdown to the daily close that regains that peak (or to the end if it never does)."}, kindDays, false, LowerBetter, func(s *Stats) any { return s.MaxDrawdownDays }},
	{Convention{"avg_drawdown", "Average drawdown", "Mean depth of the drawdown episodes of the daily closes, an episode running from a peak to the close that regains it (or to the end)."}, kindPercent, false, NearerZeroBetter, func(s *Stats) any { return s.AvgDrawdown }},
	{Convention{"longest_drawdown_days", "Longest drawdown", "Calendar days of the longest drawdown episode of the daily closes, peak to recovery (or to the end)."}, kindDays, false, LowerBetter, func(s *Stats) any { return s.LongestDrawdownDays }},
	{Convention{"best_day", "Best day", "max(r)."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.BestDay }},
	{Convention{"worst_day", "Worst day", "min(r)."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.WorstDay }},
	{Convention{"skew", "Skew", "Sample skewness n / ((n − 1)(n − 2)) × Σ((r − mean) / s)³, s the sample standard deviation."}, kindRatio, false, HigherBetter, func(s *Stats) any { return s.Skew }},
	{Convention{"excess_kurtosis", "Excess kurtosis", "Sample excess kurtosis n(n + 1) / ((n − 1)(n − 2)(n − 3)) × Σ((r − mean) / s)⁴ − 3(n − 1)² / ((n − 2)(n − 3)); 0 for a normal distribution."}, kindRatio, false, LowerBetter, func(s *Stats) any { return s.ExcessKurtosis }},
	{Convention{"var_95", "Daily VaR 95%", "Historical: the empirical 5% quantile of r (the smallest r such that at least 5% of the days are ≤ it, i.e. the ⌈0.05 N⌉-th smallest); negative is a loss."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.VaR95 }},
	{Convention{"alpha", "Alpha (ann.)", "a × A, from the OLS fit e = a + β × e_benchmark over the dates both curves have a daily return."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.Alpha }},
	{Convention{"beta", "Beta", "β of the same OLS fit: cov(e, e_benchmark) / var(e_benchmark)."}, kindRatio, false, Unranked, func(s *Stats) any { return s.Beta }},
	{Convention{"trades", "Trades", "Number of closed round trips N."}, kindCount, true, Unranked, func(s *Stats) any { return s.Trades }},
	{Convention{"open_trades", "Open trades", "Round trips still open at the end (not counted in trade figures)."}, kindCount, false, Unranked, func(s *Stats) any { return s.OpenTrades }},
	{Convention{"win_rate", "Win rate", "count(PnL > 0) / N."}, kindPercent, true, HigherBetter, func(s *Stats) any { return s.WinRate }},
	{Convention{"avg_trade_return", "Average trade return", "mean(trade return), a trade's return being its PnL over its entry notional."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.AvgTradeReturn }},
	{Convention{"median_trade_return", "Median trade return", "Median of trade returns (the mean of the two middle values when N is even)."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.MedianTradeReturn }},
	{Convention{"best_trade", "Best trade", "max(trade return)."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.BestTrade }},
	{Convention{"worst_trade", "Worst trade", "min(trade return)."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.WorstTrade }},
	{Convention{"profit_factor", "Profit factor", "Σ PnL of winners / |Σ PnL of losers| (null when there is no loser)."}, kindRatio, false, HigherBetter, func(s *Stats) any { return s.ProfitFactor }},
	{Convention{"expectancy", "Expectancy", "mean(PnL) per trade, in currency (= win rate × average win + loss rate × average loss)."}, kindMoney, false, HigherBetter, func(s *Stats) any { return s.Expectancy }},
	{Convention{"sqn", "SQN", "√N × mean(PnL) / std(PnL), with the sample standard deviation (N − 1)."}, kindRatio, false, HigherBetter, func(s *Stats) any { return s.SQN }},
	{Convention{"avg_bars_held", "Average bars held", "mean(bars held) over trades."}, kindRatio, false, Unranked, func(s *Stats) any { return s.AvgBarsHeld }},
	{Convention{"commission_paid", "Commission paid", "Σ commission over all fills, open trades included."}, kindMoney, true, LowerBetter, func(s *Stats) any { return s.CommissionPaid }},
	{Convention{"fees_paid", "Regulatory fees paid", "Σ regulatory fees (SEC Section 31 fee and FINRA trading activity fee, on sells) over all fills."}, kindMoney, true, LowerBetter, func(s *Stats) any { return s.FeesPaid }},
	{Convention{"slippage_paid", "Slippage paid", "Σ qty × |fill price − price before slippage| over all fills: what the assumed slippage cost."}, kindMoney, true, LowerBetter, func(s *Stats) any { return s.SlippagePaid }},
	{Convention{"borrow_paid", "Borrow fees paid", "Σ over New York dates of short market value at the date's last close × borrow rate / 360 × calendar days to the next date: what shorting cost, taken from cash, not from trades."}, kindMoney, true, LowerBetter, func(s *Stats) any { return s.BorrowPaid }},
	{Convention{"interest_paid", "Margin interest paid", "Σ over New York dates of max(−cash, 0) at the date's last close × margin rate / 360 × calendar days to the next date: what borrowing cash cost, taken from cash, not from trades."}, kindMoney, true, LowerBetter, func(s *Stats) any { return s.InterestPaid }},
	{Convention{"breakeven_slippage_bps", "Break-even slippage", "The slippage per side, in basis points, at which the total return would be zero with the same fills: " +
		"s₀ + (final equity − start equity) / (10⁻⁴ × Σ qty × price before slippage), s₀ the slippage assumed. " +
		"x more basis points per side cost x × 10⁻⁴ × Σ qty × price before slippage, so this is exact for fixed quantities, with commission and regulatory fees held as paid " +
		"(the SEC fee and a percent commission scale with price). Negative when the run loses even without slippage; null without fills."}, kindBps, true, HigherBetter, func(s *Stats) any { return s.BreakevenSlippageBps }},
	{Convention{"ambiguous_fills", "Ambiguous fills", "Bars on which both exits of a bracket or OCO pair could have filled and the stop-loss was taken (the pessimistic rule): how much the result rests on it."}, kindCount, false, LowerBetter, func(s *Stats) any { return s.AmbiguousFills }},
	{Convention{"partial_fills", "Partial fills", "Fills that left part of their order working, the bar's volume cap (--max-volume-pct) reached."}, kindCount, false, Unranked, func(s *Stats) any { return s.PartialFills }},
	{Convention{"exits_signal", "Exits by signal", "Trades closed by an order of the strategy's signals (exit_reason signal in trades.csv)."}, kindCount, false, Unranked, func(s *Stats) any { return s.ExitsSignal }},
	{Convention{"exits_stop_loss", "Exits by stop-loss", "Trades closed by a stop-loss leg or a stop order (exit_reason stop_loss)."}, kindCount, false, Unranked, func(s *Stats) any { return s.ExitsStopLoss }},
	{Convention{"exits_take_profit", "Exits by take-profit", "Trades closed by a take-profit leg (exit_reason take_profit)."}, kindCount, false, Unranked, func(s *Stats) any { return s.ExitsTakeProfit }},
	{Convention{"exits_trail", "Exits by trailing stop", "Trades closed by a trailing stop at its trailing level (exit_reason trail)."}, kindCount, false, Unranked, func(s *Stats) any { return s.ExitsTrail }},
	{Convention{"exits_end", "Open at the end", "Trades still open when the run ended (exit_reason end)."}, kindCount, false, Unranked, func(s *Stats) any { return s.ExitsEnd }},
	{Convention{"turnover", "Turnover (ann.)", "Annualised: (Σ |fill qty × fill price| / mean equity over all points) / (days / 365.25)."}, kindRatio, false, LowerBetter, func(s *Stats) any { return s.Turnover }},
}

// Direction says which way a statistic is better, for ranking a parameter sweep.
type Direction int8

const (
	// Unranked statistics (dates, counts, exposure) have no better way: they are not a ranking
	// criterion.
	Unranked Direction = iota
	HigherBetter
	LowerBetter
	// NearerZeroBetter is for drawdowns: negative fractions, the shallowest best.
	NearerZeroBetter
)

func (d Direction) String() string {
	switch d {
	case HigherBetter:
		return "higher is better"
	case LowerBetter:
		return "lower is better"
	case NearerZeroBetter:
		return "nearer zero is better"
	}
	return "not rankable"
}

// Compare orders a and b for ranking under d: negative when a ranks before b. NaN ranks after
// every number, so runs whose figure cannot be computed sink to the bottom.
func (d Direction) Compare(a, b float64) int {
	switch {
	case better(d, a, b):
		return -1
	case better(d, b, a):
		return 1
	}
	return 0
}

// better reports whether a ranks strictly before b under direction d. NaN ranks after every
// number, so runs whose figure cannot be computed sink to the bottom.
func better(d Direction, a, b float64) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	}
	switch d {
	case LowerBetter:
		return a < b
	case NearerZeroBetter:
		return math.Abs(a) < math.Abs(b)
	}
	return a > b
}

// RankDirection returns which way the statistic key is better; Unranked for an unknown key.
func RankDirection(key string) Direction {
	m, _ := metricOf(key)
	return m.better
}

// RankBy returns how the statistics of two runs compare by the statistic key, negative when a
// ranks before b, as sweep.Rank takes it: the key's Direction, NaN last.
func RankBy(key string) func(a, b *Stats) int {
	m, ok := metricOf(key)
	return func(a, b *Stats) int {
		if !ok {
			return 0
		}
		return m.better.Compare(m.value(a), m.value(b))
	}
}

// RankKeys returns the statistics a sweep can be ranked by, in report order.
func RankKeys() []string {
	var keys []string
	for _, m := range metrics {
		if m.better != Unranked {
			keys = append(keys, m.Key)
		}
	}
	return keys
}

// StatKeys returns the key of every statistic, in report order: the columns of sweep.csv.
func StatKeys() []string {
	keys := make([]string, len(metrics))
	for i, m := range metrics {
		keys[i] = m.Key
	}
	return keys
}

// CheckRank returns an error naming the valid keys unless key is a rankable statistic.
func CheckRank(key string) error {
	if RankDirection(key) == Unranked {
		return fmt.Errorf("cannot rank by %q: want one of %s", key, strings.Join(RankKeys(), ", "))
	}
	return nil
}

func metricOf(key string) (metric, bool) {
	i := slices.IndexFunc(metrics, func(m metric) bool { return m.Key == key })
	if i < 0 {
		return metric{}, false
	}
	return metrics[i], true
}

// Value returns the statistic key of s as a number (NaN when it cannot be computed or is not a
// number), and whether key names a statistic.
func (s *Stats) Value(key string) (float64, bool) {
	m, ok := metricOf(key)
	if !ok {
		return math.NaN(), false
	}
	return m.value(s), true
}

// value is the metric's figure in s as a number; NaN for times.
func (m metric) value(s *Stats) float64 {
	switch v := m.get(s).(type) {
	case float64:
		return v
	case int:
		return float64(v)
	}
	return math.NaN()
}

// Conventions returns how every figure is computed: the shared conventions first, then one
// entry per statistic, in report order.
func Conventions() []Convention {
	out := append([]Convention(nil), general...)
	for _, m := range metrics {
		out = append(out, m.Convention)
	}
	return out
}

// format prints a metric's value for people; NaN and ±Inf print as an em dash, because a
// figure that cannot be computed should not read as a number.
func (m metric) format(v any) string { return m.show(v, false) }

// show is format with times as dates when dates is set (runs of daily and longer bars).
func (m metric) show(v any, dates bool) string {
	switch v := v.(type) {
	case time.Time:
		if v.IsZero() {
			return "—"
		}
		return fmtWhen(v, dates)
	case int:
		return strconv.Itoa(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "—"
		}
		switch m.kind {
		case kindPercent:
			return strconv.FormatFloat(v*100, 'f', 2, 64) + "%"
		case kindMoney:
			return formatMoney(v)
		case kindDays:
			return strconv.FormatFloat(v, 'f', 1, 64) + " d"
		case kindCount:
			return strconv.FormatFloat(v, 'f', 0, 64)
		case kindBps:
			return strconv.FormatFloat(v, 'f', 1, 64) + " bps"
		default:
			return strconv.FormatFloat(v, 'f', 2, 64)
		}
	}
	return fmt.Sprint(v)
}

// fmtWhen writes t in the one time convention of every output (see the "Times" convention):
// New York time as RFC 3339 with its offset, or the New York date for daily and longer bars,
// whose points stand for a whole session. Empty for the zero time.
func fmtWhen(t time.Time, dates bool) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(nyLoc)
	if dates {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

// appendWhen is fmtWhen for the hot loop of equity.csv.
func appendWhen(b []byte, t time.Time, dates bool) []byte {
	t = t.In(nyLoc)
	if dates {
		return t.AppendFormat(b, time.DateOnly)
	}
	return t.AppendFormat(b, time.RFC3339Nano)
}

// formatMoney prints v with two decimals and thousands separators.
func formatMoney(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var b []byte
	if v < 0 {
		b = append(b, '-')
	}
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, intPart[i])
	}
	return string(b) + frac
}

// rawValue is a metric's value as written into data-value attributes and compared with
// stats.json: the shortest decimal that parses back to the same float64, empty for null.
func rawValue(v any) string { return rawValueIn(v, false) }

// rawValueIn is rawValue with times as dates when dates is set, as stats.json writes them.
func rawValueIn(v any, dates bool) string {
	switch v := v.(type) {
	case time.Time:
		return fmtWhen(v, dates)
	case int:
		return strconv.Itoa(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// nullReason says in a few words why the figure key of s cannot be computed, and "" when it
// can: a report shows the reason beside the dash rather than leave the reader to guess.
func nullReason(key string, s *Stats) string {
	m, ok := metricOf(key)
	if !ok {
		return ""
	}
	switch v := m.get(s).(type) {
	case time.Time:
		if !v.IsZero() {
			return ""
		}
	case float64:
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			return ""
		}
	default:
		return ""
	}
	if s.Start.IsZero() {
		return "no equity points"
	}
	days := 2 // daily returns, as far as the figures tell
	switch {
	case math.IsNaN(s.BestDay):
		days = 0
	case math.IsNaN(s.Volatility):
		days = 1
	}
	fewDays := func(need int) string {
		if days == 0 {
			return "no daily return (the run covers a single day)"
		}
		return fmt.Sprintf("fewer than %d daily returns", need)
	}
	switch key {
	case "cagr", "turnover":
		if s.Days == 0 {
			return "the run starts and ends at the same time"
		}
		return "mean equity is zero"
	case "volatility", "best_day", "worst_day", "var_95":
		if key == "volatility" {
			return fewDays(2)
		}
		return fewDays(1)
	case "sharpe":
		if days < 2 {
			return fewDays(2)
		}
		return "zero volatility (a flat curve)"
	case "sortino":
		if days < 2 {
			return fewDays(2)
		}
		return "no day below the risk-free rate (no downside)"
	case "skew", "excess_kurtosis":
		if s.Volatility == 0 {
			return "zero volatility (a flat curve)"
		}
		if key == "skew" {
			return fewDays(3)
		}
		return fewDays(4)
	case "calmar":
		if s.MaxDrawdown == 0 {
			return "no drawdown"
		}
		return nullReason("cagr", s)
	case "alpha", "beta":
		return "no benchmark, or fewer than 2 daily returns in common with a moving benchmark"
	case "win_rate", "avg_trade_return", "median_trade_return", "best_trade", "worst_trade", "expectancy", "avg_bars_held":
		return "no closed trade"
	case "profit_factor":
		if s.Trades == 0 {
			return "no closed trade"
		}
		return "no losing trade"
	case "sqn":
		if s.Trades < 2 {
			return "fewer than 2 closed trades"
		}
		return "every trade made the same PnL"
	case "breakeven_slippage_bps":
		return "no fills"
	}
	return "cannot be computed"
}

// nullReasons maps each figure of s that cannot be computed to the reason, for stats.json.
func nullReasons(s *Stats) map[string]string {
	out := map[string]string{}
	for _, m := range metrics {
		if why := nullReason(m.Key, s); why != "" {
			out[m.Key] = why
		}
	}
	return out
}
