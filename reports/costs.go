package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// CostAssumptions are the cost settings a run was made with, in words, so that every cost
// figure can be shown beside what produced it.
type CostAssumptions struct {
	SlippageBps float64 `json:"slippage_bps"` // per side, on market and stop fills
	Slippage    string  `json:"slippage"`
	Commission  string  `json:"commission"`
	Fees        string  `json:"fees"`
	// FeeRates are the regulatory fee rates in force over the run's dates, from the schedule
	// the run recorded in its Config.
	FeeRates []string `json:"fee_rates"`
	// BorrowRate and MarginRate are the annual financing rates (--borrow-rate, --margin-rate),
	// left out when off so that a run without financing reads as it did before they existed.
	BorrowRate float64 `json:"borrow_rate,omitempty"`
	MarginRate float64 `json:"margin_rate,omitempty"`

	cfg engine.Config // for comparing two runs' settings
}

// costAssumptions describes the cost settings of c for a run from start to end.
func costAssumptions(c engine.Config, start, end time.Time) CostAssumptions {
	a := CostAssumptions{SlippageBps: c.SlippageBps, Commission: describeCommission(c.Commission), Fees: "none", FeeRates: []string{},
		BorrowRate: c.BorrowRate, MarginRate: c.MarginRate, cfg: c}
	a.Slippage = "none (0 bps)"
	if c.SlippageBps != 0 {
		a.Slippage = fmtBps(c.SlippageBps) + " per side on market and stop fills"
	}
	crypto, stocks := 0, 0
	for _, sym := range c.Provenance.Symbols {
		if data.IsCrypto(sym) {
			crypto++
		} else {
			stocks++
		}
	}
	switch {
	case c.Fees == engine.AlpacaFees && crypto > 0 && stocks == 0:
		// The engine charges neither fee on crypto pairs: saying which rates were "in force"
		// would suggest a cost the run never paid.
		a.Fees = "none on crypto pairs: Alpaca passes the SEC fee and FINRA TAF on stock sells only"
	case c.Fees == engine.AlpacaFees:
		a.Fees = "SEC Section 31 fee and FINRA trading activity fee on sells, at the rates in force on each fill's date, as Alpaca passes them on"
		if crypto > 0 {
			a.Fees += " (stock sells only: crypto pairs pay neither)"
		}
		sched := c.FeeSchedule
		if sched.IsZero() {
			sched = engine.DefaultFeeSchedule()
		}
		a.FeeRates = append(ratesInForce("SEC fee", sched.SEC, start, end, secRate), ratesInForce("FINRA TAF", sched.TAF, start, end, tafRate)...)
	}
	return a
}

// Same reports whether a and b were made with the same cost settings (slippage, commission, fee
// model and fee schedule).
func (a CostAssumptions) Same(b CostAssumptions) bool {
	x, y := a.cfg, b.cfg
	if x.SlippageBps != y.SlippageBps || x.Commission != y.Commission || x.Fees != y.Fees ||
		x.BorrowRate != y.BorrowRate || x.MarginRate != y.MarginRate {
		return false
	}
	if x.Fees == engine.NoFees {
		return true
	}
	// A zero schedule charges the default one (a Result made by engine.Run records it anyway).
	xs, ys := x.FeeSchedule, y.FeeSchedule
	if xs.IsZero() {
		xs = engine.DefaultFeeSchedule()
	}
	if ys.IsZero() {
		ys = engine.DefaultFeeSchedule()
	}
	return sameRates(xs.SEC, ys.SEC) && sameRates(xs.TAF, ys.TAF)
}

func sameRates(a, b []engine.FeeRate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].From.Equal(b[i].From) || a[i].Rate != b[i].Rate || a[i].PerTrade != b[i].PerTrade {
			return false
		}
	}
	return true
}

// String is the assumptions in one line.
func (a CostAssumptions) String() string {
	s := "slippage " + a.Slippage + "; commission " + a.Commission + "; regulatory fees " + a.Fees
	if len(a.FeeRates) > 0 {
		s += " (" + strings.Join(a.FeeRates, "; ") + ")"
	}
	// Financing is named only when charged: borrow_paid and interest_paid need their rate beside
	// them as the other costs have theirs.
	if a.BorrowRate != 0 {
		s += "; stock borrow " + fmtRate(a.BorrowRate) + " on short market value"
	}
	if a.MarginRate != 0 {
		s += "; margin interest " + fmtRate(a.MarginRate) + " on negative cash"
	}
	return s
}

func fmtBps(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + " bps" }

func describeCommission(c engine.Commission) string {
	least := ""
	if c.Min > 0 {
		least = ", at least $" + formatMoney(c.Min) + " an order"
	}
	switch c.Kind {
	case engine.PerShare:
		return "$" + strconv.FormatFloat(c.Rate, 'f', -1, 64) + " a share" + least
	case engine.PerOrder:
		return "$" + formatMoney(c.Rate) + " an order"
	case engine.Percent:
		return strconv.FormatFloat(c.Rate*100, 'f', -1, 64) + "% of notional" + least
	}
	return "none"
}

func secRate(r engine.FeeRate) string {
	return "$" + formatMoney(r.Rate*1e6) + " per $1M sold"
}

func tafRate(r engine.FeeRate) string {
	s := "$" + strconv.FormatFloat(r.Rate, 'f', -1, 64) + " a share sold"
	if r.PerTrade > 0 {
		s += ", at most $" + formatMoney(r.PerTrade) + " a trade"
	}
	return s
}

// ratesInForce lists the entries of a fee table that apply on some New York date from start to
// end, each with the dates it covers. A table is keyed by midnight UTC of the New York date.
func ratesInForce(name string, table []engine.FeeRate, start, end time.Time, rate func(engine.FeeRate) string) []string {
	if len(table) == 0 {
		return nil
	}
	key := func(t time.Time) time.Time {
		y, m, d := t.In(nyLoc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	lo, hi := key(start), key(end)
	if start.IsZero() {
		lo = time.Time{}
	}
	var out []string
	for i, r := range table {
		var next time.Time // zero: in force to this day
		if i+1 < len(table) {
			next = table[i+1].From
		}
		if (i > 0 && r.From.After(hi)) || (!next.IsZero() && !next.After(lo)) {
			continue
		}
		when := ""
		switch {
		case i > 0 && !next.IsZero():
			when = fmt.Sprintf(" from %s to %s", r.From.Format(time.DateOnly), next.AddDate(0, 0, -1).Format(time.DateOnly))
		case i > 0:
			when = " from " + r.From.Format(time.DateOnly)
		case !next.IsZero():
			when = " until " + next.AddDate(0, 0, -1).Format(time.DateOnly)
		}
		out = append(out, name+" "+rate(r)+when)
	}
	return out
}

// fmtRate spells an annual rate: "none", or "2.5% a year (daily, /360)".
func fmtRate(r float64) string {
	if r == 0 {
		return "none"
	}
	return strconv.FormatFloat(r*100, 'f', -1, 64) + "% a year (daily, /360)"
}
