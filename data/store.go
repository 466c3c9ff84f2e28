package data

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Adjustment names how prices are adjusted for corporate actions, in Alpaca's words. Raw bars are
// what fetch keeps by default; any other adjustment is stored as a series of its own, never mixed
// with raw bars, so that an incremental fetch after a split cannot leave a half-adjusted history.
type Adjustment string

const (
	Raw      Adjustment = "raw"
	Split    Adjustment = "split"
	Dividend Adjustment = "dividend"
	All      Adjustment = "all"
)

// ParseAdjustment accepts raw, split, dividend or all; "" means raw.
func ParseAdjustment(s string) (Adjustment, error) {
	switch a := Adjustment(strings.ToLower(strings.TrimSpace(s))); a {
	case "":
		return Raw, nil
	case Raw, Split, Dividend, All:
		return a, nil
	}
	return "", fmt.Errorf("invalid adjustment %q: want raw, split, dividend or all", s)
}

// Norm returns a with "" read as Raw.
func (a Adjustment) Norm() Adjustment {
	if a == "" {
		return Raw
	}
	return a
}

// Series names one stored sequence of bars. The feed is part of its identity as the adjustment
// is: IEX and SIP bars of one symbol differ (IEX volume is a few percent of SIP's), so bars of
// two feeds are stored apart and never mixed in one series.
type Series struct {
	Symbol     string
	Timeframe  Timeframe
	Adjustment Adjustment // "" is Raw
	// Feed names where the bars came from ("sip", "iex", "synth"...). In a Coverage call ""
	// means the series' only stored feed (an error when it has several).
	Feed string
}

func (s Series) String() string {
	out := s.Symbol + " " + s.Timeframe.String()
	if a := s.Adjustment.Norm(); a != Raw {
		out += " (" + string(a) + ")"
	}
	return out
}

// UnknownFeed is the feed of bars written without one (and of bars an older store recorded
// without one).
const UnknownFeed = "unknown"

// NormFeed returns feed with "" read as UnknownFeed: the feed under which a Batch is stored.
func NormFeed(feed string) string {
	if feed == "" {
		return UnknownFeed
	}
	return feed
}

// ErrSeveralFeeds is returned (wrapped) when a Query or a Series leaves the feed empty and the
// selected series are stored from several feeds: the caller must choose one, since bars of
// different feeds are never mixed.
var ErrSeveralFeeds = errors.New("several feeds stored")

// SeveralFeedsError names the feeds a choice has to be made between.
type SeveralFeedsError struct {
	What  string   // what was selected, for the message
	Feeds []string // sorted
}

func (e *SeveralFeedsError) Error() string {
	return e.What + ": stored from several feeds (" + strings.Join(e.Feeds, ", ") + "): choose one"
}

func (e *SeveralFeedsError) Unwrap() error { return ErrSeveralFeeds }

// Span is a range of one symbol that a Batch has fetched completely: the bars in it are all
// there are, so a range with no bars (a holiday) is known empty rather than missing.
type Span struct {
	Symbol string
	Range
}

// Batch is one atomic write: a store applies its bars and its coverage together or not at all.
// Its series are (symbol, Timeframe, Adjustment, Feed) for each symbol of Bars and Covered.
type Batch struct {
	Timeframe  Timeframe
	Adjustment Adjustment // "" is Raw
	Feed       string     // where the bars came from: "iex", "sip", "synth"...; "" is UnknownFeed
	Bars       []Bar      // any symbols, any order; a bar already stored is replaced
	Covered    []Span     // ranges this batch completes; may be empty
	// Replace drops every stored bar and covered range of the batch's series before applying
	// it, in the same atomic write: an adjusted series refetched on a new price basis replaces
	// the old one whole, and a reader sees the old series or the new one, never a mix.
	Replace bool
	// AsOf is when the bars were fetched by the data server's clock; the store records it per
	// series (the latest write's), as the date the stored prices are adjusted as of. Zero
	// leaves what is recorded.
	AsOf time.Time
}

// Query selects bars to read. Zero Start or End means unbounded; ranges are half-open.
type Query struct {
	Symbols    []string // empty: every symbol of the timeframe
	Timeframe  Timeframe
	Adjustment Adjustment // "" is Raw
	// Feed selects the feed; "" selects the only feed the selected series are stored from,
	// and fails with ErrSeveralFeeds when there are several.
	Feed       string
	Start, End time.Time
}

// SeriesInfo describes one stored series.
type SeriesInfo struct {
	Series
	Bars        int64
	First, Last time.Time // open times of the first and last bar; zero when Bars is 0
	// AsOf is when the series was last fetched, by the data server's clock; zero when unknown
	// (a store written before it was recorded, or a source without a clock).
	AsOf time.Time
}

// Writer is the role of a store that fetching needs: adding bars and knowing what is already
// complete, so that a rerun fetches only what is missing.
type Writer interface {
	// Write applies b atomically: an idempotent upsert of its bars keyed by
	// (symbol, timeframe, adjustment, feed, time), plus its coverage and AsOf.
	Write(ctx context.Context, b Batch) error
	// Coverage returns the ranges of s that have been fetched completely, in normal form.
	Coverage(ctx context.Context, s Series) (Ranges, error)
}

// AsOfer is the role of a Writer that records when each series was fetched (Batch.AsOf), as
// both stores do: fetching reads it to tell whether a corporate action since then changed the
// basis of an adjusted series. It is optional so that a Writer for tests or imports may skip it.
type AsOfer interface {
	// AsOf returns the AsOf recorded for s by its latest write that had one; zero when none.
	AsOf(ctx context.Context, s Series) (time.Time, error)
}

// Reader is the role of a store that a backtest needs: streaming bars and listing what is there.
type Reader interface {
	// Read streams the selected bars ordered by time, then symbol, without loading them all.
	Read(ctx context.Context, q Query) (BarIterator, error)
	// Series lists what the store holds, ordered by timeframe, adjustment, symbol and feed.
	Series(ctx context.Context) ([]SeriesInfo, error)
}

// Store keeps bars: both roles, and the handle to release. Implementations are safe for use by
// one process at a time for writing; readers in other processes see either the state before or
// after a Write, never a torn one.
type Store interface {
	Writer
	Reader
	Close() error
}

// BarIterator is a pull-based stream of bars, used as sql.Rows is:
//
//	for it.Next() { b := it.Bar(); ... }
//	if err := it.Err(); err != nil { ... }
//
// Bar returns the current bar; it is valid until the next call to Next.
type BarIterator interface {
	Next() bool
	Bar() Bar
	Err() error
	Close() error
}

// BatchIterator is an optional fast path of a BarIterator, found by type assertion as
// io.WriterTo is: NextBatch advances past a run of bars and returns them all at once, sparing
// an interface call and a copy of each bar. After it the iterator stands on the batch's last
// bar (Bar returns it), so Next and NextBatch may be mixed. The batch is valid until the next
// call of Next or NextBatch and must not be modified; an empty batch means the end (then check
// Err). Wrappers that watch every bar must not expose it unless they watch batches too.
type BatchIterator interface {
	BarIterator
	NextBatch() []Bar
}

// ErrNotStore is returned (wrapped) when a path exists but is not a store of the expected kind.
var ErrNotStore = errors.New("not a barkeep store")

// SliceIterator streams bars from memory: for tests, benchmarks and small sources.
type SliceIterator struct {
	bars []Bar
	i    int
}

// NewSliceIterator returns an iterator over bars, which must already be in (time, symbol) order.
func NewSliceIterator(bars []Bar) *SliceIterator { return &SliceIterator{bars: bars, i: -1} }

func (s *SliceIterator) Next() bool   { s.i++; return s.i < len(s.bars) }
func (s *SliceIterator) Bar() Bar     { return s.bars[s.i] }
func (s *SliceIterator) Err() error   { return nil }
func (s *SliceIterator) Close() error { s.i = len(s.bars); return nil }

// NextBatch returns every bar left, without copying.
func (s *SliceIterator) NextBatch() []Bar {
	lo := min(s.i+1, len(s.bars))
	s.i = len(s.bars) - 1
	if lo == len(s.bars) {
		s.i = len(s.bars)
	}
	return s.bars[lo:]
}

// Collect drains it into a slice and closes it.
func Collect(it BarIterator) ([]Bar, error) {
	var out []Bar
	for it.Next() {
		out = append(out, it.Bar())
	}
	err := it.Err()
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	return out, err
}
