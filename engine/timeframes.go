package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// Optional hooks of a strategy that decides on several timeframes of its symbols (see the
// package documentation, "Several timeframes").
type (
	// Timeframes is implemented by a strategy that wants, besides the bars replayed, bars of
	// coarser timeframes built from them. Its Timeframes is called once, after Init; a strategy
	// implementing it must implement TimeframeObserver.
	Timeframes interface{ Timeframes() []data.Timeframe }
	// TimeframeObserver receives each coarse bar a Timeframes strategy asked for, once its last
	// fine bar has closed.
	TimeframeObserver interface {
		OnBarTF(env *Env, tf data.Timeframe, bar data.Bar) error
	}
)

// timeframes makes the runner hand a Timeframes strategy its coarse bars: the strategy is
// wrapped, its OnBar and OnStep called through the wrapper, which builds the coarse bars.
func (r *runner) timeframes() error {
	ts, ok := r.strat.(Timeframes)
	if !ok {
		return nil
	}
	obs, ok := r.strat.(TimeframeObserver)
	if !ok {
		return errors.New("engine: the strategy asks for Timeframes but has no OnBarTF to receive them")
	}
	m := &multiTF{inner: r.strat, obs: obs, step: r.step}
	for _, tf := range ts.Timeframes() {
		if err := finerTimeframe(r.env.tf, tf); err != nil {
			return fmt.Errorf("engine: strategy timeframes: %w", err)
		}
		a, err := NewAggregator(tf)
		if err != nil {
			return err
		}
		m.aggs = append(m.aggs, a)
	}
	if len(m.aggs) > 0 {
		r.strat, r.step = m, m
	}
	return nil
}

// multiTF stands between the runner and a Timeframes strategy: it passes every bar on and
// hands over each coarse bar as soon as the run's clock has passed its end, after the fine
// timestamp whose close reaches it (OnStep) or, when the period's last bars are missing, before
// the strategy sees the first bar of a later timestamp (OnBar).
type multiTF struct {
	inner Strategy
	obs   TimeframeObserver
	step  StepObserver // the strategy's own, or nil
	aggs  []*Aggregator
	lastT int64
	due   []data.Bar
}

func (m *multiTF) OnBar(e *Env, b data.Bar) error {
	if t := b.Time.UnixNano(); t != m.lastT {
		m.lastT = t
		if err := m.handOver(e, t); err != nil {
			return err
		}
	}
	if err := m.inner.OnBar(e, b); err != nil {
		return err
	}
	for _, a := range m.aggs {
		if err := a.Add(&b); err != nil {
			return err
		}
	}
	return nil
}

func (m *multiTF) OnStep(e *Env, t time.Time) error {
	if m.step != nil {
		if err := m.step.OnStep(e, t); err != nil {
			return err
		}
	}
	return m.handOver(e, e.Now().UnixNano())
}

// handOver gives the strategy the coarse bars whose periods end at or before t (Unix ns),
// timeframe by timeframe in the order asked for.
func (m *multiTF) handOver(e *Env, t int64) error {
	for _, a := range m.aggs {
		m.due, _ = a.Due(t, m.due[:0], nil)
		for i := range m.due {
			if err := m.obs.OnBarTF(e, a.tf, m.due[i]); err != nil {
				return fmt.Errorf("%v bar %s %s: %w", a.tf, m.due[i].Symbol, m.due[i].Time.UTC().Format(time.RFC3339), err)
			}
		}
	}
	return nil
}
