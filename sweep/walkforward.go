package sweep

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/engine"
)

// WalkSpec is a walk-forward's shape, in trading days: the days of the data that hold bars.
type WalkSpec struct {
	Train, Test, Step int
	// Anchored keeps every train span starting at the first day (an expanding window) rather
	// than sliding it by Step.
	Anchored bool
}

// ParseWalkSpec reads "train=252,test=63[,step=63][,anchored]"; Step defaults to Test.
func ParseWalkSpec(s string) (WalkSpec, error) {
	var w WalkSpec
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "anchored" {
			w.Anchored = true
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 1 {
			return w, fmt.Errorf("%q: want train=N,test=N[,step=N][,anchored], N trading days of at least 1", s)
		}
		switch k {
		case "train":
			w.Train = n
		case "test":
			w.Test = n
		case "step":
			w.Step = n
		default:
			return w, fmt.Errorf("%q: unknown part %q: want train, test, step or anchored", s, k)
		}
	}
	if w.Train == 0 || w.Test == 0 {
		return w, fmt.Errorf("%q: want both train=N and test=N", s)
	}
	if w.Step == 0 {
		w.Step = w.Test
	}
	if w.Step < w.Test {
		return w, fmt.Errorf("%q: step %d is shorter than test %d: the test spans would overlap", s, w.Step, w.Test)
	}
	return w, nil
}

// Window is one walk-forward window as indices of trading days, both spans inclusive.
type Window struct {
	Index                                    int
	TrainStart, TrainEnd, TestStart, TestEnd int
}

// Windows lays the windows over days trading days: window k trains on days [k×Step (0 when
// anchored), k×Step + Train − 1] and tests on the Test days that follow, the last test span
// cut short by the end of the data.
func (w WalkSpec) Windows(days int) []Window {
	var out []Window
	for k := 0; ; k++ {
		trainEnd := k*w.Step + w.Train - 1
		if trainEnd+1 >= days {
			return out
		}
		win := Window{Index: k, TrainStart: k * w.Step, TrainEnd: trainEnd, TestStart: trainEnd + 1, TestEnd: min(trainEnd+w.Test, days-1)}
		if w.Anchored {
			win.TrainStart = 0
		}
		out = append(out, win)
	}
}

// Days splits bars in time order into trading days: the New York dates that hold bars, and
// where each begins in bars (starts has one more entry, len(bars)).
func Days(bars []data.Bar) (dates []time.Time, starts []int) {
	var start, end time.Time
	for i := range bars {
		// A day's span is looked up only when a bar leaves the current one.
		if t := bars[i].Time; !t.Before(start) && t.Before(end) {
			continue
		}
		start, end = calendar.DaySpan(bars[i].Time)
		dates = append(dates, start)
		starts = append(starts, i)
	}
	return dates, append(starts, len(bars))
}

// Switch is the strategy of a stitched walk-forward run: strats[k] trades from starts[k] (the
// first bar of window k's test span) until starts[k+1], taking over the portfolio as the
// previous one left it. The engine keeps positions and working orders across the handover,
// so a position is carried until the new choice's own signals move it: the built-ins trade
// to a target side (Sizing.Target), so the new choice holds what it would hold as soon as it
// signals. Fills and order updates go to the strategy trading when they happen.
func Switch(starts []time.Time, strats []engine.Strategy) engine.Strategy {
	return &switcher{starts: starts, strats: strats}
}

type switcher struct {
	starts []time.Time
	strats []engine.Strategy
	cur    int
}

func (s *switcher) Init(env *engine.Env) error { return initStrategy(s.strats[0], env) }

func initStrategy(st engine.Strategy, env *engine.Env) error {
	if in, ok := st.(engine.Initer); ok {
		return in.Init(env)
	}
	return nil
}

func (s *switcher) OnBar(env *engine.Env, bar data.Bar) error {
	for s.cur+1 < len(s.strats) && !bar.Time.Before(s.starts[s.cur+1]) {
		s.cur++
		if err := initStrategy(s.strats[s.cur], env); err != nil {
			return fmt.Errorf("window %d: %w", s.cur, err)
		}
	}
	return s.strats[s.cur].OnBar(env, bar)
}

func (s *switcher) OnStep(env *engine.Env, t time.Time) error {
	if o, ok := s.strats[s.cur].(engine.StepObserver); ok {
		return o.OnStep(env, t)
	}
	return nil
}

func (s *switcher) OnFill(env *engine.Env, f engine.Fill) {
	if o, ok := s.strats[s.cur].(engine.FillObserver); ok {
		o.OnFill(env, f)
	}
}

func (s *switcher) OnOrderUpdate(env *engine.Env, u engine.OrderUpdate) {
	if o, ok := s.strats[s.cur].(engine.OrderObserver); ok {
		o.OnOrderUpdate(env, u)
	}
}
