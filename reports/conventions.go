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
	{Name: "Daily returns", Formula: "The equity curve is resampled at each New York trading date's last equity point (the session close for intraday bars). " +
		"The series is the first equity point followed by each date's close (the first point is not repeated when it is itself the first date's close); " +
		"a daily return is r = close / previous close − 1. Every daily figure uses these returns; every point of the curve is still used for the intraday drawdown, exposure and the plots."},
	{Name: "Annualisation", Formula: fmt.Sprintf("%d trading days a year for daily figures; 365.25 calendar days a year for CAGR and turnover.", TradingDays)},
	{Name: "Risk-free rate", Formula: fmt.Sprintf("An annual rate rf (0 unless given), taken per day as rf_d = (1 + rf)^(1/%d) − 1; excess return e = r − rf_d.", TradingDays)},
	{Name: "Units", Formula: "Returns, drawdowns, exposure and rates are fractions (0.05 = 5%) in stats.json and shown as percents in the report; " +
		"figures that cannot be computed (no trades, zero volatility, no benchmark) are null in stats.json and shown as —."},
	{Name: "Trades", Formula: "Trade figures count closed round trips only (a position opened from flat and brought back to flat); trades still open at the end are listed but not counted."},
}

var metrics = []metric{
	{Convention{"start", "Start", "Time of the first equity point."}, kindDate, false, Unranked, func(s *Stats) any { return s.Start }},
	{Convention{"end", "End", "Time of the last equity point."}, kindDate, false, Unranked, func(s *Stats) any { return s.End }},
	{Convention{"duration_days", "Duration", "Calendar days from start to end: days = (end − start) / 24h."}, kindDays, false, Unranked, func(s *Stats) any { return s.Days }},
	{Convention{"sessions", "Trading days", "Number of New York dates with at least one equity point."}, kindCount, false, Unranked, func(s *Stats) any { return s.Sessions }},
	{Convention{"exposure", "Exposure time", "Fraction of equity points holding any position: count(long ≠ 0 or short ≠ 0) / points."}, kindPercent, true, Unranked, func(s *Stats) any { return s.Exposure }},
	{Convention{"start_equity", "Start equity", "Equity at the first equity point."}, kindMoney, false, Unranked, func(s *Stats) any { return s.StartEquity }},
	{Convention{"final_equity", "Final equity", "Equity at the last equity point."}, kindMoney, true, HigherBetter, func(s *Stats) any { return s.FinalEquity }},
	{Convention{"total_return", "Total return", "TR = final equity / start equity − 1."}, kindPercent, true, HigherBetter, func(s *Stats) any { return s.TotalReturn }},
	{Convention{"cagr", "CAGR", "(1 + TR)^(365.25 / days) − 1."}, kindPercent, true, HigherBetter, func(s *Stats) any { return s.CAGR }},
	{Convention{"volatility", "Volatility (ann.)", "std(r) × √252, with the sample standard deviation (N − 1)."}, kindPercent, false, LowerBetter, func(s *Stats) any { return s.Volatility }},
	{Convention{"sharpe", "Sharpe ratio", "mean(e) / std(r) × √252, with the sample standard deviation (N − 1)."}, kindRatio, true, HigherBetter, func(s *Stats) any { return s.Sharpe }},
	{Convention{"sortino", "Sortino ratio", "mean(e) / DD × √252, where the downside deviation DD = √(mean(min(0, e)²)) is taken over all N days, not only the losing ones."}, kindRatio, true, HigherBetter, func(s *Stats) any { return s.Sortino }},
	{Convention{"calmar", "Calmar ratio", "CAGR / |max drawdown|."}, kindRatio, false, HigherBetter, func(s *Stats) any { return s.Calmar }},
	{Convention{"max_drawdown", "Max drawdown", "min over the daily closes of equity / running peak − 1 (a negative fraction)."}, kindPercent, true, NearerZeroBetter, func(s *Stats) any { return s.MaxDrawdown }},
	{Convention{"max_drawdown_intraday", "Max intraday drawdown", "The same over every equity point, so that troughs inside a session count; equal to the max drawdown for daily bars."}, kindPercent, false, NearerZeroBetter, func(s *Stats) any { return s.MaxDrawdownIntraday }},
	{Convention{"max_drawdown_days", "Max drawdown duration", "Calendar days from the peak before the max drawdown to the daily close that regains that peak (or to the end if it never does)."}, kindDays, false, LowerBetter, func(s *Stats) any { return s.MaxDrawdownDays }},
	{Convention{"avg_drawdown", "Average drawdown", "Mean depth of the drawdown episodes of the daily closes, an episode running from a peak to the close that regains it (or to the end)."}, kindPercent, false, NearerZeroBetter, func(s *Stats) any { return s.AvgDrawdown }},
	{Convention{"longest_drawdown_days", "Longest drawdown", "Calendar days of the longest drawdown episode of the daily closes, peak to recovery (or to the end)."}, kindDays, false, LowerBetter, func(s *Stats) any { return s.LongestDrawdownDays }},
	{Convention{"best_day", "Best day", "max(r)."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.BestDay }},
	{Convention{"worst_day", "Worst day", "min(r)."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.WorstDay }},
	{Convention{"skew", "Skew", "Sample skewness n / ((n − 1)(n − 2)) × Σ((r − mean) / s)³, s the sample standard deviation."}, kindRatio, false, HigherBetter, func(s *Stats) any { return s.Skew }},
	{Convention{"excess_kurtosis", "Excess kurtosis", "Sample excess kurtosis n(n + 1) / ((n − 1)(n − 2)(n − 3)) × Σ((r − mean) / s)⁴ − 3(n − 1)² / ((n − 2)(n − 3)); 0 for a normal distribution."}, kindRatio, false, LowerBetter, func(s *Stats) any { return s.ExcessKurtosis }},
	{Convention{"var_95", "Daily VaR 95%", "Historical: the empirical 5% quantile of r (the smallest r such that at least 5% of the days are ≤ it, i.e. the ⌈0.05 N⌉-th smallest); negative is a loss."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.VaR95 }},
	{Convention{"alpha", "Alpha (ann.)", "a × 252, from the OLS fit e = a + β × e_benchmark over the dates both curves have a daily return."}, kindPercent, false, HigherBetter, func(s *Stats) any { return s.Alpha }},
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
	{Convention{"costs", "Commissions and fees", "Σ (commission + fees) over all fills, open trades included."}, kindMoney, false, LowerBetter, func(s *Stats) any { return s.Costs }},
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
func (m metric) format(v any) string {
	switch v := v.(type) {
	case time.Time:
		if v.IsZero() {
			return "—"
		}
		return v.In(nyLoc).Format("2006-01-02 15:04")
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
		default:
			return strconv.FormatFloat(v, 'f', 2, 64)
		}
	}
	return fmt.Sprint(v)
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
func rawValue(v any) string {
	switch v := v.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format(time.RFC3339Nano)
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
