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
