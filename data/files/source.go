package files

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"sort"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/fetch"
)

// pageSize is the most bars a page of Bars holds.
const pageSize = 10000

// Bars yields the set's bars of req in pages, symbol by symbol in sorted order, oldest first.
// A symbol or adjustment the set does not hold yields nothing, as a source with no data for it
// would; another timeframe than the set's is an error.
func (s *Set) Bars(ctx context.Context, req data.Request) iter.Seq2[[]data.Bar, error] {
	return func(yield func([]data.Bar, error) bool) {
		if req.Timeframe != s.Timeframe {
			yield(nil, fmt.Errorf("files hold %s bars, not %s", s.Timeframe, req.Timeframe))
			return
		}
		syms := slices.Clone(req.Symbols)
		slices.Sort(syms)
		for _, sym := range slices.Compact(syms) {
			sr := s.index[data.Series{Symbol: sym, Timeframe: req.Timeframe, Adjustment: req.Adjustment.Norm()}]
			if sr == nil {
				continue
			}
			lo := sort.Search(len(sr.bars), func(i int) bool { return !sr.bars[i].Time.Before(req.Start) })
			hi := sort.Search(len(sr.bars), func(i int) bool { return !sr.bars[i].Time.Before(req.End) })
			for lo < hi {
				if err := ctx.Err(); err != nil {
					yield(nil, err)
					return
				}
				n := min(hi-lo, pageSize)
				if !yield(slices.Clone(sr.bars[lo:lo+n]), nil) {
					return
				}
				lo += n
			}
		}
	}
}

// SeriesInfo describes one series of a set.
type SeriesInfo struct {
	data.Series
	Bars    int
	Covered data.Ranges // what an import claims: the span of the bars, minus rejected rows
}

// Series lists the set's series, ordered by adjustment, then symbol.
func (s *Set) Series() []SeriesInfo {
	out := make([]SeriesInfo, len(s.series))
	for i, sr := range s.series {
		out[i] = SeriesInfo{Series: sr.Series, Bars: len(sr.bars), Covered: slices.Clone(sr.covered)}
	}
	return out
}

// Plans are the fetch plans that import the set: one per adjustment and covered range, with
// every symbol that covers exactly that range, so that no symbol is claimed over a range its
// files do not span.
func (s *Set) Plans() []fetch.Plan {
	type key struct {
		adj data.Adjustment
		r   data.Range
	}
	var (
		order []key
		plans = map[key]*fetch.Plan{}
	)
	for _, sr := range s.series {
		for _, r := range sr.covered {
			k := key{sr.Adjustment, data.Range{Start: r.Start.UTC(), End: r.End.UTC()}}
			p := plans[k]
			if p == nil {
				p = &fetch.Plan{Timeframes: []data.Timeframe{s.Timeframe}, Adjustment: sr.Adjustment,
					Start: k.r.Start, End: k.r.End, Concurrency: 2}
				plans[k] = p
				order = append(order, k)
			}
			p.Symbols = append(p.Symbols, sr.Symbol)
		}
	}
	slices.SortStableFunc(order, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.adj, b.adj), a.r.Start.Compare(b.r.Start), a.r.End.Compare(b.r.End))
	})
	out := make([]fetch.Plan, len(order))
	for i, k := range order {
		out[i] = *plans[k]
	}
	return out
}

// Import stores the set's bars that st does not cover yet, through the fetch loop, so they land
// exactly as fetched bars do. The report has one entry per series; progress counts chunks over
// the whole import.
func (s *Set) Import(ctx context.Context, st data.Writer, progress func(fetch.Progress)) (*fetch.Report, error) {
	plans := s.Plans()
	total := 0
	for _, p := range plans {
		chunks, _, err := p.Chunks(ctx, st)
		if err != nil {
			return nil, err
		}
		total += len(chunks)
	}
	rep := &fetch.Report{Feed: s.feed, ChunksTotal: total}
	index := map[data.Series]int{}
	var barsDone int64
	for _, p := range plans {
		done := rep.ChunksDone
		r, err := fetch.Run(ctx, s, st, p, func(pr fetch.Progress) {
			barsDone += int64(pr.Bars)
			if progress != nil {
				pr.ChunksDone += done
				pr.ChunksTotal = total
				pr.BarsDone = barsDone
				progress(pr)
			}
		})
		if r != nil {
			rep.ChunksDone += r.ChunksDone
			for _, sr := range r.Series {
				i, ok := index[sr.Series]
				if !ok {
					index[sr.Series] = len(rep.Series)
					rep.Series = append(rep.Series, sr)
					continue
				}
				merge(&rep.Series[i], sr)
			}
		}
		if err != nil {
			return rep, err
		}
	}
	slices.SortStableFunc(rep.Series, func(a, b fetch.SeriesReport) int {
		return cmp.Or(cmp.Compare(a.Adjustment, b.Adjustment), cmp.Compare(a.Symbol, b.Symbol))
	})
	return rep, nil
}

// merge adds the report of another range of the same series to dst.
func merge(dst *fetch.SeriesReport, sr fetch.SeriesReport) {
	for _, r := range sr.Requested {
		dst.Requested = dst.Requested.Add(r)
	}
	dst.BarsAdded += sr.BarsAdded
	dst.EmptyDays += sr.EmptyDays
	if !sr.First.IsZero() && (dst.First.IsZero() || sr.First.Before(dst.First)) {
		dst.First = sr.First
	}
	if sr.Last.After(dst.Last) {
		dst.Last = sr.Last
	}
}
