package files

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// Options says how to read files.
type Options struct {
	// Symbols, when it names one symbol, is the symbol of files without a symbol column; when
	// it names any, only those symbols are imported and other rows are counted as Ignored.
	// Empty: every symbol, and files without a symbol column are named by their file name.
	Symbols []string
	// Location reads naive times; America/New_York when nil.
	Location *time.Location
	// TimeIsClose says the files stamp bars by their close, not their open (Alpaca's way).
	TimeIsClose bool
	// Timeframe of the bars; zero infers it from their spacing.
	Timeframe data.Timeframe
	// Adjustment of the bars of files without Adj Close; "" is Raw. Yahoo files always give
	// a raw and an "all" series.
	Adjustment data.Adjustment
	// SkipBad keeps the good rows when some are bad, instead of failing.
	SkipBad bool
	// Feed is recorded with the bars: "csv" or "parquet".
	Feed string
}

// Counts sum up the rows of an import.
type Counts struct {
	Rows       int `json:"rows"`       // data rows read, header excluded
	Bars       int `json:"bars"`       // distinct good bars, over every series
	Duplicates int `json:"duplicates"` // rows identical to another one, dropped
	Ignored    int `json:"ignored"`    // rows of symbols Options.Symbols does not name
	Rejected   int `json:"rejected"`   // bad rows
}

// BadRowsError is the error Collect returns when rows are bad and Options.SkipBad is not set.
type BadRowsError struct {
	Rows []*RowError // in file and line order
}

// maxListed bounds how many bad rows an error message names; the rest are counted.
const maxListed = 5

func (e *BadRowsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad row", len(e.Rows))
	if len(e.Rows) != 1 {
		b.WriteString("s")
	}
	b.WriteString(", nothing stored (--skip-bad stores the good ones): ")
	for i, r := range e.Rows[:min(len(e.Rows), maxListed)] {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.Error())
	}
	if n := len(e.Rows) - maxListed; n > 0 {
		fmt.Fprintf(&b, "; and %d more", n)
	}
	return b.String()
}

// A Set holds the checked bars of some files: the data.Source the fetch loop imports from.
type Set struct {
	Timeframe data.Timeframe
	Counts    Counts
	Rejected  []*RowError // bad rows skipped under Options.SkipBad, in file and line order
	feed      string
	series    []*series // ordered by adjustment, then symbol
	index     map[data.Series]*series
}

type series struct {
	data.Series
	bars    []data.Bar // sorted by time, distinct times
	covered data.Ranges
}

// Feed is what the bars are recorded as coming from.
func (s *Set) Feed() string { return s.feed }

var _ data.Source = (*Set)(nil)

// pending is a row that parsed and passed its own checks.
type pending struct {
	pos Pos
	bar data.Bar
	adj float64 // Adj Close, 0 without
}

// hole is a bad row of a known symbol: the bar it should have given must not be claimed as
// covered. Without a time, it lies somewhere between its neighbours in its file.
type hole struct {
	sym     string
	pos     Pos
	t       time.Time
	stamped bool // t is already a bar's stamp (a duplicate), not the time as written
}

// Collect reads every row of files, checks them all and returns the set of bars they hold.
// With bad rows and without Options.SkipBad it returns a *BadRowsError and no set. Errors other
// than bad rows (a file that cannot be read, a header that is not one of the forms) end it.
func Collect(ctx context.Context, opts Options, files ...iter.Seq2[Row, error]) (*Set, error) {
	loc := opts.Location
	if loc == nil {
		loc = calendar.NewYork
	}
	only := map[string]bool{}
	for _, s := range opts.Symbols {
		only[s] = true
	}
	set := &Set{feed: opts.Feed, index: map[data.Series]*series{}}
	var (
		bad   []*RowError
		holes []hole
		rows  = map[string][]pending{} // by symbol
		yahoo = map[string]bool{}      // symbols that came from Yahoo files
		plain = map[string]bool{}      // and from others
	)
	reject := func(e *RowError, sym string, t time.Time) {
		bad = append(bad, e)
		if sym != "" {
			holes = append(holes, hole{sym: sym, pos: e.Pos, t: t})
		}
	}
	for _, file := range files {
		for r, err := range file {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			var re *RowError
			if err != nil && (!errors.As(err, &re) || re.Pos.Line <= 1) {
				return nil, err // an unreadable file or header: nothing to skip past
			}
			set.Counts.Rows++
			sym := r.Symbol
			if !r.SymbolColumn {
				if sym = defaultSymbol(opts.Symbols, r.Pos.File); !data.ValidSymbol(sym) {
					return nil, fmt.Errorf("%s: the file has no symbol column and its name is not a symbol (%q): give --symbols SYMBOL", r.Pos.File, sym)
				}
			}
			sym = strings.ToUpper(strings.TrimSpace(sym))
			if !data.ValidSymbol(sym) {
				if re == nil || r.Symbol != "" {
					re = rowErrorf(r.Pos, "invalid symbol %q", r.Symbol)
				}
				reject(re, "", time.Time{})
				continue
			}
			if len(only) > 0 && !only[sym] {
				set.Counts.Ignored++
				continue
			}
			if re != nil {
				reject(re, sym, time.Time{})
				continue
			}
			t := r.Time
			if r.Naive {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
				if t.Hour() != r.Time.Hour() || t.Minute() != r.Time.Minute() {
					reject(rowErrorf(r.Pos, "time %s does not exist in %s (a daylight-saving gap)", r.Time.Format(time.DateTime), loc), sym, time.Time{})
					continue
				}
			}
			b := data.Bar{Symbol: sym, Time: t, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close,
				Volume: r.Volume, TradeCount: r.TradeCount, VWAP: r.VWAP}
			if reason := checkBar(&b); reason != "" {
				reject(&RowError{Pos: r.Pos, Reason: reason}, sym, t)
				continue
			}
			if r.AdjClose != 0 {
				yahoo[sym] = true
			} else {
				plain[sym] = true
			}
			rows[sym] = append(rows[sym], pending{pos: r.Pos, bar: b, adj: r.AdjClose})
		}
	}
	for sym := range yahoo {
		if plain[sym] {
			return nil, fmt.Errorf("%s comes both from Yahoo files (with Adj Close) and from others: import them separately", sym)
		}
	}
	tf, tfErr := timeframeOf(opts.Timeframe, rows)
	if tfErr != nil {
		if len(bad) > 0 && !opts.SkipBad {
			return nil, &BadRowsError{Rows: sortRowErrors(bad)}
		}
		return nil, tfErr
	}
	set.Timeframe = tf

	syms := make([]string, 0, len(rows))
	for sym := range rows {
		syms = append(syms, sym)
	}
	slices.Sort(syms)
	kept := make(map[string][]pending, len(rows))
	for _, sym := range syms {
		ps := rows[sym]
		for i := range ps {
			ps[i].bar.Time = stamp(ps[i].bar.Time, tf, opts.TimeIsClose)
		}
		slices.SortStableFunc(ps, func(a, b pending) int { return a.bar.Time.Compare(b.bar.Time) })
		var out []pending
		for i := 0; i < len(ps); {
			j := i + 1
			for j < len(ps) && ps[j].bar.Time.Equal(ps[i].bar.Time) {
				j++
			}
			group := ps[i:j]
			conflict := false
			for _, p := range group[1:] {
				conflict = conflict || p.bar != group[0].bar || p.adj != group[0].adj
			}
			if !conflict {
				set.Counts.Duplicates += len(group) - 1
				out = append(out, group[0])
			} else {
				for g, p := range group {
					other := group[0].pos
					if g == 0 {
						other = group[1].pos
					}
					reject(rowErrorf(p.pos, "%s at %s appears again at %s with different values", sym, p.bar.Time.Format(time.RFC3339), other), sym, time.Time{})
					holes[len(holes)-1].t, holes[len(holes)-1].stamped = p.bar.Time, true
				}
			}
			i = j
		}
		kept[sym] = out
	}
	bad = sortRowErrors(bad)
	set.Counts.Rejected = len(bad)
	if len(bad) > 0 && !opts.SkipBad {
		return nil, &BadRowsError{Rows: bad}
	}
	set.Rejected = bad

	gaps := holeRanges(holes, rows, tf, opts.TimeIsClose)
	add := func(sym string, adj data.Adjustment, bars []data.Bar) {
		if len(bars) == 0 {
			return
		}
		s := &series{Series: data.Series{Symbol: sym, Timeframe: tf, Adjustment: adj}, bars: bars}
		span := data.Range{Start: bars[0].Time, End: barEnd(bars[len(bars)-1].Time, tf)}
		s.covered = data.Normalize(gaps[sym]).Missing(span)
		set.series = append(set.series, s)
		set.index[s.Series] = s
		set.Counts.Bars += len(bars)
	}
	for _, sym := range syms {
		ps := kept[sym]
		bars := make([]data.Bar, len(ps))
		for i, p := range ps {
			bars[i] = p.bar
		}
		if !yahoo[sym] {
			add(sym, opts.Adjustment.Norm(), bars)
			continue
		}
		add(sym, data.Raw, bars)
		adjusted := make([]data.Bar, len(ps))
		for i, p := range ps {
			adjusted[i] = adjust(p.bar, p.adj)
		}
		add(sym, data.All, adjusted)
	}
	slices.SortStableFunc(set.series, func(a, b *series) int {
		return cmp.Or(strings.Compare(string(a.Adjustment), string(b.Adjustment)), strings.Compare(a.Symbol, b.Symbol))
	})
	return set, nil
}

func sortRowErrors(rs []*RowError) []*RowError {
	slices.SortStableFunc(rs, func(a, b *RowError) int {
		return cmp.Or(strings.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line))
	})
	return rs
}

// defaultSymbol names the rows of a file without a symbol column.
func defaultSymbol(symbols []string, file string) string {
	if len(symbols) == 1 {
		return symbols[0]
	}
	base := filepath.Base(file)
	return strings.ToUpper(strings.TrimSuffix(base, filepath.Ext(base)))
}

// checkBar returns why b cannot be a bar, or "".
func checkBar(b *data.Bar) string {
	for _, p := range [...]struct {
		name string
		v    float64
	}{{"open", b.Open}, {"high", b.High}, {"low", b.Low}, {"close", b.Close}} {
		if !(p.v > 0) {
			return fmt.Sprintf("%s %v is not a positive price", p.name, p.v)
		}
	}
	switch {
	case b.High < b.Low:
		return fmt.Sprintf("high %v is below low %v", b.High, b.Low)
	case b.Open < b.Low || b.Open > b.High:
		return fmt.Sprintf("open %v is outside low..high %v..%v", b.Open, b.Low, b.High)
	case b.Close < b.Low || b.Close > b.High:
		return fmt.Sprintf("close %v is outside low..high %v..%v", b.Close, b.Low, b.High)
	case b.Volume < 0:
		return fmt.Sprintf("negative volume %v", b.Volume)
	case b.VWAP < 0:
		return fmt.Sprintf("negative vwap %v", b.VWAP)
	}
	if err := b.Validate(); err != nil {
		return err.Error()
	}
	return ""
}

// adjust turns a Yahoo bar into its "all"-adjusted form: prices scaled by Adj Close / Close.
// Rounding may move a scaled high or low past the adjusted close by an ulp, so they are
// widened to bound open and close again.
func adjust(b data.Bar, adjClose float64) data.Bar {
	f := adjClose / b.Close
	b.Open *= f
	b.High *= f
	b.Low *= f
	b.VWAP *= f
	b.Close = adjClose
	b.High = max(b.High, b.Open, b.Close)
	b.Low = min(b.Low, b.Open, b.Close)
	return b
}

// stamp turns the time of a row into the time of its bar: intraday bars by their open, in UTC;
// daily and longer ones at midnight New York of their date as written.
func stamp(t time.Time, tf data.Timeframe, timeIsClose bool) time.Time {
	if tf.Intraday() {
		if timeIsClose {
			t = t.Add(-tf.Duration())
		}
		return t.UTC()
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.NewYork).UTC()
}

// barEnd is when the bar stamped t ends: its close, or for daily and longer bars the midnight
// New York that ends its period.
func barEnd(t time.Time, tf data.Timeframe) time.Time {
	if tf.Intraday() {
		return t.Add(tf.Duration())
	}
	ny := t.In(calendar.NewYork)
	y, m, d := ny.Date()
	switch tf.Unit {
	case data.Week:
		d += 7 * tf.N
	case data.Month:
		m += time.Month(tf.N)
	default:
		d += tf.N
	}
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.NewYork).UTC()
}

var (
	farPast   = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	farFuture = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
)

// holeRanges works out, per symbol, the ranges that rejected rows leave uncovered. A row with
// a time leaves its bar's range; one without leaves what lies between its neighbours in its
// file (or everything before or after when it has a neighbour on one side only).
func holeRanges(holes []hole, rows map[string][]pending, tf data.Timeframe, timeIsClose bool) map[string][]data.Range {
	out := map[string][]data.Range{}
	var byLine map[string][]pending // symbol and file -> that file's rows of the symbol, by line
	for _, h := range holes {
		if !h.t.IsZero() {
			t := h.t
			if !h.stamped {
				t = stamp(t, tf, timeIsClose)
			}
			out[h.sym] = append(out[h.sym], data.Range{Start: t, End: barEnd(t, tf)})
			continue
		}
		if byLine == nil {
			byLine = map[string][]pending{}
			for sym, ps := range rows {
				for _, p := range ps {
					k := sym + "\x00" + p.pos.File
					byLine[k] = append(byLine[k], p)
				}
			}
			for _, ps := range byLine {
				slices.SortFunc(ps, func(a, b pending) int { return cmp.Compare(a.pos.Line, b.pos.Line) })
			}
		}
		ps := byLine[h.sym+"\x00"+h.pos.File]
		i, _ := slices.BinarySearchFunc(ps, h.pos.Line, func(p pending, line int) int { return cmp.Compare(p.pos.Line, line) })
		lo, hi := farPast, farFuture
		if i > 0 {
			lo = ps[i-1].bar.Time
		}
		if i < len(ps) {
			hi = ps[i].bar.Time
		}
		if lo.After(hi) {
			lo, hi = hi, lo
		}
		if !lo.Equal(farPast) {
			lo = barEnd(lo, tf)
		}
		out[h.sym] = append(out[h.sym], data.Range{Start: lo, End: hi})
	}
	return out
}
