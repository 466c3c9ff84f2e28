package fetch

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// Plan says what to fetch.
type Plan struct {
	Symbols    []string
	Timeframes []data.Timeframe
	Adjustment data.Adjustment // "" is Raw
	// Feed is the feed of the series planned; Run sets it from the source.
	Feed string
	// Start is where fetching begins. Zero resumes after what the store already holds for each
	// series, or starts DefaultStart back from End when it holds nothing.
	Start time.Time
	End   time.Time // exclusive; required
	// Concurrency is how many chunks are fetched at once (writes are serialised); 1 when zero.
	Concurrency int
}

// DefaultStart is where a series with nothing stored starts when no start is given: one year
// back for intraday timeframes, 2016-01-01 (New York) for daily and longer ones.
func DefaultStart(tf data.Timeframe, end time.Time) time.Time {
	if tf.Intraday() {
		return end.AddDate(-1, 0, 0)
	}
	return time.Date(2016, 1, 1, 0, 0, 0, 0, calendar.NewYork).UTC()
}

// Chunk is one unit of fetch work: one symbol over one range, written in one transaction
// together with its coverage, so a crash loses at most the chunks in flight.
type Chunk struct {
	data.Series
	data.Range
}

// Progress reports one finished chunk.
type Progress struct {
	Chunk       Chunk
	Bars        int // bars the chunk stored
	ChunksDone  int
	ChunksTotal int
	BarsDone    int64 // bars stored so far in this run
}

// SeriesReport sums up what a fetch did for one series.
type SeriesReport struct {
	data.Series
	Requested   data.Ranges // what the plan asked for that was not already stored
	BarsAdded   int64
	EmptyDays   int // trading days in the fetched ranges that got no bar at all
	First, Last time.Time
	// AsOf is the data server's time of this fetch, recorded with the series; zero when the
	// source has no clock or nothing was fetched.
	AsOf time.Time
	// Replaced says the adjusted series was refetched whole and replaced, because a corporate
	// action (Actions) since its last fetch changed its price basis, or because the store
	// could not tell when it was fetched.
	Replaced bool
	Actions  []data.Action
}

// Report sums up a whole fetch.
type Report struct {
	Feed        string
	Series      []SeriesReport // in plan order: timeframe, then symbol
	ChunksTotal int
	ChunksDone  int
}

// NoBars lists the symbols that got no bar at all although their ranges held trading days:
// most often a symbol the source does not know.
func (r *Report) NoBars() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range r.Series {
		if s.BarsAdded == 0 && s.EmptyDays > 0 && !seen[s.Symbol] {
			seen[s.Symbol] = true
			out = append(out, s.Symbol)
		}
	}
	return out
}

// Chunks works out the chunks still missing from st: the plan's range minus each series'
// coverage, cut at month boundaries (New York) for intraday timeframes and year boundaries
// for longer ones.
func (p Plan) Chunks(ctx context.Context, st data.Writer) ([]Chunk, []SeriesReport, error) {
	if p.End.IsZero() {
		return nil, nil, errors.New("fetch plan: no end time")
	}
	var chunks []Chunk
	var reports []SeriesReport
	for _, tf := range p.Timeframes {
		for _, sym := range p.Symbols {
			s := data.Series{Symbol: sym, Timeframe: tf, Adjustment: p.Adjustment.Norm(), Feed: data.NormFeed(p.Feed)}
			cov, err := st.Coverage(ctx, s)
			if err != nil {
				return nil, nil, fmt.Errorf("coverage of %s: %w", s, err)
			}
			end := CompleteEnd(p.End, tf)
			start := p.Start
			if start.IsZero() {
				start = DefaultStart(tf, end)
				if len(cov) > 0 {
					start = cov[len(cov)-1].End
				}
			}
			rep := SeriesReport{Series: s}
			if start.Before(end) {
				rep.Requested = cov.Missing(data.Range{Start: start, End: end})
			}
			for _, m := range rep.Requested {
				for _, r := range splitRange(m, tf) {
					chunks = append(chunks, Chunk{Series: s, Range: r})
				}
			}
			reports = append(reports, rep)
		}
	}
	return chunks, reports, nil
}

// wholeChunks plans the refetch of a series whole: from its first covered instant (or the
// plan's start, when earlier) to the plan's end.
func (p Plan) wholeChunks(s data.Series, cov data.Ranges) (data.Ranges, []Chunk) {
	end := CompleteEnd(p.End, s.Timeframe)
	start := cov[0].Start
	if !p.Start.IsZero() && p.Start.Before(start) {
		start = p.Start
	}
	if !start.Before(end) {
		return nil, nil
	}
	var chunks []Chunk
	for _, r := range splitRange(data.Range{Start: start, End: end}, s.Timeframe) {
		chunks = append(chunks, Chunk{Series: s, Range: r})
	}
	return data.Ranges{{Start: start, End: end}}, chunks
}

// CompleteEnd moves end back to the last bar boundary of tf, so that the last bar fetched has
// closed: a bar still forming must not be recorded as covered, or a rerun would never replace
// it. Intraday bars are aligned to the New York clock from midnight (a 5Min bar opens at :00,
// :05, ...; a 4Hour bar at 08:00 and 12:00), as the synthetic source aligns them; daily and
// longer bars end at midnight New York.
func CompleteEnd(end time.Time, tf data.Timeframe) time.Time {
	midnight, _ := calendar.DaySpan(end)
	if tf.Intraday() {
		return midnight.Add(end.Sub(midnight).Truncate(tf.Duration())).UTC()
	}
	return midnight.UTC()
}

// splitRange cuts r at calendar boundaries in New York: months for intraday, years otherwise.
func splitRange(r data.Range, tf data.Timeframe) []data.Range {
	var out []data.Range
	cur := r.Start
	for cur.Before(r.End) {
		ny := cur.In(calendar.NewYork)
		var next time.Time
		if tf.Intraday() {
			next = time.Date(ny.Year(), ny.Month()+1, 1, 0, 0, 0, 0, calendar.NewYork)
		} else {
			next = time.Date(ny.Year()+1, 1, 1, 0, 0, 0, 0, calendar.NewYork)
		}
		if next.After(r.End) {
			next = r.End
		}
		out = append(out, data.Range{Start: cur, End: next.UTC()})
		cur = next.UTC()
	}
	return out
}

// maxBatchBars bounds how many bars of finished chunks one store write may combine.
const maxBatchBars = 500_000

// Run moves the bars that st lacks from src into st. Chunks are fetched concurrently; each is
// fetched completely before it is written, with its coverage, in one Batch. When several chunks
// finish while a write is under way, the next write takes them together (still one atomic
// Batch), so a fast source is not held back by one commit per chunk. A chunk that fails is not
// written, and the first failure stops the run; chunks already written stay. On cancellation
// Run returns promptly with an error wrapping ctx.Err(). progress, if not nil, is called
// after each chunk is stored, never concurrently.
//
// A chunk's range is covered only up to the bar still forming by the data server's clock
// (a data.Clock source; see FormingStart): its bars are stored, and the next run fetches that
// bar again and replaces it. Before extending an adjusted series, Run asks a
// data.ActionSource for the corporate actions since the series' recorded AsOf (data.AsOfer);
// when there is one, or the store cannot tell, the series is refetched whole and written in
// one Batch with Replace, so it never holds two price bases.
func Run(ctx context.Context, src data.Source, st data.Writer, p Plan, progress func(Progress)) (*Report, error) {
	p.Feed = data.NormFeed(src.Feed())
	chunks, reports, err := p.Chunks(ctx, st)
	if err != nil {
		return nil, err
	}
	clock, _ := src.(data.Clock)
	serverTime := func() time.Time {
		if clock == nil {
			return time.Time{}
		}
		return clock.ServerTime()
	}
	checked, whole, err := checkActions(ctx, src, st, p, reports, serverTime)
	if err != nil {
		return nil, err
	}
	if len(whole) > 0 {
		kept := chunks[:0]
		for _, c := range chunks {
			if _, ok := whole[c.Series]; !ok {
				kept = append(kept, c)
			}
		}
		chunks = kept
	}
	rep := &Report{Feed: p.Feed, Series: reports, ChunksTotal: len(chunks)}
	for _, wc := range whole {
		rep.ChunksTotal += len(wc)
	}
	index := make(map[data.Series]int, len(reports))
	for i, r := range reports {
		index[r.Series] = i
	}
	workers := max(p.Concurrency, 1)
	// fctx stops the fetching at the first failure; ctx, the caller's, stops everything. Chunks
	// already fetched when a later one fails are still written (with ctx), so a failure never
	// loses a bar that had arrived.
	fctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	type fetched struct {
		c    Chunk
		bars []data.Bar
		at   time.Time // the server's time of the fetch; zero without a clock
	}
	var (
		barsDone int64
		carry    *fetched
	)
	store := func(group []fetched, replace bool) error {
		b := data.Batch{Timeframe: group[0].c.Timeframe, Adjustment: group[0].c.Adjustment, Feed: p.Feed,
			Bars: group[0].bars, Replace: replace} // no copy for the common case of one chunk
		if len(group) > 1 {
			n := 0
			for _, f := range group {
				n += len(f.bars)
			}
			b.Bars = make([]data.Bar, 0, n)
		}
		for _, f := range group {
			if len(group) > 1 {
				b.Bars = append(b.Bars, f.bars...)
			}
			// The earliest time of the group: the prices are as of no later than that.
			for _, at := range []time.Time{f.at, checked[f.c.Series]} {
				if !at.IsZero() && (b.AsOf.IsZero() || at.Before(b.AsOf)) {
					b.AsOf = at
				}
			}
			if end := finalEnd(f.c, f.at, f.bars); f.c.Start.Before(end) {
				b.Covered = append(b.Covered, data.Span{Symbol: f.c.Symbol, Range: data.Range{Start: f.c.Start, End: end}})
			}
		}
		if err := st.Write(ctx, b); err != nil {
			first := group[0].c
			return fmt.Errorf("store %s %s: %w", first.Series, first.Range, err)
		}
		for _, f := range group {
			c, bars := f.c, f.bars
			sr := &rep.Series[index[c.Series]]
			sr.AsOf = b.AsOf
			sr.BarsAdded += int64(len(bars))
			sr.EmptyDays += emptyTradingDays(c.Range, c.Timeframe, bars)
			if len(bars) > 0 {
				if sr.First.IsZero() || bars[0].Time.Before(sr.First) {
					sr.First = bars[0].Time
				}
				if last := bars[len(bars)-1].Time; last.After(sr.Last) {
					sr.Last = last
				}
			}
			rep.ChunksDone++
			barsDone += int64(len(bars))
			if progress != nil {
				progress(Progress{Chunk: c, Bars: len(bars), ChunksDone: rep.ChunksDone, ChunksTotal: rep.ChunksTotal, BarsDone: barsDone})
			}
		}
		return nil
	}
	// Series refetched whole go first, one at a time, each in one Batch with Replace: a reader
	// sees the old series or the new one.
	for _, s := range sortedSeries(whole) {
		var group []fetched
		for _, c := range whole[s] {
			bars, err := fetchGroup(fctx, src, []Chunk{c})
			if err != nil {
				return rep, err // no worker has started yet
			}
			at := serverTime()
			group = append(group, fetched{c, bars[0], at})
		}
		if len(group) > 0 {
			if err := store(group, true); err != nil {
				return rep, err // no worker has started yet
			}
		}
	}
	groups := groupChunks(chunks, symbolsPerRequest(src))
	work := make(chan []Chunk)
	results := make(chan fetched, 4*workers) // room for chunks that finish while a write syncs
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range work {
				perChunk, err := fetchGroup(fctx, src, g)
				if err != nil {
					cancel(err)
					return
				}
				// The server's time at its latest answer, which is this group's last page
				// unless another worker's answer came in meanwhile: a bar is then taken as
				// final if its period ended within that moment (the Date header is to the
				// second), a window the fetch accepts.
				at := serverTime()
				for i, c := range g {
					select {
					case results <- fetched{c, perChunk[i], at}:
					case <-fctx.Done():
						return
					}
				}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, g := range groups {
			select {
			case work <- g:
			case <-fctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

loop:
	for {
		var f fetched
		if carry != nil {
			f, carry = *carry, nil
		} else {
			select {
			case x, ok := <-results:
				if !ok {
					break loop
				}
				f = x
			case <-ctx.Done():
				break loop
			}
		}
		group, n := []fetched{f}, len(f.bars)
	drain:
		for n < maxBatchBars {
			select {
			case x, ok := <-results:
				if !ok {
					break drain
				}
				if x.c.Timeframe != f.c.Timeframe || x.c.Adjustment != f.c.Adjustment {
					carry = &x
					break drain
				}
				group, n = append(group, x), n+len(x.bars)
			default:
				break drain
			}
		}
		if ctx.Err() != nil {
			break
		}
		if err := store(group, false); err != nil {
			cancel(err)
			break
		}
	}
	// Let the workers see the end and finish before returning, so none outlives Run.
	cancel(nil)
	for range results {
	}
	if rep.ChunksDone < rep.ChunksTotal {
		return rep, context.Cause(fctx) // the first error, or the caller's cancellation
	}
	return rep, nil
}

// symbolsPerRequest is how many symbols src takes in one request when their chunks share a
// range: a source whose page limit counts bars across symbols (Alpaca's) says so with a
// SymbolsPerRequest method; any other gets one symbol a request, as before.
func symbolsPerRequest(src data.Source) int {
	if s, ok := src.(interface{ SymbolsPerRequest() int }); ok {
		return max(s.SymbolsPerRequest(), 1)
	}
	return 1
}

// maxGroupBars bounds the bars one grouped request is expected to hold (by calendar time over
// the timeframe, an overestimate), so that grouping never holds much more in memory than one
// intraday chunk does.
const maxGroupBars = 100_000

// groupChunks puts chunks of the same timeframe, adjustment and range into groups of at most
// n, to be fetched in one request; each chunk keeps its own coverage and store write, so
// chunks and coverage stay exactly as planned. Groups keep the order of their first chunk.
func groupChunks(chunks []Chunk, n int) [][]Chunk {
	type key struct {
		tf  data.Timeframe
		adj data.Adjustment
		r   data.Range
	}
	var groups [][]Chunk
	open := map[key]int{} // the group still taking chunks of a key
	for _, c := range chunks {
		k := key{c.Timeframe, c.Adjustment, c.Range}
		est := 1
		if d := c.Timeframe.Duration(); d > 0 {
			est = int(min(c.End.Sub(c.Start)/d+1, maxGroupBars))
		}
		if i, ok := open[k]; ok && len(groups[i]) < n && (len(groups[i])+1)*est <= maxGroupBars {
			groups[i] = append(groups[i], c)
			continue
		}
		open[k] = len(groups)
		groups = append(groups, []Chunk{c})
	}
	return groups
}

// fetchGroup fetches the chunks of g, which share a timeframe, adjustment and range, in one
// request, and returns each chunk's bars as chunkBars keeps them.
func fetchGroup(ctx context.Context, src data.Source, g []Chunk) ([][]data.Bar, error) {
	c := g[0]
	syms := make([]string, len(g))
	index := make(map[string]int, len(g))
	for i, x := range g {
		syms[i] = x.Symbol
		index[x.Symbol] = i
	}
	req := data.Request{Symbols: syms, Timeframe: c.Timeframe, Start: c.Start, End: c.End, Adjustment: c.Adjustment}
	pages := make([][][]data.Bar, len(g))
	for page, err := range src.Bars(ctx, req) {
		if err != nil {
			if len(g) > 5 {
				return nil, fmt.Errorf("%s and %d more symbols %s %s: %w", strings.Join(syms[:4], ","), len(g)-4, c.Timeframe, c.Range, err)
			}
			if len(g) > 1 {
				return nil, fmt.Errorf("%s %s %s: %w", strings.Join(syms, ","), c.Timeframe, c.Range, err)
			}
			return nil, fmt.Errorf("%s %s: %w", c.Series, c.Range, err)
		}
		// A page goes to the chunks of the symbols it holds (most pages hold one).
		last := -1
		for _, b := range page {
			if i, ok := index[b.Symbol]; ok && i != last {
				if n := len(pages[i]); n == 0 || !samePage(pages[i][n-1], page) {
					pages[i] = append(pages[i], page)
				}
				last = i
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]data.Bar, len(g))
	for i, x := range g {
		out[i] = chunkBars(x, pages[i])
	}
	return out, nil
}

// samePage reports whether a and b are the same page (not just equal bars).
func samePage(a, b []data.Bar) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }

// fetchChunk collects one chunk's bars.
func fetchChunk(ctx context.Context, src data.Source, c Chunk) ([]data.Bar, error) {
	out, err := fetchGroup(ctx, src, []Chunk{c})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// chunkBars keeps only the chunk's symbol and range of pages (a source whose end is
// inclusive, as Alpaca's is, may return a bar at End), sorted by time with duplicates
// dropped, so the store receives exactly the bars of [Start, End).
func chunkBars(c Chunk, pages [][]data.Bar) []data.Bar {
	total := 0
	for _, page := range pages {
		total += len(page)
	}
	bars := make([]data.Bar, 0, total)
	sorted := true
	for _, page := range pages {
		for _, b := range page {
			if b.Symbol != c.Symbol || !c.Contains(b.Time) {
				continue
			}
			b.Time = b.Time.UTC()
			if n := len(bars); n > 0 && !bars[n-1].Time.Before(b.Time) {
				sorted = false
			}
			bars = append(bars, b)
		}
	}
	if sorted { // the usual case: pages in order, no bar twice
		return bars
	}
	sort.SliceStable(bars, func(i, j int) bool { return bars[i].Time.Before(bars[j].Time) })
	out := bars[:0]
	for i, b := range bars {
		if i > 0 && b.Time.Equal(bars[i-1].Time) {
			out[len(out)-1] = b // a later page wins
			continue
		}
		out = append(out, b)
	}
	return out
}

// emptyTradingDays counts the trading days of r that have no bar. A day belongs to r when the
// time its first bar would open lies in r: 09:30 New York for intraday bars, midnight for
// daily ones.
func emptyTradingDays(r data.Range, tf data.Timeframe, bars []data.Bar) int {
	have := make(map[[3]int]bool, 32)
	for i := range bars {
		y, m, d := bars[i].Time.In(calendar.NewYork).Date()
		have[[3]int{y, int(m), d}] = true
	}
	n := 0
	day, _ := calendar.DaySpan(r.Start)
	for ; day.Before(r.End); day = day.AddDate(0, 0, 1) {
		first := day
		if tf.Intraday() {
			first = day.Add(9*time.Hour + 30*time.Minute)
		}
		if !r.Contains(first) || !calendar.IsTradingDay(day) {
			continue
		}
		y, m, d := day.Date()
		if !have[[3]int{y, int(m), d}] {
			n++
		}
	}
	return n
}

// checkActions finds the adjusted series that must be refetched whole: those with something
// stored whose price basis a corporate action since their recorded AsOf has changed, or whose
// AsOf the store does not know. It returns the server's time of each check (the time the
// stored basis is known good at) and the chunks of each series to refetch; their reports are
// updated. Raw series, sources without actions and stores that record no AsOf are not checked.
func checkActions(ctx context.Context, src data.Source, st data.Writer, p Plan, reports []SeriesReport,
	serverTime func() time.Time) (map[data.Series]time.Time, map[data.Series][]Chunk, error) {
	as, ok := src.(data.ActionSource)
	ao, ok2 := st.(data.AsOfer)
	if !ok || !ok2 || p.Adjustment.Norm() == data.Raw {
		return nil, nil, nil
	}
	checked := map[data.Series]time.Time{}
	whole := map[data.Series][]Chunk{}
	for i := range reports {
		r := &reports[i]
		cov, err := st.Coverage(ctx, r.Series)
		if err != nil {
			return nil, nil, fmt.Errorf("coverage of %s: %w", r.Series, err)
		}
		if len(cov) == 0 {
			continue // nothing stored: the fetch is whole anyway
		}
		asof, err := ao.AsOf(ctx, r.Series)
		if err != nil {
			return nil, nil, fmt.Errorf("as-of of %s: %w", r.Series, err)
		}
		refetch := asof.IsZero()
		if !refetch {
			// Prices fetched on a day are taken to reflect the actions with an ex-date up to
			// that day (New York); Alpaca does not say when an action enters the adjustment.
			// The actions that matter are those after it, up to the server's today (the
			// endpoint's default end, docs.alpaca.markets/reference/corporateactions-1).
			y, m, d := asof.In(calendar.NewYork).Date()
			from := time.Date(y, m, d+1, 0, 0, 0, 0, calendar.NewYork)
			acts, err := as.Actions(ctx, r.Symbol, r.Adjustment, from, time.Time{})
			if err != nil {
				return nil, nil, fmt.Errorf("corporate actions of %s: %w", r.Symbol, err)
			}
			r.Actions = acts
			refetch = len(acts) > 0
			checked[r.Series] = serverTime()
		}
		if refetch {
			r.Replaced = true
			r.Requested, whole[r.Series] = p.wholeChunks(r.Series, cov)
		}
	}
	return checked, whole, nil
}

func sortedSeries(m map[data.Series][]Chunk) []data.Series {
	out := make([]data.Series, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
