package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// sweepColumns are the statistics the terminal and HTML tables show beside the ranked one.
var sweepColumns = []string{"total_return", "cagr", "sharpe", "sortino", "max_drawdown", "trades", "win_rate", "exposure"}

func (s Sweep) columns() []metric {
	keys := append([]string{s.Rank}, sweepColumns...)
	var out []metric
	for _, k := range keys {
		if m, ok := metricOf(k); ok && !slices.ContainsFunc(out, func(x metric) bool { return x.Key == k }) {
			out = append(out, m)
		}
	}
	return out
}

func (s Sweep) axisNames() []string {
	names := make([]string, len(s.Axes))
	for i, a := range s.Axes {
		names[i] = a.Name
	}
	return names
}

// PrintSweep writes the top runs by s.Rank as an aligned table, for a terminal.
func PrintSweep(w io.Writer, s Sweep) {
	d := RankDirection(s.Rank)
	fmt.Fprintf(w, "%d of %d combinations ran", len(s.Rows), s.Combinations)
	if s.Skipped > 0 {
		fmt.Fprintf(w, ", %d skipped as invalid (%s)", s.Skipped, s.SkipReason)
	}
	fmt.Fprint(w, s.countsText())
	fmt.Fprintf(w, "; ranked by %s (%s)", s.Rank, d)
	if s.MinTrades > 0 {
		fmt.Fprintf(w, " among runs with at least %d trades", s.MinTrades)
	}
	fmt.Fprintln(w)
	order, _ := s.shown()
	cols := s.columns()
	axes := s.axisNames()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "#\t")
	for _, a := range axes {
		fmt.Fprintf(tw, "%s\t", a)
	}
	for _, m := range cols {
		fmt.Fprintf(tw, "%s\t", m.Key)
	}
	fmt.Fprintln(tw)
	for n, i := range order {
		r := &s.Rows[i]
		fmt.Fprintf(tw, "%d\t", n+1)
		for _, a := range axes {
			fmt.Fprintf(tw, "%s\t", r.Params[a])
		}
		for _, m := range cols {
			fmt.Fprintf(tw, "%s\t", m.format(m.get(&r.Stats)))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if msg := s.warning(); msg != "" {
		fmt.Fprintln(w, "warning: "+msg)
	}
}

// countsText is "; 3 made no trade; 4 with fewer than 30 trades not ranked", the parts that
// apply, for the terminal's summary line.
func (s Sweep) countsText() string {
	_, few, none := s.counts()
	var b strings.Builder
	if none > 0 {
		fmt.Fprintf(&b, "; %d made no trade", none)
	}
	if few > 0 {
		fmt.Fprintf(&b, "; %d with fewer than %d trades not ranked", few, s.MinTrades)
	}
	return b.String()
}
