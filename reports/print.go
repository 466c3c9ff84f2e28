package reports

import (
	"fmt"
	"io"
	"text/tabwriter"
	"unicode/utf8"
)

// PrintSummary writes the key figures as an aligned table, strategy beside benchmark, for a
// terminal. The full set is in stats.json and the HTML report.
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
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if s.Benchmark != nil {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", pad(""), orDefault(s.Run.Strategy, "strategy"), orDefault(s.Run.Benchmark, "benchmark"))
	} else {
		fmt.Fprintf(tw, "%s\t%s\t\n", pad(""), orDefault(s.Run.Strategy, "strategy"))
	}
	for _, m := range shown {
		if s.Benchmark != nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", pad(m.Name), m.format(m.get(&s.Strategy)), m.format(m.get(s.Benchmark)))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t\n", pad(m.Name), m.format(m.get(&s.Strategy)))
		}
	}
	tw.Flush()
}

// printedToo are figures the terminal shows beyond the key-figure cards.
var printedToo = map[string]bool{"start": true, "end": true, "volatility": true, "calmar": true,
	"profit_factor": true, "costs": true, "alpha": true, "beta": true}
