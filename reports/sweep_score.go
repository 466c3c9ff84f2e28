package reports

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

// Scorer computes the Stats of many runs against one set of Options, preparing the benchmark
// once: Scorer.Stats(r) equals Compute(r, o).Strategy, without the monthly and yearly tables a
// sweep does not show and without resampling the benchmark's curve for every run.
type Scorer struct {
	rf    float64
	bench *daily

	// dates are the dates of the daily returns Score keeps, held once for every run that has
	// the same (runs over the same bars almost always do).
	mu    sync.Mutex
	dates []time.Time
}

// NewScorer prepares o (its benchmark, if any) for scoring many runs.
func NewScorer(o Options) (*Scorer, error) {
	sc := &Scorer{rf: o.RiskFree}
	if b := o.Benchmark; b != nil {
		if err := checkCurve(b.Equity); err != nil {
			return nil, fmt.Errorf("compute report: benchmark: %w", err)
		}
		if err := checkStart(b); err != nil {
			return nil, fmt.Errorf("compute report: benchmark: %w", err)
		}
		bd := resampleResult(b)
		sc.bench = &bd
	}
	return sc, nil
}

// Stats computes the statistics of r. It is safe for concurrent use.
func (sc *Scorer) Stats(r *engine.Result) (Stats, error) {
	s, _, err := sc.score(r)
	return s, err
}

// score is Stats with the daily series it was computed from.
func (sc *Scorer) score(r *engine.Result) (Stats, daily, error) {
	if r == nil {
		return Stats{}, daily{}, errors.New("compute report: nil result")
	}
	if err := checkCurve(r.Equity); err != nil {
		return Stats{}, daily{}, fmt.Errorf("compute report: %w", err)
	}
	if err := checkStart(r); err != nil {
		return Stats{}, daily{}, fmt.Errorf("compute report: %w", err)
	}
	d := resampleResult(r)
	s := computeStats(r, d, sc.rf)
	if sc.bench != nil {
		s.Alpha, s.Beta = alphaBeta(d, *sc.bench, sc.rf)
	}
	return s, d, nil
}
