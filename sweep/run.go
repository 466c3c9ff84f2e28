package sweep

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// Score turns the result of one run into what the sweep keeps of it (reports.Scorer.Stats in
// the backtest command). Execute calls it from several goroutines at once, and lets the
// result go as soon as it returns, so that only the scores outlive the runs.
type Score[S any] func(*engine.Result) (S, error)

// Options tune Execute.
type Options struct {
	// Jobs is how many runs go at once; below 1 means one.
	Jobs int
	// Progress, if not nil, is called after each run with the count done, from the workers.
	Progress func(done int)
}

// RunError is a run that failed, which stops the sweep.
type RunError struct {
	Run Run
	Err error
}

func (e *RunError) Error() string { return fmt.Sprintf("run %s: %v", e.Run.Params, e.Err) }
func (e *RunError) Unwrap() error { return e.Err }

// Execute replays bars through a fresh strategy for each of runs (all of p.Runs, or a slice
// of them) with cfg, and returns their scores in the order of runs whatever the scheduling,
// and the bars one run replayed (after cfg's session filter). The first error in the order of
// runs stops the rest.
func Execute[S any](ctx context.Context, p *Plan, runs []Run, bars []data.Bar, cfg engine.Config, score Score[S], o Options) ([]S, int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	scores := make([]S, len(runs))
	errs := make([]error, len(runs))
	var replayed atomic.Int64
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range min(max(o.Jobs, 1), len(runs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(runs) || ctx.Err() != nil {
					return
				}
				err := func() error {
					strat, err := p.Build(runs[i])
					if err != nil {
						return err
					}
					c := cfg
					c.Params = runs[i].Params.Strings()
					res, err := engine.Run(ctx, c, data.NewSliceIterator(bars), strat)
					if err != nil {
						return err
					}
					replayed.Store(res.Bars)
					scores[i], err = score(res)
					return err
				}()
				if err != nil {
					errs[i] = &RunError{Run: runs[i], Err: err}
					cancel()
					return
				}
				if o.Progress != nil {
					o.Progress(int(done.Add(1)))
				}
			}
		})
	}
	wg.Wait()
	// A run stopped by another's failure reports context.Canceled: the failure that caused
	// it is the one to show.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, 0, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, 0, err
		}
	}
	return scores, replayed.Load(), nil
}
