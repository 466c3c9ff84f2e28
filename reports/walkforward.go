package reports

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

// Files of a walk-forward directory beside the stitched run's stats.json, trades.csv and
// equity.csv: the windows, the walk-forward page, and the stitched run's own report.
const (
	WalkForwardCSVFile = "walkforward.csv"
	WalkForwardRunFile = "run.html"
)

// WalkWindow is one window of a walk-forward: its spans as inclusive New York dates, the
// combination its train span chose, and the ranked statistic of that combination on each span.
type WalkWindow struct {
	Index                                    int
	TrainStart, TrainEnd, TestStart, TestEnd time.Time
	Params                                   map[string]string
	// InSample is the statistic of the choice over its train span; OutOfSample over its test
	// span alone, from flat, as the in-sample figure is: like is compared with like.
	InSample, OutOfSample float64
}

// WalkForward is a walk-forward test: its windows and the stitched out-of-sample run.
type WalkForward struct {
	Spec    string   // as --walk-forward gave it
	Rank    string   // the statistic each train span chose by
	Params  []string // the swept parameters, walkforward.csv's parameter columns
	Windows []WalkWindow
	// Trials is the number of combinations each train span chose among.
	Trials int
}

// Efficiency is the walk-forward efficiency: the mean out-of-sample statistic over the mean
// in-sample one, over the windows where both can be computed; NaN when none can, or the
// in-sample mean is zero. It compares like with like for annualised statistics (sharpe, cagr,
// sortino), not for totals over spans of different lengths.
func (w WalkForward) Efficiency() float64 {
	var in, out float64
	n := 0
	for _, win := range w.Windows {
		if math.IsNaN(win.InSample) || math.IsNaN(win.OutOfSample) || math.IsInf(win.InSample, 0) || math.IsInf(win.OutOfSample, 0) {
			continue
		}
		in += win.InSample
		out += win.OutOfSample
		n++
	}
	if n == 0 || in == 0 {
		return math.NaN()
	}
	return out / in
}

func writeWalkForwardCSV(w io.Writer, wf WalkForward) error {
	cw := csv.NewWriter(w)
	head := []string{"window", "train_start", "train_end", "test_start", "test_end"}
	head = append(head, wf.Params...)
	head = append(head, wf.Rank+"_in_sample", wf.Rank+"_out_of_sample")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, win := range wf.Windows {
		rec := []string{strconv.Itoa(win.Index), fmtWhen(win.TrainStart, true), fmtWhen(win.TrainEnd, true), fmtWhen(win.TestStart, true), fmtWhen(win.TestEnd, true)}
		for _, p := range wf.Params {
			rec = append(rec, win.Params[p])
		}
		rec = append(rec, rawValue(win.InSample), rawValue(win.OutOfSample))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

var walkForwardPage = template.Must(template.New("wf").Funcs(template.FuncMap{
	"num":  func(v float64) string { return fmtNum(v) },
	"date": func(t time.Time) string { return fmtWhen(t, true) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Walk-forward: {{.S.Run.Strategy}}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.big{font-size:1.6em;font-weight:600}
.note{color:#555;max-width:60em}</style></head><body>
<h1>Walk-forward: {{.S.Run.Strategy}}{{with .S.Run.Symbols}} on {{index . 0}}{{if gt (len .) 1}} and {{len .}} more{{end}}{{end}}</h1>
<p class="note">--walk-forward {{.W.Spec}}: each window chose, among {{.W.Trials}} combinations, the best by {{.W.Rank}} on its train span, then traded it on the test span that follows.
The test spans, stitched into one run, are the out-of-sample result below; no choice saw a bar of its test span.
Generated {{.RunDate}} by barkeep {{.S.Run.Version}}.</p>
<p>Walk-forward efficiency (mean out-of-sample {{.W.Rank}} / mean in-sample): <span class="big">{{num .WFE}}</span></p>
<p class="note">Near 1 or above, the choices held up out of sample; near 0 or below, what the train spans found did not last. The full report of the stitched run is <a href="run.html">run.html</a> (stats.json, trades.csv and equity.csv beside it).</p>
<h2>Stitched out-of-sample run</h2>
<table><tr><th>Statistic</th><th>Value</th></tr>
{{range .Stats}}<tr><td>{{.Name}}</td><td>{{.Value}}</td></tr>
{{end}}</table>
<h2>Windows</h2>
<table><tr><th>Window</th><th>Train</th><th>Test</th>{{range .W.Params}}<th>{{.}}</th>{{end}}<th>{{.W.Rank}} in sample</th><th>{{.W.Rank}} out of sample</th></tr>
{{range .W.Windows}}{{$w := .}}<tr><td>{{.Index}}</td><td>{{date .TrainStart}} to {{date .TrainEnd}}</td><td>{{date .TestStart}} to {{date .TestEnd}}</td>{{range $.W.Params}}<td>{{index $w.Params .}}</td>{{end}}<td>{{num .InSample}}</td><td>{{num .OutOfSample}}</td></tr>
{{end}}</table>
<p class="note">A position is carried across a window boundary: the new choice takes over the portfolio as the previous one left it and moves it when it next signals. The out-of-sample figure of a window is its choice run alone over its test span from flat, as the in-sample figure is over its train span; walkforward.csv holds both.</p>
</body></html>
`))

type wfStat struct{ Name, Value string }

func writeWalkForwardPage(w io.Writer, wf WalkForward, s Summary) error {
	d := struct {
		W       WalkForward
		S       Summary
		WFE     float64
		RunDate string
		Stats   []wfStat
	}{W: wf, S: s, WFE: wf.Efficiency(), RunDate: pageRunDate(s.Run.RunDate)}
	for _, k := range []string{"total_return", "cagr", "sharpe", "sortino", "max_drawdown", "trades", "win_rate", "exposure"} {
		m, ok := metricOf(k)
		if !ok {
			continue
		}
		d.Stats = append(d.Stats, wfStat{m.Name, rawValue(m.get(&s.Strategy))})
	}
	return walkForwardPage.Execute(w, d)
}

// fmtNum is a figure for the page: four significant digits, a dash when not computed.
func fmtNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// WriteWalkForwardDir writes a walk-forward into dir, atomically as WriteDir does: the
// stitched run r (its summary s) as stats.json, trades.csv, equity.csv and run.html, then
// walkforward.csv and index.html (unless o.NoHTML, which leaves out both pages).
func WriteWalkForwardDir(ctx context.Context, dir string, r *engine.Result, s Summary, wf WalkForward, o WriteOptions) error {
	if r == nil {
		return fmt.Errorf("write walk-forward: nil result")
	}
	o = o.withDefaults()
	files := []namedFile{
		{StatsFile, func(w io.Writer) error { return writeStats(w, s) }},
		{TradesFile, func(w io.Writer) error { return writeTrades(w, s.trades(r), s.Dates) }},
		{EquityFile, func(w io.Writer) error { return writeEquity(ctx, w, r.Equity, s.Dates) }},
		{WalkForwardCSVFile, func(w io.Writer) error { return writeWalkForwardCSV(w, wf) }},
	}
	if !o.NoHTML {
		files = append(files, namedFile{WalkForwardRunFile, func(w io.Writer) error { return writeHTML(ctx, w, r, s, o) }},
			namedFile{HTMLFile, func(w io.Writer) error { return writeWalkForwardPage(w, wf, s) }})
	}
	return writeDirAtomic(ctx, dir, "walk-forward", WalkForwardCSVFile, files)
}
