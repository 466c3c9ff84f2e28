package data

import (
	"context"
	"iter"
	"time"
)

// Request asks a Source for the bars of some symbols over [Start, End).
type Request struct {
	Symbols    []string
	Timeframe  Timeframe
	Start, End time.Time
	Adjustment Adjustment // "" is Raw
}

// Source produces bars. Bars yields pages in the source's order (each symbol's bars oldest
// first); a page may hold several symbols. After a non-nil error no further page follows.
type Source interface {
	Bars(ctx context.Context, req Request) iter.Seq2[[]Bar, error]
	// Feed names the data feed bars come from ("iex", "sip", "synth"), recorded with them.
	Feed() string
}

// Clock is an optional role of a Source whose server stamps its answers with its own time (an
// HTTP Date header): fetching decides with it, never with the local clock, which bars are
// final. ServerTime returns the server's time at its latest answer, or the zero time before
// the first.
type Clock interface {
	ServerTime() time.Time
}

// ActionSource is an optional role of a Source that knows corporate actions: fetching asks it,
// before extending an adjusted series, whether an action changed the price basis since the
// series was fetched.
type ActionSource interface {
	// Actions returns the actions on symbol that change prices adjusted as adj, with ex-dates
	// (New York dates, as midnight New York) in [from, to], both inclusive.
	Actions(ctx context.Context, symbol string, adj Adjustment, from, to time.Time) ([]Action, error)
}

// Action is one corporate action that moves a symbol's adjusted prices.
type Action struct {
	Symbol string
	Type   string    // Alpaca's name: forward_split, reverse_split, cash_dividend...
	ExDate time.Time // midnight New York of the ex-date: bars before it are adjusted
}
