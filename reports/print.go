package reports

import (
	"fmt"
	"io"
	"text/tabwriter"
	"unicode/utf8"
)

// PrintSummary writes the key figures as an aligned table, strategy beside benchmark, for a
// terminal, then the cost assumptions behind the cost figures and why any figure shown is a
// dash. The full set is in stats.json and the HTML report.
func PrintSummary(w io.Writer, s Summary) {
	var shown []metric
	width := 0
	for _, m := range metrics {
		if m.key || printedToo[m.Key] {
			shown = append(shown, m)
			width = max(width, utf8.RuneCountInString(m.Name))
		}
	}
	// Names are padded by hand so that they align left while tabwriter aligns the numbers right.
	pad := func(name string) string {
		return name + fmt.Sprintf("%*s", width-utf8.RuneCountInString(name), "")
	}
	bench := orDefault(s.Run.Benchmark, "benchmark")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if s.Benchmark != nil {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", pad(""), orDefault(s.Run.Strategy, "strategy"), bench)
	} else {
		fmt.Fprintf(tw, "%s\t%s\t\n", pad(""), orDefault(s.Run.Strategy, "strategy"))
	}
	var why []string
	for _, m := range shown {
		if s.Benchmark != nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", pad(m.Name), m.show(m.get(&s.Strategy), s.Dates), m.show(m.get(s.Benchmark), s.Dates))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t\n", pad(m.Name), m.show(m.get(&s.Strategy), s.Dates))
		}
		if r := nullReason(m.Key, &s.Strategy); r != "" {
			why = append(why, m.Name+": "+r)
		}
		if s.Benchmark != nil {
			if r := nullReason(m.Key, s.Benchmark); r != "" && m.Key != "alpha" && m.Key != "beta" {
				why = append(why, m.Name+" ("+bench+"): "+r)
			}
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\nCosts assumed: %s.\n%s\n", s.Costs, slippageNote(s))
	if s.BenchmarkCosts != nil {
		fmt.Fprintln(w, benchCostsNote(bench, s.Costs, *s.BenchmarkCosts))
	}
	if s.AnnualisationDays == CryptoDays {
		fmt.Fprintf(w, "Annualised with %d days a year: every symbol is crypto.\n", CryptoDays)
	}
	if s.CI != nil {
		fmt.Fprintf(w, "Bootstrap (%d resamples, seed %d): Sharpe ratio %s; CAGR %s; max drawdown %s.\n", s.CI.Resamples, s.CI.Seed,
			s.ciText("sharpe"), s.ciText("cagr"), s.ciText("max_drawdown"))
	}
	for _, line := range why {
		fmt.Fprintln(w, "— "+line)
	}
}

// printedToo are figures the terminal shows beyond the key-figure cards.
var printedToo = map[string]bool{"start": true, "end": true, "volatility": true, "calmar": true,
	"profit_factor": true, "alpha": true, "beta": true, "max_drawdown_intraday": true}
